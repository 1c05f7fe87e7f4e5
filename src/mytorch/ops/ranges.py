"""Evenly spaced values: ``arange``, ``linspace``, ``logspace``.

Their checks (a zero step, a step away from the end, bounds that are not
finite) raise our own errors, naming the op and the values, rather than
numpy's or an empty result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.tensor import Tensor
from mytorch.ops.creation import _dtype, _make

__all__ = ["arange", "linspace", "logspace"]


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced values in ``[start, end)``.

    As in PyTorch, the result is int64 when all arguments are integers and
    the default float dtype otherwise.

    Raises
    ------
    ValueError
        If ``step`` is zero, or goes away from ``end``, or a bound is not finite.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.arange(4)
    tensor([0, 1, 2, 3])
    >>> mytorch.arange(0, 1, 0.25)
    tensor([0.  , 0.25, 0.5 , 0.75])
    """
    if end is None:
        start, end = 0, start
    values = (start, end, step)
    if not all(isinstance(v, (int, float, np.integer, np.floating)) for v in values):
        raise TypeError(f"arange: start, end and step must be numbers, got {values!r}")
    if not all(np.isfinite(v) for v in values):
        raise ValueError(f"arange: start, end and step must be finite, got {values!r}")
    if step == 0:
        raise ValueError(f"arange: step must be nonzero, got start={start}, end={end}, step=0")
    if (end - start) * step < 0:
        raise ValueError(
            f"arange: step {step} goes away from end: start={start}, end={end} "
            "(the range would be empty; PyTorch refuses it too)"
        )
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in values)
        dtype = dtypes.int64 if integral else dtypes.get_default_dtype()
    array = np.arange(start, end, step, dtype=dtypes.resolve_dtype(dtype))
    return _make(array, requires_grad, device)


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.linspace(0, 1, 5)
    tensor([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    _steps("linspace", steps)
    array = np.linspace(start, end, steps, dtype=np.float64).astype(_dtype(dtype))
    return _make(array, requires_grad, device)


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` values from ``base ** start`` to ``base ** end``, evenly spaced in the exponent.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    _steps("logspace", steps)
    array = np.logspace(start, end, steps, base=base, dtype=np.float64).astype(_dtype(dtype))
    return _make(array, requires_grad, device)


def _steps(op: str, steps: Any) -> None:
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"{op}: steps must be a non-negative integer, got {steps!r}")
