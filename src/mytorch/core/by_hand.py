"""Calling an op's ``forward`` and ``backward`` by hand, and guarding a user's op.

``Function.__init_subclass__`` (``mytorch.core.function``) keeps each subclass's
methods as written for ``apply`` and the engine, and puts the by-hand forms
below in their place, so that

``ctx = ContextManager(); c = Add.forward(ctx, a, b); Add.backward(ctx, grad)``

works with no graph, as the assignment MyTorch grew out of tests its ops. For an
op defined outside MyTorch it also wraps what ``apply`` and the engine run: the
forward runs without recording (as PyTorch runs custom forwards), and each
gradient the backward returns is checked against its input's shape.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from mytorch.core import grad_mode
from mytorch.core.node import BackwardFunction
from mytorch.core.tensor import Tensor, shape_str

if TYPE_CHECKING:
    from mytorch.core.function import Function

__all__ = ["ContextManager"]


class ContextManager(BackwardFunction):
    """A context made by hand, to call an op's ``forward`` and ``backward`` directly.

    The assignment MyTorch grew out of checks each op this way, with no
    ``apply`` and no graph: make a context, call ``forward`` on it, then
    ``backward``. It works as the ctx that ``apply`` makes (``save_for_backward``,
    ``saved_tensors``, plain attributes), and its ``needs_input_grad`` says that
    every tensor given to ``forward`` needs a gradient.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.autograd import ContextManager
    >>> from mytorch.ops.arithmetic import Mul
    >>> ctx = ContextManager()
    >>> Mul.forward(ctx, mytorch.tensor([1.0, 2.0]), mytorch.tensor([3.0, 4.0]))
    tensor([3., 8.])
    >>> ctx.needs_input_grad
    (True, True)
    >>> Mul.backward(ctx, mytorch.ones(2))
    (tensor([3., 4.]), tensor([1., 2.]))
    """

    _tensor_inputs: tuple[bool, ...] = ()

    def __init__(self) -> None:
        super().__init__(type(self))

    def name(self) -> str:
        """Return ``'ContextManager'``, the name errors give for this context.

        Examples
        --------
        >>> from mytorch.autograd import ContextManager
        >>> ContextManager().name()
        'ContextManager'
        """
        return "ContextManager"

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """True for every Tensor argument of the ``forward`` called on this context.

        Empty until ``forward`` has been called.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch.autograd import ContextManager
        >>> from mytorch.ops.reductions import Sum
        >>> ctx = ContextManager()
        >>> _ = Sum.forward(ctx, mytorch.ones(2, 3), (1,), False)
        >>> ctx.needs_input_grad
        (True, False, False)
        """
        return self._tensor_inputs

    def _note_inputs(self, args: tuple[object, ...]) -> None:
        self._tensor_inputs = tuple([isinstance(arg, Tensor) for arg in args])


def _input_shapes(args: tuple[Any, ...]) -> tuple[tuple[int, ...] | None, ...]:
    return tuple([arg.shape if isinstance(arg, Tensor) else None for arg in args])


def user_forward(forward: Callable[..., Any]) -> Callable[..., np.ndarray]:
    """What ``apply`` runs for a user's op: no recording inside, an array out."""

    @functools.wraps(forward)
    def run(ctx: Any, *args: Any) -> np.ndarray:
        if isinstance(ctx, BackwardFunction):
            ctx._input_shapes = _input_shapes(args)  # read by _checked_backward
        with grad_mode.no_grad():
            out = forward(ctx, *args)
        return out.data if isinstance(out, Tensor) else out

    return run


def forward_by_hand(forward: Callable[..., Any]) -> Callable[..., Tensor]:
    """``Op.forward(ctx, *args)`` called directly: the result is always a Tensor."""

    @functools.wraps(forward)
    def forward_by_hand(ctx: Any, *args: Any) -> Tensor:
        if isinstance(ctx, ContextManager):
            ctx._note_inputs(args)
            # Every tensor input needs a gradient here, so forward must save what
            # backward needs for each (Mul keeps b only if a requires grad):
            # it is given leaves that require grad, sharing the inputs' data.
            args = tuple([_requiring_grad(arg) for arg in args])
        out = forward(ctx, *args)
        return out if isinstance(out, Tensor) else Tensor._wrap(out)

    return forward_by_hand


def _requiring_grad(arg: Any) -> Any:
    if not isinstance(arg, Tensor) or arg.requires_grad:
        return arg
    leaf = Tensor._wrap(arg.data)
    leaf.requires_grad = True
    return leaf


def backward_by_hand(cls: type[Function]) -> Callable[..., Any]:
    """``Op.backward(ctx, grad)`` called directly: plain Tensors out, arrays accepted in."""

    @functools.wraps(cls._run_backward)
    def backward_by_hand(ctx: Any, grad_output: Any) -> Any:
        if not isinstance(grad_output, Tensor):
            grad_output = Tensor._wrap(np.asarray(grad_output))
        if isinstance(ctx, ContextManager):
            # Outside any graph the formulas are not recorded (as in a backward
            # without create_graph): the gradients come out as constants.
            with grad_mode.no_grad():
                grads = cls._run_backward(ctx, grad_output)
        else:  # one op's backward calling another's, as in a fused shortcut
            grads = cls._run_backward(ctx, grad_output)
        if type(grads) is tuple:
            return tuple([_as_tensor_or_none(grad) for grad in grads])
        return _as_tensor_or_none(grads)

    return backward_by_hand


def _as_tensor_or_none(grad: Any) -> Tensor | None:
    return grad if grad is None or isinstance(grad, Tensor) else Tensor._wrap(np.asarray(grad))


def checked_backward(backward: Callable[..., Any]) -> Callable[..., Any]:
    """What the engine runs for a user's op: each gradient checked against its input.

    As PyTorch does, a gradient with the input's shape passes, one that is
    larger by broadcasting is summed down to it, and any other is an error
    naming the op and the input: a gradient that only broadcasts *up* to the
    input (``ones(1)`` for a (3,) input) would otherwise be silently spread
    over every element further up the graph.
    """

    @functools.wraps(backward)
    def run(ctx: Any, grad_output: Tensor) -> Any:
        grads = backward(ctx, grad_output)
        shapes = getattr(ctx, "_input_shapes", None)
        if shapes is None:
            return grads
        listed = grads if type(grads) is tuple else (grads,)
        if len(listed) != len(shapes):
            return grads  # the node reports the wrong count, naming the op
        return tuple(
            [
                _fit_gradient(ctx, index, grad, shape)
                for index, (grad, shape) in enumerate(zip(listed, shapes))
            ]
        )

    return run


def _fit_gradient(ctx: Any, index: int, grad: Any, shape: tuple[int, ...] | None) -> Any:
    if grad is None or shape is None:
        return grad
    if not isinstance(grad, Tensor):
        grad = Tensor._wrap(np.asarray(grad))
    if grad.shape == shape:
        return grad
    try:
        expandable = np.broadcast_shapes(shape, grad.shape) == grad.shape
    except ValueError:
        expandable = False
    if not expandable:
        raise RuntimeError(
            f"Function {ctx.name()} returned an invalid gradient at index {index}: got shape "
            f"{shape_str(grad.shape)} but expected a shape compatible with {shape_str(shape)}"
        )
    # Imported here: core does not import ops at module level (ops import core).
    from mytorch.ops.broadcast import unbroadcast

    return unbroadcast(grad, shape)
