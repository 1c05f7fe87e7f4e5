"""Adadelta: PyTorch parity of whole trajectories, the first step by hand, state, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mytorch
from mytorch.optim import Adadelta

CONFIGS = {
    "defaults": {},
    "rho_eps": {"lr": 0.5, "rho": 0.7, "eps": 1e-4},
    "weight_decay": {"weight_decay": 0.1},
    "rho_one": {"lr": 0.05, "rho": 1.0},  # no averaging: plain gradient descent
    "maximize": {"lr": 0.1, "maximize": True, "weight_decay": 0.1},
}


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_trajectory_matches_torch(config, torch, compare_with_torch):
    compare_with_torch(
        lambda params: Adadelta(params, **config),
        lambda params: torch.optim.Adadelta(params, **config),
        steps=25,
    )


def test_parameter_groups_match_torch(torch, compare_with_torch):
    def groups(params):
        return [{"params": params[:2], "lr": 0.3}, {"params": params[2:], "rho": 0.5}]

    compare_with_torch(
        lambda params: Adadelta(groups(params)),
        lambda params: torch.optim.Adadelta(groups(params)),
    )


def test_first_step_by_hand():
    # v = (1 - rho) g^2, delta = sqrt(eps) / sqrt(v + eps) * g, u = (1 - rho) delta^2.
    g, start = np.array([0.5, -3.0]), np.array([1.0, 2.0])
    w = mytorch.tensor(start.copy(), requires_grad=True)
    opt = Adadelta([w], lr=0.5, rho=0.8, eps=1e-2)
    w.grad = mytorch.tensor(g.copy())
    opt.step()
    v = 0.2 * g * g
    delta = math.sqrt(1e-2) / np.sqrt(v + 1e-2) * g
    np.testing.assert_allclose(w.data, start - 0.5 * delta, rtol=1e-14)
    np.testing.assert_allclose(opt.state[w]["acc_delta"].data, 0.2 * delta * delta, rtol=1e-14)
    assert opt.state[w]["step"] == 1


def test_state_dict_values_match_torchs(mlp, torch):
    params, theirs_params = mlp.params(), mlp.torch_params(torch)
    opt, theirs = Adadelta(params), torch.optim.Adadelta(theirs_params)
    for _ in range(3):
        opt.zero_grad()
        mlp.loss(params).backward()
        opt.step()
        theirs.zero_grad()
        mlp.torch_loss(torch, theirs_params).backward()
        theirs.step()
    mine, reference = opt.state_dict(), theirs.state_dict()
    for index, entries in mine["state"].items():
        assert entries["step"] == reference["state"][index]["step"].item() == 3
        for key in ("square_avg", "acc_delta"):
            expected = reference["state"][index][key].numpy()
            np.testing.assert_allclose(entries[key].data, expected, rtol=0, atol=1e-12)
    for group, ref_group in zip(mine["param_groups"], reference["param_groups"]):
        for key, value in group.items():
            assert value == ref_group[key], key


def test_resuming_from_a_state_dict_continues_bit_for_bit(mlp, train):
    params = mlp.params()
    straight = train(Adadelta(params), params, 10)
    first = mlp.params()
    opt = Adadelta(first)
    train(opt, first, 5)
    state, weights = opt.state_dict(), [p.data.copy() for p in first]
    resumed = mlp.params(weights)
    opt = Adadelta(resumed, lr=123.0)  # the saved lr must win
    opt.load_state_dict(state)
    for mine, reference in zip(train(opt, resumed, 5), straight[5:]):
        for a, b in zip(mine, reference):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lr": -1.0}, r"invalid learning rate -1\.0"),
        ({"rho": 1.5}, r"invalid rho 1\.5; it must be in \[0\.0, 1\.0\]"),
        ({"rho": -0.1}, r"invalid rho -0\.1"),
        ({"eps": -1e-6}, r"invalid epsilon"),
        ({"weight_decay": -0.1}, r"invalid weight_decay"),
    ],
)
def test_invalid_hyperparameters_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=f"Adadelta: {match}"):
        Adadelta([mytorch.zeros(2, requires_grad=True)], **kwargs)


def test_maximize_must_be_a_bool():
    with pytest.raises(TypeError, match="Adadelta: maximize must be a bool, got 'no'"):
        Adadelta([mytorch.zeros(2, requires_grad=True)], maximize="no")
