"""Schedulers resumed with ``last_epoch=``, and worked examples of the newer schedules.

The parity tests run PyTorch's schedulers beside ours through the same steps;
the worked examples need no torch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import mytorch
from mytorch.optim import SGD, lr_scheduler

#: (name, kwargs): one of each scheduler that takes last_epoch.
RESUMABLE = {
    "step": ("StepLR", {"step_size": 3, "gamma": 0.5}),
    "multistep": ("MultiStepLR", {"milestones": [4, 9, 9], "gamma": 0.5}),
    "exponential": ("ExponentialLR", {"gamma": 0.8}),
    "cosine": ("CosineAnnealingLR", {"T_max": 6, "eta_min": 0.001}),
    "warm_restarts": ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2}),
    "constant": ("ConstantLR", {"factor": 0.5, "total_iters": 9}),
    "linear": ("LinearLR", {"start_factor": 0.2, "total_iters": 10}),
    "polynomial": ("PolynomialLR", {"total_iters": 12, "power": 2.0}),
    "lambda": ("LambdaLR", {"lr_lambda": lambda epoch: 0.9**epoch}),
    "multiplicative": ("MultiplicativeLR", {"lr_lambda": lambda epoch: 0.9}),
    "cyclic": ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3}),
    "one_cycle": ("OneCycleLR", {"max_lr": 0.5, "total_steps": 30}),
}


def _run(lib, name, kwargs, before, after):
    """Step a scheduler ``before`` times, resume a new one at that epoch, step it ``after``."""
    groups = [{"params": [lib.zeros(1, requires_grad=True)], "lr": lr} for lr in (0.1, 0.03)]
    opt = lib.optim.SGD(groups, lr=1.0, momentum=0.9)
    make = getattr(lib.optim.lr_scheduler, name)
    scheduler = make(opt, **kwargs)
    for _ in range(before):
        opt.step()
        scheduler.step()
    resumed = make(opt, **kwargs, last_epoch=scheduler.last_epoch)
    rates = [resumed.get_last_lr()]
    for _ in range(after):
        opt.step()
        resumed.step()
        rates.append(resumed.get_last_lr())
    return rates, resumed.last_epoch


@pytest.mark.parametrize(("name", "kwargs"), RESUMABLE.values(), ids=RESUMABLE.keys())
@pytest.mark.parametrize("before", [0, 5])
def test_resuming_with_last_epoch_matches_torch(name, kwargs, before, torch):
    ours, ours_epoch = _run(mytorch, name, kwargs, before, after=20)
    theirs, theirs_epoch = _run(torch, name, kwargs, before, after=20)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-16)
    assert ours_epoch == theirs_epoch


@pytest.mark.parametrize(("name", "kwargs"), RESUMABLE.values(), ids=RESUMABLE.keys())
def test_resuming_without_initial_lr_is_a_key_error_as_in_torch(name, kwargs, torch):
    match = r"param 'initial_lr' is not specified in param_groups\[0\]"
    for lib in (mytorch, torch):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        with pytest.raises(KeyError, match=match):
            getattr(lib.optim.lr_scheduler, name)(opt, **kwargs, last_epoch=3)
        assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0.9
        assert "initial_lr" not in opt.param_groups[0]


def test_resuming_continues_from_the_loaded_rate():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    for _ in range(3):
        scheduler.step()
    assert opt.param_groups[0]["lr"] == 0.125
    # The constructor's step keeps the rate (and counts one epoch), as PyTorch's does.
    resumed = lr_scheduler.ExponentialLR(opt, gamma=0.5, last_epoch=3)
    assert resumed.last_epoch == 4 and resumed.get_last_lr() == [0.125]
    resumed.step()
    assert resumed.get_last_lr() == [0.0625]


@pytest.mark.parametrize("bad", [-2, 1.5, "3", True])
def test_a_bad_last_epoch_is_refused(bad):
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match=r"StepLR: last_epoch must be an int >= -1"):
        lr_scheduler.StepLR(opt, step_size=2, last_epoch=bad)
    assert opt.param_groups[0].get("initial_lr") is None


# ---------------------------------------------------------------- worked examples
def _rates(scheduler, steps):
    rates = []
    for _ in range(steps):
        rates.append(scheduler.get_last_lr()[0])
        scheduler.optimizer.step()
        scheduler.step()
    return rates


def _sgd(lr=1.0, **options):
    return SGD([mytorch.zeros(1, requires_grad=True)], lr=lr, **options)


def test_constant_lr_worked_example():
    scheduler = lr_scheduler.ConstantLR(_sgd(2.0), factor=0.5, total_iters=3)
    assert _rates(scheduler, 5) == [1.0, 1.0, 1.0, 2.0, 2.0]


def test_polynomial_lr_worked_example():
    scheduler = lr_scheduler.PolynomialLR(_sgd(), total_iters=4, power=2.0)
    assert _rates(scheduler, 6) == [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]


def test_multiplicative_lr_worked_example():
    scheduler = lr_scheduler.MultiplicativeLR(_sgd(8.0), lambda e: 0.5 if e % 2 else 1.0)
    assert _rates(scheduler, 5) == [8.0, 4.0, 4.0, 2.0, 2.0]


def test_warm_restarts_worked_example():
    scheduler = lr_scheduler.CosineAnnealingWarmRestarts(_sgd(), T_0=2, T_mult=2)
    quarter = (1 + math.cos(math.pi / 4)) / 2
    expected = [1.0, 0.5, 1.0, quarter, 0.5, 1 - quarter, 1.0]
    np.testing.assert_allclose(_rates(scheduler, 7), expected, rtol=1e-15, atol=1e-15)
    assert (scheduler.T_i, scheduler.T_cur) == (8, 1)


def test_warm_restarts_step_takes_a_fractional_epoch():
    scheduler = lr_scheduler.CosineAnnealingWarmRestarts(_sgd(), T_0=2, T_mult=2)
    scheduler.step(2.5)  # the second period (epochs 2 to 6) has just begun
    assert (scheduler.T_cur, scheduler.T_i, scheduler.last_epoch) == (0.5, 4, 2)
    assert scheduler.get_last_lr()[0] == pytest.approx((1 + math.cos(math.pi / 8)) / 2)
    scheduler.step(1)
    assert (scheduler.T_cur, scheduler.T_i) == (1, 2)
    with pytest.raises(ValueError, match=r"CosineAnnealingWarmRestarts.step: invalid epoch -1"):
        scheduler.step(-1)
    assert scheduler.last_epoch == 1


def test_warm_restarts_fractional_steps_match_torch(torch):
    ours = lr_scheduler.CosineAnnealingWarmRestarts(_sgd(), T_0=3, T_mult=2, eta_min=0.01)
    theirs_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        theirs_opt, T_0=3, T_mult=2, eta_min=0.01
    )
    for epoch in np.arange(0, 30, 0.25):
        theirs_opt.step()
        ours.step(float(epoch))
        theirs.step(float(epoch))
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-13)


def test_cyclic_lr_worked_example():
    opt = _sgd(0.5, momentum=0.5)
    scheduler = lr_scheduler.CyclicLR(opt, base_lr=1.0, max_lr=3.0, step_size_up=2)
    momenta = []
    rates = []
    for _ in range(9):
        rates.append(scheduler.get_last_lr()[0])
        momenta.append(round(opt.param_groups[0]["momentum"], 12))
        opt.step()
        scheduler.step()
    assert rates == [1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]
    assert momenta == [0.9, 0.85, 0.8, 0.85, 0.9, 0.85, 0.8, 0.85, 0.9]  # the other way


def test_cyclic_lr_exp_range_shrinks_every_step():
    opt = _sgd()
    scheduler = lr_scheduler.CyclicLR(
        opt, 1.0, 3.0, step_size_up=1, mode="exp_range", gamma=0.5, cycle_momentum=False
    )
    # Peaks at steps 1 and 3: 1 + 2 * 0.5**1, then 1 + 2 * 0.5**3.
    assert _rates(scheduler, 4) == [1.0, 2.0, 1.0, 1.25]


def test_cyclic_lr_keeps_its_scale_function_out_of_the_state_dict():
    def make():
        return lr_scheduler.CyclicLR(
            _sgd(), 0.1, 0.5, step_size_up=2, scale_fn=lambda x: 0.5**x, cycle_momentum=False
        )

    scheduler = make()
    for _ in range(3):
        scheduler.step()
    state = scheduler.state_dict()
    assert "_scale_fn_custom" not in state
    resumed = make()
    resumed.load_state_dict(state)
    scheduler.step()
    resumed.step()
    assert resumed.get_last_lr() == scheduler.get_last_lr()


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (
            lambda opt: lr_scheduler.ConstantLR(opt, factor=0),
            ValueError,
            r"ConstantLR: factor must be in \(0, 1\], got 0",
        ),
        (
            lambda opt: lr_scheduler.ConstantLR(opt, factor=1.5),
            ValueError,
            r"ConstantLR: factor must be in \(0, 1\], got 1\.5",
        ),
        (
            lambda opt: lr_scheduler.ConstantLR(opt, total_iters=0),
            ValueError,
            r"ConstantLR: total_iters must be a positive int, got 0",
        ),
        (
            lambda opt: lr_scheduler.PolynomialLR(opt, power=-1.0),
            ValueError,
            r"PolynomialLR: invalid power -1\.0",
        ),
        (
            lambda opt: lr_scheduler.MultiplicativeLR(opt, 0.9),
            TypeError,
            r"MultiplicativeLR: lr_lambda must be callable, got 0\.9",
        ),
        (
            lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0),
            ValueError,
            r"CosineAnnealingWarmRestarts: T_0 must be a positive int, got 0",
        ),
        (
            lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=1.5),
            ValueError,
            r"CosineAnnealingWarmRestarts: T_mult must be a positive int, got 1\.5",
        ),
        (
            lambda opt: lr_scheduler.CyclicLR(opt, 0.1, 0.5, mode="square"),
            ValueError,
            r"CyclicLR: mode must be one of \['exp_range', 'triangular', 'triangular2'\]",
        ),
        (
            lambda opt: lr_scheduler.CyclicLR(opt, 0.1, 0.5, step_size_up=0),
            ValueError,
            r"CyclicLR: step_size_up must be a positive int, got 0",
        ),
        (
            lambda opt: lr_scheduler.CyclicLR(opt, [0.1, 0.2], 0.5),
            ValueError,
            r"CyclicLR: expected 1 values of base_lr, got 2",
        ),
        (
            lambda opt: lr_scheduler.CyclicLR(opt, 0.1, 0.5, scale_mode="epochs", scale_fn=abs),
            ValueError,
            r"CyclicLR: scale_mode must be 'cycle' or 'iterations', got 'epochs'",
        ),
        (
            lambda opt: lr_scheduler.CyclicLR(
                mytorch.optim.Adagrad([mytorch.zeros(1, requires_grad=True)]), 0.1, 0.5
            ),
            ValueError,
            r"CyclicLR: cycle_momentum needs an optimiser with momentum or betas; Adagrad",
        ),
    ],
)
def test_bad_arguments_to_the_newer_schedulers_change_nothing(make, error, match):
    opt = _sgd(0.1, momentum=0.3)
    with pytest.raises(error, match=match):
        make(opt)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0.3
    assert "initial_lr" not in opt.param_groups[0]
