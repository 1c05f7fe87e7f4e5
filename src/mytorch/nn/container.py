"""Modules that hold modules: ``Sequential`` (a chain), ``ModuleList`` and ``ModuleDict``.

Their entries are registered sub-modules, under the names ``'0'``, ``'1'``, ...
(or the dict's keys), so ``parameters()`` and ``state_dict()`` see them, with
the same keys as PyTorch's.
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from mytorch.nn.module import Module

__all__ = ["ModuleDict", "ModuleList", "Sequential"]


class Sequential(Module):
    """Run modules one after another: ``Sequential(a, b, c)(x)`` is ``c(b(a(x)))``.

    The modules are registered as ``'0'``, ``'1'``, ... (or under the names of an
    ``OrderedDict`` passed as the only argument), which is how they appear in
    ``state_dict()``.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> model = nn.Sequential(nn.Linear(784, 20), nn.BatchNorm1d(20), nn.ReLU(), nn.Linear(20, 10))
    >>> model(mytorch.zeros(100, 784)).shape
    (100, 10)
    >>> len(model), model[-1]
    (4, Linear(in_features=20, out_features=10, bias=True))
    >>> model[:2]
    Sequential(
      (0): Linear(in_features=784, out_features=20, bias=True)
      (1): BatchNorm1d(20, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
    )
    """

    def __init__(self, *modules: Any) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            named = list(modules[0].items())
        else:
            named = [(str(index), module) for index, module in enumerate(modules)]
        for name, module in named:
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: entry {name!r} is a {type(module).__name__}, not a Module"
                )
            self.add_module(name, module)

    def forward(self, input: Any) -> Any:
        """Pass ``input`` through each module in order and return the last output.

        The shapes are those of the modules: each one's output is the next one's input.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> nn.Sequential(nn.Linear(4, 3), nn.ReLU())(mytorch.zeros(2, 4)).shape
        (2, 3)
        """
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._modules.items())
        if isinstance(index, slice):
            # The slice keeps the original names, so its state_dict keys match ours.
            return Sequential(OrderedDict(items[index]))
        return items[position("Sequential", index, len(items))][1]

    def __len__(self) -> int:
        return len(self._modules)

    @property
    def layers(self) -> list[Module]:
        """The assignment's name for the modules, in order (a new list each time).

        Examples
        --------
        >>> from mytorch import nn
        >>> model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        >>> model.layers
        [Linear(in_features=2, out_features=3, bias=True), ReLU()]
        >>> model.layers[0] is model[0]
        True
        """
        return list(self._modules.values())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end and return this Sequential.

        Examples
        --------
        >>> from mytorch import nn
        >>> len(nn.Sequential(nn.Linear(2, 2)).append(nn.ReLU()))
        2
        """
        if not isinstance(module, Module):
            raise TypeError(f"Sequential.append: {type(module).__name__} is not a Module")
        self.add_module(str(len(self)), module)
        return self


def position(op: str, index: Any, length: int, what: str = "modules") -> int:
    """``index`` as a position in ``[0, length)``, or PyTorch's TypeError / IndexError.

    Examples
    --------
    >>> from mytorch.nn.container import position
    >>> position("ModuleList", -1, 3)
    2
    """
    try:
        index = operator.index(index)
    except TypeError:
        raise TypeError(
            f"{op}: indices must be integers or slices, not {type(index).__name__} ({index!r})"
        ) from None
    if not -length <= index < length:
        raise IndexError(f"{op}: index {index} is out of range for {length} {what}")
    return index % length


def _check_module(op: str, module: Any) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"{op}: {type(module).__name__} is not a Module")
    return module


