"""Walking a module's tree and printing it: ``parameters()``, ``modules()``, ``repr``.

``Module`` inherits these from ``ModuleTree``. They only read the three
registries that ``mytorch.nn.module`` fills (``_parameters``, ``_buffers``,
``_modules``), so they live apart from the code that fills them. Every walk is
depth first, in the order the attributes were first set, and yields an object
reachable by two paths (a shared layer or parameter) once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mytorch.core.tensor import Tensor
from mytorch.nn.parameter import Parameter

if TYPE_CHECKING:
    from mytorch.nn.module import Module

__all__ = ["ModuleTree"]


class ModuleTree:
    """The tree-walking half of ``Module`` (a ``ModuleTree`` instance is always a Module)."""

    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for this module and every module below it, depth first.

        A module reachable by two paths is yielded once, unless ``remove_duplicate`` is False.

        Examples
        --------
        >>> from mytorch import nn
        >>> [name for name, _ in nn.Sequential(nn.Linear(2, 2), nn.ReLU()).named_modules()]
        ['', '0', '1']
        """
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, _join(prefix, name), remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """Yield this module and every module below it.

        Examples
        --------
        >>> from mytorch import nn
        >>> len(list(nn.Sequential(nn.Linear(2, 2), nn.ReLU()).modules()))
        3
        """
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for each direct sub-module.

        Examples
        --------
        >>> from mytorch import nn
        >>> [name for name, _ in nn.Sequential(nn.Linear(2, 2), nn.ReLU()).named_children()]
        ['0', '1']
        """
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """Yield each direct sub-module.

        Examples
        --------
        >>> from mytorch import nn
        >>> list(nn.Sequential(nn.ReLU(), nn.Tanh()).children())
        [ReLU(), Tanh()]
        """
        for _, module in self.named_children():
            yield module

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted name, parameter)`` pairs; a shared parameter comes once.

        Examples
        --------
        >>> from mytorch import nn
        >>> [(name, p.shape) for name, p in nn.Linear(3, 2).named_parameters()]
        [('weight', (2, 3)), ('bias', (2,))]
        """
        yield from self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Yield every parameter (to hand to an optimiser).

        Examples
        --------
        >>> from mytorch import nn
        >>> sum(p.numel() for p in nn.Linear(3, 2).parameters())
        8
        """
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Yield ``(dotted name, buffer)`` pairs.

        Examples
        --------
        >>> from mytorch import nn
        >>> [name for name, _ in nn.BatchNorm1d(3).named_buffers()]
        ['running_mean', 'running_var', 'num_batches_tracked']
        """
        yield from self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Yield every buffer.

        Examples
        --------
        >>> from mytorch import nn
        >>> len(list(nn.BatchNorm1d(3).buffers()))
        3
        """
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def _named_members(self, registry: str, prefix: str, recurse: bool) -> Iterator[Any]:
        modules = self.named_modules(prefix=prefix) if recurse else iter([(prefix, self)])
        seen: set[int] = set()
        for module_prefix, module in modules:
            for name, value in module.__dict__[registry].items():
                if value is not None and id(value) not in seen:
                    seen.add(id(value))
                    yield _join(module_prefix, name), value

    def get_submodule(self, target: str) -> Module:
        """Return the sub-module at the dotted path ``target`` (``''`` is this module).

        Raises
        ------
        AttributeError
            Naming the first part of the path that is not a sub-module (as PyTorch).

        Examples
        --------
        >>> from mytorch import nn
        >>> model = nn.Sequential(nn.Sequential(nn.Linear(2, 2), nn.ReLU()))
        >>> model.get_submodule("0.1")
        ReLU()
        """
        module: Module = self
        path = []
        for name in target.split(".") if target else []:
            path.append(name)
            child = module._modules.get(name)
            if child is None:
                raise AttributeError(
                    f"{type(self).__name__}.get_submodule: {type(module).__name__} at "
                    f"{'.'.join(path[:-1]) or 'the top'!r} has no sub-module {name!r} "
                    f"(looking for {target!r})"
                )
            module = child
        return module

    def extra_repr(self) -> str:
        """Return the settings shown by ``repr`` (e.g. ``in_features=2``); layers override it.

        Returns
        -------
        str
            One line per setting (usually one line); empty by default.

        Examples
        --------
        >>> from mytorch import nn
        >>> class Scale(nn.Module):
        ...     def __init__(self, factor):
        ...         super().__init__()
        ...         self.factor = factor
        ...     def extra_repr(self):
        ...         return f"factor={self.factor}"
        >>> Scale(3)
        Scale(factor=3)
        """
        return ""

    def __repr__(self) -> str:
        # PyTorch's layout: settings on one line, or one line per setting and child.
        extra_lines = self.extra_repr().split("\n") if self.extra_repr() else []
        child_lines = [
            f"({name}): " + _indent(repr(module), 2) for name, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        body = ""
        if len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        elif lines:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{type(self).__name__}({body})"


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _indent(text: str, spaces: int) -> str:
    """Indent every line but the first (a child's repr continues its ``(name):`` line)."""
    first, *rest = text.split("\n")
    return "\n".join([first, *(" " * spaces + line for line in rest)])
