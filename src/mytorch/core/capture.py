"""Where the library tells ``mytorch.compile`` what a step does.

``mytorch.compile`` captures a training step by running it once, eagerly,
while a *recorder* listens (the recorder and the replay live in
``mytorch.compiler``). The library reports to the recorder at a few places,
each behind one test of the plain counter ``capturing.threads``, so eager code
pays almost nothing:

* **units** that a replay runs again: every op's forward (``Function.apply``),
  every node's backward and every leaf's gradient accumulation in
  ``backward()``, and *effects*, the calls that change state outside the graph
  (an optimiser's ``step``, ``zero_grad``, ``clip_grad_norm_``), marked
  with the ``effect`` decorator below;
* **escapes**, where the step does something a replay could not repeat: a
  tensor's values leave the library as Python or numpy values (``.item()``,
  ``bool(t)``, ``.numpy()``), a tensor is changed in place outside a unit,
  hooks run. The recorder then refuses the step, which from then on runs
  eagerly, and keeps the reason.

What happens *inside* a unit is the unit's own business: an optimiser may read
``.grad`` and change ``.data`` in place, an op's forward may draw random
numbers. ``Recorder.depth`` counts the units being run, and only what happens
at depth 0 (in the user's own step code) is recorded or refused.

Core knows nothing of how a program is built or replayed: only this protocol.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

__all__ = ["Recorder", "begin", "capturing", "effect", "end", "escape", "listening", "state"]

F = TypeVar("F", bound=Callable[..., Any])


class Recorder(Protocol):
    """What ``mytorch.compiler``'s recorder offers to the library's hook points."""

    depth: int  # units being run: only depth 0 is the step's own code

    def record_forward(self, cls: Any, ctx: Any, args: tuple[Any, ...]) -> Any: ...

    def record_backward(self, node: Any, grad_output: Any, retain_graph: bool) -> Any: ...

    def record_leaf(self, node: Any, grad: Any, create_graph: bool, owned: bool) -> None: ...

    def record_effect(self, method: Callable[..., Any], args: Any, kwargs: Any) -> Any: ...

    def note_attribute(self, owner: Any, name: str) -> None: ...

    def refuse(self, reason: str) -> None: ...


class _State(threading.local):
    # Per thread, as grad mode is: another thread's ops are not the captured step's.
    def __init__(self) -> None:
        self.recorder: Recorder | None = None  # set only while a step is captured


class _Capturing:
    # How many threads are capturing a step: the hot path tests this plain slot,
    # and reads the (slower) per-thread state only while some capture runs.
    __slots__ = ("threads",)

    def __init__(self) -> None:
        self.threads = 0


state = _State()
capturing = _Capturing()
_lock = threading.Lock()


def begin(recorder: Recorder) -> None:
    """Make ``recorder`` listen to this thread's code (``mytorch.compile`` captures)."""
    state.recorder = recorder
    with _lock:
        capturing.threads += 1


def end() -> None:
    """Stop this thread's recorder listening."""
    state.recorder = None
    with _lock:
        capturing.threads -= 1


def listening() -> Recorder | None:
    """This thread's recorder if it listens here (in the step's own code), else None."""
    recorder = state.recorder
    return recorder if recorder is not None and not recorder.depth else None


def escape(what: str) -> None:
    """Report something a replay could not repeat; the step being captured runs eagerly.

    Parameters
    ----------
    what : str
        What the step did, as the explanation will show it (``".item()"``).

    Examples
    --------
    >>> from mytorch.core import capture
    >>> capture.escape(".item()")  # no capture running: nothing happens
    """
    if capturing.threads:
        recorder = listening()
        if recorder is not None:
            recorder.refuse(what)


def effect(method: F) -> F:
    """Mark a method that changes state outside the graph: a replay calls it again.

    Inside a captured step, a call to ``method`` from the step's own code is
    recorded with its arguments, and the replay makes the same call; what the
    method does inside (read gradients, change arrays in place) is not
    recorded one by one.

    Examples
    --------
    >>> from mytorch.core.capture import effect
    >>> class Counter:
    ...     count = 0
    ...     @effect
    ...     def tick(self):
    ...         self.count += 1
    >>> c = Counter()
    >>> c.tick()
    >>> c.count
    1
    """

    @functools.wraps(method)
    def recorded(*args: Any, **kwargs: Any) -> Any:
        recorder = listening() if capturing.threads else None
        if recorder is None:
            return method(*args, **kwargs)
        return recorder.record_effect(method, args, kwargs)

    return recorded  # type: ignore[return-value]
