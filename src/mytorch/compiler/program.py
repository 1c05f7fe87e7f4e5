"""A captured step as a flat program: a list of steps run in order, on the same objects.

Capturing a training step (see ``recorder.py``) leaves behind every tensor and
node the step made. The program keeps them and uses them as its *buffers*: a
tensor made by an op is a slot whose ``.data`` each replay fills again, and a
node is the context its op's forward refills for its backward. So the program
is the eager computation with everything around it taken away: no Tensor made
per op, no node made per op, no graph walked, no argument checked twice. What
is left is the ops' own numpy work, called in the order eager called it, which
is why a replay gives eager's results bit for bit.

Four kinds of step, one per thing eager does:

* ``Forward``: an op's forward, ``out.data = forward(ctx, *inputs)``;
* ``Backward``: a node's backward, writing each gradient into its slot;
* ``Accumulate``: a leaf's gradient added into its ``.grad``;
* ``Effect``: a call that changes state outside the graph (an optimiser's
  step, ``zero_grad``), made again with the same arguments.

Each step writes its own lines of Python, and the program joins them into one
function, ``replay``, made once when the program is: running it is then one
Python call per op, with no loop over step objects in between (a few percent of
a small network's step). ``Program.describe()`` lists the steps and
``Program.source`` is that function's text, as the guide "How compile works
here" shows.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from mytorch.core import grad_mode
from mytorch.core.node import AccumulateGrad, BackwardFunction, accumulate_into
from mytorch.core.tensor import Tensor, shape_str

__all__ = ["Accumulate", "Backward", "Effect", "Forward", "Program"]

_grad_state = grad_mode._state


def _array_of(result: Any) -> np.ndarray:
    """An op's forward result as an array (numpy gives scalars for some 0-d results)."""
    if type(result) is np.ndarray:
        return result
    return result.data if isinstance(result, Tensor) else np.asarray(result)


def _slot(tensor: Tensor | None) -> str:
    return "-" if tensor is None else f"{shape_str(tensor.shape)} {tensor.dtype}"


class Forward:
    """Run one op's forward into its output slot."""

    __slots__ = ("args", "call", "ctx", "forward", "grad_enabled", "name", "out")

    def __init__(self, cls: Any, ctx: Any, args: tuple[Any, ...], out: Tensor) -> None:
        self.forward, self.ctx, self.args, self.out = cls._run_forward, ctx, args, out
        self.call = functools.partial(self.forward, ctx, *args)  # the arguments bound once
        self.name = cls.__name__
        self.grad_enabled = _grad_state.enabled  # eager's grad mode, which ops may read

    def code(self, names: _Names) -> list[str]:
        forward, out = names.add("forward", self.call), names.add("out", self.out)
        # Straight into the slot behind .data: the setter's checks passed at capture.
        return [
            f"result = {forward}()",
            f"{out}._data = result if type(result) is ndarray else array_of(result)",
        ]

    def describe(self) -> str:
        inputs = ", ".join(_slot(a) for a in self.args if isinstance(a, Tensor))
        return f"forward  {self.name}({inputs}) -> {_slot(self.out)}"


class Backward:
    """Run one node's backward; each gradient goes into its slot."""

    __slots__ = ("call", "grad", "name", "node", "outs")
    grad_enabled = False  # backward formulas run unrecorded, as in eager

    def __init__(
        self, node: BackwardFunction, grad: Tensor, outs: tuple[tuple[int, Tensor], ...]
    ) -> None:
        self.node, self.grad = node, grad
        self.call = functools.partial(node.function._run_backward, node, grad)
        self.outs = outs  # (input index, the slot its gradient goes into)
        self.name = node.name()

    def code(self, names: _Names) -> list[str]:
        lines = [
            f"grads = {names.add('backward', self.call)}()",
            "if type(grads) is not tuple:",
            "    grads = (grads,)",
        ]
        for index, slot in self.outs:
            lines.append(f"{names.add('grad', slot)}._data = grads[{index}]._data")
        return lines

    def describe(self) -> str:
        outs = ", ".join(_slot(slot) for _, slot in self.outs)
        return f"backward {self.name}({_slot(self.grad)}) -> {outs}"


