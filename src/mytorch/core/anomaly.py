"""Anomaly detection: find the op that first produced a NaN or an infinity.

While ``detect_anomaly()`` is on, every op records the line of user code that
called it, checks its forward result, and the engine checks every gradient each
backward step produces. The first NaN or Inf raises an error naming the op, its
input shapes and that line. When it is off, the cost is one flag test per op.
"""

from __future__ import annotations

import os
import threading
import traceback
from typing import Any

import numpy as np

__all__ = ["AnomalyError", "detect_anomaly", "is_anomaly_enabled"]

# A plain module-level flag (not per thread): the cheapest test on the hot path.
# It is on while at least one detect_anomaly() block is open, in any thread: a
# count, not a saved previous value, so that blocks entered and left by two
# threads in any order cannot leave it on (or turn it off under the other).
enabled = False
_open_blocks = 0
_lock = threading.Lock()

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class AnomalyError(RuntimeError):
    """Raised in anomaly mode when an op's result or gradient holds NaN or Inf.

    The message names the op, the input shapes and the line that called the op.

    Examples
    --------
    >>> import numpy as np
    >>> import mytorch
    >>> from mytorch.autograd import AnomalyError, detect_anomaly
    >>> x = mytorch.tensor([1.0, 0.0])
    >>> try:
    ...     with detect_anomaly(), np.errstate(divide="ignore", invalid="ignore"):
    ...         y = x / 0.0
    ... except AnomalyError as error:
    ...     print(str(error)[:48])
    div: the forward result contains NaN or Inf (inp
    """


class detect_anomaly:  # PyTorch's name, lower case
    """Context manager that raises at the first NaN or Inf in a forward or backward op.

    Unlike PyTorch's, which checks only the backward pass, it also checks every
    op's forward result, so an op such as ``log(0)`` is reported where it ran.
    The mode is global, as PyTorch's is: it is on while any thread is inside a
    ``detect_anomaly()`` block.

    Examples
    --------
    >>> import numpy as np
    >>> import mytorch
    >>> from mytorch.autograd import detect_anomaly
    >>> x = mytorch.tensor([0.0, 1.0], requires_grad=True)
    >>> with detect_anomaly(), np.errstate(divide="ignore"):
    ...     y = x.sqrt().sum()  # the gradient of sqrt at 0 is infinite
    ...     y.backward()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mytorch.core.anomaly.AnomalyError: SqrtBackward: the gradient for input 0 (shape (2,)) ...
    """

    def __enter__(self) -> detect_anomaly:
        global enabled, _open_blocks
        with _lock:
            _open_blocks += 1
            enabled = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        global enabled, _open_blocks
        with _lock:
            _open_blocks -= 1
            enabled = _open_blocks > 0


def is_anomaly_enabled() -> bool:
    """Return True inside ``detect_anomaly()``.

    Examples
    --------
    >>> from mytorch.autograd import is_anomaly_enabled
    >>> is_anomaly_enabled()
    False
    """
    return enabled


def user_line() -> str:
    """The innermost calling frame outside the mytorch package, as ``file:line: code``."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f"{frame.filename}:{frame.lineno}: {frame.line}"
    return "(no caller outside mytorch)"


def has_anomaly(array: Any) -> bool:
    """Whether a float array holds NaN or Inf."""
    array = np.asarray(array)
    return array.dtype.kind in "fc" and not np.isfinite(array).all()


def forward_error(op: str, shapes: str, where: str) -> AnomalyError:
    return AnomalyError(
        f"{op}: the forward result contains NaN or Inf (input shapes {shapes}); "
        f"the op was called at {where}"
    )


def backward_error(node: str, index: int, shape: Any, shapes: str, where: str) -> AnomalyError:
    return AnomalyError(
        f"{node}: the gradient for input {index} (shape {shape}) contains NaN or Inf "
        f"(input shapes {shapes}); the op was called at {where}"
    )
