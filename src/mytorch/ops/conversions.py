"""Tensor methods that convert or make tensors like another: ``float()``, ``type()``,
``cpu()``, ``new_zeros()``, ...; attached to ``Tensor`` by ``mytorch.ops.methods``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.device import device
from mytorch.core.tensor import Tensor
from mytorch.ops import creation, unary

__all__ = ["attach"]


def _cast_method(dtype: np.dtype, name: str) -> Callable[[Tensor], Tensor]:
    def cast(self: Tensor) -> Tensor:
        return unary.to(self, dtype)

    cast.__name__ = name
    cast.__doc__ = f"""Return the tensor as {dtype}: ``self.to(mytorch.{dtype})``, as PyTorch's.

    Between float dtypes the result keeps the graph (its gradient flows back in
    ``self``'s dtype); to an integer or bool dtype it is a constant.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tensor([1.5, 2.0]).{name}().dtype
    dtype('{dtype}')
    """
    return cast


_CASTS = {
    "float": dtypes.float32,
    "double": dtypes.float64,
    "half": dtypes.float16,
    "long": dtypes.int64,
    "int": dtypes.int32,
    "short": dtypes.int16,
    "bool": dtypes.bool_,
}

_TYPE_NAMES = {
    dtypes.float32: "FloatTensor",
    dtypes.float64: "DoubleTensor",
    dtypes.float16: "HalfTensor",
    dtypes.int64: "LongTensor",
    dtypes.int32: "IntTensor",
    dtypes.int16: "ShortTensor",
    dtypes.int8: "CharTensor",
    dtypes.uint8: "ByteTensor",
    dtypes.bool_: "BoolTensor",
}


def _type(self: Tensor, dtype: Any = None) -> Tensor | str:
    """Return the type's name (no argument), or the tensor cast to ``dtype``.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0])
    >>> x.type()
    'mytorch.FloatTensor'
    >>> x.type(mytorch.int64)
    tensor([1])
    """
    if dtype is None:
        return "mytorch." + _TYPE_NAMES.get(self.dtype, f"Tensor[{self.dtype}]")
    return unary.to(self, dtype)


def _is_floating_point(self: Tensor) -> bool:
    """Return whether the tensor's dtype is a floating-point dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tensor([1.0]).is_floating_point(), mytorch.tensor([1]).is_floating_point()
    (True, False)
    """
    return self.data.dtype.kind == "f"


def _new_zeros(self: Tensor, *size: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
    """Zeros of ``size``, by default of this tensor's dtype (as PyTorch's ``new_zeros``).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tensor([1, 2]).new_zeros(3)
    tensor([0, 0, 0])
    """
    return creation.zeros(*size, dtype=dtype or self.dtype, **kwargs)


def _new_ones(self: Tensor, *size: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
    """Ones of ``size``, by default of this tensor's dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(1, dtype=mytorch.float64).new_ones(2)
    tensor([1., 1.], dtype=float64)
    """
    return creation.ones(*size, dtype=dtype or self.dtype, **kwargs)


def _new_empty(self: Tensor, *size: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
    """A tensor of ``size`` with values not set, by default of this tensor's dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(1).new_empty(2, 3).shape
    (2, 3)
    """
    return creation.empty(*size, dtype=dtype or self.dtype, **kwargs)


def _new_full(
    self: Tensor, size: Any, fill_value: Any, dtype: Any = None, **kwargs: Any
) -> Tensor:
    """``fill_value`` in ``size``, by default of this tensor's dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(1).new_full((2,), 7)
    tensor([7., 7.])
    """
    return creation.full(size, fill_value, dtype=dtype or self.dtype, **kwargs)


def _new_tensor(self: Tensor, data: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
    """A copy of ``data`` as a new tensor, by default of this tensor's dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(1, dtype=mytorch.float64).new_tensor([1, 2])
    tensor([1., 2.], dtype=float64)
    """
    return creation.tensor(data, dtype=dtype or self.dtype, **kwargs)


def _cpu(self: Tensor) -> Tensor:
    """Return the tensor itself: it is on the CPU already, the only device MyTorch has.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.ones(2)
    >>> x.cpu() is x
    True
    """
    return self


def _cuda(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Refuse: MyTorch runs on the CPU only (see ``mytorch.device``).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.ones(2).cuda()
    Traceback (most recent call last):
        ...
    RuntimeError: device: MyTorch runs on the CPU only (numpy), so device 'cuda' is ...
    """
    device("cuda")
    return self


def attach(tensor_class: type[Tensor]) -> None:
    """Set this module's methods on ``Tensor``."""
    for name, dtype in _CASTS.items():
        setattr(tensor_class, name, _cast_method(dtype, name))
    methods = {
        "type": _type,
        "is_floating_point": _is_floating_point,
        "cpu": _cpu,
        "cuda": _cuda,
        "new_zeros": _new_zeros,
        "new_ones": _new_ones,
        "new_empty": _new_empty,
        "new_full": _new_full,
        "new_tensor": _new_tensor,
    }
    for name, method in methods.items():
        setattr(tensor_class, name, method)
