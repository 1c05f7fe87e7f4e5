"""Pooling: ``max_pool1d/2d``, ``avg_pool2d`` and ``adaptive_avg_pool2d``.

Max pooling finds one argmax per window, in numpy on a strided view of the
windows, outside the graph. What is differentiated is then a gather: each
output is one element of the (padded) input, picked by a flat index. Its
backward scatters the gradient back onto those elements (``np.bincount``
sums where overlapping windows picked the same element), and the scatter's
backward is the gather again: the pair gives derivatives of any order.

Average pooling is a convolution of each channel with a kernel of ones,
divided by the number of elements each window counts, so it reuses the
convolution and its gradients.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.conv import conv2d_unchecked, int_tuple, windows
from mytorch.ops.padding import Pad

__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "max_pool1d", "max_pool2d"]

Pair = tuple[int, int]


class Gather(Function):
    """``x.ravel()[index]``: pick elements by flat index (``values``: already picked).

    ``unique`` says that no index repeats (windows that do not overlap), so the
    backward scatter can assign instead of add.
    """

    @staticmethod
    def forward(
        ctx: BackwardFunction,
        x: Tensor,
        index: np.ndarray,
        values: np.ndarray | None,
        unique: bool,
    ) -> np.ndarray:
        ctx.index, ctx.shape, ctx.unique = index, x.shape, unique
        return np.ravel(x.data)[index] if values is None else values

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None, None]:
        return ScatterAdd.apply(grad, ctx.index, ctx.shape, ctx.unique), None, None, None


class ScatterAdd(Function):
    """The adjoint of ``Gather``: a zero array of ``shape`` with ``src`` added at ``index``."""

    @staticmethod
    def forward(
        ctx: BackwardFunction,
        src: Tensor,
        index: np.ndarray,
        shape: tuple[int, ...],
        unique: bool,
    ) -> np.ndarray:
        ctx.index, ctx.unique = index, unique
        size = int(np.prod(shape))
        if unique:  # each element gets at most one value: a plain assignment
            out = np.zeros(size, dtype=src.dtype)
            out[index.ravel()] = src.data.ravel()
            return out.reshape(shape)
        # bincount sums the weights that share an index: overlapping windows.
        summed = np.bincount(index.ravel(), src.data.ravel(), minlength=size)
        return summed.reshape(shape).astype(src.dtype, copy=False)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None, None]:
        return Gather.apply(grad, ctx.index, None, ctx.unique), None, None, None


def _pool_geometry(
    op: str,
    shape: tuple[int, ...],
    kernel: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
) -> tuple[Pair, Pair, Pair, Pair, tuple[Pair, Pair], Pair]:
    """Check the arguments; return kernel, stride, dilation, output size and pad widths."""
    kernel_ = int_tuple(op, "kernel_size", kernel, 2, 1)
    stride_ = kernel_ if stride is None or stride == [] else int_tuple(op, "stride", stride, 2, 1)
    padding_ = int_tuple(op, "padding", padding, 2, 0)
    dilation_ = int_tuple(op, "dilation", dilation, 2, 1)
    if any(2 * p > k for p, k in zip(padding_, kernel_)):
        raise ValueError(
            f"{op}: padding {padding_} must be at most half the kernel size {kernel_}"
        )
    sizes, widths = [], []
    for size, k, s, p, d in zip(shape[-2:], kernel_, stride_, padding_, dilation_):
        span = d * (k - 1) + 1
        count = (size + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= size + p:
            count -= 1  # as PyTorch: the last window must start inside the input or left pad
        if count < 1:
            raise ValueError(
                f"{op}: the kernel {kernel_} (dilation {dilation_}) does not fit the input of "
                f"shape {shape_str(shape)} with padding {padding_}"
            )
        # ceil_mode's last window may reach past the right padding: pad for it too.
        widths.append((p, max(p, (count - 1) * s + span - size - p)))
        sizes.append(count)
    return kernel_, stride_, dilation_, padding_, (widths[0], widths[1]), (sizes[0], sizes[1])


def _window_argmax(view: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The maximum of each window of an (N, C, OH, OW, kh, kw) view, and its tap ``i * kw + j``.

    The windows are copied once with the taps first, so that each tap's values
    form one contiguous block: the maximum over the taps and the comparisons
    then run along long rows (an ``argmax`` along a short axis is several times
    slower). As PyTorch's, the first maximum wins a tie, and a NaN (the last
    one) wins over numbers.
    """
    taps = view.transpose(4, 5, 0, 1, 2, 3).reshape(-1, *view.shape[:4])
    values = taps.max(axis=0)
    arg = np.zeros(values.shape, dtype=np.intp)
    for tap in range(len(taps) - 1, -1, -1):  # backwards, so the first maximum is kept
        np.copyto(arg, tap, where=taps[tap] == values)
    if np.isnan(values).any():
        for tap in range(len(taps)):
            np.copyto(arg, tap, where=np.isnan(taps[tap]))
    return values, arg


