"""Integer-flavoured operators: ``//`` (floor_divide), ``%`` (remainder), ``& | ^ ~``.

``remainder`` follows Python (and PyTorch): the result has the divisor's sign.
It is differentiable: ``a % b = a - floor(a / b) * b``, and ``floor`` is
constant almost everywhere, so the gradients are ``1`` and ``-floor(a / b)``.
``floor_divide`` is piecewise constant; PyTorch records it but cannot
differentiate it, and here its result simply stays outside the graph.

The bitwise operators take bool and integer tensors only; on floats they raise
what PyTorch raises (``NotImplementedError`` for ``& | ^``, ``TypeError`` for ``~``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.broadcast import unbroadcast
from mytorch.ops.operands import as_operand

__all__ = [
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "bitwise_xor",
    "floor_divide",
    "remainder",
]


def _operands(op: str, a: Any, b: Any) -> tuple[Tensor, Tensor]:
    if isinstance(a, Tensor):
        return a, as_operand(b, a, op)
    if isinstance(b, Tensor):
        return as_operand(a, b, op), b
    raise TypeError(f"{op}: expected at least one Tensor operand, got {type(a).__name__}")


def _compute(op: str, ufunc: np.ufunc, a: Tensor, b: Tensor) -> np.ndarray:
    kinds = a.data.dtype.kind + b.data.dtype.kind
    if kinds == "bb":
        raise NotImplementedError(f"{op}: not implemented for bool tensors")
    if "f" not in kinds and (b.data == 0).any():
        raise ZeroDivisionError(f"{op}: integer division by zero")
    try:
        return ufunc(a.data, b.data)
    except ValueError as error:
        raise ValueError(
            f"{op}: shapes {shape_str(a.shape)} and {shape_str(b.shape)} do not broadcast"
        ) from error


class Remainder(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return _compute("remainder", np.remainder, a, b)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        quotient = Tensor._wrap(np.floor_divide(a.data, b.data).astype(grad.dtype))
        return (
            unbroadcast(grad, a.shape) if need_a else None,
            unbroadcast(-grad * quotient, b.shape) if need_b else None,
        )


def remainder(input: Any, other: Any) -> Tensor:
    """``input % other`` with the sign of ``other``, as Python and PyTorch (``x % y``).

    Raises
    ------
    ZeroDivisionError
        On an integer division by zero (a float one gives NaN).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.remainder(mytorch.tensor([-7.0, 7.0]), 3)
    tensor([2., 1.])
    """
    return Remainder.apply(*_operands("remainder", input, other))


def floor_divide(input: Any, other: Any) -> Tensor:
    """``input // other``: division rounded down, as Python and PyTorch. Not differentiable.

    Raises
    ------
    ZeroDivisionError
        On an integer division by zero (a float one gives inf or NaN).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.floor_divide(mytorch.tensor([-7.0, 7.0]), 2)
    tensor([-4.,  3.])
    """
    a, b = _operands("floor_divide", input, other)
    return Tensor._wrap(np.asarray(_compute("floor_divide", np.floor_divide, a, b)))


def _bitwise(op: str, ufunc: np.ufunc, input: Any, other: Any) -> Tensor:
    a, b = _operands(op, input, other)
    for operand in (a, b):
        if operand.data.dtype.kind not in "biu":
            raise NotImplementedError(
                f"{op}: only bool and integer tensors, got dtype {operand.dtype}"
            )
    try:
        return Tensor._wrap(np.asarray(ufunc(a.data, b.data)))
    except ValueError as error:
        raise ValueError(
            f"{op}: shapes {shape_str(a.shape)} and {shape_str(b.shape)} do not broadcast"
        ) from error


def bitwise_and(input: Any, other: Any) -> Tensor:
    """Elementwise AND of bool or integer tensors (``x & y``).

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0, 2.0, 3.0])
    >>> (x > 1) & (x < 3)
    tensor([False,  True, False])
    """
    return _bitwise("bitwise_and", np.bitwise_and, input, other)


def bitwise_or(input: Any, other: Any) -> Tensor:
    """Elementwise OR of bool or integer tensors (``x | y``).

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0, 2.0, 3.0])
    >>> (x < 2) | (x > 2)
    tensor([ True, False,  True])
    """
    return _bitwise("bitwise_or", np.bitwise_or, input, other)


def bitwise_xor(input: Any, other: Any) -> Tensor:
    """Elementwise exclusive OR of bool or integer tensors (``x ^ y``).

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0, 2.0, 3.0])
    >>> (x > 1) ^ (x > 2)
    tensor([False,  True, False])
    """
    return _bitwise("bitwise_xor", np.bitwise_xor, input, other)


def bitwise_not(input: Tensor) -> Tensor:
    """Elementwise NOT of a bool tensor, or bit flip of an integer one (``~x``).

    Raises
    ------
    TypeError
        For a float tensor, as PyTorch.

    Examples
    --------
    >>> import mytorch
    >>> ~(mytorch.tensor([1.0, -1.0]) > 0)
    tensor([False,  True])
    """
    if input.data.dtype.kind not in "biu":
        raise TypeError(
            f"bitwise_not: ~ is only implemented on integer and bool tensors, got dtype "
            f"{input.dtype}"
        )
    return Tensor._wrap(np.asarray(np.invert(input.data)))
