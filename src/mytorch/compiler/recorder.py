"""Capture: run a step once, eagerly, and write down what a replay must do again.

While a step is captured, ``mytorch.core.capture.state.recorder`` is a
``Recorder``, and the library reports each *unit* to it (an op's forward, a
node's backward, a leaf's accumulation, an effect such as ``optimizer.step``).
The recorder runs the unit as eager would, then appends the matching step of
the program (see ``program.py``). Anything a replay could not repeat makes it
*refuse* the step, with a reason: the step then runs eagerly.

The recorder also keeps the books a program needs:

* *slots*: the tensors a step writes (op outputs, gradients). A replay
  refills them, so any other tensor a step reads is *free*: a parameter, a
  buffer, a constant, or a tensor made from the call's arguments (its
  *binding*).
* *guards*: the attributes the captured path depended on (each module's
  ``training``, each free leaf's ``requires_grad``).

Two things are refused because they would replay silently wrong: a unit given
a numpy array (computed outside any op, so frozen at its captured value), and
random numbers drawn outside a unit (``mytorch.randn`` in the step's own code).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from mytorch.compiler.program import Accumulate, Backward, Effect, Forward, Program
from mytorch.core import function, random
from mytorch.core.node import AccumulateGrad, BackwardFunction
from mytorch.core.tensor import Tensor

__all__ = ["Recorder", "Refused"]


class Refused(Exception):
    """A step cannot be captured; the message says why."""


def _rng_state() -> tuple[int, Any]:
    generator = random.default_generator()
    return id(generator), generator.bit_generator.state


class Recorder:
    """Listens to one eager run of a step and builds its ``Program``."""

    def __init__(self) -> None:
        self.depth = 0  # units being run (see mytorch.core.capture)
        self.steps: list[Any] = []
        self.refusal: str | None = None
        self._slots: dict[int, Tensor] = {}  # id -> tensor (kept alive: ids stay unique)
        self._free: dict[int, Tensor] = {}
        self._nodes: dict[int, BackwardFunction] = {}  # nodes whose forward was recorded
        self._backpropagated: set[int] = set()
        self._leaves: list[Tensor] = []
        self._effect_results: dict[int, Tensor] = {}
        self._attributes: dict[tuple[int, str], tuple[Any, str, Any]] = {}
        self._rng = _rng_state()

    # ----------------------------------------------------------- the protocol
    def refuse(self, reason: str) -> None:
        """Mark the step as not replayable (the first reason is the one kept)."""
        if self.refusal is None:
            self.refusal = reason

    def note_attribute(self, owner: Any, name: str) -> None:
        """Guard ``owner.name``: the program holds only while it keeps this value."""
        self._attributes.setdefault((id(owner), name), (owner, name, getattr(owner, name)))

    def record_forward(self, cls: Any, ctx: Any, args: tuple[Any, ...]) -> Tensor:
        self._read(cls.__name__, args)
        out = self._run_unit(function._forward, cls, ctx, args)
        if isinstance(ctx, BackwardFunction):
            self._nodes[id(ctx)] = ctx
        self._slots[id(out)] = out
        self.steps.append(Forward(cls, ctx, args, out))
        return out

    def record_backward(
        self, node: BackwardFunction, grad_output: Tensor, retain_graph: bool
    ) -> tuple[Tensor | None, ...]:
        if id(node) not in self._nodes:
            self.refuse(f"a backward through {node.name()}, made before the step began")
        if node._hooks is not None or node._retained is not None:
            self.refuse("a hook or retain_grad() on a tensor in the graph")
        self._read(node.name(), (grad_output,))
        grads = self._run_unit(BackwardFunction.apply, node, grad_output, retain_graph)
        outs = []
        for index, (parent, grad) in enumerate(zip(node.next_functions, grads)):
            if parent is not None and grad is not None:
                self._slots[id(grad)] = grad
                outs.append((index, grad))
        self._backpropagated.add(id(node))
        self.steps.append(Backward(node, grad_output, tuple(outs)))
        return grads

    def record_leaf(
        self, node: AccumulateGrad, grad: Tensor, create_graph: bool, owned: bool
    ) -> None:
        if node._hooks:
            self.refuse("a hook on a leaf tensor")
        self._read("AccumulateGrad", (grad,))
        self._run_unit(AccumulateGrad.apply, node, grad, create_graph, owned)
        self._leaves.append(node.variable)
        self.steps.append(Accumulate(node, grad, owned))

    def record_effect(
        self, method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        name = method.__qualname__
        for value in (*args, *kwargs.values()):
            if isinstance(value, Iterator):
                self.refuse(f"{name} was given an iterator, which a replay could not repeat")
        self._read(name, (*args, *kwargs.values()))
        result = self._run_unit(method, *args, **kwargs)
        if isinstance(result, Tensor):
            self._effect_results[id(result)] = result
        self.steps.append(Effect(method, args, kwargs))
        return result

    # ------------------------------------------------------------ the books
    def _run_unit(self, unit: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self._check_rng()
        self.depth += 1
        try:
            return unit(*args, **kwargs)
        finally:
            self.depth -= 1
            self._rng = _rng_state()  # what the unit drew, a replay draws again

    def _check_rng(self) -> None:
        if _rng_state() != self._rng:
            self.refuse(
                "random numbers drawn in the step's own code (a replay would reuse them); "
                "draw them inside an op (as dropout does) or outside the compiled step"
            )

    def _read(self, unit: str, values: tuple[Any, ...]) -> None:
        """Sort the tensors a unit reads; refuse values a replay would get wrong."""
        for value in values:
            if isinstance(value, (list, tuple)):
                self._read(unit, tuple(value))
            elif isinstance(value, np.ndarray):
                self.refuse(
                    f"{unit} was given a numpy array, computed outside any op, "
                    "which a replay would reuse"
                )
            elif isinstance(value, Tensor) and id(value) not in self._slots:
                if id(value) in self._effect_results:
                    self.refuse(f"{unit} reads the result of an effect, which a replay drops")
                elif any(leaf._grad is value for leaf in self._leaves):
                    self.refuse(f"{unit} reads a .grad in the step's own code")
                self._free[id(value)] = value

    # -------------------------------------------------------------- the end
    def finish(
        self, result: Any, tensor_args: dict[int, Tensor], array_args: dict[int, np.ndarray]
    ) -> Program:
        """Build the program of the captured call, or raise ``Refused`` with the reason.

        ``tensor_args`` maps an argument's position to the stand-in tensor the
        step was given; ``array_args`` to the numpy array it was given.
        """
        self._check_rng()
        for owner, name, value in self._attributes.values():
            if getattr(owner, name) != value:
                self.refuse(f"the step changes {type(owner).__name__}.{name}")
        outputs = self._outputs(result)
        bindings = self._bindings(tensor_args, array_args)
        if self.refusal is not None:
            raise Refused(self.refusal)
        for node in self._nodes.values():
            # The capture's backward released them; a replay's forward fills them again.
            node.__dict__.pop("_released", None)
        bound = {id(tensor) for _, tensor in bindings}
        guards = list(self._attributes.values()) + [
            (tensor, "requires_grad", tensor.requires_grad)
            for tensor in self._free.values()
            if (tensor.requires_grad or tensor.is_parameter) and id(tensor) not in bound
        ]
        return Program(self.steps, bindings, outputs, guards)

    def _outputs(self, result: Any) -> Any:
        if isinstance(result, (tuple, list)):
            return type(result)(self._outputs(item) for item in result)
        if isinstance(result, dict):
            return {key: self._outputs(value) for key, value in result.items()}
        if isinstance(result, Tensor):
            if id(result) in self._effect_results:
                self.refuse("the step returns the result of an effect, which a replay drops")
            node = result._node
            if node is not None and id(node) not in self._backpropagated:
                self.refuse(
                    "the step returns a tensor that requires grad but did not backpropagate "
                    "through it (compile the whole training step, or run inference under "
                    "mytorch.no_grad())"
                )
        return result

    def _bindings(
        self, tensor_args: dict[int, Tensor], array_args: dict[int, np.ndarray]
    ) -> list[tuple[int, Tensor]]:
        """For each argument, the free tensors that must take its new array."""
        bindings = [
            (index, proxy) for index, proxy in tensor_args.items() if id(proxy) in self._free
        ]
        for index, array in array_args.items():
            users = [tensor for tensor in self._free.values() if tensor.data is array]
            if not users:
                self.refuse(
                    f"argument {index} (a numpy array) is not wrapped as it is by a tensor the "
                    "step uses (mytorch.tensor() copies it); pass a Tensor, or wrap it with "
                    "mytorch.from_numpy()"
                )
            bindings.extend((index, tensor) for tensor in users)
        return bindings