def max_pool2d(
    input: Tensor,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    padding: int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor:
    """2-D max pooling over an (N, C, H, W) or (C, H, W) input, as ``torch.nn.functional``'s.

    Parameters
    ----------
    input : Tensor
    kernel_size : int or pair of int
    stride : int or pair of int, optional
        Default: ``kernel_size`` (windows side by side).
    padding : int or pair of int, default 0
        Implicit ``-inf`` on both sides; at most half the kernel.
    dilation : int or pair of int, default 1
    ceil_mode : bool, default False
        Round the output size up, so a partial last window counts.
    return_indices : bool, default False
        Not supported (must be False).

    Returns
    -------
    Tensor
        The maximum of each window. Its gradient goes to one element per
        window, the first maximum in the window's row-major order.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.max_pool2d(mytorch.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    if return_indices:
        raise NotImplementedError("max_pool2d: return_indices=True is not supported")
    if input.ndim not in (3, 4):
        raise ValueError(
            f"max_pool2d: expected an input of shape (N, C, H, W) or (C, H, W), "
            f"got {shape_str(input.shape)}"
        )
    kernel, stride_, dilation_, _, widths, (oh, ow) = _pool_geometry(
        "max_pool2d", input.shape, kernel_size, stride, padding, dilation, ceil_mode
    )
    x = input if input.ndim == 4 else input.unsqueeze(0)
    if any(a or b for a, b in widths):
        x = Pad.apply(x, ((0, 0), (0, 0), *widths), -np.inf)
    out = MaxPool.apply(x, kernel, stride_, dilation_, (oh, ow))
    return out if input.ndim == 4 else out.squeeze(0)


class MaxPool(Function):
    """Max pooling of a padded (N, C, H, W) input into (N, C, oh, ow), as one node.

    Forward finds each window's maximum and where it is; backward sends each
    window's gradient to that element (a ``ScatterAdd``).
    """

    @staticmethod
    def forward(
        ctx: BackwardFunction, x: Tensor, kernel: Pair, stride: Pair, dilation: Pair, size: Pair
    ) -> np.ndarray:
        (oh, ow), (kh, kw), (sh, sw), (dh, dw) = size, kernel, stride, dilation
        values, arg = _window_argmax(windows(x.data, kernel, stride, dilation)[:, :, :oh, :ow])
        # The flat index, into x, of each window's maximum: where the window starts,
        # plus where its argmax tap lies from there (a small table of kh * kw offsets).
        n, c, height, width = x.shape
        planes = np.arange(n * c).reshape(n, c, 1, 1) * (height * width)
        starts = planes + (np.arange(oh)[:, None] * (sh * width) + np.arange(ow) * sw)
        offsets = (np.arange(kh)[:, None] * (dh * width) + np.arange(kw) * dw).ravel()
        ctx.index, ctx.shape = starts + offsets[arg], x.shape
        # Windows that do not overlap never pick the same element twice.
        ctx.unique = all(s >= d * (k - 1) + 1 for s, d, k in zip(stride, dilation, kernel))
        return values

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None, None, None]:
        scattered = ScatterAdd.apply(grad, ctx.index, ctx.shape, ctx.unique)
        return scattered, None, None, None, None


def max_pool1d(
    input: Tensor,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    padding: int | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor:
    """1-D max pooling over an (N, C, L) or (C, L) input: ``max_pool2d`` with a height of 1.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.max_pool1d(mytorch.tensor([[[1.0, 3.0, 2.0, 0.0, 5.0]]]), 2)
    tensor([[[3., 2.]]])
    """
    if input.ndim not in (2, 3):
        raise ValueError(
            f"max_pool1d: expected an input of shape (N, C, L) or (C, L), "
            f"got {shape_str(input.shape)}"
        )

    def lift(value: Any, height: int) -> Any:
        """A 1-D argument as the 2-D one: ``height`` for the added axis of size 1."""
        if isinstance(value, (tuple, list)) and len(value) == 1:
            value = value[0]
        return None if value is None else (height, value)

    out = max_pool2d(
        input.unsqueeze(-2),
        lift(kernel_size, 1),
        lift(stride, 1),
        lift(padding, 0),
        lift(dilation, 1),
        ceil_mode,
        return_indices,
    )
    return out.squeeze(-2)


def avg_pool2d(
    input: Tensor,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    padding: int | Sequence[int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """2-D average pooling over an (N, C, H, W) or (C, H, W) input, as ``torch.nn.functional``'s.

    Parameters
    ----------
    input : Tensor
    kernel_size : int or pair of int
    stride : int or pair of int, optional
        Default: ``kernel_size``.
    padding : int or pair of int, default 0
        Implicit zeros on both sides; at most half the kernel.
    ceil_mode : bool, default False
        Round the output size up, so a partial last window counts.
    count_include_pad : bool, default True
        Count the padding zeros in each window's divisor.
    divisor_override : int, optional
        Divide every window's sum by this instead.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.avg_pool2d(mytorch.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5,  4.5],
              [10.5, 12.5]]]])
    """
    if input.ndim not in (3, 4):
        raise ValueError(
            f"avg_pool2d: expected an input of shape (N, C, H, W) or (C, H, W), "
            f"got {shape_str(input.shape)}"
        )
    kernel, stride_, _, padding_, widths, (oh, ow) = _pool_geometry(
        "avg_pool2d", input.shape, kernel_size, stride, padding, 1, ceil_mode
    )
    planes = input.reshape(-1, 1, *input.shape[-2:])
    ones = Tensor(np.ones((1, 1, *kernel), dtype=input.dtype))
    sums = conv2d_unchecked(planes, ones, None, stride_, widths, (1, 1), 1)[:, :, :oh, :ow]
    if divisor_override is not None:
        divisor: Any = divisor_override
    else:
        # How many elements each window counts: those of the input, or also the
        # padding (but never the extra right edge that ceil_mode adds).
        height, width = input.shape[-2:]
        (top, _), (left, _) = widths
        mask = np.zeros((1, 1, height + sum(widths[0]), width + sum(widths[1])))
        if count_include_pad:
            mask[..., : height + 2 * padding_[0], : width + 2 * padding_[1]] = 1.0
        else:
            mask[..., top : top + height, left : left + width] = 1.0
        counts = windows(mask, kernel, stride_, (1, 1)).sum(axis=(-2, -1))[0, 0, :oh, :ow]
        divisor = Tensor(counts.astype(input.dtype))
    return (sums / divisor).reshape(*input.shape[:-2], oh, ow)


def adaptive_avg_pool2d(input: Tensor, output_size: int | Sequence[int | None]) -> Tensor:
    """Average pooling to a given output size (one that divides the input's).

    Parameters
    ----------
    input : Tensor of shape (N, C, H, W) or (C, H, W)
    output_size : int or pair of int (or None, to keep that size)

    Raises
    ------
    ValueError
        If an output size does not divide the input's (windows of unequal size
        are not supported).

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.adaptive_avg_pool2d(mytorch.arange(16.0).reshape(1, 1, 4, 4), 1)
    tensor([[[[7.5]]]])
    """
    if input.ndim not in (3, 4):
        raise ValueError(
            f"adaptive_avg_pool2d: expected an input of shape (N, C, H, W) or (C, H, W), "
            f"got {shape_str(input.shape)}"
        )
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    if len(sizes) != 2:
        raise TypeError(
            f"adaptive_avg_pool2d: output_size must be an int or a pair, got {sizes!r}"
        )
    sizes = tuple(size if out is None else out for size, out in zip(input.shape[-2:], sizes))
    kernel = []
    for size, out in zip(input.shape[-2:], sizes):
        if not isinstance(out, (int, np.integer)) or out < 1 or size % out:
            raise ValueError(
                f"adaptive_avg_pool2d: output size {tuple(sizes)} must divide the input's "
                f"spatial size {tuple(input.shape[-2:])} (unequal windows are not supported)"
            )
        kernel.append(size // out)
    return avg_pool2d(input, tuple(kernel))
