"""Hostile input to optimisers and schedulers: all-or-nothing steps and loads.

A step either updates every parameter or none: a gradient that does not fit its
parameter is refused before anything is written. ``load_state_dict`` checks the
whole state first, so state that would fail or poison the next ``step()`` is
refused at load and the optimiser (or scheduler) is left as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hostile_tables import Case, leaf, params

import mytorch
from mytorch.optim import (
    LBFGS,
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    AdamW,
    Optimizer,
    RMSprop,
    lr_scheduler,
)
from mytorch.optim.lr_scheduler import LRScheduler

#: Every optimiser, configured so that it keeps state between steps.
OPTIMISERS: dict[str, Callable[[list[Any]], Optimizer]] = {
    "SGD": lambda ps: SGD(ps, lr=0.1, momentum=0.9),
    "Adam": lambda ps: Adam(ps, lr=0.1),
    "AdamW": lambda ps: AdamW(ps, lr=0.1),
    "RMSprop": lambda ps: RMSprop(ps, lr=0.1, momentum=0.9, centered=True),
    "Adagrad": lambda ps: Adagrad(ps, lr=0.1),
    "Adadelta": lambda ps: Adadelta(ps),
}


def stepped(name: str) -> list[Any]:
    """Two parameters and their optimiser after one step, with fresh gradients."""
    first, second = leaf(2), leaf(3)
    optimizer = OPTIMISERS[name]([first, second])
    for _ in range(2):  # the first step makes state, the second pass fresh gradients
        optimizer.zero_grad()
        ((first * first).sum() + (second * second).sum()).backward()
        if optimizer.state == {}:
            optimizer.step()
    return [first, second, optimizer]


def plant_gradient(param: Any, grad: Any) -> None:
    """Give ``param`` a bad gradient without the ``.grad`` setter, which refuses it.

    A gradient can still go bad after it was set (``w.grad.data = ...`` changes its
    shape behind the setter), so every step checks all of them before writing.
    """
    param._grad = grad


def with_grad(name: str, grad: Any) -> Callable[[], list[Any]]:
    """``stepped`` with the second parameter's gradient replaced by ``grad``."""

    def build() -> list[Any]:
        first, second, optimizer = stepped(name)
        plant_gradient(second, grad)
        return [first, second, optimizer]

    return build


class ForeignTensor:
    """Another library's tensor: a ``.data`` array of the right shape, but not ours.

    (A bare ndarray would do too, but the shared snapshot reads ``grad.data``, a new
    memoryview each time for an ndarray, which it could only compare by id.)
    """

    def __init__(self, data: np.ndarray) -> None:
        self.data, self.shape = data, data.shape


def step(first: Any, second: Any, optimizer: Optimizer) -> Any:
    return optimizer.step()


STEP_CASES = [
    case
    for name in OPTIMISERS
    for case in (
        Case(
            f"{name}.step: a broadcastable gradient of the wrong shape",
            with_grad(name, mytorch.ones(1) * 5),
            step,
            RuntimeError,
            rf"{name}.step: the gradient of parameter 1 of group 0 has shape \(1,\), the "
            r"parameter has shape \(3,\)",
        ),
        Case(
            f"{name}.step: a gradient with an extra axis",
            with_grad(name, mytorch.ones(1, 3)),
            step,
            RuntimeError,
            rf"{name}.step: .*parameter 1 .*shape \(1, 3\), the parameter has shape \(3,\)",
        ),
        Case(
            f"{name}.step: a scalar gradient",
            with_grad(name, mytorch.tensor(2.0)),
            step,
            RuntimeError,
            rf"{name}.step: .*parameter 1 .*shape \(\), the parameter has shape \(3,\)",
        ),
        Case(
            f"{name}.step: another library's tensor as gradient",
            with_grad(name, ForeignTensor(np.ones(3))),
            step,
            TypeError,
            rf"{name}.step: the gradient of parameter 1 of group 0 is a ForeignTensor, not a "
            "Tensor",
        ),
        Case(
            f"{name}.step: an integer gradient",
            with_grad(name, mytorch.Tensor(np.array([1, 2, 3]))),
            step,
            TypeError,
            rf"{name}.step: .*parameter 1 .*dtype int64, not a floating-point dtype",
        ),
    )
]


