"""Convolution (``F.conv1d``, ``F.conv2d``) as one matrix product over sliding windows.

im2col: every window of the (padded) input, ``C * kh * kw`` values, becomes a
column of a matrix ``cols`` of shape ``(C * kh * kw, N * OH * OW)``; the
convolution is then ONE product ``weight (O, C * kh * kw) @ cols``, a single
BLAS call, whose rows are the output channels. The windows are a strided view
(``sliding_window_view``: no copy, no Python loop over pixels or channels) and
``cols`` is one copy of it. With ``groups`` the product is batched over the
groups.

The columns are laid out channels first, ``(C, kh, kw, N, OH, OW)``, so that
the product's result ``(O, N, OH, OW)`` is the output with its first two axes
swapped: a free view, no copy.

Autograd does the rest: the product and the reshapes have their own backward,
and im2col's backward is col2im, which adds every column back onto the window
it came from (for the input's gradient it is the transposed convolution). The
two are each other's adjoint, so each is the other's backward, and gradients
of any order (``create_graph=True``) come for free.

Memory: forward keeps ``cols`` for the weight's gradient, ``C * kh * kw`` times
the padded input's size (divided by the stride's area); backward makes one
array of the same size for the columns' gradient, then adds it into the input's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.matmul import MatMul
from mytorch.ops.padding import Pad
from mytorch.ops.shape import Permute, Reshape

__all__ = ["conv1d", "conv2d", "output_size", "windows"]

Pair = tuple[int, int]


def windows(x: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair) -> np.ndarray:
    """The (N, C, OH, OW, kh, kw) view of every window of ``x`` (N, C, H, W): no copy."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)  # a dilated kernel's extent
    view = sliding_window_view(x, span, axis=(2, 3))
    return view[:, :, ::sh, ::sw, ::dh, ::dw]


def output_size(size: int, kernel: int, stride: int, dilation: int) -> int:
    """The number of window positions along an axis of ``size`` (already padded)."""
    return (size - dilation * (kernel - 1) - 1) // stride + 1


class Im2col(Function):
    """(N, C, H, W) -> columns (C * kh * kw, N * OH * OW), one window per column."""

    @staticmethod
    def forward(
        ctx: BackwardFunction, x: Tensor, kernel: Pair, stride: Pair, dilation: Pair
    ) -> np.ndarray:
        ctx.shape, ctx.kernel, ctx.stride, ctx.dilation = x.shape, kernel, stride, dilation
        view = windows(x.data, kernel, stride, dilation)  # (N, C, OH, OW, kh, kw)
        n, c, oh, ow, kh, kw = view.shape
        # One copy into (C, kh, kw, N, OH, OW) order: the reshape of the transposed view.
        return view.transpose(1, 4, 5, 0, 2, 3).reshape(c * kh * kw, n * oh * ow)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None, None]:
        return (
            Col2im.apply(grad, ctx.shape, ctx.kernel, ctx.stride, ctx.dilation),
            None,
            None,
            None,
        )


class Col2im(Function):
    """The adjoint of ``Im2col``: add each column back onto its window of an (N, C, H, W) array.

    Windows overlap when the stride is smaller than the kernel, so this is a
    sum. It loops over the ``kh * kw`` kernel offsets only: for one offset
    ``(i, j)`` the columns' entries land on a regular strided grid of the
    input, so one vectorised ``+=`` of a strided slice adds all of them, with
    no repeated index inside it (which ``np.add.at`` would be needed for).
    """

    @staticmethod
    def forward(
        ctx: BackwardFunction,
        cols: Tensor,
        shape: tuple[int, ...],
        kernel: Pair,
        stride: Pair,
        dilation: Pair,
    ) -> np.ndarray:
        ctx.kernel, ctx.stride, ctx.dilation = kernel, stride, dilation
        n, c, h, w = shape
        (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
        oh, ow = output_size(h, kh, sh, dh), output_size(w, kw, sw, dw)
        blocks = cols.data.reshape(c, kh, kw, n, oh, ow)
        out = np.zeros((c, n, h, w), dtype=cols.dtype)  # channels first, as the columns
        for i in range(kh):
            rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
            for j in range(kw):
                out[:, :, rows, j * dw : j * dw + sw * (ow - 1) + 1 : sw] += blocks[:, i, j]
        return out.transpose(1, 0, 2, 3)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None, None, None]:
        cols = Im2col.apply(grad, ctx.kernel, ctx.stride, ctx.dilation)
        return cols, None, None, None, None


