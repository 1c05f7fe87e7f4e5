"""Forward hooks: functions a ``Module`` calls around its ``forward``.

``register_forward_pre_hook(hook)`` runs ``hook(module, args)`` before
``forward``; ``register_forward_hook(hook)`` runs ``hook(module, args, output)``
after it. As in PyTorch, a pre-hook that returns something replaces the
positional arguments (a non-tuple is wrapped in one), and a forward hook that
returns something replaces the output. Each registration returns a
``RemovableHandle`` whose ``remove()`` takes the hook out again.

A module without hooks pays one dict check per call.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mytorch.nn.module import Module

__all__ = ["RemovableHandle", "call_with_hooks"]

_next_id = itertools.count()


class RemovableHandle:
    """What registering a hook returns: ``remove()`` unregisters it (also as a ``with`` block).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> layer = nn.Linear(2, 2)
    >>> seen = []
    >>> handle = layer.register_forward_hook(lambda m, args, out: seen.append(out.shape))
    >>> _ = layer(mytorch.zeros(3, 2))
    >>> handle.remove()
    >>> _ = layer(mytorch.zeros(3, 2))
    >>> seen
    [(3, 2)]
    """

    def __init__(self, hooks: OrderedDict[int, Callable[..., Any]]) -> None:
        self.hooks = hooks
        self.id = next(_next_id)

    def remove(self) -> None:
        """Unregister the hook (again is harmless).

        Examples
        --------
        >>> from mytorch import nn
        >>> handle = nn.ReLU().register_forward_pre_hook(lambda m, args: None)
        >>> handle.remove()
        """
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.remove()


def add_hook(hooks: OrderedDict[int, Callable[..., Any]], hook: Any, op: str) -> RemovableHandle:
    """Register ``hook`` in ``hooks`` and return its handle."""
    if not callable(hook):
        raise TypeError(f"{op}: a hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def call_with_hooks(module: Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run the pre-hooks, ``forward`` and the forward hooks, as PyTorch's ``Module.__call__``.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> from mytorch.nn.hooks import call_with_hooks
    >>> call_with_hooks(nn.ReLU(), (mytorch.tensor([-1.0]),), {})
    tensor([0.])
    """
    for hook in list(module._forward_pre_hooks.values()):
        result = hook(module, args)
        if result is not None:
            args = result if isinstance(result, tuple) else (result,)
    output = module.forward(*args, **kwargs)
    for hook in list(module._forward_hooks.values()):
        result = hook(module, args, output)
        if result is not None:
            output = result
    return output