class ModuleList(Module):
    """A list of sub-modules, registered as ``'0'``, ``'1'``, ...; it has no ``forward``.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
    >>> x = mytorch.zeros(2, 4)
    >>> for layer in layers:
    ...     x = layer(x).relu()
    >>> len(layers), list(layers.state_dict())[:2]
    (3, ['0.weight', '0.bias'])
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, index: int | slice) -> Any:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        return modules[position("ModuleList", index, len(modules))]

    def __setitem__(self, index: int, module: Module) -> None:
        index = position("ModuleList", index, len(self))
        self.add_module(str(index), _check_module("ModuleList", module))

    def __delitem__(self, index: int | slice) -> None:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[position("ModuleList", index, len(modules))]
        # Renumber, as PyTorch does, so the names stay '0', '1', ...
        for name in list(self._modules):
            delattr(self, name)
        self.extend(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end and return this list.

        Examples
        --------
        >>> from mytorch import nn
        >>> len(nn.ModuleList().append(nn.ReLU()))
        1
        """
        self.add_module(str(len(self)), _check_module("ModuleList.append", module))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add each of ``modules`` at the end and return this list.

        Examples
        --------
        >>> from mytorch import nn
        >>> len(nn.ModuleList([nn.ReLU()]).extend([nn.Tanh(), nn.Sigmoid()]))
        3
        """
        modules = list(modules)
        for module in modules:  # check all first: nothing is added if one is wrong
            _check_module("ModuleList.extend", module)
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``.

        Examples
        --------
        >>> from mytorch import nn
        >>> layers = nn.ModuleList([nn.ReLU()])
        >>> layers.insert(0, nn.Tanh())
        >>> layers[0]
        Tanh()
        """
        _check_module("ModuleList.insert", module)
        modules = list(self._modules.values())
        modules.insert(operator.index(index), module)
        for name in list(self._modules):
            delattr(self, name)
        self.extend(modules)


class ModuleDict(Module):
    """A dict of sub-modules, registered under their keys (in insertion order).

    Examples
    --------
    >>> from mytorch import nn
    >>> heads = nn.ModuleDict({"class": nn.Linear(4, 10), "box": nn.Linear(4, 4)})
    >>> heads["box"]
    Linear(in_features=4, out_features=4, bias=True)
    >>> list(heads), "class" in heads
    (['class', 'box'], True)
    """

    def __init__(self, modules: Mapping[str, Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(f"ModuleDict: no module named {key!r}; the keys are {list(self)}")
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _check_module("ModuleDict", module))

    def __delitem__(self, key: str) -> None:
        self[key]  # the KeyError of a missing key
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        """Return the keys, in insertion order.

        Examples
        --------
        >>> from mytorch import nn
        >>> list(nn.ModuleDict({"a": nn.ReLU()}).keys())
        ['a']
        """
        return self._modules.keys()

    def values(self) -> Iterable[Module]:
        """Return the modules, in insertion order.

        Examples
        --------
        >>> from mytorch import nn
        >>> list(nn.ModuleDict({"a": nn.ReLU()}).values())
        [ReLU()]
        """
        return self._modules.values()

    def items(self) -> Iterable[tuple[str, Module]]:
        """Return ``(key, module)`` pairs, in insertion order.

        Examples
        --------
        >>> from mytorch import nn
        >>> list(nn.ModuleDict({"a": nn.ReLU()}).items())
        [('a', ReLU())]
        """
        return self._modules.items()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace entries from a mapping or from ``(key, module)`` pairs.

        Examples
        --------
        >>> from mytorch import nn
        >>> heads = nn.ModuleDict()
        >>> heads.update({"a": nn.ReLU()})
        >>> len(heads)
        1
        """
        pairs = list(modules.items() if isinstance(modules, Mapping) else modules)
        for key, module in pairs:  # check all first: nothing is added if one is wrong
            _check_module(f"ModuleDict.update: entry {key!r}", module)
        for key, module in pairs:
            self[key] = module

    def pop(self, key: str) -> Module:
        """Remove the entry ``key`` and return its module.

        Examples
        --------
        >>> from mytorch import nn
        >>> heads = nn.ModuleDict({"a": nn.ReLU()})
        >>> heads.pop("a"), len(heads)
        (ReLU(), 0)
        """
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        """Remove every entry.

        Examples
        --------
        >>> from mytorch import nn
        >>> heads = nn.ModuleDict({"a": nn.ReLU()})
        >>> heads.clear()
        >>> len(heads)
        0
        """
        for key in list(self._modules):
            delattr(self, key)
