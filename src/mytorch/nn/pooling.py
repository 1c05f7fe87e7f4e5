"""Pooling layers: ``MaxPool1d``, ``MaxPool2d``, ``AvgPool2d``, ``AdaptiveAvgPool2d``.

Each holds its settings and calls its function in ``mytorch.nn.functional``.
"""

from __future__ import annotations

from collections.abc import Sequence

from mytorch.core.tensor import Tensor
from mytorch.nn import functional as F
from mytorch.nn.module import Module

__all__ = ["AdaptiveAvgPool2d", "AvgPool2d", "MaxPool1d", "MaxPool2d"]

IntOrPair = int | Sequence[int]


class _MaxPoolNd(Module):
    def __init__(
        self,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        dilation: IntOrPair = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        if return_indices:
            name = type(self).__name__
            raise NotImplementedError(f"{name}: return_indices=True is not supported")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def extra_repr(self) -> str:
        """Return the layer's settings, as PyTorch prints them.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.MaxPool2d(2).extra_repr()
        'kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False'
        """
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling, as ``torch.nn.MaxPool2d``: see ``mytorch.nn.functional.max_pool2d``.

    Parameters
    ----------
    kernel_size : int or pair of int
    stride : int or pair of int, optional
        Default: ``kernel_size``.
    padding : int or pair of int, default 0
        Implicit ``-inf`` on both sides; at most half the kernel.
    dilation : int or pair of int, default 1
    return_indices : bool, default False
        Not supported (must be False).
    ceil_mode : bool, default False
        Round the output size up.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.MaxPool2d(2)(mytorch.zeros(64, 64, 24, 24)).shape
    (64, 64, 12, 12)
    """

    def forward(self, input: Tensor) -> Tensor:
        """The maximum of each window of ``input`` (N, C, H, W) or (C, H, W).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.MaxPool2d(2)(mytorch.arange(4.0).reshape(1, 2, 2))
        tensor([[[3.]]])
        """
        return F.max_pool2d(
            input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode
        )


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling, as ``torch.nn.MaxPool1d``: see ``mytorch.nn.functional.max_pool1d``.

    Parameters
    ----------
    kernel_size : int
    stride : int, optional
        Default: ``kernel_size``.
    padding : int, default 0
    dilation : int, default 1
    return_indices : bool, default False
        Not supported (must be False).
    ceil_mode : bool, default False

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.MaxPool1d(3, stride=2)(mytorch.zeros(4, 2, 9)).shape
    (4, 2, 4)
    """

    def forward(self, input: Tensor) -> Tensor:
        """The maximum of each window of ``input`` (N, C, L) or (C, L).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.MaxPool1d(2)(mytorch.tensor([[1.0, 3.0, 2.0, 0.0]]))
        tensor([[3., 2.]])
        """
        return F.max_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode
        )


class AvgPool2d(Module):
    """2-D average pooling, as ``torch.nn.AvgPool2d``: see ``mytorch.nn.functional.avg_pool2d``.

    Parameters
    ----------
    kernel_size : int or pair of int
    stride : int or pair of int, optional
        Default: ``kernel_size``.
    padding : int or pair of int, default 0
    ceil_mode : bool, default False
    count_include_pad : bool, default True
    divisor_override : int, optional

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.AvgPool2d(2)(mytorch.ones(1, 1, 4, 4))
    tensor([[[[1., 1.],
              [1., 1.]]]])
    """

    def __init__(
        self,
        kernel_size: IntOrPair,
        stride: IntOrPair | None = None,
        padding: IntOrPair = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        """The mean of each window of ``input`` (N, C, H, W) or (C, H, W).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.AvgPool2d(2)(mytorch.arange(4.0).reshape(1, 2, 2))
        tensor([[[1.5]]])
        """
        return F.avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        """Return the layer's settings, as PyTorch prints them.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.AvgPool2d(2).extra_repr()
        'kernel_size=2, stride=2, padding=0'
        """
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size, as ``torch.nn.AdaptiveAvgPool2d``.

    Only output sizes that divide the input's are supported (equal windows);
    see ``mytorch.nn.functional.adaptive_avg_pool2d``.

    Parameters
    ----------
    output_size : int or pair of int (or None, to keep that size)

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.AdaptiveAvgPool2d((1, 1))(mytorch.ones(8, 64, 4, 4)).shape
    (8, 64, 1, 1)
    """

    def __init__(self, output_size: int | Sequence[int | None]) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        """Average ``input`` (N, C, H, W) or (C, H, W) down to ``output_size``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.AdaptiveAvgPool2d(1)(mytorch.arange(4.0).reshape(1, 2, 2))
        tensor([[[1.5]]])
        """
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        """Return ``'output_size=...'``, shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.AdaptiveAvgPool2d(1).extra_repr()
        'output_size=1'
        """
        return f"output_size={self.output_size}"
