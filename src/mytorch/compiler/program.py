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

``Program.describe()`` lists the steps, as the guide "How compile works here" shows.
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

    def run(self) -> None:
        # Straight into the slot behind .data: the setter's checks passed at capture.
        result = self.call()
        self.out._data = result if type(result) is np.ndarray else _array_of(result)

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

    def run(self) -> None:
        grads = self.call()
        if type(grads) is not tuple:
            grads = (grads,)
        for index, slot in self.outs:
            slot._data = grads[index]._data

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

    def run(self) -> None:
        accumulate_into(self.variable, self.grad, False, self.owned)

    def describe(self) -> str:
        return f"grad     {_slot(self.grad)} into .grad of a leaf {_slot(self.variable)}"


class Effect:
    """Make a recorded call again (an optimiser's step, ``zero_grad``, ``clip_grad_norm_``)."""

    __slots__ = ("args", "grad_enabled", "kwargs", "method", "run")

    def __init__(self, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict) -> None:
        self.method, self.args, self.kwargs = method, args, kwargs
        self.run = functools.partial(method, *args, **kwargs)  # run() makes the call again
        self.grad_enabled = _grad_state.enabled

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
        # The steps as runs of bound methods, one run per stretch of one grad
        # mode: replay sets the mode once per run, not once per step.
        self._runs: list[tuple[bool, list[Callable[[], None]]]] = []
        for step in steps:
            if not self._runs or self._runs[-1][0] != step.grad_enabled:
                self._runs.append((step.grad_enabled, []))
            self._runs[-1][1].append(step.run)

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
        for index, tensor in self.bindings:
            value = values[index]
            tensor._data = value._data if isinstance(value, Tensor) else value
        previous = _grad_state.enabled
        try:
            for grad_enabled, runs in self._runs:
                _grad_state.enabled = grad_enabled
                for run in runs:
                    run()
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


def _read(outputs: Any) -> Any:
    """The outputs with each slot read as a fresh tensor (the slot is refilled next time)."""
    if isinstance(outputs, Tensor):
        return Tensor._wrap(outputs.data)
    if isinstance(outputs, (tuple, list)):
        return type(outputs)(_read(item) for item in outputs)
    if isinstance(outputs, dict):
        return {key: _read(value) for key, value in outputs.items()}
    return outputs
