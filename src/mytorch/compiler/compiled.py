"""``mytorch.compile``: capture a step once, then replay it as a flat program.

A compiled callable keeps a small cache of programs. Each call:

1. computes the call's *signature*: each argument's kind, shape and dtype
   (or value, for a plain number), and the grad mode;
2. replays the first cached program of that signature whose guards hold
   (every module still in the ``training`` mode it was captured in, every
   parameter still requiring grad or not as it did);
3. otherwise captures: it runs the step eagerly, recording it
   (``recorder.py``). The first capture of a kind of call waits for a second;
   the program is kept only if the two agree (``verify.py``). A step that
   cannot be captured, or whose captures disagree, runs eagerly, that call and
   every later call of that signature, and ``explain()`` says why.

At most ``max_programs`` programs are kept (8 by default); a call that would
need one more runs eagerly.
"""

from __future__ import annotations

import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from mytorch.compiler.program import Program, _read
from mytorch.compiler.recorder import Recorder, Refused
from mytorch.compiler.verify import disagreement
from mytorch.core import anomaly, capture, grad_mode
from mytorch.core.tensor import Tensor, shape_str

__all__ = ["Compiled", "compile"]

_grad_state = grad_mode._state
_PLAIN = (bool, int, float, str, type(None))


class Compiled:
    """A callable (a training step, or a model) that replays captured programs.

    Made by :func:`mytorch.compile`. Calling it calls the original; every other
    attribute is the original's, so a compiled model still has ``eval()``,
    ``parameters()`` and ``state_dict()``.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> model = mytorch.compile(nn.Linear(3, 2))
    >>> with mytorch.no_grad():
    ...     model(mytorch.ones(4, 3)).shape
    (4, 2)
    >>> model.out_features
    2
    """

    def __init__(
        self, fn: Callable[..., Any], explain: bool, max_programs: int, fullgraph: bool
    ) -> None:
        self._orig_mod = fn  # PyTorch's name for the wrapped model
        self._explain, self._max_programs, self._fullgraph = explain, max_programs, fullgraph
        self._programs: dict[tuple[Any, ...], list[Program]] = {}
        self._first_captures: dict[tuple[Any, ...], list[Program]] = {}  # each awaits a second
        self._refused: dict[tuple[Any, ...], str] = {}

    def __getattr__(self, name: str) -> Any:
        if name == "_orig_mod":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self._orig_mod, name)

    def __get__(self, owner: Any, owner_type: type | None = None) -> Any:
        # A compiled method (``@mytorch.compile`` on a ``def step(self, ...)``)
        # binds to its object as a function would.
        return self if owner is None else types.MethodType(self, owner)

    def __repr__(self) -> str:
        return f"Compiled({self._orig_mod!r})"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        values = [*args, *kwargs.values()]
        key = _signature(values, tuple(kwargs))
        if key is None or capture.state.recorder is not None or anomaly.enabled:
            # Arguments a signature cannot describe, a call inside a step being
            # captured (its ops are recorded there), anomaly mode: eager.
            return self._orig_mod(*args, **kwargs)
        for program in self._programs.get(key, ()):
            if program.guards_hold():
                return program.run(values)
        if key in self._refused:
            return self._orig_mod(*args, **kwargs)
        if sum(len(programs) for programs in self._programs.values()) >= self._max_programs:
            self._refuse(key, f"already {self._max_programs} programs (max_programs)")
            return self._orig_mod(*args, **kwargs)
        return self._capture(key, args, kwargs)

    def _capture(self, key: tuple[Any, ...], args: tuple[Any, ...], kwargs: dict) -> Any:
        # The step gets stand-ins for its tensor arguments: the program refills
        # their .data on each call, and must not write into the caller's tensors.
        stand_ins: dict[int, Tensor] = {}
        arrays: dict[int, np.ndarray] = {}
        values = [*args, *kwargs.values()]
        for index, value in enumerate(values):
            if isinstance(value, Tensor):
                stand_ins[index] = Tensor._wrap(value.data)
                values[index] = stand_ins[index]
            elif isinstance(value, np.ndarray):
                arrays[index] = value
        call_args = values[: len(args)]
        call_kwargs = dict(zip(kwargs, values[len(args) :]))
        recorder = Recorder()
        capture.begin(recorder)
        try:
            result = self._orig_mod(*call_args, **call_kwargs)
        finally:
            capture.end()
        try:
            program = recorder.finish(result, stand_ins, arrays)
        except Refused as refusal:
            self._refuse(key, str(refusal))
            return result  # the eager result: the call ran eagerly
        waiting = self._first_captures.setdefault(key, [])
        first = next((candidate for candidate in waiting if candidate.guards_hold()), None)
        if first is None:
            # The next call of this kind (and these modes) confirms it, or not.
            waiting.append(program)
            del waiting[: -self._max_programs]
            return _read(program.outputs)
        waiting.remove(first)
        reason = disagreement(first, program)
        if reason is not None:
            self._refuse(key, reason)
            return result
        self._programs.setdefault(key, []).append(program)
        return _read(program.outputs)

    def _refuse(self, key: tuple[Any, ...], reason: str) -> None:
        self._refused[key] = reason
        if self._fullgraph:
            raise RuntimeError(f"mytorch.compile(fullgraph=True): cannot capture: {reason}")
        if self._explain:
            warnings.warn(f"mytorch.compile: runs eagerly: {reason}", stacklevel=4)

    def programs(self) -> list[Program]:
        """The captured programs, oldest first (see ``Program.describe``).

        Examples
        --------
        >>> import mytorch
        >>> double = mytorch.compile(lambda x: x * 2)
        >>> double(mytorch.ones(2))  # captured
        tensor([2., 2.])
        >>> double(mytorch.ones(2))  # captured again: the two captures agree
        tensor([2., 2.])
        >>> print(double.programs()[0].describe())
        forward  Mul((2,) float32, () float32) -> (2,) float32
        """
        return [program for programs in self._programs.values() for program in programs]

    def explain(self) -> str:
        """What was captured, and why any call ran eagerly: one line each.

        Examples
        --------
        >>> import mytorch
        >>> @mytorch.compile
        ... def step(x):
        ...     return (x * 2).sum().item()
        >>> step(mytorch.ones(2))
        4.0
        >>> print(step.explain())
        eager for (Tensor (2,) float32): .item()
        """
        lines = [
            f"program of {len(program.steps)} steps for ({_describe(key)})"
            for key, programs in self._programs.items()
            for program in programs
        ]
        lines += [
            f"eager for ({_describe(key)}): {reason}" for key, reason in self._refused.items()
        ]
        return "\n".join(lines) if lines else "nothing called yet"


