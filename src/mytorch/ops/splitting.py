"""Cutting, repeating, flipping and masking: chunk, split, repeat, tile, flip, tril, triu.

All but ``flip`` are built from ops that already have a backward (slicing,
reshape, expand, where), so they need none of their own: the gradient of a
piece goes back into its slice, and the gradient of a repeat is summed over the
copies by ``expand``'s backward.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.reductions import reduction_axes
from mytorch.ops.selection import where
from mytorch.ops.shape import _sizes

__all__ = ["chunk", "flip", "repeat", "split", "tile", "tril", "triu"]


def _axis(op: str, input: Tensor, dim: int) -> int:
    if input.ndim == 0:
        raise ValueError(f"{op}: expects a tensor with at least 1 dimension, got a 0-d tensor")
    axes, _ = reduction_axes(op, input.ndim, dim, False, None, None)
    return axes[0]


def _pieces(input: Tensor, axis: int, sizes: list[int]) -> tuple[Tensor, ...]:
    before = (slice(None),) * axis
    bounds = np.cumsum([0, *sizes]).tolist()
    return tuple(input[(*before, slice(a, b))] for a, b in itertools.pairwise(bounds))


def split(input: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Cut ``input`` along ``dim`` into pieces of one size, or of the sizes listed.

    With an int, every piece has that size except perhaps the last. The pieces
    are views that stay in the graph.

    Raises
    ------
    ValueError
        If listed sizes do not add up to the size of ``dim``.

    Examples
    --------
    >>> import mytorch
    >>> [piece.shape for piece in mytorch.arange(5.0).split(2)]
    [(2,), (2,), (1,)]
    >>> [piece.shape for piece in mytorch.zeros(2, 5).split([1, 4], dim=1)]
    [(2, 1), (2, 4)]
    """
    axis = _axis("split", input, dim)
    size = input.shape[axis]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step <= 0 and size > 0:
            raise ValueError(f"split: split_size must be positive, got {step}")
        sizes = [min(step, size - start) for start in range(0, size, step)] if size else [0]
    else:
        sizes = list(_sizes("split", tuple(split_size_or_sections)))
        if sum(sizes) != size or any(s < 0 for s in sizes):
            raise ValueError(
                f"split: sizes {sizes} must add up to {size}, the size of dimension {axis} "
                f"of a tensor of shape {shape_str(input.shape)}"
            )
    return _pieces(input, axis, sizes)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Cut ``input`` along ``dim`` into at most ``chunks`` pieces of equal size (the last smaller).

    As in PyTorch, fewer pieces may come back: 5 elements in 4 chunks give 3 of 2, 2 and 1.

    Examples
    --------
    >>> import mytorch
    >>> [piece.tolist() for piece in mytorch.arange(5.0).chunk(3)]
    [[0.0, 1.0], [2.0, 3.0], [4.0]]
    """
    if not isinstance(chunks, (int, np.integer)) or chunks <= 0:
        raise ValueError(f"chunk: chunks must be a positive int, got {chunks!r}")
    axis = _axis("chunk", input, dim)
    size = input.shape[axis]
    if size == 0:
        return _pieces(input, axis, [0] * int(chunks))
    return split(input, math.ceil(size / chunks), axis)


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """Repeat the whole tensor ``sizes[i]`` times along each dimension ``i``.

    ``sizes`` may name more dimensions than ``input`` has (new leading ones are
    added), never fewer. As numpy's ``tile``, unlike numpy's ``repeat``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tensor([1.0, 2.0]).repeat(2, 2)
    tensor([[1., 2., 1., 2.],
            [1., 2., 1., 2.]])
    """
    counts = _sizes("repeat", sizes)
    if len(counts) < input.ndim:
        raise ValueError(
            f"repeat: {len(counts)} repeat counts for a tensor of shape "
            f"{shape_str(input.shape)}: give at least one per dimension"
        )
    if any(count < 0 for count in counts):
        raise ValueError(f"repeat: repeat counts must not be negative, got {counts}")
    shape = (1,) * (len(counts) - input.ndim) + input.shape
    # Interleave a new axis before each: (1, s0, 1, s1) -> (r0, s0, r1, s1) -> (r0*s0, r1*s1).
    spaced = input.reshape(*[n for size in shape for n in (1, size)])
    copies = spaced.expand(*[n for count, size in zip(counts, shape) for n in (count, size)])
    return copies.reshape(*[count * size for count, size in zip(counts, shape)])


def tile(input: Tensor, *dims: Any) -> Tensor:
    """Repeat ``input`` ``dims[i]`` times along dimension ``i``; short ``dims`` get leading 1s.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tile(mytorch.tensor([[1.0, 2.0]]), (2,))
    tensor([[1., 2., 1., 2.]])
    """
    counts = _sizes("tile", dims)
    counts = (1,) * (input.ndim - len(counts)) + counts
    return repeat(input, *counts)


class Flip(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, axes: tuple[int, ...]) -> np.ndarray:
        ctx.axes = axes
        return np.flip(x.data, axes).copy()  # a copy, as PyTorch: not a view of x

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None]:
        return Flip.apply(grad, ctx.axes), None


def flip(input: Tensor, *args: Any, dims: Any = None) -> Tensor:
    """Reverse the order of elements along each dimension in ``dims``.

    ``dims`` may be given as a list, as separate ints (``x.flip(0, 1)``) or by name.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.flip(mytorch.tensor([[1.0, 2.0], [3.0, 4.0]]), [0])
    tensor([[3., 4.],
            [1., 2.]])
    """
    if dims is None:
        dims = args[0] if len(args) == 1 else args
    elif args:
        raise TypeError("flip: pass dims once, by position or by name")
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    axes, _ = reduction_axes("flip", input.ndim, dims, False, None, None)
    return Flip.apply(input, axes)


def _triangle(op: str, input: Tensor, diagonal: int, lower: bool) -> Tensor:
    if input.ndim < 2:
        raise ValueError(
            f"{op}: expects a matrix or a batch of matrices, got shape {shape_str(input.shape)}"
        )
    rows, cols = input.shape[-2:]
    keep = np.tri(rows, cols, diagonal, dtype=bool)
    if not lower:  # on or above the diagonal: the complement of below it
        keep = ~np.tri(rows, cols, diagonal - 1, dtype=bool)
    zero = Tensor._wrap(np.zeros((), dtype=input.dtype))
    return where(Tensor._wrap(keep), input, zero)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dimensions (on and below ``diagonal``); zeros elsewhere.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tril(mytorch.ones(3, 3))
    tensor([[1., 0., 0.],
            [1., 1., 0.],
            [1., 1., 1.]])
    """
    return _triangle("tril", input, diagonal, lower=True)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dimensions (on and above ``diagonal``); zeros elsewhere.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.ones(3, 3).triu(diagonal=1)
    tensor([[0., 1., 1.],
            [0., 0., 1.],
            [0., 0., 0.]])
    """
    return _triangle("triu", input, diagonal, lower=False)
