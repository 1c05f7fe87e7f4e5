"""A line search for LBFGS: find a step length that meets the strong Wolfe conditions.

Along a descent direction :math:`d` from :math:`x` (loss :math:`f_0`, slope
:math:`f'_0 = g^\\top d < 0`), a step :math:`t` is accepted when

.. math::

    f(x + t d) \\le f_0 + c_1 t f'_0 \\quad\\text{(enough decrease)}, \\qquad
    |g(x + t d)^\\top d| \\le c_2 |f'_0| \\quad\\text{(the slope has flattened)}.

First the step grows until an interval is known to hold such a step (bracketing),
then the interval shrinks around it (zooming); each new trial step is the minimum
of the cubic that fits the losses and slopes at the interval's ends (Nocedal and
Wright, *Numerical Optimization*, algorithms 3.5 and 3.6). The steps are those of
PyTorch's ``_strong_wolfe`` (itself a port of torch7's ``lswolfe.lua``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

__all__ = ["strong_wolfe"]


class _Point(NamedTuple):
    """A trial step: its length, loss, gradient and slope along the direction."""

    t: float
    loss: float
    grad: np.ndarray
    slope: float


def _cubic_minimum(a: _Point, b: _Point, bounds: tuple[float, float] | None = None) -> float:
    """The minimiser of the cubic through two points' losses and slopes, kept in bounds.

    Where the cubic has no minimum, the middle of the bounds (by default the
    interval between the points).
    """
    low, high = bounds if bounds is not None else (min(a.t, b.t), max(a.t, b.t))
    d1 = a.slope + b.slope - 3 * (a.loss - b.loss) / (a.t - b.t)
    d2_square = d1**2 - a.slope * b.slope
    if not d2_square >= 0:  # (NaN too)
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square)
    if a.t <= b.t:
        minimum = b.t - (b.t - a.t) * ((b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2))
    else:
        minimum = a.t - (a.t - b.t) * ((a.slope + d2 - d1) / (a.slope - b.slope + 2 * d2))
    return min(max(minimum, low), high)


def strong_wolfe(
    evaluate: Callable[[float], tuple[float, np.ndarray]],
    t: float,
    direction: np.ndarray,
    loss: float,
    grad: np.ndarray,
    slope: float,
    max_evals: int,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
) -> tuple[float, np.ndarray, float, int]:
    """Search along ``direction`` from a first guess ``t``; return (loss, grad, t, evaluations).

    ``evaluate(t)`` returns the loss and flat gradient at ``x + t * direction``
    and leaves the parameters at ``x``. At most ``max_evals`` evaluations after
    the first; if none meets the conditions, the best step seen is returned.
    """

    def point(step: float) -> _Point:
        new_loss, new_grad = evaluate(step)
        return _Point(step, new_loss, new_grad, float(new_grad @ direction))

    def rises_too_much(trial: _Point) -> bool:
        return trial.loss > loss + c1 * trial.t * slope

    def flat_enough(trial: _Point) -> bool:
        return abs(trial.slope) <= -c2 * slope

    start, trial = _Point(0.0, loss, grad, slope), point(t)
    previous, evals, iteration, done = start, 1, 0, False
    # Bracketing: grow the step until [previous, trial] holds an acceptable one.
    while iteration < max_evals:
        if rises_too_much(trial) or (iteration > 1 and trial.loss >= previous.loss):
            bracket = [previous, trial]
            break
        if flat_enough(trial):
            bracket, done = [trial], True
            break
        if trial.slope >= 0:  # the loss rises again past the trial: a minimum is inside
            bracket = [previous, trial]
            break
        bounds = (trial.t + 0.01 * (trial.t - previous.t), trial.t * 10)
        previous, trial = trial, point(_cubic_minimum(previous, trial, bounds))
        evals += 1
        iteration += 1
    if iteration == max_evals:
        bracket = [start, trial]

    # Zooming: shrink the bracket, keeping its lower-loss end at index ``low``.
    low, high = (0, 1) if bracket[0].loss <= bracket[-1].loss else (1, 0)
    stalled = False
    while not done and iteration < max_evals:
        ends = sorted(p.t for p in bracket)
        if (ends[1] - ends[0]) * np.abs(direction).max() < tolerance_change:
            break  # the bracket is too small to move the parameters any more
        step = _cubic_minimum(bracket[0], bracket[1])
        # A trial at an end of the bracket teaches little: after two in a row
        # (or one outside), move it a tenth of the bracket inside.
        margin = 0.1 * (ends[1] - ends[0])
        if min(ends[1] - step, step - ends[0]) < margin:
            if stalled or step >= ends[1] or step <= ends[0]:
                near_top = abs(step - ends[1]) < abs(step - ends[0])
                step = ends[1] - margin if near_top else ends[0] + margin
                stalled = False
            else:
                stalled = True
        else:
            stalled = False
        trial = point(step)
        evals += 1
        iteration += 1
        if rises_too_much(trial) or trial.loss >= bracket[low].loss:
            bracket[high] = trial
            low, high = (0, 1) if bracket[0].loss <= bracket[1].loss else (1, 0)
        else:
            if flat_enough(trial):
                done = True
            elif trial.slope * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = trial
    best = bracket[low]
    return best.loss, best.grad, best.t, evals