def lbfgs_with_grad(grad: Any) -> Callable[[], list[Any]]:
    """Two parameters and an LBFGS with history; the second's gradient is then ``grad``.

    The closure the step gets leaves the gradients alone, so that whatever changes
    would be the step's doing.
    """

    def build() -> list[Any]:
        first, second = leaf(2), leaf(3)
        optimizer = LBFGS([first, second], max_iter=3)

        def closure() -> mytorch.Tensor:
            optimizer.zero_grad()
            loss = ((first - 2) ** 2).sum() + ((second + 1) ** 2).sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        loss = closure()
        plant_gradient(second, grad)
        return [first, second, optimizer, lambda: loss]

    return build


STEP_CASES += [
    Case(
        "LBFGS.step: a broadcastable gradient of the wrong shape",
        lbfgs_with_grad(mytorch.ones(1) * 5),
        lambda first, second, optimizer, closure: optimizer.step(closure),
        RuntimeError,
        r"LBFGS.step: the gradient of parameter 1 of group 0 has shape \(1,\)",
    ),
    Case(
        "LBFGS.step: an integer gradient",
        lbfgs_with_grad(mytorch.Tensor(np.array([1, 2, 3]))),
        lambda first, second, optimizer, closure: optimizer.step(closure),
        TypeError,
        r"LBFGS.step: .*parameter 1 .*dtype int64",
    ),
]


@pytest.mark.parametrize("case", params(STEP_CASES))
def test_a_step_with_a_bad_gradient_changes_nothing(
    case: Case, refused: Callable[..., None]
) -> None:
    refused(case.call, case.build(), case.error, case.match)


@pytest.mark.parametrize("name", OPTIMISERS)
def test_a_gradient_of_the_right_shape_still_steps(name: str) -> None:
    _, second, optimizer = stepped(name)
    before = second.data.copy()
    optimizer.step()
    assert not np.array_equal(second.data, before)


def edited(name: str, edit: Callable[[dict[str, Any]], Any]) -> Callable[[], list[Any]]:
    """An optimiser with state, and its own state dict changed by ``edit``."""

    def build() -> list[Any]:
        optimizer = stepped(name)[2]
        optimizer.step()
        state = optimizer.state_dict()
        edit(state)
        return [optimizer, state]

    return build


