"""More reductions and scans: prod, cumsum, std, all, any.

``prod``'s gradient for an element is the product of all the *other* elements.
Dividing the product by the element gives it in one step, but not where the
element is 0; there, the backward multiplies the others out explicitly (one row
per element with that element replaced by 1), which is right with any number
of zeros and is still written with Tensor ops, so it can be differentiated again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor
from mytorch.ops.reductions import Dims, reduction_axes, spread, var
from mytorch.ops.selection import where
from mytorch.ops.splitting import Flip

__all__ = ["all", "any", "cumsum", "prod", "std"]


class Prod(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, axis: int | None, keepdim: bool) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.axis = axis
        return np.prod(x.data, axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        axis = ctx.axis
        grad = spread(grad, x.shape, None if axis is None else (axis,))
        if axis is None:
            return grad * _others(x.reshape(-1), 0).reshape(*x.shape), None, None
        return grad * _others(x, axis), None, None


def _others(x: Tensor, axis: int) -> Tensor:
    """For each element, the product of the other elements along ``axis``."""
    if not (x.data == 0).any():
        return Prod.apply(x, axis, True) / x
    last = x.transpose(axis, -1)  # (..., n)
    size = last.shape[-1]
    rows = last.unsqueeze(-2).expand(*last.shape[:-1], size, size)  # row k: all n elements
    one = Tensor._wrap(np.ones((), dtype=x.dtype))
    left_out = where(Tensor._wrap(np.eye(size, dtype=bool)), one, rows)  # row k: x_k -> 1
    return Prod.apply(left_out, left_out.ndim - 1, False).transpose(axis, -1)


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Product of all elements, or along one dimension ``dim``.

    The gradient is right with zeros in the input (the product of the others).

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> mytorch.prod(x)
    tensor(24.)
    >>> x.prod(dim=1)
    tensor([ 2., 12.])
    """
    if dim is None:
        return Prod.apply(input, None, False)
    axis = _single_axis("prod", input, dim)
    if axis is None:  # a 0-d tensor: its product along dim 0 is itself
        return input.clone()
    return Prod.apply(input, axis, keepdim)


def _single_axis(op: str, input: Tensor, dim: Any) -> int | None:
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    axes, _ = reduction_axes(op, input.ndim, dim, False, None, None)
    return axes[0] if axes else None


class Cumsum(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, axis: int) -> np.ndarray:
        ctx.axis = axis
        return np.cumsum(x.data, axis=axis)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None]:
        # Element i feeds every running total from i on: sum the gradient from the end.
        axes = (ctx.axis,)
        return Flip.apply(Cumsum.apply(Flip.apply(grad, axes), ctx.axis), axes), None


def cumsum(input: Tensor, dim: int) -> Tensor:
    """Running totals along ``dim``; integers and bools sum as int64, as in PyTorch.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.cumsum(mytorch.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([1., 3., 6.])
    """
    axis = _single_axis("cumsum", input, dim)
    if axis is None:
        return input.clone()
    if input.data.dtype.kind in "biu":
        return Tensor._wrap(np.cumsum(input.data, axis=axis, dtype=np.int64))
    return Cumsum.apply(input, axis)


def std(
    input: Tensor,
    dim: Dims = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
) -> Tensor:
    """Standard deviation over ``dim``: the square root of :func:`var` (same arguments).

    As in PyTorch the default is the unbiased estimate (``correction=1``).

    Raises
    ------
    TypeError
        For an integer or bool tensor (as PyTorch).

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0, 2.0, 3.0, 4.0])
    >>> x.std()
    tensor(1.2909944)
    >>> mytorch.std(x, correction=0)
    tensor(1.118034)
    """
    if input.data.dtype.kind not in "fc":
        raise TypeError(f"std: expected a floating-point tensor, got dtype {input.dtype}")
    return var(input, dim, unbiased, keepdim, correction=correction).sqrt()


def _logical(op: str, ufunc: Any, input: Tensor, dim: Dims, keepdim: bool) -> Tensor:
    axes, keepdim = reduction_axes(op, input.ndim, dim, keepdim, None, None)
    return Tensor._wrap(np.asarray(ufunc(input.data, axis=axes, keepdims=keepdim)))


def all(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:
    """Whether every element is true (nonzero), over ``dim`` or all; a bool tensor.

    Not differentiable: the result never requires grad.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([[1.0, 0.0], [2.0, 3.0]])
    >>> x.all()
    tensor(False)
    >>> mytorch.all(x, dim=1)
    tensor([False,  True])
    """
    return _logical("all", np.all, input, dim, keepdim)


def any(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:
    """Whether any element is true (nonzero), over ``dim`` or all; a bool tensor.

    Not differentiable: the result never requires grad.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([[1.0, 0.0], [0.0, 0.0]])
    >>> x.any()
    tensor(True)
    >>> mytorch.any(x, dim=1)
    tensor([ True, False])
    """
    return _logical("any", np.any, input, dim, keepdim)