def int_tuple(op: str, name: str, value: Any, count: int, low: int) -> tuple[int, ...]:
    """An int or a sequence of ``count`` ints, each at least ``low``, as a tuple."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * count
    if len(values) != count or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values
    ):
        raise TypeError(f"{op}: {name} must be an int or {count} ints, got {value!r}")
    if any(v < low for v in values):
        raise ValueError(f"{op}: {name} must be at least {low}, got {value!r}")
    return tuple(int(v) for v in values)


def conv_padding(
    op: str, padding: Any, kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int]
) -> tuple[Pair, ...]:
    """(before, after) per spatial axis from an int, a tuple, ``"valid"`` or ``"same"``."""
    if padding == "valid":
        return tuple((0, 0) for _ in kernel)
    if padding == "same":
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions")
        # Like PyTorch, an odd total puts the extra row/column after (bottom/right).
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((total // 2, total - total // 2) for total in totals)
    if isinstance(padding, str):
        raise ValueError(
            f"{op}: padding must be 'valid', 'same', an int or a tuple, got {padding!r}"
        )
    return tuple((p, p) for p in int_tuple(op, "padding", padding, len(kernel), 0))


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] | str = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation) over an (N, C, H, W) or (C, H, W) input.

    ``out[n, o] = bias[o] + sum_c sum_ij weight[o, c, i, j] * x[n, c, s*y + d*i, s*x + d*j]``,
    over the input channels ``c`` of output channel ``o``'s group.

    Parameters
    ----------
    input : Tensor of shape (N, C, H, W) or (C, H, W)
    weight : Tensor of shape (O, C / groups, kh, kw)
    bias : Tensor of shape (O,), optional
    stride : int or pair of int, default 1
    padding : int, pair of int, "valid" or "same", default 0
        Zeros added on both sides of each spatial axis. ``"same"`` pads so the
        output has the input's size (stride 1 only).
    dilation : int or pair of int, default 1
        The spacing between the kernel's taps.
    groups : int, default 1
        Split the channels into this many groups, convolved separately.

    Returns
    -------
    Tensor of shape (N, O, OH, OW)
        With ``OH = (H + 2 * pad - dilation * (kh - 1) - 1) // stride + 1``.

    Raises
    ------
    ValueError
        For shapes that do not fit (channels, groups, bias) or a kernel larger
        than the padded input.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> x = mytorch.arange(16.0).reshape(1, 1, 4, 4)
    >>> F.conv2d(x, mytorch.ones(1, 1, 2, 2), stride=2)
    tensor([[[[10., 18.],
              [42., 50.]]]])
    """
    return _conv("conv2d", input, weight, bias, stride, padding, dilation, groups, 2)


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] | str = 0,
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution over an (N, C, L) or (C, L) input: ``conv2d`` with a height of 1.

    Parameters
    ----------
    input : Tensor of shape (N, C, L) or (C, L)
    weight : Tensor of shape (O, C / groups, k)
    bias : Tensor of shape (O,), optional
    stride, padding, dilation, groups
        As ``conv2d``, for the one spatial axis.

    Returns
    -------
    Tensor of shape (N, O, OL)

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.conv1d(mytorch.tensor([[[1.0, 2.0, 3.0]]]), mytorch.tensor([[[1.0, -1.0]]]))
    tensor([[[-1., -1.]]])
    """
    return _conv("conv1d", input, weight, bias, stride, padding, dilation, groups, 1)


def _conv(
    op: str,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
    dims: int,
) -> Tensor:
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError(f"{op}: input and weight must be Tensors")
    if input.ndim not in (dims + 1, dims + 2) or weight.ndim != dims + 2:
        raise ValueError(
            f"{op}: expected an input with {dims + 2} dimensions (or {dims + 1} unbatched) and "
            f"a weight with {dims + 2}, got {shape_str(input.shape)} and {shape_str(weight.shape)}"
        )
    kernel = weight.shape[2:]
    stride_ = int_tuple(op, "stride", stride, dims, 1)
    dilation_ = int_tuple(op, "dilation", dilation, dims, 1)
    widths = conv_padding(op, padding, kernel, stride_, dilation_)
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive integer, got {groups!r}")
    batched = input.ndim == dims + 2
    x = input if batched else input.unsqueeze(0)
    channels, out_channels = x.shape[1], weight.shape[0]
    if channels != weight.shape[1] * groups or out_channels % groups:
        raise ValueError(
            f"{op}: input of shape {shape_str(input.shape)} and weight of shape "
            f"{shape_str(weight.shape)} with groups={groups} do not fit: the input needs "
            f"weight.shape[1] * groups = {weight.shape[1] * groups} channels, and the weight's "
            f"{out_channels} output channels must divide by groups"
        )
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(
            f"{op}: bias of shape {shape_str(bias.shape)} does not fit a weight of shape "
            f"{shape_str(weight.shape)}: it must have shape ({out_channels},)"
        )
    padded = [size + a + b for size, (a, b) in zip(x.shape[2:], widths)]
    if any(output_size(p, k, 1, d) < 1 for p, k, d in zip(padded, kernel, dilation_)):
        raise ValueError(
            f"{op}: the kernel of shape {shape_str(kernel)} (dilation {dilation_}) is larger "
            f"than the padded input of spatial shape {shape_str(tuple(padded))}"
        )
    if dims == 1:  # a 1-D convolution is a 2-D one of height 1
        x, weight = x.unsqueeze(2), weight.unsqueeze(2)
        stride_, dilation_, widths = (1, *stride_), (1, *dilation_), ((0, 0), *widths)
    out = conv2d_unchecked(x, weight, bias, stride_, widths, dilation_, groups)
    if dims == 1:
        out = out.squeeze(2)
    return out if batched else out.squeeze(0)


def conv2d_unchecked(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Pair,
    widths: tuple[Pair, ...],
    dilation: Pair,
    groups: int,
) -> Tensor:
    """The convolution itself, on checked arguments: pad, im2col, one product, reshape."""
    if any(a or b for a, b in widths):
        x = Pad.apply(x, ((0, 0), (0, 0), *widths), 0.0)
    out_channels, kh, kw = weight.shape[0], weight.shape[2], weight.shape[3]
    n, oh, ow = (
        x.shape[0],
        *(
            output_size(size, k, s, d)
            for size, k, s, d in zip(x.shape[2:], (kh, kw), stride, dilation)
        ),
    )
    cols = Im2col.apply(x, (kh, kw), stride, dilation)  # (C * kh * kw, N * OH * OW)
    if groups == 1:
        out = MatMul.apply(Reshape.apply(weight, (out_channels, -1)), cols)
    else:  # one product per group, batched: (G, O / G, K) @ (G, K, N * OH * OW)
        grouped_weight = Reshape.apply(weight, (groups, out_channels // groups, -1))
        grouped_cols = Reshape.apply(cols, (groups, -1, cols.shape[1]))
        out = MatMul.apply(grouped_weight, grouped_cols)
    # (O, N * OH * OW) -> (O, N, OH, OW) -> (N, O, OH, OW): views, no copy.
    out = Permute.apply(Reshape.apply(out, (out_channels, n, oh, ow)), (1, 0, 2, 3))
    if bias is not None:
        out = out + bias.reshape(1, out_channels, 1, 1)  # its backward sums via unbroadcast
    return out
