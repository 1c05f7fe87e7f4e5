"""``Function`` (how an op is written) and the graph's node kinds.

An op is a ``Function`` subclass with two static methods side by side:

* ``forward(ctx, *inputs)`` computes the result with numpy on ``input.data`` and
  returns an ndarray;
* ``backward(ctx, grad_output)`` returns one gradient per input, written with
  Tensor operations so that, with ``create_graph=True``, the backward pass is
  itself recorded and can be differentiated again.

``Function.apply`` runs forward and, when gradients are needed, records a node.
The graph has three kinds of node, as in the assignment MyTorch grew out of:

1. ``AccumulateGrad``: the sink of a leaf that requires grad; it adds incoming
   gradients into the leaf's ``.grad``.
2. ``BackwardFunction``: made for each recorded op; it calls the op's backward.
   It is also the op's ``ctx``, as in PyTorch: one object per op.
3. ``None``: a parent that needs no gradient (a constant).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from mytorch.core import anomaly, grad_mode
from mytorch.core.tensor import Tensor, shape_str

__all__ = ["AccumulateGrad", "BackwardFunction", "Function"]

_grad_state = grad_mode._state


class BackwardFunction:
    """The node recorded for one op application; also the op's ``ctx``.

    Attributes
    ----------
    function : type[Function]
        The op whose backward this node runs.
    next_functions : tuple
        The node of each input, in input order: a ``BackwardFunction``, an
        ``AccumulateGrad``, or None for an input that needs no gradient.

    Examples
    --------
    >>> import mytorch
    >>> a = mytorch.tensor(1.0, requires_grad=True)
    >>> d = a * mytorch.tensor(2.0)
    >>> d.grad_fn
    <MulBackward>
    >>> d.grad_fn.next_functions
    (<AccumulateGrad>, None)
    """

    # ``__dict__`` stays so that ops can keep plain attributes on ctx
    # (``ctx.dim = dim``); the fixed fields use slots for speed.
    __slots__ = (
        "__dict__",
        "__weakref__",
        "_released",
        "_retained",
        "_saved",
        "_saved_versions",
        "function",
        "next_functions",
    )

    def __init__(self, function: type[Function]) -> None:
        self.function = function
        self.next_functions: tuple[BackwardFunction | AccumulateGrad | None, ...] = ()
        self._saved: tuple[Tensor | None, ...] = ()
        self._saved_versions: tuple[int, ...] | None = None
        self._released = False
        self._retained: weakref.ref[Tensor] | None = None

    def name(self) -> str:
        """Return the node's name, e.g. ``'MulBackward'``."""
        return self.function.__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    # ------------------------------------------------------------- ctx side
    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep input tensors for backward; their versions are checked then."""
        self._saved = tensors
        # Most saved tensors were never changed in place (version 0): keep a tuple
        # of versions only when one was. One object fewer per node matters on big
        # graphs, where Python's cyclic garbage collector scans every object.
        self._saved_versions = None
        for tensor in tensors:
            if tensor is not None and tensor._version:
                self._saved_versions = tuple(0 if t is None else t._version for t in tensors)
                break

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The tensors given to ``save_for_backward``, checked for in-place changes."""
        self.check_usable()
        return self._saved

    def check_usable(self) -> None:
        """Raise if backward cannot run: the graph was released or a saved tensor changed."""
        if self._released:
            raise self._released_error()
        versions = self._saved_versions
        for index, tensor in enumerate(self._saved):
            version = 0 if versions is None else versions[index]
            if tensor is not None and tensor._version != version:
                raise RuntimeError(
                    f"{self.name()}: a tensor of shape {shape_str(tensor.shape)} that this op "
                    f"saved for backward was modified in place after it was saved "
                    f"(version {version} then, {tensor._version} now); "
                    "use an out-of-place operation or clone it before changing it"
                )

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input, whether backward must compute its gradient."""
        return tuple(node is not None for node in self.next_functions)

    # ---------------------------------------------------------- engine side
    def apply(self, grad_output: Tensor, retain_graph: bool) -> tuple[Tensor | None, ...]:
        """Run the op's backward; release what it saved unless told to retain it."""
        if self._released:
            raise self._released_error()
        grads = self.function.backward(self, grad_output)
        if type(grads) is not tuple:
            grads = (grads,)
        if len(grads) != len(self.next_functions):
            raise RuntimeError(
                f"{self.name()}: backward returned {len(grads)} gradients "
                f"for {len(self.next_functions)} inputs"
            )
        if not retain_graph:
            self.release()
        return grads

    def release(self) -> None:
        """Free the saved tensors and ctx attributes; a later backward raises."""
        self._released = True
        self._saved = ()
        self.__dict__.clear()

    def retain_grad_of(self, tensor: Tensor) -> None:
        """Have backward store the gradient of ``tensor`` (this node's output)."""
        # A weak reference: the output tensor holds this node, so a strong one
        # back would be a reference cycle.
        self._retained = weakref.ref(tensor)

    def _released_error(self) -> RuntimeError:
        return RuntimeError(
            f"{self.name()}: trying to backward through the graph a second time, "
            "but its saved tensors were already freed after the first backward; "
            "pass retain_graph=True to the first backward to keep them"
        )


