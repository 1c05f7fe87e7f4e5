"""``Sequential``: a chain of modules, each fed the previous one's output."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from mytorch.nn.module import Module

__all__ = ["Sequential"]


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
        if not -len(items) <= index < len(items):
            raise IndexError(f"Sequential: index {index} is out of range for {len(items)} modules")
        return items[index][1]

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
