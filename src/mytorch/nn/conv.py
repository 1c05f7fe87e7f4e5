"""``Conv1d`` and ``Conv2d``: convolution layers with a learned kernel and bias."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.tensor import Tensor
from mytorch.nn import functional as F
from mytorch.nn import init
from mytorch.nn.module import Module
from mytorch.nn.parameter import Parameter
from mytorch.ops.conv import conv_padding, int_tuple

__all__ = ["Conv1d", "Conv2d"]

# PyTorch's other padding modes, which MyTorch does not have (yet).
_OTHER_PADDING_MODES = ("reflect", "replicate", "circular")


class _ConvNd(Module):
    """What Conv1d and Conv2d share: arguments, parameters, initialisation, repr."""

    dims = 0
    functional: Any = None

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: int | Sequence[int] | str = 0,
        dilation: int | Sequence[int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        for what, size in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size <= 0:
                raise ValueError(f"{name}: {what} must be a positive integer, got {size!r}")
        if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups <= 0:
            raise ValueError(f"{name}: groups must be a positive integer, got {groups!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) "
                f"must both divide by groups ({groups})"
            )
        if padding_mode in _OTHER_PADDING_MODES:
            raise NotImplementedError(
                f"{name}: padding_mode={padding_mode!r} is not supported; only 'zeros' is"
            )
        if padding_mode != "zeros":
            raise ValueError(
                f"{name}: padding_mode must be one of 'zeros', 'reflect', 'replicate' or "
                f"'circular', got {padding_mode!r}"
            )
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = int_tuple(name, "kernel_size", kernel_size, self.dims, 1)
        self.stride = int_tuple(name, "stride", stride, self.dims, 1)
        self.dilation = int_tuple(name, "dilation", dilation, self.dims, 1)
        conv_padding(name, padding, self.kernel_size, self.stride, self.dilation)  # checks it
        self.padding = (
            padding
            if isinstance(padding, str)
            else tuple(int_tuple(name, "padding", padding, self.dims, 0))
        )
        self.groups = int(groups)
        self.padding_mode = padding_mode
        dtype = dtypes.resolve_dtype(dtype) or dtypes.get_default_dtype()
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight = Parameter(np.zeros(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(np.zeros(self.out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh starting values, as PyTorch: both uniform in ``(-1/sqrt(fan_in), +...)``.

        ``fan_in = in_channels / groups * prod(kernel_size)``; ``kaiming_uniform_``
        with ``a = sqrt(5)`` has exactly that bound.

        Examples
        --------
        >>> from mytorch import nn
        >>> conv = nn.Conv2d(1, 2, 2)  # fan_in 4: the bound is 1/2
        >>> conv.reset_parameters()
        >>> bool((conv.weight.abs() <= 0.5).all())
        True
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init.fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        """Convolve ``input`` with the layer's kernel and add its bias.

        Raises ``ValueError`` if the input's channels are not ``in_channels``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Conv2d(3, 8, 3, padding=1)(mytorch.zeros(2, 3, 5, 5)).shape
        (2, 8, 5, 5)
        """
        return type(self).functional(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )

    def extra_repr(self) -> str:
        """Return the layer's settings as PyTorch prints them (defaults left out).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Conv2d(1, 32, 3, stride=2, bias=False).extra_repr()
        '1, 32, kernel_size=(3, 3), stride=(2, 2), bias=False'
        """
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * self.dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv2d(_ConvNd):
    """2-D convolution layer over (N, C, H, W) inputs, as ``torch.nn.Conv2d``.

    ``y = conv2d(x, weight) + bias`` (see ``mytorch.nn.functional.conv2d``).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or pair of int
    stride : int or pair of int, default 1
    padding : int, pair of int, "valid" or "same", default 0
    dilation : int or pair of int, default 1
    groups : int, default 1
        Both channel counts must divide by it.
    bias : bool, default True
    padding_mode : str, default "zeros"
        Only "zeros" is supported.
    dtype : dtype, optional
        The parameters' dtype (default: the default dtype, float32).

    Attributes
    ----------
    weight : Parameter of shape (out_channels, in_channels / groups, kh, kw)
    bias : Parameter of shape (out_channels,), or None
        Both start uniform in ``(-1/sqrt(fan_in), 1/sqrt(fan_in))`` with
        ``fan_in = in_channels / groups * kh * kw``, as PyTorch's.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> conv = nn.Conv2d(1, 32, 3)
    >>> conv
    Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))
    >>> conv(mytorch.zeros(64, 1, 28, 28)).shape
    (64, 32, 26, 26)
    """

    dims = 2
    functional = staticmethod(F.conv2d)


class Conv1d(_ConvNd):
    """1-D convolution layer over (N, C, L) inputs, as ``torch.nn.Conv1d``.

    ``y = conv1d(x, weight) + bias`` (see ``mytorch.nn.functional.conv1d``).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int
    stride : int, default 1
    padding : int, "valid" or "same", default 0
    dilation : int, default 1
    groups : int, default 1
    bias : bool, default True
    padding_mode : str, default "zeros"
        Only "zeros" is supported.
    dtype : dtype, optional

    Attributes
    ----------
    weight : Parameter of shape (out_channels, in_channels / groups, k)
    bias : Parameter of shape (out_channels,), or None

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> conv = nn.Conv1d(4, 6, 3, padding="same")
    >>> conv(mytorch.zeros(2, 4, 10)).shape
    (2, 6, 10)
    """

    dims = 1
    functional = staticmethod(F.conv1d)
