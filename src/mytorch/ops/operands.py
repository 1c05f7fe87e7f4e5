"""Turning the operands users pass (Tensors, Python numbers, numpy arrays) into Tensors."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.tensor import Tensor, as_array

__all__ = ["as_operand", "scalar_dtype"]

_SCALARS = (bool, int, float, np.bool_, np.integer, np.floating)


def scalar_dtype(like: np.dtype, value: Any) -> np.dtype:
    """The dtype a Python scalar takes next to a tensor of dtype ``like``.

    As in PyTorch, a scalar does not widen a tensor of its own kind: a float32
    tensor times ``0.5`` stays float32. A float scalar with an integer or bool
    tensor gives the default float dtype.
    """
    if like.kind in "fc":
        return like
    if isinstance(value, (float, np.floating)):
        return dtypes.get_default_dtype()
    if like.kind == "b" and not isinstance(value, (bool, np.bool_)):
        return dtypes.int64
    return like


def as_operand(value: Any, like: Tensor, op: str) -> Tensor:
    """Return ``value`` as a Tensor to combine with ``like`` in ``op``.

    Raises
    ------
    TypeError
        If ``value`` is of a type no op accepts (a string, None, ...).
    """
    if isinstance(value, Tensor):
        return value
    if isinstance(value, _SCALARS):
        dtype = like.data.dtype
        if dtype.kind not in "fc":  # a float tensor keeps its dtype: no call needed
            dtype = scalar_dtype(dtype, value)
        if value == 0:  # 0.0 and -0.0 are one key to a cache, but 1 / -0.0 is -inf
            return Tensor._wrap(np.asarray(value, dtype=dtype))
        return _constant(value, dtype)
    if isinstance(value, (np.ndarray, list, tuple)):
        return Tensor._wrap(as_array(value))
    raise TypeError(
        f"{op}: unsupported operand type {type(value).__name__!r} "
        f"(with a tensor of shape {like.shape}); use a Tensor, a number or a numpy array"
    )


# What a binary operator accepts as its other operand (else it returns NotImplemented).
OPERAND_TYPES = (Tensor, np.ndarray, list, tuple, *_SCALARS)


@functools.lru_cache(maxsize=256)
def _constant(value: Any, dtype: np.dtype) -> Tensor:
    """A read-only 0-d tensor of ``value`` in ``dtype``, made once and then shared.

    Without it, ``y = y * 2`` in a loop would wrap 2 in a new tensor every time,
    and a graph would keep one per op. Sharing is safe because nothing can change
    the tensor: its array is read-only, so in-place ops refuse it, and it needs
    no gradient. (1, 1.0 and True are one key, which is right: in one dtype they
    are one array.)
    """
    array = np.asarray(value, dtype=dtype)
    array.flags.writeable = False
    return Tensor._wrap(array)
