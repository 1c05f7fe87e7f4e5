"""Picking and placing along a dimension: gather, index_select, scatter_add, masked_fill.

They are indexing in disguise. ``gather(x, dim, index)`` is ``x[i, index[i, j], ...]``
written as one advanced index, so it reuses indexing's ``GetItem``, whose
backward adds the gradient back at the picked places (``IndexAdd``, which sums
repeated picks). ``scatter_add`` and ``index_add`` are that ``IndexAdd`` added to
the input, and their backward is a gather. No new backward is needed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.indexing import GetItem, IndexAdd
from mytorch.ops.operands import as_operand
from mytorch.ops.reductions import reduction_axes
from mytorch.ops.selection import where

__all__ = ["gather", "index_add", "index_select", "masked_fill", "scatter_add"]


def _axis(op: str, input: Tensor, dim: int) -> int:
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    axes, _ = reduction_axes(op, input.ndim, dim, False, None, None)
    return axes[0] if axes else 0


def _index(op: str, index: Any) -> np.ndarray:
    """The index as an int64 array (PyTorch wants a LongTensor)."""
    array = index.data if isinstance(index, Tensor) else np.asarray(index)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor, got dtype {array.dtype}")
    # A copy: backward keeps it, and must not see a later in-place change to ``index``.
    return np.array(array, dtype=np.int64)


def _along(op: str, input: Tensor, axis: int, index: np.ndarray) -> tuple[np.ndarray, ...]:
    """The advanced index that picks ``input[..., index[...], ...]`` position by position.

    Along ``axis`` it is ``index``; along every other axis, the position itself.
    As PyTorch, ``index`` may be smaller than ``input`` in the other dimensions.
    """
    ndim = input.ndim
    if ndim == 0:
        raise ValueError(f"{op}: the input must have at least 1 dimension, got a 0-d tensor")
    if index.ndim != ndim:
        raise ValueError(
            f"{op}: index must have as many dimensions as the input ({ndim}), got shape "
            f"{shape_str(index.shape)}"
        )
    shape = input.shape
    too_big = [d for d in range(ndim) if d != axis and index.shape[d] > shape[d]]
    if too_big:
        raise ValueError(
            f"{op}: index of shape {shape_str(index.shape)} is larger than the input "
            f"{shape_str(input.shape)} in dimension {too_big[0]}"
        )
    size = shape[axis]
    if index.size and (index.min() < 0 or index.max() >= size):
        raise IndexError(
            f"{op}: index out of range for dimension {axis} of size {size} "
            f"(values from {index.min()} to {index.max()})"
        )
    positions = list(np.indices(index.shape, sparse=True))
    positions[axis] = index
    return tuple(positions)


def gather(input: Tensor, dim: int, index: Any) -> Tensor:
    """Pick values along ``dim``: ``out[i][j] = input[i][index[i][j]]`` (for ``dim=1``).

    ``index`` is an integer tensor with as many dimensions as ``input``; the
    result has its shape. Differentiable in ``input`` (repeated picks add up).

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> mytorch.gather(x, 1, mytorch.tensor([[0, 0], [1, 0]], dtype=mytorch.int64))
    tensor([[1., 1.],
            [4., 3.]])
    """
    axis = _axis("gather", input, dim)
    return GetItem.apply(input, _along("gather", input, axis, _index("gather", index)))


def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    """The slices of ``input`` along ``dim`` at the positions in the 1-D ``index``.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> x.index_select(0, mytorch.tensor([2, 0], dtype=mytorch.int64))
    tensor([[5., 6.],
            [1., 2.]])
    """
    axis = _axis("index_select", input, dim)
    picks = _vector_index("index_select", input, axis, index)
    return GetItem.apply(input, (slice(None),) * axis + (picks,))


def _vector_index(op: str, input: Tensor, axis: int, index: Any) -> np.ndarray:
    picks = _index(op, index)
    if picks.ndim > 1:
        raise ValueError(f"{op}: index must be 1-D, got shape {shape_str(picks.shape)}")
    size = input.shape[axis] if input.ndim else 1
    if picks.size and (picks.min() < 0 or picks.max() >= size):
        raise IndexError(
            f"{op}: index out of range for dimension {axis} of size {size} "
            f"(values from {picks.min()} to {picks.max()})"
        )
    return picks.reshape(-1)


def scatter_add(input: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:
    """``input`` with ``src`` added at the places ``index`` names along ``dim``.

    For ``dim=1``: ``out[i][index[i][j]] += src[i][j]``; repeated indices add up.
    Only the first ``index.shape`` elements of ``src`` are used. Differentiable
    in ``input`` and ``src``.

    Examples
    --------
    >>> import mytorch
    >>> index = mytorch.tensor([0, 2, 0], dtype=mytorch.int64)
    >>> mytorch.scatter_add(mytorch.zeros(3), 0, index, mytorch.tensor([1.0, 2.0, 3.0]))
    tensor([4., 0., 2.])
    """
    axis = _axis("scatter_add", input, dim)
    picks = _index("scatter_add", index)
    positions = _along("scatter_add", input, axis, picks)
    src = as_operand(src, input, "scatter_add")
    if src.ndim != picks.ndim or any(i > s for i, s in zip(picks.shape, src.shape, strict=True)):
        raise ValueError(
            f"scatter_add: src of shape {shape_str(src.shape)} is smaller than the index "
            f"{shape_str(picks.shape)}"
        )
    if src.shape != picks.shape:
        src = src[tuple(slice(0, size) for size in picks.shape)]
    return input + IndexAdd.apply(src, input.shape, positions)


def index_add(input: Tensor, dim: int, index: Any, source: Tensor, *, alpha: float = 1) -> Tensor:
    """``input`` with ``alpha * source`` added at the positions ``index`` names along ``dim``.

    ``source`` has ``input``'s shape except ``len(index)`` along ``dim``;
    repeated indices add up. Differentiable in ``input`` and ``source``.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.zeros(3, 2)
    >>> x.index_add(0, mytorch.tensor([0, 0], dtype=mytorch.int64), mytorch.ones(2, 2))
    tensor([[2., 2.],
            [0., 0.],
            [0., 0.]])
    """
    axis = _axis("index_add", input, dim)
    picks = _vector_index("index_add", input, axis, index)
    source = as_operand(source, input, "index_add")
    expected = list(input.shape or (1,))
    expected[axis] = picks.size
    if list(source.shape or (1,)) != expected:
        raise ValueError(
            f"index_add: source must have shape {shape_str(tuple(expected))} for an input of "
            f"shape {shape_str(input.shape)} and {picks.size} indices, got "
            f"{shape_str(source.shape)}"
        )
    if alpha != 1:
        source = source * alpha
    placed = IndexAdd.apply(
        source.reshape(*expected),
        tuple(input.shape or (1,)),
        (
            *(slice(None),) * axis,
            picks,
        ),
    )
    return input + placed.reshape(*input.shape)


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """``input`` with ``value`` wherever the bool ``mask`` (broadcast to it) is true.

    ``value`` is a number or a 0-d tensor (which then gets a gradient too).

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0, -2.0, 3.0])
    >>> x.masked_fill(x < 0, 0.0)
    tensor([1., 0., 3.])
    """
    mask = mask if isinstance(mask, Tensor) else Tensor._wrap(np.asarray(mask))
    if mask.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got dtype {mask.dtype}")
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ValueError(
            f"masked_fill: value must be a number or a 0-d tensor, got shape "
            f"{shape_str(value.shape)}"
        )
    try:
        shape = np.broadcast_shapes(mask.shape, input.shape)
    except ValueError:
        shape = None
    if shape != input.shape:
        raise ValueError(
            f"masked_fill: a mask of shape {shape_str(mask.shape)} does not broadcast to the "
            f"input's shape {shape_str(input.shape)}"
        )
    if not isinstance(value, Tensor):
        value = as_operand(value, input, "masked_fill")
    if value.dtype != input.dtype:
        value = value.to(input.dtype)
    return where(mask, value, input)
