"""Indexing and joining: ``x[index]``, cat/concatenate, stack.

The gradient of ``x[index]`` is a zero tensor of ``x``'s shape with the
gradient added at ``index``. *Added*, not assigned: with advanced indexing the
same element can be picked several times (``x[[0, 0]]``), and each pick
contributes, so repeated indices accumulate (``numpy.add.at``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.broadcast import unbroadcast
from mytorch.ops.reductions import reduction_axes

__all__ = ["cat", "concatenate", "stack"]


def _plain_index(index: Any) -> Any:
    """Replace Tensors inside an index by their arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(item.data if isinstance(item, Tensor) else item for item in index)
    return index


def _index_tensors(index: Any) -> tuple[Tensor, ...]:
    """The Tensors inside an index (their arrays become the index)."""
    if isinstance(index, Tensor):
        return (index,)
    if isinstance(index, tuple):
        return tuple(item for item in index if isinstance(item, Tensor))
    return ()


def _is_basic(index: Any) -> bool:
    """Basic indexing (ints, slices, None, ...) never picks an element twice."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(item, (int, np.integer, slice, type(None), type(...))) for item in items)


class GetItem(Function):
    returns_view = True

    @staticmethod
    def forward(
        ctx: BackwardFunction, x: Tensor, index: Any, index_tensors: tuple[Tensor, ...] = ()
    ) -> np.ndarray:
        ctx.shape, ctx.index = x.shape, index
        if index_tensors:
            # The index arrays are these tensors' memory: saving the tensors has
            # backward refuse to run if one was changed in place since.
            ctx.save_for_backward(*index_tensors)
        return x.data[index]

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        ctx.check_usable()
        grads = (IndexAdd.apply(grad, ctx.shape, ctx.index), None)
        return grads if len(ctx.needs_input_grad) == 2 else (*grads, None)


class IndexAdd(Function):
    """Zeros of ``shape`` with ``values`` added at ``index``: GetItem's backward."""

    @staticmethod
    def forward(
        ctx: BackwardFunction, values: Tensor, shape: tuple[int, ...], index: Any
    ) -> np.ndarray:
        ctx.index = index
        out = np.zeros(shape, dtype=values.dtype)
        if _is_basic(index):
            out[index] = values.data
        else:
            np.add.at(out, index, values.data)
        return out

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None]:
        return GetItem.apply(grad, ctx.index), None, None


class SetItem(Function):
    """``x`` with ``values`` written at ``index`` (a new array): ``x[index] = values``.

    The gradient reaching ``x`` is zero at the written positions (their old
    values were overwritten); ``values`` gets the gradient at those positions,
    summed back to its shape when it was broadcast.
    """

    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, values: Tensor, index: Any) -> np.ndarray:
        ctx.shape, ctx.index, ctx.values_shape = x.shape, index, values.shape
        out = x.data.copy()
        out[index] = values.data
        return out

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        need_x, need_values, _ = ctx.needs_input_grad
        grad_x = grad_values = None
        if need_x:
            kept = np.ones(ctx.shape, dtype=grad.dtype)
            kept[ctx.index] = 0
            grad_x = grad * Tensor._wrap(kept)
        if need_values:
            grad_values = unbroadcast(GetItem.apply(grad, ctx.index), ctx.values_shape)
        return grad_x, grad_values, None


class Cat(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, axis: int, *tensors: Tensor) -> np.ndarray:
        ctx.axis = axis
        ctx.bounds = np.cumsum([0] + [t.shape[axis] for t in tensors]).tolist()
        return np.concatenate([t.data for t in tensors], axis=axis)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        before = (slice(None),) * ctx.axis
        grads = [
            grad[(*before, slice(start, stop))] if needed else None
            for start, stop, needed in zip(ctx.bounds, ctx.bounds[1:], ctx.needs_input_grad[1:])
        ]
        return (None, *grads)


class Stack(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, axis: int, *tensors: Tensor) -> np.ndarray:
        ctx.axis = axis
        return np.stack([t.data for t in tensors], axis=axis)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        before = (slice(None),) * ctx.axis
        needed = ctx.needs_input_grad[1:]
        return (None, *(grad[(*before, i)] if needed[i] else None for i in range(len(needed))))


def getitem(input: Tensor, index: Any) -> Tensor:
    """``input[index]`` with numpy's basic and advanced indexing."""
    tensors = _index_tensors(index)
    index = _plain_index(index)
    try:
        if tensors:
            return GetItem.apply(input, index, tensors)
        return GetItem.apply(input, index)
    except IndexError as error:
        raise IndexError(f"getitem: {error} (tensor of shape {shape_str(input.shape)})") from error


def setitem(input: Tensor, index: Any, value: Any) -> None:
    """``input[index] = value`` with numpy's indexing and broadcasting, as PyTorch.

    On a tensor that needs no gradient (or under ``no_grad``) the values are
    written in place. On a tensor in the graph, or with a ``value`` that
    requires grad, the write is recorded (``SetItem``) and the tensor's history
    moves on; its version counter is bumped either way, so a node that saved
    it notices. A leaf that requires grad is refused, as in PyTorch.
    """
    index = _plain_index(index)
    recording = input._begin_inplace("setitem", value)
    input._check_writeable("setitem")
    try:
        if recording:
            values = value if isinstance(value, Tensor) else Tensor._wrap(np.asarray(value))
            if values.data.dtype != input.data.dtype:
                values = values.to(input.dtype)  # written into the tensor: its dtype
            input._rebase(SetItem.apply(input, values, index), "setitem")
            return
        input.data[index] = value.data if isinstance(value, Tensor) else value
    except (IndexError, ValueError) as error:
        shape = shape_str(np.shape(value.data if isinstance(value, Tensor) else value))
        raise type(error)(
            f"setitem: {error} (a value of shape {shape} into a tensor of shape "
            f"{shape_str(input.shape)})"
        ) from error
    input._bump_version()


def _tensors(op: str, tensors: Sequence[Any]) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, Sequence) or not tensors:
        raise TypeError(f"{op}: expected a non-empty list of tensors")
    parts = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    first = parts[0].data.dtype
    if any(part.data.dtype is not first for part in parts):
        # Mixed dtypes join in PyTorch's result dtype (numpy's could be wider).
        target = functools.reduce(dtypes.promote_types, [part.data.dtype for part in parts])
        parts = [part if part.data.dtype is target else part.to(target) for part in parts]
    return parts


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension ``dim``.

    Raises
    ------
    ValueError
        If the tensors differ in any dimension other than ``dim``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.cat([mytorch.zeros(2, 3), mytorch.ones(1, 3)]).shape
    (3, 3)
    """
    parts = _tensors("cat", tensors)
    axes, _ = reduction_axes("cat", parts[0].ndim, dim, False, None, None)
    if parts[0].ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated; use stack")
    return Cat.apply(axes[0], *parts)


concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors of equal shape along a new dimension ``dim``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.stack([mytorch.zeros(3), mytorch.ones(3)], dim=1).shape
    (3, 2)
    """
    parts = _tensors("stack", tensors)
    axes, _ = reduction_axes("stack", parts[0].ndim + 1, dim, False, None, None)
    shapes = {t.shape for t in parts}
    if len(shapes) > 1:
        raise ValueError(
            "stack: all tensors must have the same shape, got "
            + ", ".join(shape_str(t.shape) for t in parts)
        )
    return Stack.apply(axes[0], *parts)