class AccumulateGrad:
    """The gradient sink of a leaf that requires grad.

    Applying it adds the incoming gradient into the leaf's ``.grad`` (a fresh
    buffer the first time, then in place), so gradients from several backward
    calls add up until ``zero_grad`` clears them.

    Examples
    --------
    >>> import mytorch
    >>> w = mytorch.tensor([1.0, 2.0], requires_grad=True)
    >>> w.grad_fn
    <AccumulateGrad>
    >>> w.grad_fn.variable is w
    True
    """

    __slots__ = ("__weakref__", "variable")

    next_functions: tuple[()] = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        """Return ``'AccumulateGrad'``."""
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"

    def apply(self, grad: Tensor, create_graph: bool) -> None:
        """Add ``grad`` into ``variable.grad``."""
        variable = self.variable
        if grad.shape != variable.shape:
            raise RuntimeError(
                f"AccumulateGrad: got a gradient of shape {shape_str(grad.shape)} for a leaf "
                f"of shape {shape_str(variable.shape)}"
            )
        accumulate_into(variable, grad, create_graph)


def accumulate_into(tensor: Tensor, grad: Tensor, create_graph: bool) -> None:
    """Add ``grad`` into ``tensor.grad``, cast to the tensor's dtype."""
    if create_graph:
        # Keep the gradient's own graph so it can be differentiated again.
        if grad.dtype != tensor.dtype:
            grad = grad.to(tensor.dtype)
        tensor.grad = grad if tensor.grad is None else tensor.grad + grad
    elif tensor.grad is None or tensor.grad.requires_grad:
        # A fresh buffer: the incoming array may be shared with other gradients.
        fresh = np.array(grad.data, dtype=tensor.dtype, copy=True)
        tensor.grad = Tensor._wrap(fresh if tensor.grad is None else fresh + tensor.grad.data)
    else:
        np.add(tensor.grad.data, grad.data, out=tensor.grad.data, casting="unsafe")


class Function:
    """Base class of every differentiable op.

    Subclass it and write two static methods:

    ``forward(ctx, *args)``
        Compute the result from the inputs' ``.data`` with numpy and return an
        ndarray. Save what backward needs with ``ctx.save_for_backward(...)``
        (tensors) or as plain attributes (``ctx.dim = dim``).
    ``backward(ctx, grad_output)``
        Given the gradient of the result, return one gradient per argument of
        forward (a Tensor of that input's shape, or None for an argument that is
        not a tensor or needs no gradient). Use Tensor operations, so that
        ``create_graph=True`` can differentiate the backward pass itself.

    Then call ``YourOp.apply(*args)``.

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
    """

    @staticmethod
    def forward(ctx: BackwardFunction, *args: Any) -> np.ndarray:
        """Compute the op's result as an ndarray."""
        raise NotImplementedError

    @staticmethod
    def backward(ctx: BackwardFunction, grad_output: Tensor) -> Any:
        """Return the gradient of each input, given the gradient of the result."""
        raise NotImplementedError

    # True for ops whose result can be a view of their first input (reshape,
    # permute, basic indexing): the result then shares the input's version
    # counter, so an in-place change through either is seen by both.
    returns_view = False

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        """Run forward on ``args`` and, if any input requires grad, record a node."""
        if _grad_state.enabled:
            for arg in args:
                if isinstance(arg, Tensor) and arg.requires_grad:
                    node = BackwardFunction(cls)
                    out = _forward(cls, node, args)
                    _link(node, out, args)
                    return out
        # Nothing to record: forward gets a throwaway context, and no node is made.
        return _forward(cls, _ForwardOnly(), args)


class _ForwardOnly:
    """The ctx of an op that records nothing: what forward saves is simply dropped."""

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        pass


def _forward(cls: type[Function], ctx: Any, args: tuple[Any, ...]) -> Tensor:
    try:
        out = Tensor._wrap(cls.forward(ctx, *args))
    except ValueError as error:
        # numpy's message (e.g. "could not be broadcast") names no op.
        raise _forward_error(cls, args, error) from error
    if cls.returns_view and np.may_share_memory(out.data, args[0].data):
        args[0]._share_version_with(out)
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
    node.next_functions = tuple(
        [
            (arg._node or arg._grad_accumulator())
            if isinstance(arg, Tensor) and arg.requires_grad
            else None
            for arg in args
        ]
    )
    out.requires_grad = True
    out.is_leaf = False
    out._node = node
