"""ChainedScheduler and SequentialLR: PyTorch's rate sequences, state dicts, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch.optim import SGD, lr_scheduler

INNER = {
    "warmup_then_cosine": (
        [
            ("LinearLR", {"start_factor": 0.1, "total_iters": 4}),
            ("CosineAnnealingLR", {"T_max": 10}),
        ],
        [4],
    ),
    "three_stages": (
        [
            ("ConstantWarmup", {}),
            ("ExponentialLR", {"gamma": 0.8}),
            ("MultiStepLR", {"milestones": [3, 5], "gamma": 0.5}),
        ],
        [3, 9],
    ),
    "step_then_lambda": (
        [
            ("StepLR", {"step_size": 2, "gamma": 0.5}),
            ("LambdaLR", {"lr_lambda": lambda e: 1 / (e + 2)}),
        ],
        [5],
    ),
    "constant_then_polynomial": (
        [
            ("ConstantLR", {"factor": 0.5, "total_iters": 3}),
            ("PolynomialLR", {"total_iters": 20, "power": 1.5}),
        ],
        [4],
    ),
    # Two chainable schedules with no closed form at the switch: the rate carries over.
    "multiplicative_then_exponential": (
        [
            ("MultiplicativeLR", {"lr_lambda": lambda e: 0.9}),
            ("ExponentialLR", {"gamma": 0.8}),
            ("MultiplicativeLR", {"lr_lambda": lambda e: 0.95}),
        ],
        [3, 8],
    ),
}


def _make(module, optimizer, name, kwargs):
    if name == "ConstantWarmup":  # a LinearLR that holds a fraction of the rate
        return module.LinearLR(optimizer, start_factor=0.25, end_factor=0.25, total_iters=2)
    return getattr(module, name)(optimizer, **kwargs)


def _optimisers(torch):
    def groups(zeros):
        return [{"params": [zeros()], "lr": 0.1}, {"params": [zeros()], "lr": 0.03}]

    return (
        SGD(groups(lambda: mytorch.zeros(1, requires_grad=True))),
        torch.optim.SGD(groups(lambda: torch.zeros(1, requires_grad=True))),
    )


def _compare(ours, theirs, ours_opt, theirs_opt, epochs=32):
    rates = []
    for epoch in range(epochs):
        np.testing.assert_allclose(
            ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-13, err_msg=f"epoch {epoch}"
        )
        np.testing.assert_allclose(
            [g["lr"] for g in ours_opt.param_groups],
            [g["lr"] for g in theirs_opt.param_groups],
            rtol=1e-13,
        )
        rates.append(ours.get_last_lr()[0])
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()
    assert len(set(rates)) > 3


@pytest.mark.parametrize(("inner", "milestones"), INNER.values(), ids=INNER.keys())
def test_sequential_matches_torch(inner, milestones, torch):
    ours_opt, theirs_opt = _optimisers(torch)
    ours = lr_scheduler.SequentialLR(
        ours_opt, [_make(lr_scheduler, ours_opt, *spec) for spec in inner], milestones
    )
    theirs = torch.optim.lr_scheduler.SequentialLR(
        theirs_opt,
        [_make(torch.optim.lr_scheduler, theirs_opt, *spec) for spec in inner],
        milestones,
    )
    _compare(ours, theirs, ours_opt, theirs_opt)


@pytest.mark.parametrize("last_epoch", [0, 4])
def test_sequential_last_epoch_matches_torch(last_epoch, torch):
    inner, milestones = INNER["warmup_then_cosine"]
    ours_opt, theirs_opt = _optimisers(torch)
    for opt in (ours_opt, theirs_opt):
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"]
    ours = lr_scheduler.SequentialLR(
        ours_opt, [_make(lr_scheduler, ours_opt, *s) for s in inner], milestones, last_epoch
    )
    theirs = torch.optim.lr_scheduler.SequentialLR(
        theirs_opt,
        [_make(torch.optim.lr_scheduler, theirs_opt, *s) for s in inner],
        milestones,
        last_epoch,
    )
    assert ours.last_epoch == theirs.last_epoch == last_epoch + 1
    _compare(ours, theirs, ours_opt, theirs_opt)


@pytest.mark.parametrize(("inner", "milestones"), INNER.values(), ids=INNER.keys())
def test_chained_matches_torch(inner, milestones, torch):
    ours_opt, theirs_opt = _optimisers(torch)
    ours = lr_scheduler.ChainedScheduler([_make(lr_scheduler, ours_opt, *s) for s in inner])
    theirs = torch.optim.lr_scheduler.ChainedScheduler(
        [_make(torch.optim.lr_scheduler, theirs_opt, *s) for s in inner]
    )
    _compare(ours, theirs, ours_opt, theirs_opt)


@pytest.mark.parametrize("kind", ["sequential", "chained"])
def test_state_dict_round_trip_resumes(kind, tmp_path):
    def make():
        opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        inner = [
            lr_scheduler.LinearLR(opt, 0.2, total_iters=3),
            lr_scheduler.ExponentialLR(opt, 0.7),
        ]
        if kind == "sequential":
            return opt, lr_scheduler.SequentialLR(opt, inner, milestones=[3])
        return opt, lr_scheduler.ChainedScheduler(inner)

    opt, scheduler = make()
    straight = []
    for _ in range(8):
        scheduler.step()
        straight.append(scheduler.get_last_lr())
    opt, scheduler = make()
    for _ in range(4):
        scheduler.step()
    # Through a file: a SequentialLR's waiting schedulers are at last_epoch -1.
    mytorch.save({"opt": opt.state_dict(), "scheduler": scheduler.state_dict()}, tmp_path / "c")
    checkpoint = mytorch.load(tmp_path / "c")
    saved_opt, saved = checkpoint["opt"], checkpoint["scheduler"]
    opt, scheduler = make()
    opt.load_state_dict(saved_opt)
    scheduler.load_state_dict(saved)
    resumed = []
    for _ in range(4):
        scheduler.step()
        resumed.append(scheduler.get_last_lr())
    assert resumed == straight[4:]


def test_a_bad_inner_state_changes_no_scheduler():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    inner = [lr_scheduler.StepLR(opt, 2), lr_scheduler.ExponentialLR(opt, 0.7)]
    chain = lr_scheduler.ChainedScheduler(inner)
    chain.step()
    state = chain.state_dict()
    state["_schedulers"][0]["last_epoch"] = 7  # fine on its own
    state["_schedulers"][1]["gamma"] = -1.0  # refused
    before = [dict(vars(s)) for s in inner]
    with pytest.raises(ValueError, match=r"ExponentialLR.load_state_dict: invalid gamma -1\.0"):
        chain.load_state_dict(state)
    assert [dict(vars(s)) for s in inner] == before


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda opt, a, b: lr_scheduler.ChainedScheduler([]), ValueError, r"at least one"),
        (
            lambda opt, a, b: lr_scheduler.SequentialLR(opt, [a, b], []),
            ValueError,
            r"expected 1 milestones",
        ),
        (
            lambda opt, a, b: lr_scheduler.SequentialLR(opt, [a, b], [0]),
            ValueError,
            r"positive int",
        ),
        (
            lambda opt, a, b: lr_scheduler.SequentialLR(opt, [a, b, a], [3, 2]),
            ValueError,
            r"increase",
        ),
        (
            lambda opt, a, b: lr_scheduler.ChainedScheduler([a, "b"]),
            TypeError,
            r"scheduler 1 is a str",
        ),
        (
            lambda opt, a, b: lr_scheduler.ChainedScheduler(
                [a, lr_scheduler.ReduceLROnPlateau(opt)]
            ),
            ValueError,
            r"ReduceLROnPlateau, whose step needs a metric",
        ),
        (
            lambda opt, a, b: lr_scheduler.ChainedScheduler(
                [a, lr_scheduler.StepLR(SGD([mytorch.zeros(1, requires_grad=True)]), 2)]
            ),
            ValueError,
            r"scheduler 1 schedules another optimiser",
        ),
    ],
)
def test_bad_arguments_are_refused(make, error, match):
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    a, b = lr_scheduler.StepLR(opt, 2), lr_scheduler.ExponentialLR(opt, 0.5)
    with pytest.raises(error, match=match):
        make(opt, a, b)
