"""``Linear``: the fully connected layer ``y = x W^T + b``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.tensor import Tensor, shape_str
from mytorch.nn import functional as F
from mytorch.nn import init
from mytorch.nn.module import Module
from mytorch.nn.parameter import Parameter

__all__ = ["Linear"]


class Linear(Module):
    """Fully connected layer: ``y = x W^T + b`` over the input's last dimension.

    Parameters
    ----------
    in_features : int
        The size of each input's last dimension.
    out_features : int
        The size of each output's last dimension.
    bias : bool, default True
        Whether to learn the additive bias ``b``.
    dtype : dtype, optional
        The parameters' dtype; by default the default dtype (float32).

    Attributes
    ----------
    weight : Parameter of shape (out_features, in_features)
    bias : Parameter of shape (out_features,), or None
        Both start uniform in ``(-1/sqrt(in_features), 1/sqrt(in_features))``, as
        PyTorch's: ``kaiming_uniform_(weight, a=sqrt(5))`` has exactly that bound.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> layer = nn.Linear(784, 20)
    >>> layer.weight.shape
    (20, 784)
    >>> layer(mytorch.zeros(100, 784)).shape
    (100, 20)
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, dtype: Any = None
    ) -> None:
        super().__init__()
        for name, size in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 0:
                raise ValueError(f"Linear: {name} must be a non-negative integer, got {size!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dtype = dtypes.resolve_dtype(dtype) or dtypes.get_default_dtype()
        self.weight = Parameter(np.zeros((self.out_features, self.in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.zeros(self.out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh starting values: both uniform in ``(-1/sqrt(in), 1/sqrt(in))``.

        Examples
        --------
        >>> from mytorch import nn
        >>> layer = nn.Linear(4, 2)
        >>> layer.reset_parameters()
        >>> bool((layer.weight.abs() <= 0.5).all())
        True
        """
        # gain(leaky_relu, sqrt(5)) = sqrt(1/3), so the bound sqrt(3) * gain / sqrt(fan_in)
        # is 1 / sqrt(fan_in), PyTorch's long-standing default.
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        """Return ``input @ weight.T + bias``: (*, in_features) becomes (*, out_features).

        Raises ``ValueError`` if the input's last dimension is not ``in_features``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Linear(4, 2)(mytorch.zeros(3, 4)).shape
        (3, 2)
        """
        if input.ndim == 0 or input.shape[-1] != self.in_features:
            raise ValueError(
                f"{self!r}: expected an input whose last dimension is {self.in_features}, "
                f"got an input of shape {shape_str(input.shape)}"
            )
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        """Return the layer's sizes and whether it has a bias, shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Linear(4, 2, bias=False).extra_repr()
        'in_features=4, out_features=2, bias=False'
        """
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
