"""``ParameterList`` and ``ParameterDict``: parameters held in a list or a dict.

Their entries are registered parameters, under the names ``'0'``, ``'1'``, ...
(or the dict's keys), so ``parameters()``, optimisers and ``state_dict()`` see
them, with the same keys as PyTorch's. A plain Tensor put in becomes a
Parameter sharing its memory, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from mytorch.core.tensor import Tensor
from mytorch.nn.container import position
from mytorch.nn.module import Module
from mytorch.nn.parameter import Parameter

__all__ = ["ParameterDict", "ParameterList"]


def _as_parameter(op: str, value: Any) -> Parameter:
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(f"{op}: expected a Parameter or Tensor, got {type(value).__name__}")


class ParameterList(Module):
    """A list of parameters, registered as ``'0'``, ``'1'``, ...

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> scales = nn.ParameterList([nn.Parameter(mytorch.ones(2)) for _ in range(3)])
    >>> len(scales), [name for name, _ in scales.named_parameters()]
    (3, ['0', '1', '2'])
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def __getitem__(self, index: int) -> Parameter:
        values = list(self._parameters.values())
        return values[position("ParameterList", index, len(values), "parameters")]

    def __setitem__(self, index: int, value: Any) -> None:
        index = position("ParameterList", index, len(self), "parameters")
        self.register_parameter(str(index), _as_parameter("ParameterList", value))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters.values())

    def __iadd__(self, values: Iterable[Any]) -> ParameterList:
        return self.extend(values)

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` (a Parameter, or a Tensor made one) at the end; return this list.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> len(nn.ParameterList().append(mytorch.zeros(2)))
        1
        """
        self.register_parameter(str(len(self)), _as_parameter("ParameterList.append", value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Add each of ``values`` at the end; return this list.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> len(nn.ParameterList().extend([mytorch.zeros(1), mytorch.ones(1)]))
        2
        """
        # Convert all first: nothing is added if one is wrong.
        for value in [_as_parameter("ParameterList.extend", value) for value in values]:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        """Return one line per parameter (its index, shape and dtype), shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> print(nn.ParameterList([mytorch.zeros(2)]).extra_repr())
        (0): Parameter containing: [float32 of shape (2,)]
        """
        return "\n".join(
            f"({name}): Parameter containing: [{value.dtype} of shape {value.shape}]"
            for name, value in self._parameters.items()
        )


class ParameterDict(Module):
    """A dict of parameters, registered under their keys (in insertion order).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> params = nn.ParameterDict({"scale": nn.Parameter(mytorch.ones(1))})
    >>> params["shift"] = nn.Parameter(mytorch.zeros(1))
    >>> list(params), list(params.state_dict())
    (['scale', 'shift'], ['scale', 'shift'])
    """

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.update(values)

    def __getitem__(self, key: str) -> Parameter:
        if key not in self._parameters:
            raise KeyError(f"ParameterDict: no parameter named {key!r}; the keys are {list(self)}")
        return self._parameters[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.register_parameter(key, _as_parameter("ParameterDict", value))

    def __delitem__(self, key: str) -> None:
        self[key]  # the KeyError of a missing key
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> Iterable[str]:
        """Return the keys, in insertion order.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> list(nn.ParameterDict({"w": mytorch.ones(1)}).keys())
        ['w']
        """
        return self._parameters.keys()

    def values(self) -> Iterable[Parameter]:
        """Return the parameters, in insertion order.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> [p.shape for p in nn.ParameterDict({"w": mytorch.ones(2)}).values()]
        [(2,)]
        """
        return self._parameters.values()

    def items(self) -> Iterable[tuple[str, Parameter]]:
        """Return ``(key, parameter)`` pairs, in insertion order.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> [key for key, _ in nn.ParameterDict({"w": mytorch.ones(2)}).items()]
        ['w']
        """
        return self._parameters.items()

    def update(self, values: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
        """Add or replace entries from a mapping or from ``(key, value)`` pairs.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> params = nn.ParameterDict()
        >>> params.update({"w": mytorch.ones(2)})
        >>> len(params)
        1
        """
        pairs = list(values.items() if isinstance(values, Mapping) else values)
        converted = [(key, _as_parameter(f"ParameterDict: entry {key!r}", v)) for key, v in pairs]
        for key, value in converted:
            self[key] = value

    def extra_repr(self) -> str:
        """Return one line per parameter (its key, shape and dtype), shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> print(nn.ParameterDict({"w": mytorch.ones(2)}).extra_repr())
        (w): Parameter containing: [float32 of shape (2,)]
        """
        return "\n".join(
            f"({name}): Parameter containing: [{value.dtype} of shape {value.shape}]"
            for name, value in self._parameters.items()
        )
