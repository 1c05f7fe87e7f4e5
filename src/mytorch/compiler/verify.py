"""Two captures of one kind of call must agree before either is replayed.

One capture sees one run. If the step computed something from data outside any
op (a comparison's mask, a count, a Python number read from an array), that
value sits in the program as if it were a constant, and a replay would reuse
it: a silently wrong result. Looking at one run cannot tell such a value from a
true constant (a ``2.0``, the ones that seed ``backward``); looking at two runs
on different batches can. So a kind of call is captured twice, and its program
is replayed only if the two captures ran the same steps, on the same slots and
inputs, with the same constants. Otherwise the step runs eagerly, and the
first difference is the reason ``explain()`` gives.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.compiler.program import Accumulate, Backward, Effect, Forward, Program
from mytorch.core.tensor import Tensor

__all__ = ["disagreement"]


def disagreement(first: Program, second: Program) -> str | None:
    """Why two captures of one kind of call differ, or None if they agree."""
    if len(first.steps) != len(second.steps):
        return (
            f"two calls ran {len(first.steps)} and {len(second.steps)} steps "
            "(Python code that depends on tensor values?)"
        )
    names = _names(first), _names(second)
    for a, b in zip(first.steps, second.steps):
        where = a.describe()
        if type(a) is not type(b) or where != b.describe():
            return f"two calls ran different steps: {where} / {b.describe()}"
        if isinstance(a, Forward):
            same = a.forward is b.forward and type(a.ctx) is type(b.ctx)
            same = same and _same(a.args, b.args, names)
        elif isinstance(a, Backward):
            same = a.node.function is b.node.function and _same(a.grad, b.grad, names)
        elif isinstance(a, Accumulate):
            same = a.variable is b.variable and a.owned == b.owned
            same = same and _same(a.grad, b.grad, names)
        else:
            assert isinstance(a, Effect) and isinstance(b, Effect)
            same = a.method is b.method and _same((a.args, a.kwargs), (b.args, b.kwargs), names)
        if not same:
            return (
                f"a value computed from data outside any op feeds `{where.strip()}` "
                "(it differs between two calls, so a replay would reuse a stale value)"
            )
    return None


def _names(program: Program) -> dict[int, str]:
    """The role of each tensor a program writes or is fed: the same in both captures."""
    names = {id(tensor): f"input {index}" for index, tensor in program.bindings}
    for step in program.steps:
        written = [step.out] if isinstance(step, Forward) else []
        if isinstance(step, Backward):
            written = [slot for _, slot in step.outs]
        for tensor in written:
            names.setdefault(id(tensor), f"slot {len(names)}")
    return names


def _same(a: Any, b: Any, names: tuple[dict[int, str], dict[int, str]]) -> bool:
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        role_a, role_b = names[0].get(id(a)), names[1].get(id(b))
        if role_a is not None or role_b is not None:
            return role_a == role_b
        # Neither is written by the program: one persistent tensor (a parameter),
        # or two constants made by the step, which must hold the same values.
        return a is b or (
            a.data.shape == b.data.shape
            and a.data.dtype == b.data.dtype
            and bool(np.array_equal(a.data, b.data, equal_nan=a.data.dtype.kind in "fc"))
        )
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y, names) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], names) for k in a)
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError):  # something without a plain == (an array)
        return False
