"""OneCycleLR and ReduceLROnPlateau: PyTorch's rate (and momentum) sequences, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mytorch
from mytorch.optim import SGD, Adam, lr_scheduler

ONE_CYCLE = {
    "cos": {"max_lr": 0.5, "total_steps": 30},
    "linear": {"max_lr": 0.5, "total_steps": 30, "anneal_strategy": "linear", "pct_start": 0.25},
    "three_phase": {"max_lr": 0.8, "total_steps": 40, "three_phase": True, "div_factor": 10.0},
    "epochs": {"max_lr": [0.5, 0.2], "epochs": 4, "steps_per_epoch": 7, "final_div_factor": 100},
    "no_momentum": {"max_lr": 0.3, "total_steps": 25, "cycle_momentum": False},
    "momenta": {"max_lr": 0.3, "total_steps": 25, "base_momentum": 0.7, "max_momentum": 0.9},
}


def _pair(torch, kind):
    def groups(zeros):
        return [{"params": [zeros()], "lr": 0.1}, {"params": [zeros()], "lr": 0.03}]

    if kind == "sgd":
        ours = SGD(groups(lambda: mytorch.zeros(1, requires_grad=True)), momentum=0.9)
        theirs = torch.optim.SGD(groups(lambda: torch.zeros(1, requires_grad=True)), momentum=0.9)
    else:
        ours = Adam(groups(lambda: mytorch.zeros(1, requires_grad=True)))
        theirs = torch.optim.Adam(groups(lambda: torch.zeros(1, requires_grad=True)))
    return ours, theirs


def _momenta(optimizer):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in optimizer.param_groups]


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("kwargs", ONE_CYCLE.values(), ids=ONE_CYCLE.keys())
def test_one_cycle_matches_torch_over_the_whole_cycle(kwargs, kind, torch):
    ours_opt, theirs_opt = _pair(torch, kind)
    ours = lr_scheduler.OneCycleLR(ours_opt, **kwargs)
    theirs = torch.optim.lr_scheduler.OneCycleLR(theirs_opt, **kwargs)
    rates = []
    for step in range(theirs.total_steps):
        np.testing.assert_allclose(
            ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-13, err_msg=f"step {step}"
        )
        np.testing.assert_allclose(
            _momenta(ours_opt), _momenta(theirs_opt), rtol=1e-13, err_msg=f"step {step}"
        )
        rates.append(ours.get_last_lr()[0])
        ours_opt.step()
        theirs_opt.step()
        if step < theirs.total_steps - 1:
            ours.step()
            theirs.step()
    assert max(rates) == pytest.approx(np.max(kwargs["max_lr"]), rel=0.05)
    for key in ("initial_lr", "max_lr", "min_lr"):
        assert [g[key] for g in ours_opt.param_groups] == [g[key] for g in theirs_opt.param_groups]


def test_one_cycle_refuses_to_step_past_the_cycle():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], momentum=0.9)
    scheduler = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match=r"OneCycleLR: stepped 4 times, past total_steps=3"):
        scheduler.step()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_lr": 0.1}, ValueError, r"give total_steps, or epochs and steps_per_epoch"),
        ({"max_lr": 0.1, "total_steps": 0}, ValueError, r"total_steps must be a positive int"),
        ({"max_lr": 0.1, "epochs": 2, "steps_per_epoch": 0}, ValueError, r"steps_per_epoch"),
        ({"max_lr": 0.1, "total_steps": 5, "pct_start": 1.5}, ValueError, r"pct_start must be"),
        ({"max_lr": 0.1, "total_steps": 5, "anneal_strategy": "exp"}, ValueError, r"'cos'"),
        ({"max_lr": [0.1, 0.2], "total_steps": 5}, ValueError, r"expected 1 values of max_lr"),
        ({"max_lr": -0.1, "total_steps": 5}, ValueError, r"invalid max_lr -0\.1"),
        ({"max_lr": 0.1, "total_steps": 5, "div_factor": 0}, ValueError, r"div_factor"),
    ],
)
def test_one_cycle_bad_arguments_change_nothing(kwargs, error, match):
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    before = dict(opt.param_groups[0])
    with pytest.raises(error, match=rf"OneCycleLR: .*{match}"):
        lr_scheduler.OneCycleLR(opt, **kwargs)
    assert opt.param_groups[0] == before


def test_one_cycle_momentum_needs_an_optimizer_with_momentum():
    class Plain(SGD):
        pass

    opt = Plain([mytorch.zeros(1, requires_grad=True)])
    del opt.defaults["momentum"]
    with pytest.raises(ValueError, match=r"cycle_momentum needs an optimiser with momentum"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=4)
    lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=4, cycle_momentum=False)


PLATEAU = {
    "defaults": {},
    "patience_2": {"patience": 2, "factor": 0.5},
    "max_mode": {"mode": "max", "patience": 1},
    "abs_threshold": {"threshold_mode": "abs", "threshold": 0.05, "patience": 1},
    "cooldown_min_lr": {"patience": 0, "cooldown": 2, "min_lr": [0.01, 0.02], "factor": 0.3},
    "eps": {"patience": 0, "factor": 0.9, "eps": 0.005},  # stops reducing below lr 0.05
}
#: A noisy loss that improves, stalls, wanders, and improves a little.
METRICS = [1.0, 0.9, 0.9, 0.95, 0.91, 0.899, 0.899, 0.8, 0.85, 0.85, 0.85, 0.86, 0.7, 0.7, 0.71]


@pytest.mark.parametrize("kwargs", PLATEAU.values(), ids=PLATEAU.keys())
def test_reduce_on_plateau_matches_torch(kwargs, torch):
    ours_opt, theirs_opt = _pair(torch, "sgd")
    ours = lr_scheduler.ReduceLROnPlateau(ours_opt, **kwargs)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **kwargs)
    rates = []
    for epoch, metric in enumerate(METRICS * 3):
        ours.step(metric)
        theirs.step(metric)
        assert ours.get_last_lr() == theirs.get_last_lr(), f"epoch {epoch}"
        assert ours.num_bad_epochs == theirs.num_bad_epochs
        rates.append(ours.get_last_lr()[0])
    assert len(set(rates)) > 1


def test_reduce_on_plateau_takes_a_one_element_tensor_and_round_trips():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, patience=1)
    for metric in (1.0, 1.0):
        scheduler.step(mytorch.tensor(metric))
    state = scheduler.state_dict()
    assert state["num_bad_epochs"] == 1 and state["best"] == 1.0
    resumed = lr_scheduler.ReduceLROnPlateau(opt, patience=1)
    resumed.load_state_dict(state)
    resumed.step(2.0)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1)
    assert math.isinf(lr_scheduler.ReduceLROnPlateau(opt).best)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mode": "middle"}, r"mode must be 'min' or 'max', got 'middle'"),
        ({"factor": 1.0}, r"invalid factor 1\.0; it must be in \[0\.0, 1\.0\)"),
        ({"patience": -1}, r"patience must be an int >= 0, got -1"),
        ({"threshold_mode": "pct"}, r"threshold_mode must be 'rel' or 'abs'"),
        ({"min_lr": [0.1, 0.2]}, r"min_lrs must list 1 rates"),
    ],
)
def test_reduce_on_plateau_bad_arguments(kwargs, match):
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match=rf"ReduceLROnPlateau: {match}"):
        lr_scheduler.ReduceLROnPlateau(opt, **kwargs)


def test_reduce_on_plateau_needs_a_number():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt)
    with pytest.raises(TypeError, match=r"ReduceLROnPlateau.step: the metric must be a number"):
        scheduler.step("low")
    assert scheduler.last_epoch == 0
