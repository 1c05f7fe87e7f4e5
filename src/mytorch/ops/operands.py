"""Turning the operands users pass (Tensors, Python numbers, numpy arrays) into Tensors,
and PyTorch's type promotion for binary ops.

The common cases (two tensors of one dtype, a float tensor with a Python number)
are decided by one identity test of dtypes; everything else takes the slower
``promoted`` path, which casts the operands first.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.tensor import Tensor, as_array

__all__ = ["apply_binary", "as_operand", "scalar_dtype"]

SCALAR_TYPES = (bool, int, float, np.bool_, np.integer, np.floating)
_FLOAT16 = dtypes.float16
_FLOAT32 = dtypes.float32
_FLOAT64 = dtypes.float64
_BOOL = dtypes.bool_


def scalar_dtype(like: np.dtype, value: Any) -> np.dtype:
    """The dtype a Python scalar takes next to a tensor of dtype ``like``.

    As in PyTorch, a scalar does not widen a tensor of its own kind: a float32
    tensor times ``0.5`` stays float32. A float scalar with an integer or bool
    tensor gives the default float dtype; an int with a bool tensor gives int64.
    Next to a float16 tensor the scalar is held in float32, the precision PyTorch
    computes float16 ops in (see ``apply_binary``).
    """
    if like.kind in "fc":
        return _FLOAT32 if like is _FLOAT16 else like
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
    if isinstance(value, SCALAR_TYPES):
        dtype = like._data.dtype  # the slot behind .data: every `tensor * 2` comes here
        if dtype is not _FLOAT32 and dtype is not _FLOAT64:  # those keep their dtype
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


def apply_binary(function: Any, a: Tensor, b: Tensor, number: int = -1) -> Tensor:
    """Apply a binary ``Function`` to two Tensors of different dtypes, as PyTorch would.

    Both operands are cast to the result dtype first (numpy's own rules differ:
    int64 with float32 gives float64 there). ``number`` is the position (0 or
    1) of an operand made from a Python number by ``as_operand``, or -1. A
    float16 tensor with a number computes in float32 and rounds back, as
    PyTorch does, so ``half * 1e5`` does not overflow the number itself.
    """
    if a.data.dtype is _BOOL or b.data.dtype is _BOOL:
        # numpy's rule agrees with PyTorch's for a bool operand (the other dtype
        # wins), so no cast: ``grad * mask`` in many backward formulas stays cheap.
        return function.apply(a, b)
    if number >= 0:
        tensor = b if number == 0 else a
        if tensor.data.dtype is _FLOAT16:
            wide = tensor.to(_FLOAT32)
            out = function.apply(a, wide) if number == 0 else function.apply(wide, b)
            with np.errstate(over="ignore"):  # to inf, as PyTorch rounds
                return out.to(_FLOAT16)
    target = dtypes.result_type(a.data, b.data)
    if a.data.dtype is not target:
        a = a.to(target)
    if b.data.dtype is not target:
        b = b.to(target)
    return function.apply(a, b)


# What a binary operator accepts as its other operand (else it returns NotImplemented).
OPERAND_TYPES = (Tensor, np.ndarray, list, tuple, *SCALAR_TYPES)


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
