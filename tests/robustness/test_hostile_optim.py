"""Hostile input to optimisers and schedulers: all-or-nothing steps and loads.

A step either updates every parameter or none: a gradient that does not fit its
parameter is refused before anything is written. ``load_state_dict`` checks the
whole state first, so state that would fail or poison the next ``step()`` is
refused at load and the optimiser (or scheduler) is left as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hostile_tables import Case, leaf, params

import mytorch
from mytorch.optim import SGD, Adam, AdamW, Optimizer

#: Every optimiser, configured so that it keeps state between steps.
OPTIMISERS: dict[str, Callable[[list[Any]], Optimizer]] = {
    "SGD": lambda ps: SGD(ps, lr=0.1, momentum=0.9),
    "Adam": lambda ps: Adam(ps, lr=0.1),
    "AdamW": lambda ps: AdamW(ps, lr=0.1),
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


def with_grad(name: str, grad: Any) -> Callable[[], list[Any]]:
    """``stepped`` with the second parameter's gradient replaced by ``grad``."""

    def build() -> list[Any]:
        first, second, optimizer = stepped(name)
        second.grad = grad
        return [first, second, optimizer]

    return build


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
            f"{name}.step: a numpy array as gradient",
            with_grad(name, np.ones(3)),
            step,
            TypeError,
            rf"{name}.step: the gradient of parameter 1 of group 0 is a ndarray, not a Tensor",
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


def edited(name: str, edit: Callable[[dict[str, Any]], Any], **options: Any) -> Callable:
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
