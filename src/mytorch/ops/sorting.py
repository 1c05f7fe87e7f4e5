"""Sorting: sort, argsort, topk.

The order is found with numpy outside the graph; the values are then picked
with ``gather``, whose backward sends each gradient back to the element it was
picked from. Sorting is always stable here (equal elements keep their order),
in both directions, which PyTorch does when asked with ``stable=True``. NaN
sorts as the largest value, as in PyTorch.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mytorch.core.tensor import Tensor
from mytorch.ops.reductions import reduction_axes
from mytorch.ops.scatter import gather

__all__ = ["argsort", "sort", "topk"]


class SortResult(NamedTuple):
    """What ``sort`` and ``topk`` return, as in PyTorch: ``(values, indices)``."""

    values: Tensor
    indices: Tensor


def _axis(op: str, input: Tensor, dim: int) -> int:
    axes, _ = reduction_axes(op, input.ndim, dim, False, None, None)
    return axes[0] if axes else 0


def _order(data: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable argsort along ``axis``; descending keeps equal elements in their order too."""
    if not descending:
        return np.argsort(data, axis=axis, kind="stable")
    # Sort the reversed array ascending (ties then come in reverse order), read
    # that order backwards, and map positions in the reversed array back.
    size = data.shape[axis]
    backwards = np.argsort(np.flip(data, axis), axis=axis, kind="stable")
    return size - 1 - np.flip(backwards, axis)


def argsort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False
) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (stable; not differentiable).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.argsort(mytorch.tensor([3.0, 1.0, 2.0]))
    tensor([1, 2, 0])
    """
    if input.ndim == 0:
        return Tensor._wrap(np.zeros((), dtype=np.int64))
    axis = _axis("argsort", input, dim)
    return Tensor._wrap(_order(input.data, axis, descending).astype(np.int64))


def sort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False
) -> SortResult:
    """Sort along ``dim``: ``(values, indices)``, with ``values`` differentiable.

    Equal elements keep their order (a stable sort), in both directions.

    Examples
    --------
    >>> import mytorch
    >>> values, indices = mytorch.sort(mytorch.tensor([3.0, 1.0, 2.0]), descending=True)
    >>> values
    tensor([3., 2., 1.])
    >>> indices
    tensor([0, 2, 1])
    """
    indices = argsort(input, dim, descending)
    if input.ndim == 0:
        return SortResult(input.clone(), indices)
    return SortResult(gather(input, dim, indices), indices)


def topk(
    input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> SortResult:
    """The ``k`` largest (or smallest) elements along ``dim``: ``(values, indices)``.

    The values are always returned in sorted order; among equal elements the
    first ones win. ``values`` is differentiable.

    Raises
    ------
    ValueError
        If ``k`` is negative or larger than the size of ``dim``.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0, 5.0, 3.0, 4.0])
    >>> x.topk(2)
    SortResult(values=tensor([5., 4.]), indices=tensor([1, 3]))
    """
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"topk: k must be an int, got {type(k).__name__}")
    size = input.shape[_axis("topk", input, dim)] if input.ndim else 1
    if not 0 <= k <= size:
        raise ValueError(f"topk: k={k} is out of range for a dimension of size {size}")
    if input.ndim == 0:
        return SortResult(input.clone(), Tensor._wrap(np.zeros((), dtype=np.int64)))
    axis = _axis("topk", input, dim)
    order = _order(input.data, axis, descending=largest)
    indices = Tensor._wrap(np.take(order, np.arange(k), axis=axis).astype(np.int64))
    return SortResult(gather(input, axis, indices), indices)
