"""Arithmetic: add, sub, mul, div, neg, pow.

Each op keeps its forward (numpy on ``.data``) beside its backward (Tensor
operations, so it can be differentiated again). Inputs that broadcast get their
gradients reduced by the one ``unbroadcast``.

The four most used ops (add, sub, mul, div) read ``_data``, the slot behind the
``.data`` property, with no call: they run in every step of every model, and
the property's call would cost a few percent of their time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor
from mytorch.ops.broadcast import unbroadcast
from mytorch.ops.operands import SCALAR_TYPES, apply_binary, as_operand

__all__ = ["add", "div", "mul", "neg", "pow", "sub"]


def _note_shapes(ctx: BackwardFunction, a: Tensor, b: Tensor, out: np.ndarray) -> None:
    """Keep the input shapes that backward's ``unbroadcast`` needs.

    An input of the result's own shape needs no reduction, and None is kept for
    it instead of a new shape tuple: in a long chain of ops on one shape that is
    one object fewer per node for Python's garbage collector to count. (It reads
    ``_data``, the slot behind the ``.data`` property, as every op runs it.)
    """
    # Each .shape read builds a new tuple: read each once (this runs for every op).
    shape, a_shape, b_shape = out.shape, a._data.shape, b._data.shape
    ctx.a_shape = None if a_shape == shape else a_shape
    ctx.b_shape = None if b_shape == shape else b_shape


class Add(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, a: Tensor, b: Tensor) -> np.ndarray:
        out = a._data + b._data
        _note_shapes(ctx, a, b, out)
        return out

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        need_a, need_b = ctx.needs_input_grad
        return (
            unbroadcast(grad, ctx.a_shape) if need_a else None,
            unbroadcast(grad, ctx.b_shape) if need_b else None,
        )


class Sub(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, a: Tensor, b: Tensor) -> np.ndarray:
        out = a._data - b._data
        _note_shapes(ctx, a, b, out)
        return out

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        need_a, need_b = ctx.needs_input_grad
        return (
            unbroadcast(grad, ctx.a_shape) if need_a else None,
            unbroadcast(-grad, ctx.b_shape) if need_b else None,
        )


class Mul(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, a: Tensor, b: Tensor) -> np.ndarray:
        # Save only what backward reads: a's gradient needs b, and b's needs a.
        # So in y = x * 2, x is not kept alive by the graph just for the sake of
        # the constant 2, which matters in long chains (memory, and objects for
        # Python's garbage collector to scan).
        ctx.save_for_backward(a if b.requires_grad else None, b if a.requires_grad else None)
        out = a._data * b._data
        _note_shapes(ctx, a, b, out)
        return out

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (
            unbroadcast(grad * b, ctx.a_shape) if need_a else None,
            unbroadcast(grad * a, ctx.b_shape) if need_b else None,
        )


class Div(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a if b.requires_grad else None, b)  # as Mul: only what is read
        out = a._data / b._data
        if out.dtype is not a._data.dtype and out.dtype.kind == "f" and b.dtype.kind in "biu":
            out = out.astype(dtypes.get_default_dtype())  # int / int: PyTorch's true division
        _note_shapes(ctx, a, b, out)
        return out

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        # d(a/b)/da = 1/b and d(a/b)/db = -a/b**2.
        grad_a = grad / b
        return (
            unbroadcast(grad_a, ctx.a_shape) if need_a else None,
            unbroadcast(-grad_a * a / b, ctx.b_shape) if need_b else None,
        )


class Neg(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, a: Tensor) -> np.ndarray:
        return -a.data

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        return -grad


class Pow(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, base: Tensor, exponent: Tensor) -> np.ndarray:
        ctx.save_for_backward(base, exponent)
        return base.data**exponent.data

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        base, exponent = ctx.saved_tensors
        need_base, need_exponent = ctx.needs_input_grad
        grad_base = grad_exponent = None
        if need_base:
            # d(b**e)/db = e * b**(e - 1), which is 0 where e == 0 (b**0 is constant).
            # At b == e == 0 that would be 0 * inf: the power is taken as 0 there instead.
            power = exponent - 1
            if (exponent.data == 0).any():  # checked first: usually a number, and not 0
                at_zero = (base.data == 0) & (exponent.data == 0)
                power = power + Tensor._wrap(at_zero.astype(power.dtype))
            grad_base = unbroadcast(grad * exponent * base**power, base.shape)
        if need_exponent:
            # d(b**e)/de = b**e * log(b). At b == 0 (e >= 0) it is taken as its limit, 0,
            # as PyTorch does: the log is taken of 1 there, never of 0.
            at_zero = (base.data == 0) & (exponent.data >= 0)
            safe_base = base + Tensor._wrap(at_zero.astype(base.dtype)) if at_zero.any() else base
            grad_exponent = unbroadcast(grad * base**exponent * safe_base.log(), exponent.shape)
        return grad_base, grad_exponent


def _binary(function: type[Function], name: str, a: Any, b: Any) -> Tensor:
    """Apply a binary op to two operands, at least one of them a Tensor."""
    if isinstance(a, Tensor):
        operand, number = as_operand(b, a, name), 1
        a_, b_ = a, operand
    elif isinstance(b, Tensor):
        operand, number = as_operand(a, b, name), 0
        a_, b_ = operand, b
    else:
        raise TypeError(
            f"{name}: expected at least one Tensor operand, got {type(a).__name__} "
            f"and {type(b).__name__}"
        )
    if a_.data.dtype is not b_.data.dtype:
        from_number = isinstance(a if number == 0 else b, SCALAR_TYPES)
        return apply_binary(function, a_, b_, number if from_number else -1)
    return function._apply_pair(a_, b_)


def add(input: Any, other: Any) -> Tensor:
    """Add two tensors (or a tensor and a number), broadcasting as numpy does.

    Parameters
    ----------
    input, other : Tensor, number or array_like
        The operands; at least one must be a Tensor.

    Returns
    -------
    Tensor
        ``input + other``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.add(mytorch.tensor([1.0, 2.0]), 1)
    tensor([2., 3.])
    """
    return _binary(Add, "add", input, other)


def sub(input: Any, other: Any) -> Tensor:
    """Subtract ``other`` from ``input``, broadcasting.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.sub(mytorch.tensor([1.0, 2.0]), 1)
    tensor([0., 1.])
    """
    return _binary(Sub, "sub", input, other)


def mul(input: Any, other: Any) -> Tensor:
    """Multiply elementwise, broadcasting.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.mul(mytorch.tensor([1.0, 2.0]), mytorch.tensor([[3.0], [4.0]]))
    tensor([[3., 6.],
            [4., 8.]])
    """
    return _binary(Mul, "mul", input, other)


def div(input: Any, other: Any) -> Tensor:
    """Divide elementwise (true division), broadcasting.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.div(mytorch.tensor([1.0, 2.0]), 4)
    tensor([0.25, 0.5 ])
    """
    return _binary(Div, "div", input, other)


def neg(input: Tensor) -> Tensor:
    """Return ``-input``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.neg(mytorch.tensor([1.0, -2.0]))
    tensor([-1.,  2.])
    """
    return Neg.apply(input)


def pow(input: Any, exponent: Any) -> Tensor:
    """Raise ``input`` to ``exponent`` elementwise (either may be a tensor).

    The gradient with respect to a tensor exponent is ``input**exponent *
    log(input)``, defined for positive ``input``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.pow(mytorch.tensor([2.0, 3.0]), 2)
    tensor([4., 9.])
    """
    return _binary(Pow, "pow", input, exponent)
