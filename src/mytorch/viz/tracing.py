"""``trace()``: record each op's output shape, dtype and module while a forward pass runs.

It swaps ``Function.apply`` and ``Function._apply_pair`` (and the traced modules'
``forward``) for recording versions on entry and puts the originals back on exit: when no
trace is active, nothing runs.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any, NamedTuple

from mytorch.core.function import Function
from mytorch.core.node import BackwardFunction
from mytorch.core.tensor import Tensor

__all__ = ["Trace", "trace"]


class _Input(NamedTuple):
    """A tensor argument of a recorded op (weakly held: a trace keeps no tensor alive)."""

    shape: tuple[int, ...]
    dtype: str
    tensor: weakref.ref[Tensor]


class _OpRecord(NamedTuple):
    """What a trace learns about one op node when it is made."""

    shape: tuple[int, ...]
    dtype: str
    inputs: tuple[_Input | None, ...]  # per argument; None: not a tensor (a dim, a flag)
    scope: tuple[str, ...]  # the modules it ran in, outermost first


class Trace:
    """What ``trace()`` recorded: per op node, its output and the module that made it.

    Made by ``trace()``; pass it to ``to_dot``, ``to_mermaid`` or ``render`` as ``trace=``.
    It holds the op nodes weakly: it keeps no graph and no tensor alive.

    Attributes
    ----------
    modules : tuple of Module
        The modules given to ``trace()``.
    parameter_names : dict
        ``id(parameter)`` to the parameter's qualified name (``"0.weight"``).
    module_types : dict
        A module's scope (its root's class name, then its path) to its class name.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import viz
    >>> x = mytorch.ones(2, 3, requires_grad=True)
    >>> with viz.trace() as recorded:
    ...     y = (x * 2).sum()
    >>> len(recorded)  # ops recorded: mul and sum
    2
    """

    def __init__(self, modules: Sequence[Any] = ()) -> None:
        self.modules = tuple(modules)
        # Weak keys: a trace does not keep a graph alive.
        self._ops: weakref.WeakKeyDictionary[BackwardFunction, _OpRecord] = (
            weakref.WeakKeyDictionary()
        )
        self._scope: list[str] = []
        self.parameter_names: dict[int, str] = {}  # id(parameter) -> its qualified name
        self.module_types: dict[tuple[str, ...], str] = {}  # scope -> the module's class name

    def __len__(self) -> int:
        return len(self._ops)

    def get(self, node: BackwardFunction) -> _OpRecord | None:
        """What was recorded for ``node`` (output shape, dtype, inputs, modules), or None.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import viz
        >>> x = mytorch.ones(2, 3, requires_grad=True)
        >>> with viz.trace() as recorded:
        ...     y = x.sum(dim=0)
        >>> record = recorded.get(y.grad_fn)
        >>> record.shape, record.dtype, [arg is not None for arg in record.inputs]
        ((3,), 'float32', [True, False, False])
        """
        return self._ops.get(node)

    def _record(self, out: Any, args: tuple[Any, ...]) -> None:
        node = getattr(out, "grad_fn", None)
        if type(node) is not BackwardFunction or node in self._ops:
            return
        inputs = tuple(
            [
                _Input(arg.shape, str(arg.dtype), weakref.ref(arg))
                if isinstance(arg, Tensor)
                else None
                for arg in args
            ]
        )
        self._ops[node] = _OpRecord(out.shape, str(out.dtype), inputs, tuple(self._scope))


class trace:  # lower case, as no_grad: a context manager used like a function
    """Record each op's output shape, dtype and module while a forward pass runs.

    Parameters
    ----------
    *modules : Module
        Modules whose ops should be attributed to them (for ``collapse_modules``) and
        whose parameters should be named in the picture. Optional.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn, viz
    >>> model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    >>> with viz.trace(model) as recorded:
    ...     out = model(mytorch.ones(4, 3)).sum()
    >>> print(viz.to_dot(out, trace=recorded, collapse_modules=True))
    digraph mytorch {
        node [shape=box, fontname="Helvetica", fontsize=10];
        n0 [label="SumBackward\\n() float32", style=filled, fillcolor="#c8e6c9"];
        n1 [label="1: ReLU\\n(4, 2) float32", shape=box3d];
        n2 [label="0: Linear\\n(4, 2) float32", shape=box3d];
        c0 [label="constant\\n(4, 3) float32", shape=ellipse, style=dashed];
        n3 [label="0.weight\\n(2, 3) float32", shape=ellipse, style=filled, fillcolor="#bbdefb"];
        n4 [label="0.bias\\n(2,) float32", shape=ellipse, style=filled, fillcolor="#bbdefb"];
        n1 -> n0;
        n2 -> n1;
        c0 -> n2;
        n3 -> n2;
        n4 -> n2;
    }
    """

    def __init__(self, *modules: Any) -> None:
        self.result = Trace(modules)
        self._saved_apply: Any = None
        self._saved_pair: Any = None
        self._patched: list[tuple[Any, Any]] = []

    def __enter__(self) -> Trace:
        result = self.result
        for root in result.modules:
            root_name = type(root).__name__
            for path, module in root.named_modules():
                scope = (root_name, path) if path else (root_name,)
                self._wrap_forward(module, scope[-1])
                result.module_types[scope] = type(module).__name__
            for name, parameter in root.named_parameters():
                result.parameter_names[id(parameter)] = name
        # Both ways an op is applied: apply, and its fast path for two tensors (which
        # may call apply in turn: an op already recorded is skipped).
        self._saved_apply = Function.__dict__["apply"]
        self._saved_pair = Function.__dict__["_apply_pair"]
        apply, apply_pair = self._saved_apply.__func__, self._saved_pair.__func__

        def recording_apply(cls: type[Function], *args: Any) -> Any:
            out = apply(cls, *args)
            result._record(out, args)
            return out

        def recording_pair(cls: type[Function], a: Any, b: Any) -> Any:
            out = apply_pair(cls, a, b)
            result._record(out, (a, b))
            return out

        Function.apply = classmethod(recording_apply)  # type: ignore[method-assign]
        Function._apply_pair = classmethod(recording_pair)  # type: ignore[method-assign]
        return result

    def __exit__(self, *exc: object) -> None:
        Function.apply = self._saved_apply  # type: ignore[method-assign]
        Function._apply_pair = self._saved_pair  # type: ignore[method-assign]
        for module, previous in reversed(self._patched):
            if previous is None:
                object.__delattr__(module, "forward")
            else:
                object.__setattr__(module, "forward", previous)
        self._patched.clear()

    def _wrap_forward(self, module: Any, name: str) -> None:
        stack = self.result._scope
        forward = module.forward

        def scoped_forward(*args: Any, **kwargs: Any) -> Any:
            stack.append(name)
            try:
                return forward(*args, **kwargs)
            finally:
                stack.pop()

        self._patched.append((module, vars(module).get("forward")))
        object.__setattr__(module, "forward", scoped_forward)
