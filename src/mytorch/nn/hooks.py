"""Forward hooks: functions a ``Module`` calls around its ``forward``.

``register_forward_pre_hook(hook)`` runs ``hook(module, args)`` before
``forward``; ``register_forward_hook(hook)`` runs ``hook(module, args, output)``
after it. As in PyTorch, a pre-hook that returns something replaces the
positional arguments (a non-tuple is wrapped in one), and a forward hook that
returns something replaces the output. With ``with_kwargs=True`` the
hooks also get the keyword arguments (a pre-hook then returns ``None`` or
``(args, kwargs)``); ``prepend=True`` runs a hook before those already there.
Each registration returns a ``RemovableHandle`` whose ``remove()`` takes the
hook out again.

A module without hooks pays one dict check per call.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mytorch.nn.module import Module

__all__ = ["ModuleHooks", "RemovableHandle"]

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


def add_hook(
    hooks: OrderedDict[int, Any], hook: Any, op: str, prepend: bool, with_kwargs: bool
) -> RemovableHandle:
    """Register ``hook`` (first if ``prepend``) in ``hooks`` and return its handle.

    Each entry is ``(hook, with_kwargs)``: whether it takes the keyword arguments too.
    """
    if not callable(hook):
        raise TypeError(f"{op}: a hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(hooks)
    hooks[handle.id] = (hook, with_kwargs)
    if prepend:
        hooks.move_to_end(handle.id, last=False)
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
    for hook, with_kwargs in list(module._forward_pre_hooks.values()):
        if with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"{type(module).__name__}: a forward pre-hook registered with "
                        f"with_kwargs=True must return None or (args, kwargs), got {result!r}"
                    )
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    output = module.forward(*args, **kwargs)
    for hook, with_kwargs in list(module._forward_hooks.values()):
        result = hook(module, args, kwargs, output) if with_kwargs else hook(module, args, output)
        if result is not None:
            output = result
    return output


class ModuleHooks:
    """The hook-registering half of ``Module`` (a ``ModuleHooks`` instance is always a Module).

    ``Module.__call__`` runs the hooks through ``call_with_hooks`` when there are any.
    """

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before every ``forward``; return its removable handle.

        A hook that returns a value replaces the positional arguments (a value
        that is not a tuple is wrapped in one), as in PyTorch. With
        ``with_kwargs=True`` it is called as ``hook(module, args, kwargs)`` and
        returns None or ``(args, kwargs)``; ``prepend=True`` runs it first.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> layer = nn.ReLU()
        >>> handle = layer.register_forward_pre_hook(lambda m, args: args[0] - 1)
        >>> layer(mytorch.tensor([3.0]))
        tensor([2.])
        >>> handle.remove()
        """
        return add_hook(
            self._forward_pre_hooks, hook, "register_forward_pre_hook", prepend, with_kwargs
        )

    def register_forward_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every ``forward``; return its handle.

        A hook that returns a value replaces the output, as in PyTorch. With
        ``with_kwargs=True`` it is called as ``hook(module, args, kwargs, output)``;
        ``prepend=True`` runs it first.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> layer = nn.ReLU()
        >>> with layer.register_forward_hook(lambda m, args, out: out * 10):
        ...     layer(mytorch.tensor([1.0]))
        tensor([10.])
        >>> layer(mytorch.tensor([1.0]))
        tensor([1.])
        """
        return add_hook(self._forward_hooks, hook, "register_forward_hook", prepend, with_kwargs)
