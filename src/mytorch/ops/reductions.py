"""Reductions: sum, mean, var, max/min (amax/amin), argmax/argmin.

Every reduction takes PyTorch's ``dim``/``keepdim`` and numpy's ``axis``/
``keepdims``. Backward spreads the gradient back over the reduced axes: reshape
it to the shape the result would have with ``keepdim=True``, then broadcast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.grad_mode import is_grad_enabled
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.shape import BroadcastTo, Reshape

__all__ = ["amax", "amin", "argmax", "argmin", "max", "mean", "min", "sum", "var"]

Dims = int | Sequence[int] | None


def reduction_axes(
    op: str, ndim: int, dim: Dims, keepdim: bool, axis: Dims, keepdims: bool | None
) -> tuple[tuple[int, ...] | None, bool]:
    """Resolve ``dim``/``axis`` and ``keepdim``/``keepdims`` to (axes, keepdim).

    Axes come back non-negative and sorted, or None for "all axes".
    """
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: pass dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return None, bool(keepdim)
    dims = (dim,) if isinstance(dim, (int, np.integer)) else _dim_tuple(op, dim)
    axes = []
    limit = ndim if ndim > 0 else 1
    for d in dims:
        # type(d) is int first: the common case pays one cheap check (a bool is refused).
        if type(d) is not int and (not isinstance(d, np.integer) or isinstance(d, bool)):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
        if not -limit <= d < limit:
            raise IndexError(
                f"{op}: dimension {d} is out of range for a tensor with {ndim} dimensions"
            )
        axes.append(int(d) % limit)
    if ndim == 0:
        return (), bool(keepdim)  # a 0-d tensor accepts dim 0 or -1 and reduces nothing
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: dimension repeated in {dims}")
    return tuple(sorted(axes)), bool(keepdim)


def _dim_tuple(op: str, dim: Any) -> tuple[Any, ...]:
    if isinstance(dim, (str, bytes)) or not isinstance(dim, (Sequence, np.ndarray)):
        raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
    return tuple(dim)


def nonempty(op: str, input: Tensor, axes: tuple[int, ...] | None) -> None:
    """Refuse a max/min-like reduction over no elements, as PyTorch does.

    Called only for an empty input: reducing a (0, 3) tensor along its size-3
    dimension is fine (the result is empty too), along its size-0 one is not.
    """
    if axes is None:
        raise ValueError(
            f"{op}: cannot take {op} of an empty tensor of shape {shape_str(input.shape)}; "
            "give a dim"
        )
    for axis in axes:
        if input.shape[axis] == 0:
            raise IndexError(
                f"{op}: cannot reduce dimension {axis} of size 0 (tensor of shape "
                f"{shape_str(input.shape)})"
            )


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape of a reduction's result with ``keepdim=True``."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if axis in axes else size for axis, size in enumerate(shape))


def spread(grad: Tensor, shape: tuple[int, ...], axes: tuple[int, ...] | None) -> Tensor:
    """Broadcast a reduction's gradient back over the axes it reduced."""
    if not is_grad_enabled():
        # Not recorded (no create_graph): the same read-only broadcast view, made
        # on the array without dispatching two ops.
        data = grad.data
        if data.ndim == 0 and shape:
            # A full reduction's one value (a loss's): every stride is 0. Made by the
            # ndarray constructor, as np.broadcast_to would, without the ~2 us its
            # Python wrapper and iterator take on every backward.
            view = np.ndarray(shape, data.dtype, data, 0, (0,) * len(shape))
            view.setflags(write=False)  # as .flags.writeable = False, ~0.1 us less
            return Tensor._wrap(view)
        kept = kept_shape(shape, axes)
        array = data.reshape(kept)
        return Tensor._wrap(array if kept == shape else np.broadcast_to(array, shape))
    kept = kept_shape(shape, axes)
    if grad.shape != kept:
        grad = Reshape.apply(grad, kept)
    return grad if kept == shape else BroadcastTo.apply(grad, shape)


class Sum(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, axes: Any, keepdim: bool) -> np.ndarray:
        ctx.shape, ctx.axes = x.shape, axes
        # np.add.reduce is np.sum without its Python wrapper; bools and integers
        # keep np.sum, which accumulates them in a wide integer type.
        if x.data.dtype.kind == "f":
            return np.add.reduce(x.data, axis=axes, keepdims=keepdim)
        return np.sum(x.data, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None]:
        return spread(grad, ctx.shape, ctx.axes), None, None


