"""``Function``: how an op is written, and how ``apply`` records it in the graph.

An op is a ``Function`` subclass with two static methods side by side:

* ``forward(ctx, *inputs)`` computes the result with numpy on ``input.data`` and
  returns an ndarray;
* ``backward(ctx, grad_output)`` returns one gradient per input, written with
  Tensor operations so that, with ``create_graph=True``, the backward pass is
  itself recorded and can be differentiated again.

``Function.apply`` runs forward and, when an input requires grad, records a
``BackwardFunction`` node (see ``mytorch.core.node``) whose parents are the
inputs' nodes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core import anomaly, grad_mode
from mytorch.core.node import AccumulateGrad, BackwardFunction
from mytorch.core.tensor import Tensor, shape_str

# AccumulateGrad and BackwardFunction are re-exported: ops import them from here.
__all__ = ["AccumulateGrad", "BackwardFunction", "Function"]

_grad_state = grad_mode._state


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
            (arg._node or arg._accumulator or arg._grad_accumulator())
            if isinstance(arg, Tensor) and arg.requires_grad
            else None
            for arg in args
        ]
    )
    out.requires_grad = True
    out.is_leaf = False
    out._node = node
