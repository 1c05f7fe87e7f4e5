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
