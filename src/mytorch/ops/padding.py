"""Constant padding (``F.pad``), and its adjoint: cropping.

Padding copies the input into the middle of a larger array filled with a
constant; a negative width crops instead. The gradient of the copied elements
passes straight through and the constant gets none, so backward crops the
gradient back out: that is the same op with the widths negated (and zeros as
the constant). Padding and cropping are each other's backward, so derivatives
of any order come for free.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor, shape_str

__all__ = ["pad"]

Widths = tuple[tuple[int, int], ...]  # (before, after) for every axis, numpy's order


class Pad(Function):
    """Pad (positive widths) or crop (negative widths) every axis with a constant."""

    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, widths: Widths, value: float) -> np.ndarray:
        ctx.widths = widths
        shape = tuple(size + before + after for size, (before, after) in zip(x.shape, widths))
        out = np.full(shape, value, dtype=x.dtype)
        # The part of x that is kept, and where it lands in the result.
        source = tuple(
            slice(max(-before, 0), size - max(-after, 0))
            for size, (before, after) in zip(x.shape, widths)
        )
        target = tuple(
            slice(max(before, 0), size - max(after, 0))
            for size, (before, after) in zip(shape, widths)
        )
        out[target] = x.data[source]
        return out

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None]:
        undo = tuple((-before, -after) for before, after in ctx.widths)
        return Pad.apply(grad, undo, 0.0), None, None


def pad_widths(op: str, shape: tuple[int, ...], pad: Sequence[int]) -> Widths:
    """Turn PyTorch's pad tuple (last axis first) into numpy's (before, after) per axis."""
    pad = tuple(pad)
    if len(pad) % 2 or len(pad) // 2 > len(shape):
        raise ValueError(
            f"{op}: the pad tuple needs an even length of at most 2 * ndim = {2 * len(shape)} "
            f"for an input of shape {shape_str(shape)}, got {pad}"
        )
    if not all(isinstance(w, (int, np.integer)) and not isinstance(w, bool) for w in pad):
        raise TypeError(f"{op}: pad widths must be integers, got {pad}")
    pairs = [(int(pad[i]), int(pad[i + 1])) for i in range(0, len(pad), 2)]
    widths = ((0, 0),) * (len(shape) - len(pairs)) + tuple(reversed(pairs))
    for size, (before, after) in zip(shape, widths):
        if size + before + after < 0:
            raise ValueError(
                f"{op}: padding {pad} crops more than the input of shape {shape_str(shape)} has"
            )
    return widths


def pad(
    input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> Tensor:
    """Pad ``input`` with a constant, as ``torch.nn.functional.pad``.

    ``pad`` lists (before, after) widths starting from the LAST axis:
    ``(left, right)`` pads the last axis, ``(left, right, top, bottom)`` the
    last two, and so on. A negative width crops.

    Parameters
    ----------
    input : Tensor
    pad : sequence of int
        An even number of widths, at most two per axis.
    mode : str, default "constant"
        Only ``"constant"`` is supported.
    value : float, optional
        The fill value (default 0).

    Returns
    -------
    Tensor
        The padded tensor; its gradient is the cropped incoming gradient.

    Raises
    ------
    ValueError
        For a pad tuple of odd length or longer than ``2 * input.ndim``, or one
        that crops more than the input has.
    NotImplementedError
        For a mode other than ``"constant"``.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.pad(mytorch.ones(1, 2), (1, 0, 0, 1))
    tensor([[0., 1., 1.],
            [0., 0., 0.]])
    """
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is supported, got mode={mode!r}")
    widths = pad_widths("pad", input.shape, pad)
    return Pad.apply(input, widths, 0.0 if value is None else value)