def set_state(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(state: dict[str, Any]) -> None:
        state["state"][1][key] = value

    return edit


def drop_state(key: str) -> Callable[[dict[str, Any]], None]:
    def edit(state: dict[str, Any]) -> None:
        del state["state"][1][key]

    return edit


def set_group(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(state: dict[str, Any]) -> None:
        state["param_groups"][0][key] = value

    return edit


def load(optimizer: Optimizer, state: dict[str, Any]) -> None:
    optimizer.load_state_dict(state)


def load_case(name: str, what: str, edit: Callable, error: type, match: str) -> Case:
    return Case(
        f"{name}.load_state_dict: {what}",
        edited(name, edit),
        load,
        error,
        rf"(?s){name}\.load_state_dict: the state dict does not fit.*{match}",
    )


SHAPE = r"state\[1\]\['{}'\] has shape \(2,\), the parameter has shape \(3,\)"
ADAMS = ("Adam", "AdamW")
LOAD_CASES = [
    load_case(
        "SGD",
        "a list as momentum buffer",
        set_state("momentum_buffer", [0.0] * 3),
        ValueError,
        r"\['momentum_buffer'\] must be a Tensor or numpy array, got a list",
    ),
    load_case(
        "SGD",
        "a wrong-shaped buffer",
        set_state("momentum_buffer", mytorch.ones(2)),
        ValueError,
        SHAPE.format("momentum_buffer"),
    ),
    load_case(
        "SGD",
        "a buffer of strings",
        set_state("momentum_buffer", np.array(["a"] * 3)),
        ValueError,
        r"\['momentum_buffer'\] has dtype <U1; it must be real numbers",
    ),
    load_case(
        "SGD",
        "a complex buffer",
        set_state("momentum_buffer", np.ones(3, complex)),
        ValueError,
        r"has dtype complex128; it must be real numbers",
    ),
    load_case(
        "SGD",
        "maximize as a string",
        set_group("maximize", "no"),
        ValueError,
        r"SGD: maximize must be a bool, got 'no'",
    ),
    load_case(
        "RMSprop",
        "centered as a number",
        set_group("centered", 1),
        ValueError,
        r"RMSprop: centered must be a bool, got 1",
    ),
    load_case(
        "SGD",
        "a negative lr",
        set_group("lr", -0.5),
        ValueError,
        r"SGD: invalid learning rate -0\.5",
    ),
    load_case(
        "SGD",
        "a negative dampening",
        set_group("dampening", -1.0),
        ValueError,
        r"SGD: invalid dampening -1\.0",
    ),
    *[
        case
        for name in ADAMS
        for case in (
            load_case(
                name,
                "step -1",
                set_state("step", -1),
                ValueError,
                r"\['step'\] must be an int >= 0 \(a step count\), got -1",
            ),
            load_case(
                name,
                "step NaN",
                set_state("step", float("nan")),
                ValueError,
                r"\['step'\] must be an int >= 0 .*got nan",
            ),
            load_case(
                name,
                "step 1.5",
                set_state("step", 1.5),
                ValueError,
                r"\['step'\] must be an int >= 0 .*got 1\.5",
            ),
            load_case(
                name,
                "step True",
                set_state("step", True),
                ValueError,
                r"\['step'\] must be an int >= 0 .*got True",
            ),
            load_case(
                name,
                "a missing exp_avg",
                drop_state("exp_avg"),
                ValueError,
                r"state\[1\] lacks \['exp_avg'\], which a step needs",
            ),
            load_case(
                name,
                "a wrong-shaped exp_avg",
                set_state("exp_avg", np.zeros(2)),
                ValueError,
                SHAPE.format("exp_avg"),
            ),
            load_case(
                name,
                "a negative exp_avg_sq",
                set_state("exp_avg_sq", -mytorch.ones(3)),
                ValueError,
                r"\['exp_avg_sq'\] has negative or NaN entries",
            ),
            load_case(
                name,
                "a NaN in exp_avg_sq",
                set_state("exp_avg_sq", mytorch.tensor([1.0, float("nan"), 1.0])),
                ValueError,
                r"\['exp_avg_sq'\] has negative or NaN entries",
            ),
            load_case(
                name,
                "amsgrad without max_exp_avg_sq",
                set_group("amsgrad", True),
                ValueError,
                r"state\[1\] lacks \['max_exp_avg_sq'\]",
            ),
            load_case(
                name,
                "betas of one number",
                set_group("betas", 0.9),
                ValueError,
                rf"{name}: betas must be a pair",
            ),
        )
    ],
    load_case(
        "RMSprop", "step -1", set_state("step", -1), ValueError, r"\['step'\] must be an int >= 0"
    ),
    load_case(
        "RMSprop",
        "a missing momentum buffer",
        drop_state("momentum_buffer"),
        ValueError,
        r"state\[1\] lacks \['momentum_buffer'\]",
    ),
    load_case(
        "RMSprop",
        "a missing grad_avg",
        drop_state("grad_avg"),
        ValueError,
        r"state\[1\] lacks \['grad_avg'\]",
    ),
    load_case(
        "RMSprop",
        "a negative square_avg",
        set_state("square_avg", -np.ones(3)),
        ValueError,
        r"\['square_avg'\] has negative or NaN entries",
    ),
    load_case(
        "RMSprop",
        "a negative alpha",
        set_group("alpha", -0.5),
        ValueError,
        r"RMSprop: invalid alpha -0\.5",
    ),
    load_case(
        "Adagrad",
        "a NaN step",
        set_state("step", float("nan")),
        ValueError,
        r"\['step'\] must be an int >= 0",
    ),
    load_case(
        "Adagrad", "a missing sum", drop_state("sum"), ValueError, r"state\[1\] lacks \['sum'\]"
    ),
    load_case(
        "Adagrad",
        "a NaN in the sum",
        set_state("sum", np.full(3, np.nan)),
        ValueError,
        r"\['sum'\] has negative or NaN entries",
    ),
    load_case(
        "Adadelta",
        "step -1",
        set_state("step", -1),
        ValueError,
        r"\['step'\] must be an int >= 0",
    ),
    load_case(
        "Adadelta",
        "a missing acc_delta",
        drop_state("acc_delta"),
        ValueError,
        r"state\[1\] lacks \['acc_delta'\]",
    ),
    load_case(
        "Adadelta",
        "a negative square_avg",
        set_state("square_avg", -np.ones(3)),
        ValueError,
        r"\['square_avg'\] has negative or NaN entries",
    ),
    load_case(
        "Adagrad",
        "a list as sum",
        set_state("sum", [1.0, 1.0, 1.0]),
        ValueError,
        r"\['sum'\] must be a Tensor or numpy array, got a list",
    ),
]


def lbfgs_state(key: str, value: Any) -> Callable[[], list[Any]]:
    """A trained LBFGS and its state dict with ``key`` set to ``value``."""

    def build() -> list[Any]:
        optimizer = lbfgs_with_grad(None)()[2]
        state = optimizer.state_dict()
        state["state"][0][key] = value
        return [optimizer, state]

    return build


LOAD_CASES += [
    Case(
        f"LBFGS.load_state_dict: {key}={value!r}"[:70],
        lbfgs_state(key, value),
        load,
        ValueError,
        rf"(?s)LBFGS\.load_state_dict: .*state\[0\]\['{key}'\] {match}",
    )
    for key, value, match in [
        ("n_iter", -1, r"must be an int >= 0"),
        ("func_evals", 2.5, r"must be an int >= 0"),
        ("d", np.ones((5, 1)), r"must be 1-D, got shape \(5, 1\)"),
        ("d", [1.0] * 5, r"must be a Tensor or numpy array, got a list"),
        ("t", float("nan"), r"must be a finite number, got nan"),
        ("H_diag", "1", r"must be a finite number"),
        ("old_dirs", np.ones(5), r"must be a list, got a ndarray"),
        ("old_stps", [np.ones((2, 2))], r"item must be 1-D"),
        ("ro", [1.0, "x"], r"item must be a finite number, got 'x'"),
        ("prev_flat_grad", np.array(["a"]), r"has dtype <U1"),
    ]
]


@pytest.mark.parametrize("case", params(LOAD_CASES))
def test_a_load_of_state_a_step_cannot_use_changes_nothing(
    case: Case, refused: Callable[..., None]
) -> None:
    refused(case.call, case.build(), case.error, case.match)


@pytest.mark.parametrize("name", OPTIMISERS)
def test_an_unedited_state_dict_loads(name: str) -> None:
    optimizer, state = edited(name, lambda state: None)()
    optimizer.load_state_dict(state)
    assert optimizer.state_dict()["state"].keys() == state["state"].keys()


SCHEDULERS: dict[str, Callable[[Optimizer], LRScheduler]] = {
    "StepLR": lambda opt: lr_scheduler.StepLR(opt, step_size=2),
    "CosineAnnealingLR": lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=5),
    "MultiStepLR": lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[2, 4]),
    "ExponentialLR": lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.9),
    "LinearLR": lambda opt: lr_scheduler.LinearLR(opt),
    "LambdaLR": lambda opt: lr_scheduler.LambdaLR(opt, lambda epoch: 0.9**epoch),
    "OneCycleLR": lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=10),
}
PLATEAU = {"ReduceLROnPlateau": lambda opt: lr_scheduler.ReduceLROnPlateau(opt, patience=1)}


