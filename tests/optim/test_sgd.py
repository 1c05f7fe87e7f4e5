"""SGD: PyTorch parity of whole trajectories, the textbook momentum recurrence, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch.optim import SGD

CONFIGS = {
    "plain": {"lr": 0.1},
    "momentum": {"lr": 0.1, "momentum": 0.9},
    "dampening": {"lr": 0.1, "momentum": 0.9, "dampening": 0.3},
    "nesterov": {"lr": 0.1, "momentum": 0.9, "nesterov": True},
    "weight_decay": {"lr": 0.1, "weight_decay": 0.05},
    "everything": {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.01, "nesterov": True},
    # Maximising the loss runs away from the minimum, where round-off grows fast:
    # small steps keep the run comparable at tight tolerance.
    "maximize": {"lr": 0.01, "maximize": True},
    "maximize_momentum_decay": {
        "lr": 0.005,
        "momentum": 0.7,
        "dampening": 0.2,
        "weight_decay": 0.02,
        "maximize": True,
    },
    "maximize_nesterov": {"lr": 0.002, "momentum": 0.9, "nesterov": True, "maximize": True},
    "default_lr": {"momentum": 0.9},
}


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_trajectory_matches_torch(config, torch, compare_with_torch):
    compare_with_torch(
        lambda params: SGD(params, **config),
        lambda params: torch.optim.SGD(params, **config),
    )


def test_parameter_groups_match_torch(torch, compare_with_torch):
    def groups(params):
        return [
            {"params": params[:2], "momentum": 0.5},
            {"params": params[2:], "lr": 0.02, "weight_decay": 0.1},
        ]

    compare_with_torch(
        lambda params: SGD(groups(params), lr=0.1, momentum=0.9),
        lambda params: torch.optim.SGD(groups(params), lr=0.1, momentum=0.9),
    )


def test_lr_defaults_to_the_assignments_and_pytorch_2s():
    w = mytorch.tensor([1.0], dtype=mytorch.float64, requires_grad=True)
    opt = SGD([w])
    w.grad = mytorch.tensor([10.0], dtype=mytorch.float64)
    opt.step()
    assert opt.defaults["lr"] == 0.001 and w.item() == 1.0 - 0.001 * 10.0


def test_defaults_are_torchs(torch):
    ours = SGD([mytorch.zeros(1, requires_grad=True)]).param_groups[0]
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)]).param_groups[0]
    assert ours["lr"] == 0.001
    for key, value in ours.items():
        if key != "params":
            assert value == theirs[key], key


@pytest.mark.parametrize("options", [{}, {"momentum": 0.5, "weight_decay": 0.1}])
def test_maximising_f_follows_minimising_minus_f(options):
    up, down = (mytorch.tensor([1.0, -2.0], requires_grad=True) for _ in range(2))
    climb = SGD([up], lr=0.1, maximize=True, **options)
    descend = SGD([down], lr=0.1, **options)
    for _ in range(3):
        for opt, w, sign in ((climb, up, -1.0), (descend, down, 1.0)):
            opt.zero_grad()
            (sign * (w - 3.0) ** 2).sum().backward()
            opt.step()
        np.testing.assert_array_equal(up.data, down.data)
    assert (np.abs(up.data - 3.0) < [2.0, 5.0]).all()  # both moved towards 3


def test_momentum_equals_the_textbook_velocity_recurrence():
    # Least squares, whose gradient X^T (X W - Y) we can write by hand in numpy.
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((10, 3)), rng.standard_normal((10, 2))
    start = rng.standard_normal((3, 2))
    lr, momentum = 0.01, 0.9

    weight, velocity = start.copy(), np.zeros_like(start)
    expected = []
    for _ in range(20):
        grad = x.T @ (x @ weight - y)
        velocity = momentum * velocity - lr * grad
        weight = weight + velocity
        expected.append(weight)

    w = mytorch.tensor(start.copy(), requires_grad=True)
    opt = SGD([w], lr=lr, momentum=momentum)
    for step in range(20):
        opt.zero_grad()
        (((mytorch.tensor(x) @ w - mytorch.tensor(y)) ** 2).sum() * 0.5).backward()
        opt.step()
        np.testing.assert_allclose(w.data, expected[step], rtol=0, atol=1e-12)
    assert not np.allclose(w.data, start)


def test_momentum_buffer_is_kept_in_state():
    w = mytorch.tensor([1.0, -2.0], dtype=mytorch.float64, requires_grad=True)
    opt = SGD([w], lr=0.1, momentum=0.9)
    (w * w).sum().backward()
    opt.step()
    buffer = opt.state[w]["momentum_buffer"]
    np.testing.assert_array_equal(buffer.data, [2.0, -4.0])  # the first buffer is the gradient
    assert not buffer.requires_grad


def test_plain_sgd_keeps_no_state():
    w = mytorch.tensor([1.0], requires_grad=True)
    opt = SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    assert opt.state == {}


def test_float32_parameters_stay_float32():
    w = mytorch.tensor([1.0, 2.0], requires_grad=True)
    opt = SGD([w], lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True)
    for _ in range(2):
        (w * w).sum().backward()
        opt.step()
    assert w.dtype == mytorch.float32
    assert opt.state[w]["momentum_buffer"].dtype == mytorch.float32


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lr": -0.1}, r"SGD: invalid learning rate -0\.1"),
        ({"lr": float("nan")}, r"SGD: invalid learning rate nan"),
        ({"lr": 0.1, "momentum": -0.5}, r"SGD: invalid momentum -0\.5"),
        ({"lr": 0.1, "weight_decay": -1.0}, r"SGD: invalid weight_decay -1\.0"),
        ({"lr": 0.1, "nesterov": True}, r"SGD: Nesterov momentum needs momentum > 0"),
        (
            {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True},
            r"SGD: Nesterov .* dampening=0\.1",
        ),
    ],
)
def test_invalid_hyperparameters_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SGD([mytorch.zeros(2, requires_grad=True)], **kwargs)


@pytest.mark.parametrize("flag", ["nesterov", "maximize"])
def test_flags_must_be_bools(flag):
    # A string such as "False" is true: it would silently turn the option on.
    with pytest.raises(TypeError, match=rf"SGD: {flag} must be a bool, got 'False'"):
        SGD([mytorch.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9, **{flag: "False"})


def test_learning_rate_must_be_a_number():
    with pytest.raises(TypeError, match=r"SGD: learning rate must be a real number, got '0\.1'"):
        SGD([mytorch.zeros(2, requires_grad=True)], lr="0.1")


def test_invalid_group_override_is_refused_and_changes_nothing():
    opt = SGD([mytorch.zeros(2, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match=r"invalid learning rate -1"):
        opt.add_param_group({"params": [mytorch.zeros(1, requires_grad=True)], "lr": -1})
    assert len(opt.param_groups) == 1
