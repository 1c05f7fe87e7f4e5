"""``LayerNorm``: normalise each example over its last dimensions, then scale and shift."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.tensor import Tensor
from mytorch.nn import functional as F
from mytorch.nn.module import Module
from mytorch.nn.parameter import Parameter

__all__ = ["LayerNorm"]


class LayerNorm(Module):
    """``(x - mean) / sqrt(var + eps) * weight + bias`` over the last dimensions of each example.

    Parameters
    ----------
    normalized_shape : int or sequence of int
        The trailing shape to normalise over (an int ``D`` means ``(D,)``).
    eps : float, default 1e-5
    elementwise_affine : bool, default True
        Whether to learn ``weight`` (starting at ones) and ``bias`` (zeros).
    bias : bool, default True
        Whether to learn ``bias`` (with ``elementwise_affine``).
    dtype : dtype, optional

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> norm = nn.LayerNorm(4)
    >>> y = norm(mytorch.arange(8.0).reshape(2, 4))
    >>> [round(v, 4) for v in y[0].tolist()]
    [-1.3416, -0.4472, 0.4472, 1.3416]
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(size) for size in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = dtypes.resolve_dtype(dtype) or dtypes.get_default_dtype()
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        """Return the normalised input, of the input's shape ``(*, *normalized_shape)``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.LayerNorm((2, 3))(mytorch.zeros(5, 2, 3)).shape
        (5, 2, 3)
        """
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        """Return the settings, shown by ``repr``.

        Examples
        --------
        >>> from mytorch import nn
        >>> nn.LayerNorm(4).extra_repr()
        '(4,), eps=1e-05, elementwise_affine=True, bias=True'
        """
        affine, bias = self.elementwise_affine, self.bias is not None
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={affine}, bias={bias}"