def scheduled(name: str, key: str, value: Any) -> Callable[[], list[Any]]:
    """A scheduler after two steps, and its own state dict with ``key`` set to ``value``."""

    def build() -> list[Any]:
        scheduler = {**SCHEDULERS, **PLATEAU}[name](SGD([leaf(2)], lr=0.1, momentum=0.9))
        for _ in range(2):
            scheduler.step(1.0) if name in PLATEAU else scheduler.step()
        state = scheduler.state_dict()
        if value is DELETE:
            del state[key]
        else:
            state[key] = value
        return [scheduler, state]

    return build


DELETE = object()


def scheduler_case(name: str, key: str, value: Any, match: str) -> Case:
    return Case(
        f"{name}.load_state_dict: {key}={value!r}"[:80],
        scheduled(name, key, value),
        lambda scheduler, state: scheduler.load_state_dict(state),
        ValueError,
        rf"{name}\.load_state_dict: {match}",
    )


INFINITE = r"invalid _last_lr\[0\] inf; it must be finite"
SCHEDULER_CASES = [
    scheduler_case("StepLR", "step_size", 0, r"step_size must be a positive int, got 0"),
    scheduler_case("StepLR", "step_size", 2.5, r"step_size must be a positive int, got 2\.5"),
    scheduler_case("StepLR", "step_size", True, r"step_size must be a positive int, got True"),
    scheduler_case("StepLR", "gamma", float("nan"), r"invalid gamma nan"),
    scheduler_case("StepLR", "gamma", "0.1", r"gamma must be a real number, got '0\.1'"),
    scheduler_case("CosineAnnealingLR", "T_max", 0, r"T_max must be a positive int, got 0"),
    scheduler_case("CosineAnnealingLR", "eta_min", -1.0, r"invalid eta_min -1\.0"),
    scheduler_case("MultiStepLR", "milestones", [4, 2], r"milestones must be a sorted list"),
    scheduler_case("MultiStepLR", "milestones", "24", r"milestones must be a sorted list"),
    scheduler_case("MultiStepLR", "milestones", [0], r"a milestone must be a positive int"),
    scheduler_case("ExponentialLR", "gamma", -2.0, r"invalid gamma -2\.0"),
    scheduler_case("LinearLR", "total_iters", 0, r"total_iters must be a positive int, got 0"),
    scheduler_case("LinearLR", "start_factor", 0.0, r"start_factor must be in \(0, 1\]"),
    scheduler_case("OneCycleLR", "total_steps", 0, r"total_steps must be a positive int, got 0"),
    scheduler_case("OneCycleLR", "pct_start", 2.0, r"pct_start must be in \[0, 1\], got 2\.0"),
    scheduler_case("OneCycleLR", "anneal_strategy", "exp", r"anneal_strategy must be 'cos'"),
    scheduler_case("OneCycleLR", "three_phase", "yes", r"three_phase must be a bool"),
    *[
        scheduler_case("ReduceLROnPlateau", key, value, match)
        for key, value, match in [
            ("factor", 1.5, r"invalid factor 1\.5"),
            ("factor", -0.5, r"invalid factor -0\.5"),
            ("patience", -1, r"patience must be an int >= 0, got -1"),
            ("num_bad_epochs", 0.5, r"num_bad_epochs must be an int >= 0"),
            ("cooldown_counter", -3, r"cooldown_counter must be an int >= 0"),
            ("mode", "up", r"mode must be 'min' or 'max'"),
            ("threshold_mode", None, r"threshold_mode must be 'rel' or 'abs'"),
            ("min_lrs", [], r"min_lrs must list 1 rates"),
            ("best", float("nan"), r"best must be a number, got nan"),
            ("best", "low", r"best must be a number"),
            ("last_epoch", -2, r"last_epoch must be an int >= -1, got -2"),
            ("_last_lr", [float("nan")], r"invalid _last_lr\[0\] nan"),
        ]
    ],
    *[
        case
        for name in SCHEDULERS
        for case in (
            scheduler_case(name, "last_epoch", -2, r"last_epoch must be an int >= -1, got -2"),
            scheduler_case(name, "last_epoch", float("nan"), r"last_epoch must be an int >= -1"),
            scheduler_case(name, "base_lrs", [0.1, 0.2], r"base_lrs must list 1 rates"),
            scheduler_case(name, "base_lrs", [float("nan")], r"invalid base_lrs\[0\] nan"),
            scheduler_case(name, "_last_lr", [float("inf")], INFINITE),
            scheduler_case(name, "_last_lr", None, r"_last_lr must list 1 rates"),
            scheduler_case(name, "last_epoch", DELETE, r"missing keys \['last_epoch'\]"),
        )
    ],
]


