"""Learning-rate schedulers: PyTorch's lr sequences, their state dicts, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mytorch
from mytorch.optim import SGD, lr_scheduler
from mytorch.optim.lr_scheduler import CosineAnnealingLR, LRScheduler, StepLR

SCHEDULES = {
    "step_3": ("StepLR", {"step_size": 3, "gamma": 0.5}),
    "step_default_gamma": ("StepLR", {"step_size": 4}),
    "cosine_7": ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.01}),
    "cosine_5_to_zero": ("CosineAnnealingLR", {"T_max": 5}),
    "multistep": ("MultiStepLR", {"milestones": [2, 5, 5, 11], "gamma": 0.5}),
    "multistep_unsorted": ("MultiStepLR", {"milestones": [9, 3, 15]}),
    "exponential": ("ExponentialLR", {"gamma": 0.8}),
    "linear_default": ("LinearLR", {}),
    "linear_down": ("LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 12}),
    "lambda": ("LambdaLR", {"lr_lambda": lambda epoch: 0.9**epoch + (epoch % 3) / 10}),
    "lambda_per_group": (
        "LambdaLR",
        {"lr_lambda": [lambda epoch: 1 / (1 + epoch), lambda epoch: 0.5 + (epoch % 2) / 10]},
    ),
    "constant": ("ConstantLR", {"factor": 0.25, "total_iters": 7}),
    "polynomial": ("PolynomialLR", {"total_iters": 20, "power": 1.7}),
    "polynomial_linear": ("PolynomialLR", {"total_iters": 9}),
    "multiplicative": ("MultiplicativeLR", {"lr_lambda": lambda epoch: 0.95 - (epoch % 4) / 50}),
    "warm_restarts": ("CosineAnnealingWarmRestarts", {"T_0": 4, "eta_min": 0.001}),
    "warm_restarts_growing": ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2}),
    "cyclic_triangular": (
        "CyclicLR",
        {"base_lr": 0.01, "max_lr": [0.1, 0.05], "step_size_up": 4, "step_size_down": 3},
    ),
    "cyclic_triangular2": (
        "CyclicLR",
        {"base_lr": 0.01, "max_lr": 0.2, "step_size_up": 3, "mode": "triangular2"},
    ),
    "cyclic_exp_range": (
        "CyclicLR",
        {
            "base_lr": [0.01, 0.02],
            "max_lr": 0.3,
            "step_size_up": 5,
            "mode": "exp_range",
            "gamma": 0.97,
            "base_momentum": 0.7,
            "max_momentum": 0.95,
        },
    ),
    "cyclic_custom_scale": (
        "CyclicLR",
        {
            "base_lr": 0.01,
            "max_lr": 0.1,
            "step_size_up": 2,
            "scale_fn": lambda x: 1 / (1 + x),
            "scale_mode": "iterations",
            "cycle_momentum": False,
        },
    ),
}
#: Pairs of schedulers on one optimiser, each multiplying the rate by its factor.
CHAINS = {
    "exponential_then_multistep": (
        ("ExponentialLR", {"gamma": 0.9}),
        ("MultiStepLR", {"milestones": [3, 8], "gamma": 0.2}),
    ),
    "warmup_then_cosine": (
        ("LinearLR", {"start_factor": 0.1, "total_iters": 4}),
        ("CosineAnnealingLR", {"T_max": 9, "eta_min": 0.001}),
    ),
    "step_and_linear": (("StepLR", {"step_size": 3}), ("LinearLR", {"end_factor": 0.5})),
}


def _groups(params, lrs=(0.1, 0.03)):
    return [{"params": [p], "lr": lr} for p, lr in zip(params, lrs)]


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES.values(), ids=SCHEDULES.keys())
def test_lr_sequence_matches_torch_over_35_epochs(name, kwargs, torch):
    ours_opt = SGD(_groups([mytorch.zeros(1, requires_grad=True) for _ in range(2)]), lr=1.0)
    theirs_opt = torch.optim.SGD(_groups([torch.zeros(1, requires_grad=True) for _ in range(2)]))
    ours = getattr(lr_scheduler, name)(ours_opt, **kwargs)
    theirs = getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kwargs)
    sequence = []
    for epoch in range(36):
        np.testing.assert_allclose(
            ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-14, atol=0, err_msg=f"epoch {epoch}"
        )
        assert [g["lr"] for g in ours_opt.param_groups] == ours.get_last_lr()
        momenta = [g["momentum"] for g in ours_opt.param_groups]
        expected = [g["momentum"] for g in theirs_opt.param_groups]
        np.testing.assert_allclose(momenta, expected, rtol=1e-14, err_msg=f"epoch {epoch}")
        sequence.append(ours.get_last_lr()[0])
        ours_opt.step()
        theirs_opt.step()  # before the scheduler, or torch warns
        ours.step()
        theirs.step()
    assert len(set(sequence)) > (1 if name == "ConstantLR" else 3)  # the rate did change


@pytest.mark.parametrize("chain", CHAINS.values(), ids=CHAINS.keys())
def test_two_schedulers_on_one_optimizer_chain_as_in_torch(chain, torch):
    ours_opt = SGD(_groups([mytorch.zeros(1, requires_grad=True) for _ in range(2)]), lr=1.0)
    theirs_opt = torch.optim.SGD(_groups([torch.zeros(1, requires_grad=True) for _ in range(2)]))
    ours = [getattr(lr_scheduler, name)(ours_opt, **kwargs) for name, kwargs in chain]
    theirs = [
        getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kwargs) for name, kwargs in chain
    ]
    rates = []
    for epoch in range(21):
        mine = [g["lr"] for g in ours_opt.param_groups]
        reference = [g["lr"] for g in theirs_opt.param_groups]
        np.testing.assert_allclose(mine, reference, rtol=1e-13, atol=0, err_msg=f"epoch {epoch}")
        rates.append(mine[0])
        ours_opt.step()
        theirs_opt.step()
        for mine_scheduler, their_scheduler in zip(ours, theirs):
            mine_scheduler.step()
            their_scheduler.step()
    assert len(set(rates)) > 3


def test_linear_lr_follows_its_closed_form():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=2.0)
    scheduler = lr_scheduler.LinearLR(opt, start_factor=0.2, end_factor=0.8, total_iters=6)
    for epoch in range(1, 10):
        scheduler.step()
        expected = 2.0 * (0.2 + 0.6 * min(epoch, 6) / 6)
        assert scheduler.get_last_lr()[0] == pytest.approx(expected, rel=1e-13)


def test_multistep_counts_a_repeated_milestone_twice():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = lr_scheduler.MultiStepLR(opt, milestones=[2, 2], gamma=0.5)
    rates = []
    for _ in range(4):
        rates.append(scheduler.get_last_lr()[0])
        scheduler.step()
    assert rates == [1.0, 1.0, 0.25, 0.25]


def test_lambda_lr_keeps_its_functions_out_of_the_state_dict():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = lr_scheduler.LambdaLR(opt, lambda epoch: 0.5**epoch)
    scheduler.step()
    state = scheduler.state_dict()
    assert "lr_lambdas" not in state
    resumed = lr_scheduler.LambdaLR(opt, lambda epoch: 0.5**epoch)
    resumed.load_state_dict(state)
    resumed.step()
    assert resumed.get_last_lr() == [0.25]


def test_cosine_follows_its_closed_form():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=0.5)
    scheduler = CosineAnnealingLR(opt, T_max=6, eta_min=0.1)
    for epoch in range(1, 20):
        scheduler.step()
        expected = 0.1 + 0.5 * (0.5 - 0.1) * (1 + math.cos(math.pi * epoch / 6))
        assert scheduler.get_last_lr()[0] == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_step_lr_follows_its_closed_form():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=2.0)
    scheduler = StepLR(opt, step_size=3, gamma=0.5)
    rates = []
    for _ in range(9):
        rates.append(scheduler.get_last_lr()[0])
        scheduler.step()
    assert rates == [2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5]


def test_sgd_under_a_schedule_matches_torch(mlp, torch):
    # The scheduler changes group["lr"], and the optimiser must read it at each step.
    params, theirs_params = mlp.params(), mlp.torch_params(torch)
    opt = SGD(params, lr=0.2, momentum=0.9)
    theirs_opt = torch.optim.SGD(theirs_params, lr=0.2, momentum=0.9)
    scheduler = CosineAnnealingLR(opt, T_max=4)
    theirs_scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(theirs_opt, T_max=4)
    for _ in range(10):
        opt.zero_grad()
        mlp.loss(params).backward()
        opt.step()
        scheduler.step()
        theirs_opt.zero_grad()
        mlp.torch_loss(torch, theirs_params).backward()
        theirs_opt.step()
        theirs_scheduler.step()
    for mine, reference in zip(params, theirs_params):
        np.testing.assert_allclose(mine.data, reference.detach().numpy(), rtol=0, atol=1e-10)


def test_creation_records_the_initial_lr():
    opt = SGD(_groups([mytorch.zeros(1, requires_grad=True) for _ in range(2)]), lr=1.0)
    scheduler = StepLR(opt, step_size=2)
    assert scheduler.base_lrs == [0.1, 0.03]
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.03]
    assert scheduler.last_epoch == 0


def test_get_last_lr_returns_a_copy():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = StepLR(opt, step_size=2)
    scheduler.get_last_lr().append(5.0)
    assert scheduler.get_last_lr() == [0.1]


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES.values(), ids=SCHEDULES.keys())
def test_state_dict_round_trip_resumes_the_schedule(name, kwargs):
    def make():
        opt = SGD(_groups([mytorch.zeros(1, requires_grad=True) for _ in range(2)]), lr=1.0)
        return opt, getattr(lr_scheduler, name)(opt, **kwargs)

    opt, scheduler = make()
    straight = []
    for _ in range(10):
        scheduler.step()
        straight.append(scheduler.get_last_lr())
    opt, scheduler = make()
    for _ in range(4):
        scheduler.step()
    saved_opt, saved = opt.state_dict(), scheduler.state_dict()
    opt, scheduler = make()
    opt.load_state_dict(saved_opt)
    scheduler.load_state_dict(saved)
    assert "optimizer" not in saved
    resumed = []
    for _ in range(6):
        scheduler.step()
        resumed.append(scheduler.get_last_lr())
    assert resumed == straight[4:]


def test_a_state_dict_of_another_scheduler_is_refused():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
    state = StepLR(opt, step_size=2).state_dict()
    scheduler = CosineAnnealingLR(opt, T_max=3)
    with pytest.raises(ValueError, match=r"missing keys \['T_max', 'eta_min'\]"):
        scheduler.load_state_dict(state)
    assert scheduler.last_epoch == 0


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda opt: StepLR(opt, step_size=0), ValueError, "StepLR: step_size must be a positive"),
        (lambda opt: StepLR(opt, step_size=2.5), ValueError, "step_size must be a positive int"),
        (lambda opt: StepLR(opt, 2, gamma=-1.0), ValueError, r"StepLR: invalid gamma -1\.0"),
        (lambda opt: CosineAnnealingLR(opt, T_max=0), ValueError, "T_max must be a positive"),
        (lambda opt: CosineAnnealingLR(opt, 5, eta_min=-1), ValueError, "invalid eta_min -1"),
        (lambda opt: StepLR(None, step_size=1), TypeError, "StepLR: expected an Optimizer"),
        (lambda opt: lr_scheduler.ExponentialLR(opt, gamma=-0.5), ValueError, "invalid gamma"),
        (
            lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[0, 3]),
            ValueError,
            r"MultiStepLR: a milestone must be a positive int, got 0",
        ),
        (
            lambda opt: lr_scheduler.MultiStepLR(opt, milestones=3),
            ValueError,
            r"MultiStepLR: milestones must be a sorted list of ints, got 3",
        ),
        (
            lambda opt: lr_scheduler.LinearLR(opt, start_factor=0),
            ValueError,
            r"LinearLR: start_factor must be in \(0, 1\], got 0",
        ),
        (
            lambda opt: lr_scheduler.LinearLR(opt, end_factor=1.5),
            ValueError,
            r"LinearLR: end_factor must be in \[0, 1\], got 1\.5",
        ),
        (
            lambda opt: lr_scheduler.LinearLR(opt, total_iters=0),
            ValueError,
            r"LinearLR: total_iters must be a positive int, got 0",
        ),
        (lambda opt: lr_scheduler.LambdaLR(opt, 0.5), TypeError, "lr_lambda must be callable"),
        (
            lambda opt: lr_scheduler.LambdaLR(opt, [abs, abs]),
            ValueError,
            r"LambdaLR: got 2 lr_lambdas for 1 parameter groups",
        ),
    ],
)
def test_bad_arguments_are_refused(make, error, match):
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(error, match=match):
        make(opt)
    assert "initial_lr" not in opt.param_groups[0]


def test_a_group_added_after_the_scheduler_is_reported():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = StepLR(opt, step_size=1)
    opt.add_param_group({"params": [mytorch.zeros(1, requires_grad=True)]})
    with pytest.raises(RuntimeError, match="has 2 parameter groups, the scheduler was made for 1"):
        scheduler.step()


def test_the_base_class_needs_get_lr():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(NotImplementedError):
        LRScheduler(opt)
