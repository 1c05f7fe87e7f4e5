"""Whether operations record the graph: ``no_grad``, ``enable_grad`` and friends.

The switch is per thread, as in PyTorch, so a data-loading thread that turns
gradients off cannot turn them off for the training thread.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Generator
from typing import Any, TypeVar

__all__ = ["enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled"]

F = TypeVar("F", bound=Callable[..., Any])


class _GradState(threading.local):
    # Class attribute: each new thread starts with gradients enabled.
    enabled = True


_state = _GradState()


def is_grad_enabled() -> bool:
    """Return True if operations currently record the graph for backward.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.is_grad_enabled()
    True
    >>> with mytorch.no_grad():
    ...     mytorch.is_grad_enabled()
    False
    """
    return _state.enabled


class _GradModeContext:
    """Shared machinery of the grad-mode context managers and decorators."""

    _mode: bool

    def __enter__(self) -> None:
        self._previous = _state.enabled
        _state.enabled = self._mode

    def __exit__(self, *exc_info: object) -> None:
        _state.enabled = self._previous

    def __call__(self, func: F) -> F:
        mode = self._mode
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(func, mode)  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # What ``with set_grad_enabled(mode)`` does, without making a context
            # object on every call: optimisers' steps are decorated.
            previous = _state.enabled
            _state.enabled = mode
            try:
                return func(*args, **kwargs)
            finally:
                _state.enabled = previous

        return wrapper  # type: ignore[return-value]


def _wrap_generator(
    func: Callable[..., Generator[Any, Any, Any]], mode: bool
) -> Callable[..., Any]:
    """Run each step of the generator (not the caller between steps) in ``mode``, as PyTorch."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        with set_grad_enabled(mode):
            generator = func(*args, **kwargs)
        try:
            with set_grad_enabled(mode):
                response = generator.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with set_grad_enabled(mode):
                        generator.close()
                    raise
                except BaseException as error:
                    with set_grad_enabled(mode):
                        response = generator.throw(error)
                else:
                    with set_grad_enabled(mode):
                        response = generator.send(request)
        except StopIteration as stop:
            return stop.value

    return wrapper


class no_grad(_GradModeContext):
    """Context manager and decorator that stops operations recording the graph.

    Inside it, every result is a constant (``requires_grad=False``), which
    saves the memory and time of building a graph, e.g. during evaluation.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    >>> with mytorch.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    >>> @mytorch.no_grad()
    ... def evaluate(t):
    ...     return t * 2
    >>> evaluate(x).requires_grad
    False
    """

    _mode = False


class enable_grad(_GradModeContext):
    """Context manager and decorator that turns graph recording back on.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor(1.0, requires_grad=True)
    >>> with mytorch.no_grad():
    ...     with mytorch.enable_grad():
    ...         y = x * 2
    >>> y.requires_grad
    True
    """

    _mode = True


class set_grad_enabled(_GradModeContext):
    """Turn graph recording on or off, as a function call or a context manager.

    Parameters
    ----------
    mode : bool
        True to record operations, False not to.

    Examples
    --------
    >>> import mytorch
    >>> with mytorch.set_grad_enabled(False):
    ...     mytorch.is_grad_enabled()
    False
    >>> mytorch.is_grad_enabled()
    True
    """

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        # Called as a plain function, the switch takes effect at once, as in PyTorch.
        self._previous = _state.enabled
        _state.enabled = self._mode

    def __enter__(self) -> None:
        pass  # already switched by __init__

    def __call__(self, func: F) -> F:
        # As a decorator (``@set_grad_enabled(False)``) it must not switch the
        # thread's mode when the module is imported: undo __init__'s switch.
        _state.enabled = self._previous
        return super().__call__(func)

    def __exit__(self, *exc_info: object) -> None:
        _state.enabled = self._previous