def compile(
    model: Callable[..., Any] | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str = "mytorch",
    mode: str | None = None,
    options: dict[str, Any] | None = None,
    disable: bool = False,
    explain: bool = False,
    max_programs: int = 8,
) -> Any:
    """Compile a training step or a model: capture it once, then replay it as numpy calls.

    The first two calls run eagerly and record what ran: each op's forward and
    backward, each gradient accumulation, and each *effect* (an optimiser's
    ``step``, ``zero_grad``, a scheduler's ``step``, BatchNorm's running
    statistics). If the two records agree, later calls with the same argument
    shapes, dtypes and modes replay the record: the same numpy work in the same
    order, so the same results bit for bit, without building a graph. See the
    guide "How compile works here".

    Parameters
    ----------
    model : callable or Module, optional
        A step function (zero_grad, forward, loss, backward, optimiser step,
        return the loss) or a model. Without it, ``compile`` returns a
        decorator.
    fullgraph : bool, default False
        Raise ``RuntimeError`` when a call cannot be captured, instead of
        running it eagerly.
    dynamic, backend, mode, options
        Accepted for PyTorch compatibility; they change nothing here.
    disable : bool, default False
        Return ``model`` itself, uncompiled.
    explain : bool, default False
        Warn, with the reason, each time a call has to run eagerly.
    max_programs : int, default 8
        How many programs to keep (one per signature and set of modes).

    Returns
    -------
    Compiled
        Calls like ``model``; other attributes are ``model``'s own.

    Notes
    -----
    A replay does not run the step's Python code, only what the library did
    for it. So a step must not depend on tensor *values* in Python (``.item()``,
    ``if loss > 0``), print tensors, draw random numbers outside ops, change
    tensors in place itself, or use hooks: each of these is detected while
    capturing, and that step runs eagerly (``explain()`` says why). Returned
    tensors are detached, and a replay returns new ones each call.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn, optim
    >>> _ = mytorch.manual_seed(0)
    >>> model = nn.Linear(4, 2)
    >>> opt = optim.SGD(model.parameters(), lr=0.1)
    >>> @mytorch.compile
    ... def train_step(x, y):
    ...     opt.zero_grad()
    ...     loss = nn.functional.cross_entropy(model(x), y)
    ...     loss.backward()
    ...     opt.step()
    ...     return loss
    >>> x, y = mytorch.randn(8, 4), mytorch.tensor([0, 1] * 4)
    >>> first = train_step(x, y)  # the first two calls are captured
    >>> later = [train_step(x, y).item() for _ in range(3)]  # then replayed
    >>> bool(later[-1] < first.item())
    True
    """
    if disable:
        return model
    if model is None:

        def decorate(fn: Callable[..., Any]) -> Compiled:
            return Compiled(fn, explain, max_programs, fullgraph)

        return decorate
    if not callable(model):
        raise TypeError(f"compile: expected a function or a Module, got {type(model).__name__}")
    return Compiled(model, explain, max_programs, fullgraph)


def _signature(values: list[Any], names: tuple[str, ...]) -> tuple[Any, ...] | None:
    """What a program depends on in the arguments, or None if one cannot be described."""
    key: list[Any] = [_grad_state.enabled, names]
    for value in values:
        if type(value) is np.ndarray:  # the usual batch: tested first
            key.append((np.ndarray, value.shape, value.dtype))
        elif isinstance(value, Tensor):
            if value.requires_grad:
                return None  # its gradient would go to the stand-in, not to it
            key.append((Tensor, value.data.shape, value.data.dtype))
        elif isinstance(value, np.ndarray):
            key.append((np.ndarray, value.shape, value.dtype))
        elif isinstance(value, _PLAIN):
            key.append((type(value), value))
        else:
            key.append((object, id(value)))  # a module or optimiser passed in: itself
    return tuple(key)


def _describe(key: tuple[Any, ...]) -> str:
    parts = []
    for kind, *rest in key[2:]:
        if kind is Tensor or kind is np.ndarray:
            shape, dtype = rest
            parts.append(f"{kind.__name__} {shape_str(shape)} {dtype}")
        else:
            parts.append(repr(rest[0]))
    return ", ".join(parts)