class Accumulate:
    """Add a gradient into a leaf's ``.grad``, as its ``AccumulateGrad`` node does."""

    __slots__ = ("grad", "owned", "variable")
    grad_enabled = False

    def __init__(self, node: AccumulateGrad, grad: Tensor, owned: bool) -> None:
        # owned: the engine found that nothing else holds this gradient, so the
        # leaf keeps its array without a copy; a replay makes the same arrays.
        self.variable, self.grad, self.owned = node.variable, grad, owned

    def code(self, names: _Names) -> list[str]:
        leaf, grad = names.add("leaf", self.variable), names.add("grad", self.grad)
        return [f"accumulate_into({leaf}, {grad}, False, {self.owned})"]

    def describe(self) -> str:
        return f"grad     {_slot(self.grad)} into .grad of a leaf {_slot(self.variable)}"


class Effect:
    """Make a recorded call again (an optimiser's step, ``zero_grad``, ``clip_grad_norm_``)."""

    __slots__ = ("args", "call", "grad_enabled", "kwargs", "method")

    def __init__(self, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict) -> None:
        self.method, self.args, self.kwargs = method, args, kwargs
        self.call = functools.partial(method, *args, **kwargs)  # call() makes the call again
        self.grad_enabled = _grad_state.enabled

    def code(self, names: _Names) -> list[str]:
        return [f"{names.add('effect', self.call)}()"]

    def describe(self) -> str:
        owner = type(self.args[0]).__name__ + "." if self.args else ""
        return f"effect   {owner}{self.method.__name__}()"


Step = Forward | Backward | Accumulate | Effect


class Program:
    """The steps of one captured call, and how to feed it inputs and read its outputs.

    Parameters
    ----------
    steps : list
        ``Forward``, ``Backward``, ``Accumulate`` and ``Effect`` steps, in eager's order.
    bindings : list of (int, Tensor)
        For each argument of the call that feeds the program, the tensor whose
        ``.data`` takes that argument's array.
    outputs : Any
        The call's result, with each tensor replaced by the slot it is read from.
    guards : list of (object, str, object)
        ``(owner, attribute, value)``: the program is valid while every
        ``getattr(owner, attribute)`` still is ``value`` (a module's ``training``,
        a parameter's ``requires_grad``).

    Attributes
    ----------
    source : str
        The Python function a replay runs, written from the steps when the
        program is made: the bindings, then each step's lines after a comment
        with its ``describe()`` line. Its names stand for the captured objects
        (a bound forward, a slot, a leaf).

    Examples
    --------
    >>> import mytorch
    >>> double = mytorch.compile(lambda x: x * 2)
    >>> _ = double(mytorch.ones(2)), double(mytorch.ones(2))  # captured twice: kept
    >>> print(double.programs()[0].source)
    def replay(values):
        value = values[0]
        input0._data = value._data if isinstance(value, Tensor) else value
        grad_state.enabled = True
        # forward  Mul((2,) float32, () float32) -> (2,) float32
        result = forward1()
        out2._data = result if type(result) is ndarray else array_of(result)
    <BLANKLINE>
    """

    def __init__(
        self,
        steps: list[Step],
        bindings: list[tuple[int, Tensor]],
        outputs: Any,
        guards: list[tuple[Any, str, Any]],
    ) -> None:
        self.steps = steps
        self.bindings = bindings
        self.outputs = outputs
        self.guards = guards
        # The guards grouped by attribute, so that a call checks each group with
        # one map() of a C getter: [m.training for m in modules] == [True, ...].
        groups: dict[str, tuple[list[Any], list[Any]]] = {}
        for owner, name, value in guards:
            owners, values = groups.setdefault(name, ([], []))
            owners.append(owner)
            values.append(value)
        self._guard_groups = [
            (operator.attrgetter(name), owners, values)
            for name, (owners, values) in groups.items()
        ]
        self.source, self._replay = _write(steps, bindings)

    def guards_hold(self) -> bool:
        """Whether every attribute the program depends on still has its captured value."""
        for read, owners, values in self._guard_groups:
            if list(map(read, owners)) != values:
                return False
        return True

    def run(self, values: list[Any]) -> Any:
        """Replay the step on the call's arguments and return its outputs.

        ``values`` are the call's arguments (positional, then keyword); each
        binding's tensor takes the array of its argument (a Tensor's, or the
        argument itself).
        """
        previous = _grad_state.enabled
        try:
            self._replay(values)
        finally:
            _grad_state.enabled = previous
        return _read(self.outputs)

    def describe(self) -> str:
        """The program as text: one line per step, in the order they run.

        Examples
        --------
        >>> import mytorch
        >>> w = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> @mytorch.compile
        ... def step(x):
        ...     loss = (w * x).sum()
        ...     loss.backward()
        ...     return loss
        >>> _ = step(mytorch.ones(2))  # the first two calls are captured
        >>> _ = step(mytorch.ones(2))
        >>> print(step.programs()[0].describe())
        forward  Mul((2,) float32, (2,) float32) -> (2,) float32
        forward  Sum((2,) float32) -> () float32
        backward SumBackward(() float32) -> (2,) float32
        backward MulBackward((2,) float32) -> (2,) float32
        grad     (2,) float32 into .grad of a leaf (2,) float32
        """
        return "\n".join(step.describe() for step in self.steps)


