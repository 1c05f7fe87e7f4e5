"""``Function``: how an op is written, and how ``apply`` records it in the graph.

An op is a ``Function`` subclass with two static methods side by side:

* ``forward(ctx, *inputs)`` computes the result. MyTorch's own ops compute with
  numpy on ``input.data`` and return an ndarray; a user's op may return a Tensor
  too, as in PyTorch.
* ``backward(ctx, grad_output)`` returns one gradient per input, written with
  Tensor operations so that, with ``create_graph=True``, the backward pass is
  itself recorded and can be differentiated again.

``Function.apply`` runs forward and, when an input requires grad, records a
``BackwardFunction`` node (see ``mytorch.core.node``) whose parents are the
inputs' nodes.

Both methods can also be called by hand, with no ``apply`` and no graph, on a
``ContextManager`` (the assignment's tests check ops this way):
``ctx = ContextManager(); c = Add.forward(ctx, a, b); Add.backward(ctx, grad)``.
Called so, ``forward`` always returns a Tensor. To keep ``apply`` as fast as it
was, ``Function.__init_subclass__`` keeps the methods as written for ``apply`` and
the engine (``_run_forward``, ``_run_backward``), and puts the by-hand wrappers
of ``mytorch.core.by_hand`` in their place as ``forward`` and ``backward``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mytorch.core import anomaly, capture, grad_mode
from mytorch.core.by_hand import (
    ContextManager,
    backward_by_hand,
    checked_backward,
    forward_by_hand,
    user_forward,
)
from mytorch.core.node import AccumulateGrad, BackwardFunction
from mytorch.core.tensor import Tensor, shape_str

# AccumulateGrad and BackwardFunction are re-exported: ops import them from here.
__all__ = ["AccumulateGrad", "BackwardFunction", "ContextManager", "Function"]

_grad_state = grad_mode._state
_capturing = capture.capturing
_wrap = Tensor._wrap  # bound once: every op's result goes through it


class Function:
    """Base class of every differentiable op.

    Subclass it and write two static methods:

    ``forward(ctx, *args)``
        Compute the result and return it: an ndarray computed with numpy from
        the inputs' ``.data`` (as MyTorch's own ops do), or a Tensor computed
        with Tensor operations (as PyTorch's custom Functions do; they run
        without recording, as in PyTorch). Save what backward needs with
        ``ctx.save_for_backward(...)`` (tensors) or as plain attributes
        (``ctx.dim = dim``).
    ``backward(ctx, grad_output)``
        Given the gradient of the result, return one gradient per argument of
        forward (a Tensor of that input's shape, or None for an argument that is
        not a tensor or needs no gradient). Use Tensor operations, so that
        ``create_graph=True`` can differentiate the backward pass itself. A
        gradient with extra broadcast axes is summed down to the input's shape,
        as PyTorch does; one that cannot come from that shape is an error
        naming your Function and the input.

    Then call ``YourOp.apply(*args)``. Both methods can also be called by
    hand on a fresh :class:`~mytorch.autograd.ContextManager`; ``forward``
    then always returns a Tensor.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import Function
    >>> class Cube(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x.data ** 3
    ...     @staticmethod
    ...     def backward(ctx, grad_output):
    ...         (x,) = ctx.saved_tensors
    ...         return grad_output * 3 * x * x
    >>> x = mytorch.tensor(2.0, requires_grad=True)
    >>> Cube.apply(x).backward()
    >>> x.grad
    tensor(12.)

    By hand, with no graph:

    >>> from mytorch.autograd import ContextManager
    >>> ctx = ContextManager()
    >>> Cube.forward(ctx, mytorch.tensor(2.0))
    tensor(8.)
    >>> Cube.backward(ctx, mytorch.tensor(1.0))
    tensor(12.)
    """

    # What apply and the engine call: the methods as the subclass wrote them
    # (set by __init_subclass__; see the module docstring).
    _run_forward: Callable[..., Any]
    _run_backward: Callable[..., Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # MyTorch's own ops compute on arrays and return correct shapes by
        # construction; a user's op is run without grad and has its gradients'
        # shapes checked, as PyTorch does for custom Functions.
        own_op = cls.__module__.startswith("mytorch.")
        forward = cls.__dict__.get("forward")
        if forward is not None:
            written = forward.__func__ if isinstance(forward, staticmethod) else forward
            cls._run_forward = staticmethod(written if own_op else user_forward(written))
            cls.forward = staticmethod(forward_by_hand(written))
        backward = cls.__dict__.get("backward")
        if backward is not None:
            written = backward.__func__ if isinstance(backward, staticmethod) else backward
            cls._run_backward = staticmethod(written if own_op else checked_backward(written))
            cls.backward = staticmethod(backward_by_hand(cls))

    @staticmethod
    def forward(ctx: BackwardFunction, *args: Any) -> np.ndarray | Tensor:
        """Compute the op's result; a subclass must override it.

        Parameters
        ----------
        ctx : BackwardFunction
            The op's context: save what backward needs on it.
        *args
            The arguments given to ``apply`` (Tensors and plain values).

        Returns
        -------
        numpy.ndarray or Tensor
            The result. ``apply`` wraps an ndarray in a Tensor, and so does a
            call by hand: either way the caller gets a Tensor.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import Function
        >>> class Double(Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         return 2 * x.data
        >>> Double.apply(mytorch.tensor([1.0, 2.0]))
        tensor([2., 4.])
        """
        raise NotImplementedError

    @staticmethod
    def backward(ctx: BackwardFunction, grad_output: Tensor) -> Any:
        """Return the gradient of each input, given the gradient of the result.

        A subclass must override it; the engine calls it through the op's node.

        Parameters
        ----------
        ctx : BackwardFunction
            The context that ``forward`` filled in.
        grad_output : Tensor
            The gradient of the loss with respect to the op's result.

        Returns
        -------
        Tensor, None or tuple of them
            One gradient per argument of ``forward``, in order (None for a
            non-tensor argument or one that needs no gradient).

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import Function
        >>> class Double(Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         return 2 * x.data
        ...     @staticmethod
        ...     def backward(ctx, grad_output):
        ...         return grad_output * 2
        >>> x = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> Double.apply(x).sum().backward()
        >>> x.grad
        tensor([2., 2.])
        """
        raise NotImplementedError

    # True for ops whose result can be a view of their first input (reshape,
    # permute, basic indexing): the result then shares the input's version
    # counter, so an in-place change through either is seen by both.
    returns_view = False

    # True for ops whose backward, run without create_graph, returns each
    # gradient in a new array that nothing else holds: not a view, not
    # grad_output itself, not a saved tensor, and no array returned twice. The
    # engine may then hand such a gradient to a leaf's .grad without a copy.
    fresh_grads = False

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        """Run forward on ``args`` and, if any input requires grad, record a node.

        Parameters
        ----------
        *args
            The op's arguments, passed on to ``forward``.

        Returns
        -------
        Tensor
            The result; it requires grad (and has a ``grad_fn``) when grad
            mode is on and some input requires grad.

        Raises
        ------
        ValueError
            If forward fails on the inputs (e.g. shapes that do not
            broadcast); the message names the op and the input shapes.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch.ops.arithmetic import Mul
        >>> a = mytorch.tensor(2.0, requires_grad=True)
        >>> out = Mul.apply(a, mytorch.tensor(3.0))
        >>> out
        tensor(6., grad_fn=<MulBackward>)
        >>> with mytorch.no_grad():
        ...     Mul.apply(a, mytorch.tensor(3.0)).requires_grad
        False
        """
        if _grad_state.enabled:
            for arg in args:
                if isinstance(arg, Tensor) and arg.requires_grad:
                    node = BackwardFunction(cls)
                    out = _forward(cls, node, args)
                    _link(node, out, args)
                    return out
        # Nothing to record: forward gets a throwaway context, and no node is made.
        return _forward(cls, _ForwardOnly(), args)

    @classmethod
    def _apply_pair(cls, a: Tensor, b: Tensor) -> Tensor:
        """``cls.apply(a, b)`` for two Tensors: the hot path of ``x + y``, ``x * y``, ...

        The same steps as ``apply``, ``_forward`` and ``_link``, with their loops over
        the arguments written out for two tensors and their checks made once: about a
        sixth of a small op's time, which brings ``x + y`` on small tensors level with
        PyTorch's. (``apply`` itself, rewritten as one pass over ``*args``, gained at most
        a third of that: the saving is in the unrolling.) A test checks that it builds
        the same node and result as ``apply``. For ops whose result is never a view of
        an input (the arithmetic operators); capture and anomaly mode take ``apply``'s
        general path. Code that wraps ``apply`` (``mytorch.viz.trace``) wraps this too.
        """
        if _capturing.threads or anomaly.enabled:
            return cls.apply(a, b)
        a_grad, b_grad = a.requires_grad, b.requires_grad
        if not (_grad_state.enabled and (a_grad or b_grad)):
            return _forward(cls, _ForwardOnly(), (a, b))
        node = BackwardFunction(cls)
        try:
            out = _wrap(cls._run_forward(node, a, b))
        except ValueError as error:
            raise _forward_error(cls, (a, b), error) from error
        node.next_functions = (  # as _link: each input's node, or None for a constant
            (a._node or a._accumulator or a._grad_accumulator()) if a_grad else None,
            (b._node or b._accumulator or b._grad_accumulator()) if b_grad else None,
        )
        out.requires_grad = True
        out.is_leaf = False
        out._node = node
        return out


def apply_outside_graph(cls: type[Function], *args: Any) -> Tensor:
    """Run ``cls``'s forward on ``args`` and never record a node (an op with no gradient).

    For ops whose result is not differentiable (a comparison's bool tensor):
    the result never requires grad, but the op is still an op, so that
    ``mytorch.compile`` records and replays it like any other.
    """
    return _forward(cls, _ForwardOnly(), args)


# The base class's own methods, for a subclass that leaves one out.
Function._run_forward = Function.__dict__["forward"]
Function._run_backward = Function.__dict__["backward"]


class _ForwardOnly:
    """The ctx of an op that records nothing: what forward saves is simply dropped."""

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        pass


def _forward(cls: type[Function], ctx: Any, args: tuple[Any, ...]) -> Tensor:
    if _capturing.threads:  # mytorch.compile is capturing a step somewhere
        recorder = capture.listening()
        if recorder is not None:
            return recorder.record_forward(cls, ctx, args)
    try:
        out = _wrap(cls._run_forward(ctx, *args))
    except ValueError as error:
        # numpy's message (e.g. "could not be broadcast") names no op.
        raise _forward_error(cls, args, error) from error
    if cls.returns_view and np.may_share_memory(out.data, args[0].data):
        args[0]._record_view(out, cls, args[1:])
    if anomaly.enabled:
        _check_forward(cls, ctx, args, out)
    return out


def _check_forward(cls: type[Function], ctx: Any, args: tuple[Any, ...], out: Tensor) -> None:
    shapes = _shapes(args)
    where = anomaly.user_line()
    if anomaly.has_anomaly(out.data):
        raise anomaly.forward_error(cls.__name__.lower(), shapes, where)
    if isinstance(ctx, BackwardFunction):
        ctx.anomaly_info = (shapes, where)  # read by the engine in backward


def _shapes(args: tuple[Any, ...]) -> str:
    return ", ".join(shape_str(arg.shape) for arg in args if isinstance(arg, Tensor))


def _forward_error(cls: type[Function], args: tuple[Any, ...], error: ValueError) -> ValueError:
    shapes = _shapes(args)
    message = str(error)
    if message.startswith(cls.__name__.lower() + ":"):
        return ValueError(f"{message} (input shapes {shapes})")
    return ValueError(f"{cls.__name__.lower()}: {message} (input shapes {shapes})")


def _link(node: BackwardFunction, out: Tensor, args: tuple[Any, ...]) -> None:
    """Record ``node`` as the creator of ``out`` and point it at its inputs' nodes."""
    # A plain loop: on Python 3.11 a list comprehension is a function call of its own.
    parents = []
    for arg in args:
        if isinstance(arg, Tensor) and arg.requires_grad:
            parents.append(arg._node or arg._accumulator or arg._grad_accumulator())
        else:
            parents.append(None)
    node.next_functions = tuple(parents)
    out.requires_grad = True
    out.is_leaf = False
    out._node = node