@pytest.mark.parametrize("case", params(SCHEDULER_CASES))
def test_a_scheduler_state_it_could_not_step_from_is_refused(
    case: Case, refused: Callable[..., None]
) -> None:
    arguments = case.build()
    refused(case.call, arguments, case.error, case.match, also=vars(arguments[0]))


@pytest.mark.parametrize("name", [*SCHEDULERS, *PLATEAU])
def test_a_scheduler_state_dict_loads_and_resumes(name: str) -> None:
    scheduler = scheduled(name, "last_epoch", 2)()[0]
    state = scheduler.state_dict()
    groups = copy.deepcopy([dict(g, params=None) for g in scheduler.optimizer.param_groups])

    def run() -> list[Any]:
        rates = []
        for _ in range(3):
            scheduler.step(1.0) if name in PLATEAU else scheduler.step()
            rates.append(scheduler.get_last_lr())
        return rates

    expected = run()
    scheduler.load_state_dict(state)
    for group, saved in zip(scheduler.optimizer.param_groups, groups):
        group.update((key, value) for key, value in saved.items() if key != "params")
    assert run() == expected


@pytest.mark.parametrize("name", OPTIMISERS)
def test_a_numpy_gradient_is_refused_before_any_change(name: str) -> None:
    first, second, optimizer = with_grad(name, np.ones(3))()
    before = [first.data.copy(), second.data.copy(), optimizer.state_dict()]
    with pytest.raises(TypeError, match=rf"{name}.step: .*parameter 1 .* is a ndarray, not a"):
        optimizer.step()
    np.testing.assert_array_equal(first.data, before[0])
    np.testing.assert_array_equal(second.data, before[1])
    assert repr(optimizer.state_dict()) == repr(before[2])
