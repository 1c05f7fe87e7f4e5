"""The dtypes MyTorch names, and the default floating-point dtype.

MyTorch's dtypes are numpy's: ``mytorch.float32 is numpy.dtype("float32")``, so a
tensor's ``dtype`` compares equal to both spellings.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "bool_",
    "double",
    "float16",
    "float32",
    "float64",
    "get_default_dtype",
    "half",
    "int8",
    "int16",
    "int32",
    "int64",
    "long",
    "set_default_dtype",
    "short",
    "uint8",
]

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int8 = np.dtype("int8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")

# PyTorch's other names for the same dtypes. ``float``, ``int`` and ``bool``
# are set in ``mytorch/__init__.py`` only: here they would hide Python's builtins.
half = float16
double = float64
short = int16
long = int64

_default_dtype = float32


def get_default_dtype() -> np.dtype:
    """Return the dtype that Python numbers and lists become (float32 unless changed).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.get_default_dtype()
    dtype('float32')
    """
    return _default_dtype


def set_default_dtype(dtype: Any) -> None:
    """Set the floating-point dtype that Python numbers and lists become.

    Parameters
    ----------
    dtype : mytorch.float32 or mytorch.float64 (or anything numpy reads as one)

    Raises
    ------
    TypeError
        If ``dtype`` is not a floating-point dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.set_default_dtype(mytorch.float64)
    >>> mytorch.tensor(1.5).dtype
    dtype('float64')
    >>> mytorch.set_default_dtype(mytorch.float32)
    """
    global _default_dtype
    resolved = np.dtype(dtype)
    if resolved.kind != "f":
        raise TypeError(
            f"set_default_dtype: only floating-point dtypes can be the default, got {resolved}"
        )
    _default_dtype = resolved


def resolve_dtype(dtype: Any) -> np.dtype | None:
    """Turn a user's dtype argument (None, a numpy dtype, a type or a name) into a dtype."""
    if dtype is None:
        return None
    if isinstance(dtype, np.dtype):
        return dtype
    if isinstance(dtype, bool) or dtype == "cpu":
        # np.dtype(True) is bool and np.dtype(False) an error: neither is meant.
        raise TypeError(f"not a dtype: {dtype!r}")
    try:
        resolved = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"not a dtype: {dtype!r}") from error
    if resolved.kind in "OSUVMm":
        raise TypeError(f"not a dtype MyTorch supports: {dtype!r}")
    return resolved


def is_floating(dtype: np.dtype) -> bool:
    """Whether ``dtype`` is a floating-point (or complex) dtype."""
    return dtype.kind in "fc"


def same_type(a: np.dtype, b: np.dtype) -> bool:
    """Whether two dtypes hold the same kind of number (byte order aside)."""
    return a is b or (a.kind == b.kind and a.itemsize == b.itemsize)


def result_type(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """The dtype PyTorch gives an elementwise op of two tensors with these arrays.

    Categories rank bool < integer < float. Within one category the wider dtype
    wins, except that a 0-d tensor does not widen a tensor with dimensions (it
    counts like a Python number). Across categories the higher one's dtype wins.
    """
    a_scalar, b_scalar = a.ndim == 0, b.ndim == 0
    if a_scalar != b_scalar and _RANK[a.dtype.kind] == _RANK[b.dtype.kind]:
        return b.dtype if a_scalar else a.dtype
    return promote_types(a.dtype, b.dtype)


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's promotion of two tensors' dtypes (0-d or not alike).

    Within a category (bool, integer, float) the wider dtype wins, as numpy's
    ``promote_types``; across categories the higher category's dtype wins (numpy
    would widen it: int64 with float32 gives float64 there).
    """
    a_rank, b_rank = _RANK[a.kind], _RANK[b.kind]
    if a_rank == b_rank:
        return np.promote_types(a, b)
    return a if a_rank > b_rank else b


_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
