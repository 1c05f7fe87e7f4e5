"""Shape ops: reshape/view, permute/transpose, squeeze/unsqueeze, flatten, expand.

They move elements around without changing them, so each backward applies the
inverse move to the gradient: reshape back, permute back, or (for a broadcast)
sum back with ``unbroadcast``. The squeeze/unsqueeze/flatten family are reshapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor, shape_str

# A module import: broadcast imports this module too, and only calls need its contents.
from mytorch.ops import broadcast

__all__ = [
    "broadcast_to",
    "expand",
    "flatten",
    "permute",
    "reshape",
    "squeeze",
    "transpose",
    "unsqueeze",
]


class Reshape(Function):
    returns_view = True

    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = x.shape
        return x.data.reshape(shape)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None]:
        return grad.reshape(ctx.shape), None


class Permute(Function):
    returns_view = True

    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, dims: tuple[int, ...]) -> np.ndarray:
        ctx.dims = dims
        return x.data.transpose(dims)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None]:
        return grad.permute(*np.argsort(ctx.dims).tolist()), None


class BroadcastTo(Function):
    returns_view = True

    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = x.shape
        return np.broadcast_to(x.data, shape)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None]:
        return broadcast.unbroadcast(grad, ctx.shape), None


def _sizes(op: str, sizes: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept sizes as separate arguments or as one sequence: f(2, 3) or f((2, 3))."""
    if len(sizes) == 1 and isinstance(sizes[0], (Sequence, np.ndarray)):
        sizes = tuple(sizes[0])
    if not all(isinstance(size, (int, np.integer)) for size in sizes):
        raise TypeError(f"{op}: sizes must be integers, got {sizes!r}")
    return tuple(int(size) for size in sizes)


def _axis(op: str, dim: int, ndim: int) -> int:
    if not -ndim <= dim < ndim:
        raise IndexError(
            f"{op}: dimension {dim} is out of range for a tensor with {ndim - (op == 'unsqueeze')}"
            " dimensions"
        )
    return dim % ndim


def reshape(input: Tensor, *shape: Any) -> Tensor:
    """Return the elements of ``input`` in a new shape (one size may be -1).

    Raises
    ------
    ValueError
        If the number of elements does not match.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.arange(6).reshape(2, -1).shape
    (2, 3)
    """
    new_shape = _sizes("reshape", shape)
    if new_shape == input.shape:
        return input
    try:
        return Reshape.apply(input, new_shape)
    except ValueError as error:
        raise ValueError(
            f"reshape: cannot reshape a tensor of shape {shape_str(input.shape)} "
            f"({input.data.size} elements) into {shape_str(new_shape)}"
        ) from error


def permute(input: Tensor, *dims: Any) -> Tensor:
    """Reorder the dimensions: result dimension ``i`` is input dimension ``dims[i]``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(2, 3, 4).permute(2, 0, 1).shape
    (4, 2, 3)
    """
    order = tuple(_axis("permute", d, input.ndim) for d in _sizes("permute", dims))
    if sorted(order) != list(range(input.ndim)):
        raise ValueError(
            f"permute: {dims} is not a permutation of the {input.ndim} dimensions of a tensor "
            f"of shape {shape_str(input.shape)}"
        )
    return Permute.apply(input, order)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(2, 3).transpose(0, 1).shape
    (3, 2)
    """
    order = list(range(input.ndim))
    dim0, dim1 = _axis("transpose", dim0, input.ndim), _axis("transpose", dim1, input.ndim)
    order[dim0], order[dim1] = order[dim1], order[dim0]
    return Permute.apply(input, tuple(order))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim`` to ``end_dim`` (inclusive) into one.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(2, 3, 4).flatten(1).shape
    (2, 12)
    """
    if input.ndim == 0:
        return input.reshape(1)
    start = _axis("flatten", start_dim, input.ndim)
    end = _axis("flatten", end_dim, input.ndim)
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = input.shape
    return input.reshape(*shape[:start], int(np.prod(shape[start : end + 1])), *shape[end + 1 :])


def squeeze(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """Remove dimensions of size 1 (all of them, or those in ``dim`` that have size 1).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(2, 1, 3).squeeze().shape
    (2, 3)
    """
    if dim is None:
        axes = {axis for axis, size in enumerate(input.shape) if size == 1}
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        ndim = max(input.ndim, 1)
        axes = {_axis("squeeze", d, ndim) for d in dims}
        axes = {axis for axis in axes if axis < input.ndim and input.shape[axis] == 1}
    return input.reshape(tuple(s for axis, s in enumerate(input.shape) if axis not in axes))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dimension of size 1 at position ``dim``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(2, 3).unsqueeze(1).shape
    (2, 1, 3)
    """
    axis = _axis("unsqueeze", dim, input.ndim + 1)
    shape = input.shape
    return input.reshape(*shape[:axis], 1, *shape[axis:])


def broadcast_to(input: Tensor, shape: Sequence[int]) -> Tensor:
    """Broadcast ``input`` to ``shape`` as numpy does; backward sums it back.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.broadcast_to(mytorch.tensor([1.0, 2.0]), (2, 2))
    tensor([[1., 2.],
            [1., 2.]])
    """
    return _broadcast("broadcast_to", input, _sizes("broadcast_to", (shape,)))


def _broadcast(op: str, input: Tensor, shape: tuple[int, ...]) -> Tensor:
    if shape == input.shape:
        return input
    try:
        fits = len(shape) >= input.ndim and np.broadcast_shapes(input.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{op}: cannot broadcast a tensor of shape {shape_str(input.shape)} "
            f"to {shape_str(shape)}"
        )
    return BroadcastTo.apply(input, shape)


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to ``sizes``, where -1 keeps a dimension's size (PyTorch's ``expand``).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tensor([[1.0], [2.0]]).expand(-1, 3)
    tensor([[1., 1., 1.],
            [2., 2., 2.]])
    """
    shape = list(_sizes("expand", sizes))
    offset = len(shape) - input.ndim
    for axis in range(max(offset, 0), len(shape)):
        if shape[axis] == -1:
            shape[axis] = input.shape[axis - offset]
    return _broadcast("expand", input, tuple(shape))
