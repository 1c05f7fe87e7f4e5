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
        """Return the node's name: the op's class name followed by ``'Backward'``.

        Returns
        -------
        str
            For example ``'MulBackward'``; errors and ``repr`` use it.

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.tensor(2.0, requires_grad=True)
        >>> (x * 3).grad_fn.name()
        'MulBackward'
        """
        return self.function.__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    # ------------------------------------------------------------- ctx side
    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for backward; called by an op's ``forward`` on its ``ctx``.

        Each tensor's version counter is noted now, so that ``saved_tensors``
        can refuse to hand back a tensor that was since changed in place.

        Parameters
        ----------
        *tensors : Tensor or None
            The tensors backward needs (usually inputs; never the op's own
            output, which would make a reference cycle).

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> b = mytorch.tensor([3.0, 4.0])
        >>> node = (a * b).grad_fn  # Mul's forward saved both inputs
        >>> [t.tolist() for t in node.saved_tensors]
        [[1.0, 2.0], [3.0, 4.0]]
        """
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
        """The tensors given to ``save_for_backward``, checked for in-place changes.

        Raises
        ------
        RuntimeError
            If the graph was released by an earlier backward, or a saved tensor
            was modified in place after it was saved.

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor(2.0, requires_grad=True)
        >>> node = a.exp().grad_fn
        >>> node.saved_tensors
        (tensor(2., requires_grad=True),)
        """
        self.check_usable()
        return self._saved

    def check_usable(self) -> None:
        """Raise if backward cannot run: the graph was released or a saved tensor changed.

        Raises
        ------
        RuntimeError
            Naming the node and, for an in-place change, the tensor's shape and
            its version then and now.

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> b = mytorch.tensor([3.0, 4.0])
        >>> node = (a * b).grad_fn
        >>> node.check_usable()  # nothing changed: no error
        >>> b.add_(1.0)
        tensor([4., 5.])
        >>> node.check_usable()
        Traceback (most recent call last):
            ...
        RuntimeError: MulBackward: a tensor of shape (2,) that this op saved for backward was ...
        """
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
        """For each input, whether backward must compute its gradient.

        An op's ``backward`` may return None for an input whose entry is False.

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor(1.0, requires_grad=True)
        >>> (a * mytorch.tensor(2.0)).grad_fn.needs_input_grad
        (True, False)
        """
        return tuple(node is not None for node in self.next_functions)

    # ---------------------------------------------------------- engine side
    def apply(self, grad_output: Tensor, retain_graph: bool) -> tuple[Tensor | None, ...]:
        """Run the op's backward; release what it saved unless told to retain it.

        The engine calls this once per node during ``backward``.

        Parameters
        ----------
        grad_output : Tensor
            The gradient of the loss with respect to this node's output.
        retain_graph : bool
            If False, free the saved tensors afterwards (see ``release``).

        Returns
        -------
        tuple of (Tensor or None)
            One gradient per input of the op, in input order.

        Raises
        ------
        RuntimeError
            If the node was released, or the op's backward returned the wrong
            number of gradients.

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor(2.0, requires_grad=True)
        >>> node = (a * mytorch.tensor(3.0)).grad_fn
        >>> node.apply(mytorch.tensor(1.0), retain_graph=True)
        (tensor(3.), None)
        """
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
        """Free the saved tensors and ctx attributes; a later backward raises.

        ``backward`` calls this on every node it runs unless
        ``retain_graph=True``.

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor(2.0, requires_grad=True)
        >>> node = a.exp().grad_fn
        >>> node.release()
        >>> node.saved_tensors
        Traceback (most recent call last):
            ...
        RuntimeError: ExpBackward: trying to backward through the graph a second time, ...
        """
        self._released = True
        self._saved = ()
        self.__dict__.clear()

    def retain_grad_of(self, tensor: Tensor) -> None:
        """Have backward store the gradient of ``tensor`` (this node's output).

        ``Tensor.retain_grad`` calls this on a non-leaf tensor's node.

        Parameters
        ----------
        tensor : Tensor
            The output of this node; only a weak reference to it is kept.

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor(2.0, requires_grad=True)
        >>> b = a * 3
        >>> b.grad_fn.retain_grad_of(b)  # what b.retain_grad() does
        >>> (b * b).backward()
        >>> b.grad
        tensor(12.)
        """
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
        """Return ``'AccumulateGrad'``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.tensor(1.0, requires_grad=True).grad_fn.name()
        'AccumulateGrad'
        """
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"

    def apply(self, grad: Tensor, create_graph: bool) -> None:
        """Add ``grad`` into ``variable.grad``.

        Parameters
        ----------
        grad : Tensor
            A gradient of the leaf's shape.
        create_graph : bool
            If True, the addition is recorded so the gradient can be
            differentiated again; otherwise it is done on plain arrays.

        Raises
        ------
        RuntimeError
            If ``grad``'s shape differs from the leaf's.

        Examples
        --------
        >>> import mytorch
        >>> w = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> w.grad_fn.apply(mytorch.tensor([0.5, 0.5]), create_graph=False)
        >>> w.grad_fn.apply(mytorch.tensor([0.5, 0.5]), create_graph=False)
        >>> w.grad
        tensor([1., 1.])
        """
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
        """Compute the op's result as an ndarray; a subclass must override it.

        Parameters
        ----------
        ctx : BackwardFunction
            The op's context: save what backward needs on it.
        *args
            The arguments given to ``apply`` (Tensors and plain values).

        Returns
        -------
        numpy.ndarray
            The result, which ``apply`` wraps in a Tensor.

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
