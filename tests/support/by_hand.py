"""Call ops by hand, as the assignment MyTorch grew out of checks them.

The assignment's tests make a context, call an op's ``forward`` on it and then its
``backward``, with no ``apply`` and no graph. ``check_by_hand`` runs a function
normally, records every op whose forward ran on the way (through ``Function.apply``
or its two-tensor fast path), and replays each one by hand on a fresh
``ContextManager``: the forward must give the same Tensor, and the backward the same
gradients as the op's recorded node.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from mytorch import Tensor
from mytorch.autograd import BackwardFunction, ContextManager
from mytorch.core.function import Function


@contextlib.contextmanager
def recording_applies() -> Iterator[list[tuple[type, Any, tuple[Any, ...], Tensor]]]:
    """Yield a list that fills with ``(op class, ctx, args, output)`` for every op run.

    Every ``Function`` subclass's ``_run_forward`` (what ``apply``, and its
    two-tensor fast path ``_apply_pair``, call) is wrapped for the duration.
    """
    applied: list[tuple[type, Any, tuple[Any, ...], Tensor]] = []
    originals = {cls: cls.__dict__.get("_run_forward") for cls in all_functions()}

    def recorder(cls: type, run_forward: Callable[..., Any]) -> Callable[..., Any]:
        def record(ctx: Any, *args: Any) -> Any:
            result = run_forward(ctx, *args)
            out = result if isinstance(result, Tensor) else Tensor._wrap(result)
            applied.append((cls, ctx, args, out))
            return result

        return record

    for cls in originals:
        cls._run_forward = staticmethod(recorder(cls, cls._run_forward))
    try:
        yield applied
    finally:
        for cls, own in originals.items():
            if own is None:
                del cls._run_forward  # it was inherited
            else:
                cls._run_forward = own


def all_functions() -> list[type]:
    """Every subclass of ``Function`` defined so far, the library's and the tests' own."""
    found, stack = [], [Function]
    while stack:
        for subclass in stack.pop().__subclasses__():
            found.append(subclass)
            stack.append(subclass)
    return found


def check_by_hand(fn: Callable[..., Any], *args: Any) -> set[str]:
    """Run ``fn(*args)``, then replay each op it applied by hand.

    Returns the ops' qualified names (``mytorch.ops.arithmetic.Mul``).
    """
    with recording_applies() as applied:
        fn(*args)
    rng = np.random.default_rng(0)
    for cls, node, op_args, out in applied:
        ctx = ContextManager()
        by_hand = cls.forward(ctx, *op_args)
        assert isinstance(by_hand, Tensor), f"{cls.__name__}.forward by hand gave {by_hand!r}"
        np.testing.assert_array_equal(by_hand.data, out.data, err_msg=cls.__name__)
        assert by_hand.dtype == out.dtype, cls.__name__
        if not isinstance(node, BackwardFunction):
            continue  # recorded nothing: no backward to compare with
        assert len(ctx.needs_input_grad) == len(op_args)
        grad_output = Tensor._wrap(rng.normal(size=out.shape).astype(out.dtype))
        expected = node.apply(grad_output, retain_graph=True)
        # By hand every tensor input "needs" a gradient, constants too (pow's
        # exponent 2): one that apply never computes may warn (log of a negative base).
        with np.errstate(divide="ignore", invalid="ignore"):
            got = cls.backward(ctx, grad_output)
        got = got if isinstance(got, tuple) else (got,)
        assert len(got) == len(expected), cls.__name__
        for index, (ours, theirs) in enumerate(zip(got, expected)):
            if theirs is None:
                continue
            assert isinstance(ours, Tensor), f"{cls.__name__}: gradient {index} is {ours!r}"
            np.testing.assert_allclose(
                ours.data, theirs.data, rtol=1e-12, err_msg=f"{cls.__name__} input {index}"
            )
    return {f"{cls.__module__}.{cls.__qualname__}" for cls, *_ in applied}


def check_catalogue_entry_by_hand(fn: Callable[..., Any], args: list[Any]) -> set[str]:
    """``check_by_hand`` on a gradient catalogue's arguments: float arrays become leaves."""
    leaves = [
        Tensor(a, requires_grad=True) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
        for a in args
    ]
    return check_by_hand(fn, *leaves)