class Mean(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, axes: Any, keepdim: bool) -> np.ndarray:
        ctx.shape, ctx.axes = x.shape, axes
        ctx.count = _count(x.shape, axes)
        # As in Sum: the same sum without np.mean's wrapper (float16 keeps np.mean,
        # which accumulates it in float32).
        if x.data.dtype in (np.float32, np.float64):
            # np.divide with the dtype: numpy 1.x would make float32 scalar / int float64.
            total = np.add.reduce(x.data, axis=axes, keepdims=keepdim)
            return np.divide(total, ctx.count, dtype=x.data.dtype)
        return np.mean(x.data, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None]:
        return spread(grad / ctx.count, ctx.shape, ctx.axes), None, None


def _count(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> int:
    """How many elements a reduction over ``axes`` combines into each result."""
    return math.prod(shape) if axes is None else math.prod(shape[axis] for axis in axes)


class Extremum(Function):
    """amax / amin: the gradient is split evenly among the tied extreme elements."""

    @staticmethod
    def forward(
        ctx: BackwardFunction, x: Tensor, ufunc: np.ufunc, axes: Any, keepdim: bool
    ) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.axes = axes
        ctx.result = ufunc.reduce(x.data, axis=axes, keepdims=True)
        return ctx.result if keepdim else ctx.result.reshape(dropped_shape(x.shape, axes))

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None, None]:
        (x,) = ctx.saved_tensors
        chosen = x.data == ctx.result
        share = chosen / np.sum(chosen, axis=ctx.axes, keepdims=True)
        return (
            spread(grad, x.shape, ctx.axes) * Tensor._wrap(share.astype(grad.dtype)),
            None,
            None,
            None,
        )


def dropped_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    if axes is None:
        return ()
    return tuple(size for axis, size in enumerate(shape) if axis not in axes)


# --------------------------------------------------------------- functions
def sum(
    input: Tensor,
    dim: Dims = None,
    keepdim: bool = False,
    *,
    axis: Dims = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Sum over ``dim`` (all dimensions by default).

    Parameters
    ----------
    input : Tensor
    dim : int or tuple of int, optional
        The dimensions to reduce (``axis`` is accepted too).
    keepdim : bool, default False
        Keep the reduced dimensions with size 1 (``keepdims`` is accepted too).

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> mytorch.sum(x, dim=0)
    tensor([4., 6.])
    >>> x.sum(axis=1, keepdims=True)
    tensor([[3.],
            [7.]])
    """
    axes, keepdim = reduction_axes("sum", input.ndim, dim, keepdim, axis, keepdims)
    return Sum.apply(input, axes, keepdim)


def mean(
    input: Tensor,
    dim: Dims = None,
    keepdim: bool = False,
    *,
    axis: Dims = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Mean over ``dim`` (all dimensions by default).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.mean(mytorch.tensor([[1.0, 2.0], [3.0, 4.0]]), dim=1)
    tensor([1.5, 3.5])
    """
    axes, keepdim = reduction_axes("mean", input.ndim, dim, keepdim, axis, keepdims)
    if input.data.size == 0:
        raise ValueError(f"mean: cannot average an empty tensor of shape {shape_str(input.shape)}")
    return Mean.apply(input, axes, keepdim)


def var(
    input: Tensor,
    dim: Dims = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: int | None = None,
    axis: Dims = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Variance over ``dim``: ``sum((x - mean)**2) / (N - correction)``.

    As in PyTorch the default is the unbiased estimate (``correction=1``);
    ``unbiased=False`` or ``correction=0`` gives the biased one.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0, 2.0, 3.0, 4.0])
    >>> x.var()
    tensor(1.6666666)
    >>> x.var(unbiased=False)
    tensor(1.25)
    """
    if unbiased is not None and correction is not None:
        raise TypeError("var: pass unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    axes, keepdim = reduction_axes("var", input.ndim, dim, keepdim, axis, keepdims)
    shape = input.shape
    count = int(np.prod(shape)) if axes is None else int(np.prod([shape[a] for a in axes]))
    centred = input - input.mean(dim=axes, keepdim=True)
    # Built from primitives, so it needs no backward of its own.
    return (centred * centred).sum(dim=axes, keepdim=keepdim) / (
        count - correction if count > correction else 0
    )


def amax(
    input: Tensor,
    dim: Dims = None,
    keepdim: bool = False,
    *,
    axis: Dims = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Maximum over ``dim``; tied maxima share the gradient evenly.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.amax(mytorch.tensor([[1.0, 5.0], [7.0, 2.0]]), dim=1)
    tensor([5., 7.])
    """
    axes, keepdim = reduction_axes("amax", input.ndim, dim, keepdim, axis, keepdims)
    if input.data.size == 0:
        nonempty("amax", input, axes)
    return Extremum.apply(input, np.maximum, axes, keepdim)


