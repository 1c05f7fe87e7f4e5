"""Frozen parameters, as in PyTorch: a frozen parameter stays one, with no gradient."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import mytorch
from mytorch import nn


def two_layers() -> nn.Sequential:
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


@pytest.mark.parametrize(
    "freeze",
    [
        lambda p: p.requires_grad_(False),
        lambda p: setattr(p, "requires_grad", False),
    ],
    ids=["requires_grad_", "attribute"],
)
def test_a_frozen_parameter_stays_a_parameter_and_gets_no_gradient(freeze):
    model = two_layers()
    for param in model[0].parameters():
        freeze(param)
    weight = model[0].weight
    assert weight.is_parameter and weight.is_leaf and not weight.requires_grad
    assert type(weight) is nn.Parameter
    assert weight.grad_fn is None
    assert repr(nn.Parameter(mytorch.tensor([1.0])).requires_grad_(False)) == (
        "Parameter containing:\ntensor([1.])"
    )
    model(mytorch.ones(5, 3)).sum().backward()
    assert model[0].weight.grad is None and model[0].bias.grad is None
    assert model[2].weight.grad is not None
    assert len(list(model.parameters())) == 4
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_module_requires_grad_freezes_and_unfreezes_every_parameter():
    model = two_layers()
    assert model.requires_grad_(False) is model
    assert not any(p.requires_grad for p in model.parameters())
    assert all(p.is_parameter for p in model.parameters())
    out = model(mytorch.ones(1, 3))
    assert not out.requires_grad and out.grad_fn is None
    model.requires_grad_(True)
    assert all(p.requires_grad for p in model.parameters())
    model(mytorch.ones(1, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_a_frozen_layer_is_not_stepped_and_the_rest_is():
    model = two_layers()
    model[0].requires_grad_(False)
    before = {k: v.data.copy() for k, v in model.state_dict().items()}
    opt = mytorch.optim.Adam(model.parameters(), lr=0.1)  # frozen params are accepted
    model(mytorch.ones(2, 3)).sum().backward()
    opt.step()
    after = {k: v.data for k, v in model.state_dict().items()}
    np.testing.assert_array_equal(after["0.weight"], before["0.weight"])
    np.testing.assert_array_equal(after["0.bias"], before["0.bias"])
    assert not np.array_equal(after["2.bias"], before["2.bias"])  # its gradient is all ones
    assert model[0].weight not in opt.state


def test_unfreezing_restores_the_gradient_exactly():
    w = nn.Parameter(mytorch.tensor([1.0, 2.0]))
    w.requires_grad_(False)
    assert not (w * w).requires_grad
    w.requires_grad_(True)
    (w * w).sum().backward()
    assert w.grad.tolist() == [2.0, 4.0]


def test_bad_arguments_to_requires_grad_are_refused():
    model = two_layers()
    with pytest.raises(
        TypeError, match=r"Sequential\.requires_grad_: requires_grad must be a bool, got str"
    ):
        model.requires_grad_("no")
    assert all(p.requires_grad for p in model.parameters())
    frozen = nn.Parameter(mytorch.zeros(2), requires_grad=False)  # as in PyTorch
    assert frozen.is_parameter and frozen.is_leaf and not frozen.requires_grad
    with pytest.raises(TypeError, match="Parameter: requires_grad must be a bool, got str"):
        nn.Parameter(mytorch.zeros(2), requires_grad="False")


def _fine_tune(lib, model, make_opt, x, y, steps):
    model[0].requires_grad_(False)
    opt = make_opt(lib, model)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


OPTIMISERS = {
    "sgd": lambda lib, m: lib.optim.SGD(m.parameters(), lr=0.3, momentum=0.9),
    "adam": lambda lib, m: lib.optim.Adam(m.parameters(), lr=0.05, weight_decay=0.01),
}


@pytest.mark.parametrize("make_opt", OPTIMISERS.values(), ids=OPTIMISERS.keys())
def test_fine_tuning_with_a_frozen_first_layer_matches_torch(torch, make_opt):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 3)), rng.integers(0, 2, size=8)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)
    ).double()
    ours = two_layers().double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    first = theirs[0].weight.detach().clone().numpy()
    losses_ours = _fine_tune(
        mytorch, ours, make_opt, mytorch.tensor(x), mytorch.tensor(y), steps=6
    )
    losses_theirs = _fine_tune(
        torch, theirs, make_opt, torch.from_numpy(x), torch.from_numpy(y), steps=6
    )
    np.testing.assert_allclose(losses_ours, losses_theirs, rtol=1e-10)
    assert losses_ours[-1] < losses_ours[0]
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(
            ours.state_dict()[key].data, value.numpy(), rtol=1e-10, atol=1e-12
        )
    np.testing.assert_array_equal(ours[0].weight.data, first)  # never moved


def test_conversions_copies_and_state_loading_keep_a_layer_frozen():
    model = two_layers()
    model[0].requires_grad_(False)
    frozen = [False, False, True, True]
    assert [p.requires_grad for p in copy.deepcopy(model).parameters()] == frozen
    model.load_state_dict(two_layers().state_dict())
    assert [p.requires_grad for p in model.parameters()] == frozen
    assert [p.requires_grad for p in model.double().parameters()] == frozen
