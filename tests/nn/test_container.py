"""Sequential: order, indexing (ints and slices), len, iteration, append."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import mytorch
from mytorch import nn
from mytorch.testing import gradcheck


def _model():
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))


def test_runs_the_layers_in_order():
    model = _model()
    x = mytorch.randn(5, 4)
    expected = model[2](model[1](model[0](x)))
    assert np.array_equal(model(x).data, expected.data)


def test_indexing_len_and_iteration():
    model = _model()
    assert len(model) == 3
    assert isinstance(model[0], nn.Linear) and model[-1] is model[2]
    assert list(model) == [model[0], model[1], model[2]]
    with pytest.raises(IndexError, match="Sequential: index 3 is out of range for 3 modules"):
        model[3]
    with pytest.raises(IndexError, match="index -4"):
        model[-4]


def test_slices_share_the_layers_and_keep_their_names():
    model = _model()
    tail = model[1:]
    assert isinstance(tail, nn.Sequential) and len(tail) == 2
    assert tail[1] is model[2]
    assert list(tail.state_dict()) == ["2.weight", "2.bias"]


def test_names_from_an_ordered_dict(torch):
    model = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert model.hidden is model[0]
    theirs = torch.nn.Sequential(
        OrderedDict([("hidden", torch.nn.Linear(2, 2)), ("act", torch.nn.Tanh())])
    )
    assert repr(model) == repr(theirs)


def test_append():
    model = nn.Sequential(nn.Linear(2, 2))
    assert model.append(nn.ReLU()) is model
    assert [name for name, _ in model.named_children()] == ["0", "1"]
    with pytest.raises(TypeError, match=r"Sequential\.append: int is not a Module"):
        model.append(3)


def test_non_modules_are_refused():
    with pytest.raises(TypeError, match="Sequential: entry '1' is a function, not a Module"):
        nn.Sequential(nn.ReLU(), mytorch.relu)


def test_empty_sequential_is_the_identity():
    x = mytorch.randn(2)
    assert nn.Sequential()(x) is x


def _mlp(torch_nn, **dtype):
    """The MNIST job's model, smaller: Linear -> BatchNorm1d -> ReLU -> Linear."""
    return torch_nn.Sequential(
        torch_nn.Linear(30, 20, **dtype),
        torch_nn.BatchNorm1d(20, **dtype),
        torch_nn.ReLU(),
        torch_nn.Linear(20, 10, **dtype),
    )


def test_mlp_matches_torch_for_three_training_steps_and_eval(torch, compare_layer):
    ours, theirs = _mlp(nn, dtype=mytorch.float64), _mlp(torch.nn, dtype=torch.float64)
    rng = np.random.default_rng(0)
    for step in range(3):
        ours.zero_grad()
        theirs.zero_grad()
        compare_layer(ours, theirs, rng.uniform(0, 1, size=(16, 30)), seed=step)
    compare_layer(ours.eval(), theirs.eval(), rng.uniform(0, 1, size=(4, 30)))


def test_mlp_loss_gradcheck():
    _ = mytorch.manual_seed(0)
    model = _mlp(nn, dtype=mytorch.float64)
    labels = np.random.default_rng(1).integers(0, 10, size=6)
    x = np.random.default_rng(2).uniform(0, 1, size=(6, 30))
    loss = nn.CrossEntropyLoss()
    assert gradcheck(lambda t: loss(model(t), labels), [x])
