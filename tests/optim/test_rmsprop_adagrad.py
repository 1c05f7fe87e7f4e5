"""RMSprop and Adagrad: PyTorch parity of whole trajectories, their state, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch.optim import Adagrad, RMSprop

RMSPROP_CONFIGS = {
    "defaults": {},
    "alpha_eps": {"lr": 0.005, "alpha": 0.9, "eps": 1e-4},
    "weight_decay": {"lr": 0.01, "weight_decay": 0.1},
    "momentum": {"lr": 0.005, "momentum": 0.9},
    "centered": {"lr": 0.01, "centered": True},
    "centered_momentum_decay": {
        "lr": 0.002,
        "momentum": 0.5,
        "centered": True,
        "weight_decay": 0.05,
    },
    "maximize": {"lr": 0.001, "maximize": True, "momentum": 0.3},
}
ADAGRAD_CONFIGS = {
    "defaults": {},
    "large_lr": {"lr": 0.1},
    "lr_decay": {"lr": 0.1, "lr_decay": 0.05},
    "initial_accumulator": {"lr": 0.1, "initial_accumulator_value": 0.3, "eps": 1e-6},
    "weight_decay": {"lr": 0.05, "weight_decay": 0.1},
    "maximize": {"lr": 0.01, "maximize": True},
}


@pytest.mark.parametrize("config", RMSPROP_CONFIGS.values(), ids=RMSPROP_CONFIGS.keys())
def test_rmsprop_trajectory_matches_torch(config, torch, compare_with_torch):
    compare_with_torch(
        lambda params: RMSprop(params, **config),
        lambda params: torch.optim.RMSprop(params, **config),
    )


@pytest.mark.parametrize("config", ADAGRAD_CONFIGS.values(), ids=ADAGRAD_CONFIGS.keys())
def test_adagrad_trajectory_matches_torch(config, torch, compare_with_torch):
    compare_with_torch(
        lambda params: Adagrad(params, **config),
        lambda params: torch.optim.Adagrad(params, **config),
    )


@pytest.mark.parametrize(("ours", "name"), [(RMSprop, "RMSprop"), (Adagrad, "Adagrad")])
def test_parameter_groups_match_torch(ours, name, torch, compare_with_torch):
    def groups(params):
        return [{"params": params[:2], "lr": 0.03}, {"params": params[2:], "weight_decay": 0.1}]

    def make_ours(params):
        optimizer = ours(groups(params)[:1], lr=0.01)
        optimizer.add_param_group(groups(params)[1])
        return optimizer

    def make_theirs(params):
        optimizer = getattr(torch.optim, name)(groups(params)[:1], lr=0.01)
        optimizer.add_param_group(groups(params)[1])
        return optimizer

    compare_with_torch(make_ours, make_theirs)


@pytest.mark.parametrize(("ours", "name"), [(RMSprop, "RMSprop"), (Adagrad, "Adagrad")])
def test_defaults_are_torchs(ours, name, torch):
    mine = ours([mytorch.zeros(1, requires_grad=True)]).param_groups[0]
    theirs = getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)]).param_groups[0]
    for key, value in mine.items():
        if key != "params":
            assert value == theirs[key], key


def test_rmsprop_first_step_by_hand():
    # v = (1 - alpha) g^2, so the step is lr * g / sqrt((1 - alpha) g^2) = lr / sqrt(1 - alpha).
    w = mytorch.tensor([3.0, -1.0], dtype=mytorch.float64, requires_grad=True)
    opt = RMSprop([w], lr=0.1, alpha=0.96, eps=0.0)
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_allclose(w.data, [3.0 - 0.5, -1.0 + 0.5], rtol=1e-14)
    assert opt.state[w]["step"] == 1


def test_adagrad_sums_squares_and_decays_the_rate_by_hand():
    w = mytorch.tensor([1.0], dtype=mytorch.float64, requires_grad=True)
    opt = Adagrad([w], lr=1.0, lr_decay=1.0, eps=0.0)
    w.grad = mytorch.tensor([3.0], dtype=mytorch.float64)
    opt.step()  # sum 9, rate 1: w = 1 - 3 / 3
    w.grad = mytorch.tensor([4.0], dtype=mytorch.float64)
    opt.step()  # sum 25, rate 1 / 2: w = 0 - 0.5 * 4 / 5
    np.testing.assert_allclose(w.data, [-0.4], rtol=1e-15)
    np.testing.assert_array_equal(opt.state[w]["sum"].data, [25.0])


@pytest.mark.parametrize("ours", [RMSprop, Adagrad])
def test_float32_parameters_and_state_stay_float32(ours):
    w = mytorch.tensor([1.0, 2.0], requires_grad=True)
    opt = ours([w], lr=0.1, weight_decay=0.1)
    for _ in range(2):
        (w * w).sum().backward()
        opt.step()
    assert w.dtype == mytorch.float32
    assert all(v.dtype == mytorch.float32 for v in opt.state[w].values() if hasattr(v, "dtype"))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda ps: RMSprop(ps, lr=-0.1), r"RMSprop: invalid learning rate -0\.1"),
        (lambda ps: RMSprop(ps, alpha=-0.5), r"RMSprop: invalid alpha -0\.5"),
        (lambda ps: RMSprop(ps, eps=-1e-8), r"RMSprop: invalid epsilon"),
        (lambda ps: RMSprop(ps, momentum=float("nan")), r"RMSprop: invalid momentum nan"),
        (lambda ps: Adagrad(ps, lr_decay=-1.0), r"Adagrad: invalid lr_decay -1\.0"),
        (
            lambda ps: Adagrad(ps, initial_accumulator_value=-1.0),
            r"Adagrad: invalid initial_accumulator_value -1\.0",
        ),
    ],
)
def test_invalid_hyperparameters_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make([mytorch.zeros(2, requires_grad=True)])
