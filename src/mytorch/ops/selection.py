"""Ops that choose between values: maximum, minimum, clip, where, and comparisons.

The gradient goes to whichever input was chosen. Where ``maximum`` or
``minimum`` meet a tie, each side gets half, as in PyTorch. Comparisons give
bool tensors and are not differentiable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core.function import BackwardFunction, Function, apply_outside_graph
from mytorch.core.tensor import Tensor, as_array, shape_str
from mytorch.ops.arithmetic import Mul, _binary
from mytorch.ops.broadcast import unbroadcast
from mytorch.ops.operands import OPERAND_TYPES, as_operand

__all__ = ["clamp", "clip", "maximum", "minimum", "where"]


def _split(a: np.ndarray, b: np.ndarray, pick_a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Weight of ``a`` in the choice: 1 where chosen, 0.5 on a tie, 0 otherwise."""
    return np.where(a == b, 0.5, pick_a).astype(dtype)


class Maximum(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.maximum(a.data, b.data)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        weight_a = _split(a.data, b.data, a.data > b.data, grad.dtype)
        return _choose(ctx, grad, a, b, weight_a)


class Minimum(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.minimum(a.data, b.data)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        weight_a = _split(a.data, b.data, a.data < b.data, grad.dtype)
        return _choose(ctx, grad, a, b, weight_a)


def _choose(
    ctx: BackwardFunction, grad: Tensor, a: Tensor, b: Tensor, weight_a: np.ndarray
) -> tuple[Tensor | None, ...]:
    need_a, need_b = ctx.needs_input_grad
    return (
        unbroadcast(grad * Tensor._wrap(weight_a), a.shape) if need_a else None,
        unbroadcast(grad * Tensor._wrap(1 - weight_a), b.shape) if need_b else None,
    )


class Clip(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, low: Any, high: Any) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.bounds = (low, high)
        return np.clip(x.data, low, high)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        low, high = ctx.bounds
        # Gradient 1 where low <= x <= high (bounds included, as in PyTorch).
        inside = np.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x.data >= low
        if high is not None:
            inside &= x.data <= high
        return Mul.apply(grad, Tensor._wrap(inside)), None, None  # float * bool: the float


class ClampTensors(Function):
    """clamp with tensor bounds (either may be None): differentiable in all three.

    As in PyTorch, the result is ``minimum(maximum(x, low), high)``, so where
    ``low > high`` it is ``high``. The gradient goes to ``x`` where
    ``low <= x <= high`` (bounds included), to ``low`` where ``x < low < high``,
    and to ``high`` where ``x > high`` or ``high < low``.
    """

    @staticmethod
    def forward(
        ctx: BackwardFunction, x: Tensor, low: Tensor | None, high: Tensor | None
    ) -> np.ndarray:
        ctx.save_for_backward(x, low, high)
        out = x.data
        if low is not None:
            out = np.maximum(out, low.data)
        if high is not None:
            out = np.minimum(out, high.data)
        return out if out is not x.data else out.copy()

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, low, high = ctx.saved_tensors
        need_x, need_low, need_high = ctx.needs_input_grad
        above_low = True if low is None else x.data >= low.data
        below_high = True if high is None else x.data <= high.data
        to_low = to_high = None
        if low is not None:
            to_low = x.data < low.data
            if high is not None:
                to_low = to_low & (low.data < high.data)
        if high is not None:
            to_high = x.data > high.data
            if low is not None:
                to_high = to_high | (high.data < low.data)
        return (
            _masked(grad, np.logical_and(above_low, below_high), x.shape) if need_x else None,
            _masked(grad, to_low, low.shape) if need_low else None,
            _masked(grad, to_high, high.shape) if need_high else None,
        )


def _masked(grad: Tensor, mask: Any, shape: tuple[int, ...]) -> Tensor:
    """``grad`` where ``mask`` holds, else 0, summed back to the input's ``shape``."""
    mask = Tensor._wrap(np.broadcast_to(mask, grad.shape))
    zero = Tensor._wrap(np.zeros((), dtype=grad.dtype))
    return unbroadcast(where(mask, grad, zero), shape)


class Where(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, condition: Tensor, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.condition = condition.data
        ctx.save_for_backward(condition)  # checked in backward: the mask is its memory
        ctx.shapes = (a.shape, b.shape)
        return np.where(condition.data, a.data, b.data)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        ctx.check_usable()
        _, need_a, need_b = ctx.needs_input_grad
        a_shape, b_shape = ctx.shapes
        chosen = Tensor._wrap(np.broadcast_to(ctx.condition, grad.shape))
        zero = Tensor._wrap(np.zeros((), dtype=grad.dtype))
        return (
            None,
            unbroadcast(where(chosen, grad, zero), a_shape) if need_a else None,
            unbroadcast(where(chosen, zero, grad), b_shape) if need_b else None,
        )


def maximum(input: Any, other: Any) -> Tensor:
    """Elementwise maximum of two tensors, broadcasting; ties split the gradient.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.maximum(mytorch.tensor([1.0, 5.0]), mytorch.tensor([3.0, 2.0]))
    tensor([3., 5.])
    """
    return _binary(Maximum, "maximum", input, other)


def minimum(input: Any, other: Any) -> Tensor:
    """Elementwise minimum of two tensors, broadcasting; ties split the gradient.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.minimum(mytorch.tensor([1.0, 5.0]), mytorch.tensor([3.0, 2.0]))
    tensor([1., 2.])
    """
    return _binary(Minimum, "minimum", input, other)


def clip(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Clamp every element into ``[min, max]`` (either bound may be None).

    The bounds may be numbers or tensors that broadcast with ``input``; tensor
    bounds get gradients too (where they were chosen). Where ``min > max``
    the result is ``max``, as in PyTorch.

    Raises
    ------
    ValueError
        If both bounds are None, or tensor bounds do not broadcast with ``input``.
    TypeError
        If a bound is neither a number nor a tensor.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.clip(mytorch.tensor([-2.0, 0.5, 2.0]), -1, 1)
    tensor([-1. ,  0.5,  1. ])
    >>> x = mytorch.tensor([-2.0, 0.5, 2.0])
    >>> x.clamp(min=mytorch.tensor([0.0, 1.0, 0.0]), max=1.5)
    tensor([0. , 1. , 1.5])
    """
    if min is None and max is None:
        raise ValueError("clip: at least one of min and max must be given")
    if isinstance(min, (Tensor, np.ndarray)) or isinstance(max, (Tensor, np.ndarray)):
        return _clamp_tensors(input, min, max)
    for name, bound in (("min", min), ("max", max)):
        if bound is not None and not isinstance(bound, (int, float, np.number)):
            raise TypeError(
                f"clip: {name} must be a number or a Tensor, got {type(bound).__name__}"
            )
    return Clip.apply(input, min, max)


def _clamp_tensors(input: Tensor, min: Any, max: Any) -> Tensor:
    low = None if min is None else as_operand(min, input, "clip")
    high = None if max is None else as_operand(max, input, "clip")
    shapes = [t.shape for t in (input, low, high) if t is not None]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(
            "clip: the bounds must broadcast with the input, got shapes "
            + ", ".join(shape_str(shape) for shape in shapes)
        ) from None
    return ClampTensors.apply(input, low, high)


clamp = clip


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """Choose ``input`` where ``condition`` is true and ``other`` elsewhere, broadcasting.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0, -2.0])
    >>> mytorch.where(x > 0, x, 0.0)
    tensor([1., 0.])
    """
    like = input if isinstance(input, Tensor) else other
    if not isinstance(like, Tensor):
        # No tensor operand: Python numbers take the default dtype, as everywhere.
        like = Tensor._wrap(as_array(input))
    condition = as_operand(condition, like, "where")
    if condition.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got dtype {condition.dtype}")
    return Where.apply(
        condition, as_operand(input, like, "where"), as_operand(other, like, "where")
    )


class Compare(Function):
    """An elementwise comparison (``ufunc`` is ``np.less``, ...): a bool result, no gradient."""

    @staticmethod
    def forward(ctx: BackwardFunction, a: Tensor, b: Tensor, ufunc: np.ufunc) -> np.ndarray:
        return ufunc(a.data, b.data)


def compare(ufunc: np.ufunc, name: str, a: Tensor, b: Any) -> Tensor:
    """Elementwise comparison: a bool tensor, outside the graph."""
    if not isinstance(b, OPERAND_TYPES):
        return NotImplemented
    other = as_operand(b, a, name)
    try:
        return apply_outside_graph(Compare, a, other, ufunc)
    except ValueError as error:
        raise ValueError(
            f"{name}: cannot compare tensors of shapes {a.shape} and {other.shape}: {error}"
        ) from error
