"""Gradient hooks: what ``Tensor.register_hook`` keeps on a node, and how they are run.

A hook is kept on the node that receives the tensor's gradient: a leaf's
``AccumulateGrad`` (run before the gradient is added into ``.grad``), or a
non-leaf's ``BackwardFunction`` (run by the engine before the node's backward).
"""

from __future__ import annotations

from collections.abc import Callable

from mytorch.core.tensor import Tensor, shape_str

__all__ = ["RemovableHandle", "add_hook", "run_hooks"]


class RemovableHandle:
    """What ``Tensor.register_hook`` returns: ``remove()`` unregisters the hook.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    >>> handle = x.register_hook(lambda grad: grad * 10)
    >>> handle.remove()
    >>> (x * 1).sum().backward()
    >>> x.grad
    tensor([1., 1.])
    """

    __slots__ = ("_hooks", "_key")

    def __init__(self, hooks: dict[int, Callable[[Tensor], Tensor | None]], key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        """Unregister the hook (removing it twice is harmless).

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.tensor(1.0, requires_grad=True)
        >>> x.register_hook(print).remove()
        """
        self._hooks.pop(self._key, None)


def add_hook(
    hooks: dict[int, Callable[[Tensor], Tensor | None]] | None,
    hook: Callable[[Tensor], Tensor | None],
) -> tuple[dict[int, Callable[[Tensor], Tensor | None]], RemovableHandle]:
    """Add ``hook`` to ``hooks`` (made if None); return the dict and the hook's handle."""
    if not callable(hook):
        raise TypeError(f"register_hook: the hook must be callable, got {type(hook).__name__}")
    hooks = {} if hooks is None else hooks
    key = max(hooks, default=-1) + 1
    hooks[key] = hook
    return hooks, RemovableHandle(hooks, key)


def run_hooks(
    hooks: dict[int, Callable[[Tensor], Tensor | None]], grad: Tensor, where: str
) -> Tensor:
    """Call each hook with the gradient in order; a hook may return a replacement."""
    for hook in list(hooks.values()):
        result = hook(grad)
        if result is not None:
            if not isinstance(result, Tensor):
                raise TypeError(
                    f"{where}: a gradient hook must return a Tensor or None, "
                    f"got {type(result).__name__}"
                )
            if result.shape != grad.shape:
                raise RuntimeError(
                    f"{where}: a gradient hook changed the gradient's shape from "
                    f"{shape_str(grad.shape)} to {shape_str(result.shape)}"
                )
            grad = result
    return grad
