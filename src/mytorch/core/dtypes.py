"""The dtypes MyTorch names, and the default floating-point dtype.

MyTorch's dtypes are numpy's: ``mytorch.float32 is numpy.dtype("float32")``, so a
tensor's ``dtype`` compares equal to both spellings.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "bool_",
    "float16",
    "float32",
    "float64",
    "get_default_dtype",
    "int32",
    "int64",
    "set_default_dtype",
    "uint8",
]

float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")

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
    try:
        return np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"not a dtype: {dtype!r}") from error