def amin(
    input: Tensor,
    dim: Dims = None,
    keepdim: bool = False,
    *,
    axis: Dims = None,
    keepdims: bool | None = None,
) -> Tensor:
    """Minimum over ``dim``; tied minima share the gradient evenly.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.amin(mytorch.tensor([[1.0, 5.0], [7.0, 2.0]]), dim=1)
    tensor([1., 2.])
    """
    axes, keepdim = reduction_axes("amin", input.ndim, dim, keepdim, axis, keepdims)
    if input.data.size == 0:
        nonempty("amin", input, axes)
    return Extremum.apply(input, np.minimum, axes, keepdim)


class ValuesIndices(NamedTuple):
    """What ``max(dim=...)`` and ``min(dim=...)`` return, as in PyTorch."""

    values: Tensor
    indices: Tensor


def max(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The maximum of all elements, or ``(values, indices)`` along ``dim``.

    Unlike PyTorch, whose ``max(dim)`` sends the gradient to one of tied
    elements, the gradient is split among ties (as ``amax`` does).

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([[1.0, 5.0], [7.0, 2.0]])
    >>> mytorch.max(x)
    tensor(7.)
    >>> x.max(dim=1).indices
    tensor([1, 0])
    """
    if input.data.size == 0:  # checked here too, so that the error names max
        nonempty("max", input, _axes("max", input, dim))
    if dim is None:
        return amax(input)
    return ValuesIndices(amax(input, dim, keepdim), argmax(input, dim, keepdim))


def min(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The minimum of all elements, or ``(values, indices)`` along ``dim``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tensor([[1.0, 5.0], [7.0, 2.0]]).min(dim=0).values
    tensor([1., 2.])
    """
    if input.data.size == 0:  # checked here too, so that the error names min
        nonempty("min", input, _axes("min", input, dim))
    if dim is None:
        return amin(input)
    return ValuesIndices(amin(input, dim, keepdim), argmin(input, dim, keepdim))


def _axes(op: str, input: Tensor, dim: int | None) -> tuple[int, ...] | None:
    return None if dim is None else reduction_axes(op, input.ndim, dim, False, None, None)[0]


def _arg(op: str, function: Any, input: Tensor, dim: int | None, keepdim: bool) -> Tensor:
    if input.data.size == 0:
        nonempty(op, input, _axes(op, input, dim))
    if dim is None:
        index = function(input.data)
        shape = (1,) * input.ndim if keepdim else ()
        return Tensor._wrap(np.asarray(index, dtype=np.int64).reshape(shape))
    axes, keepdim = reduction_axes(op, input.ndim, dim, keepdim, None, None)
    if axes == ():  # a 0-d tensor: its one element is the extremum
        return Tensor._wrap(np.zeros((), dtype=np.int64))
    return Tensor._wrap(function(input.data, axis=axes[0], keepdims=keepdim).astype(np.int64))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Indices of the maxima (of the flattened tensor if ``dim`` is None); not differentiable.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.argmax(mytorch.tensor([[1.0, 5.0], [7.0, 2.0]]), dim=1)
    tensor([1, 0])
    """
    return _arg("argmax", np.argmax, input, dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Indices of the minima (of the flattened tensor if ``dim`` is None); not differentiable.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.argmin(mytorch.tensor([3.0, 1.0, 2.0]))
    tensor(1)
    """
    return _arg("argmin", np.argmin, input, dim, keepdim)