class _Names:
    """The names a program's source uses, and the objects they stand for.

    Every object is passed to the source by name, never spelled out in it, so
    the text holds only names, numbers and the steps' descriptions in comments.
    """

    def __init__(self, **given: Any) -> None:
        self.values: dict[str, Any] = dict(given)
        self._named: dict[int, str] = {}  # id -> name (the program keeps every object alive)

    def add(self, kind: str, value: Any) -> str:
        """The name of ``value``: the one it was given before, or ``kind`` and a number."""
        name = self._named.get(id(value))
        if name is None:
            name = self._named[id(value)] = f"{kind}{len(self._named)}"
            self.values[name] = value
        return name


def _write(steps: list[Step], bindings: list[tuple[int, Tensor]]) -> tuple[str, Any]:
    """The steps as the source of one function ``replay(values)``, and that function."""
    names = _Names(
        ndarray=np.ndarray,
        Tensor=Tensor,
        array_of=_array_of,
        accumulate_into=accumulate_into,
        grad_state=_grad_state,
    )
    lines = []
    for index, tensor in bindings:  # each argument's array goes into its tensor's slot
        slot = names.add("input", tensor)
        lines.append(f"value = values[{index}]")
        lines.append(f"{slot}._data = value._data if isinstance(value, Tensor) else value")
    grad_enabled = None
    for step in steps:
        if step.grad_enabled != grad_enabled:  # set once per stretch of one grad mode
            grad_enabled = step.grad_enabled
            lines.append(f"grad_state.enabled = {grad_enabled}")
        lines.append(f"# {step.describe()}")
        lines += step.code(names)
    source = "def replay(values):\n" + "".join(f"    {line}\n" for line in lines or ["pass"])
    exec(source, names.values)  # the text is ours, written above from names alone
    return source, names.values["replay"]


def _read(outputs: Any) -> Any:
    """The outputs with each slot read as a fresh tensor (the slot is refilled next time)."""
    if isinstance(outputs, Tensor):
        return Tensor._wrap(outputs.data)
    if isinstance(outputs, (tuple, list)):
        return type(outputs)(_read(item) for item in outputs)
    if isinstance(outputs, dict):
        return {key: _read(value) for key, value in outputs.items()}
    return outputs
