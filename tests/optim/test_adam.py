"""Adam and AdamW: PyTorch parity of whole trajectories, the state they keep, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mytorch
from mytorch.optim import Adam, AdamW

ADAM_CONFIGS = {
    "defaults": {},
    "large_lr": {"lr": 0.05},
    "betas_eps": {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-4},
    "weight_decay": {"lr": 0.01, "weight_decay": 0.1},
    "amsgrad": {"lr": 0.05, "amsgrad": True},
    "amsgrad_decay_maximize": {"lr": 0.02, "amsgrad": True, "weight_decay": 0.1, "maximize": True},
    "maximize": {"lr": 0.05, "maximize": True},
}
ADAMW_CONFIGS = {
    "defaults": {},
    "weight_decay": {"lr": 0.02, "weight_decay": 0.3},
    "betas": {"lr": 0.01, "betas": (0.5, 0.9)},
    "amsgrad": {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1},
    "maximize": {"lr": 0.05, "maximize": True},
}


@pytest.mark.parametrize("config", ADAM_CONFIGS.values(), ids=ADAM_CONFIGS.keys())
def test_adam_trajectory_matches_torch(config, torch, compare_with_torch):
    compare_with_torch(
        lambda params: Adam(params, **config),
        lambda params: torch.optim.Adam(params, **config),
    )


@pytest.mark.parametrize("config", ADAMW_CONFIGS.values(), ids=ADAMW_CONFIGS.keys())
def test_adamw_trajectory_matches_torch(config, torch, compare_with_torch):
    compare_with_torch(
        lambda params: AdamW(params, **config),
        lambda params: torch.optim.AdamW(params, **config),
    )


def test_adam_parameter_groups_match_torch(torch, compare_with_torch):
    def groups(params):
        return [{"params": params[:2], "lr": 0.03}, {"params": params[2:], "betas": (0.7, 0.95)}]

    compare_with_torch(
        lambda params: Adam(groups(params), lr=0.01),
        lambda params: torch.optim.Adam(groups(params), lr=0.01),
    )


def test_adam_first_step_by_hand():
    # After one step m = (1 - b1) g and v = (1 - b2) g^2, and the update is
    # lr / (1 - b1) * m / (sqrt(v) / sqrt(1 - b2) + eps), with the defaults b1, b2.
    g = np.array([0.5, -3.0])
    start = np.array([1.0, 2.0])
    w = mytorch.tensor(start.copy(), requires_grad=True)
    opt = Adam([w], lr=0.1, eps=1e-3)
    w.grad = mytorch.tensor(g.copy())
    opt.step()
    m, v = 0.1 * g, 0.001 * g * g
    expected = start - 0.1 / 0.1 * m / (np.sqrt(v) / math.sqrt(0.001) + 1e-3)
    np.testing.assert_allclose(w.data, expected, rtol=1e-15)
    state = opt.state[w]
    assert state["step"] == 1
    np.testing.assert_allclose(state["exp_avg"].data, m, rtol=1e-15)
    np.testing.assert_allclose(state["exp_avg_sq"].data, v, rtol=1e-15)


def test_adamw_is_adam_with_decoupled_weight_decay():
    def run(make):
        w = mytorch.tensor([1.0, -2.0], dtype=mytorch.float64, requires_grad=True)
        opt = make([w])
        for _ in range(3):
            opt.zero_grad()
            (w * w * w).sum().backward()
            opt.step()
        return w.data

    adamw = run(lambda p: AdamW(p, lr=0.1, weight_decay=0.2))
    decoupled = run(lambda p: Adam(p, lr=0.1, weight_decay=0.2, decoupled_weight_decay=True))
    coupled = run(lambda p: Adam(p, lr=0.1, weight_decay=0.2))
    np.testing.assert_array_equal(adamw, decoupled)
    assert not np.allclose(adamw, coupled)


def test_adamw_default_weight_decay():
    opt = AdamW([mytorch.zeros(1, requires_grad=True)])
    assert opt.param_groups[0]["weight_decay"] == 1e-2
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


@pytest.mark.parametrize("cls", [Adam, AdamW])
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lr": -1e-3}, r"invalid learning rate -0\.001"),
        ({"eps": -1.0}, r"invalid epsilon -1\.0"),
        ({"weight_decay": -0.1}, r"invalid weight_decay -0\.1"),
        ({"betas": (1.0, 0.999)}, r"invalid beta1 \(betas\[0\]\) 1\.0; it must be in \[0\.0, 1"),
        ({"betas": (0.9, -0.1)}, r"invalid beta2 \(betas\[1\]\) -0\.1"),
        ({"betas": (0.9,)}, r"betas must be a pair"),
    ],
)
def test_invalid_hyperparameters_are_refused(cls, kwargs, match):
    with pytest.raises(ValueError, match=f"{cls.__name__}: {match}"):
        cls([mytorch.zeros(2, requires_grad=True)], **kwargs)
