"""Softmax and log-softmax along one dimension, and logsumexp; stable for inputs of +-1000.

``log_softmax`` is a primitive with its own backward: built from ``x -
logsumexp(x)`` it would also be right, but one node is faster and it is the
heart of every classification loss. ``softmax`` is its exponential.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor
from mytorch.ops.reductions import Dims, dropped_shape, kept_shape, reduction_axes, spread

__all__ = ["log_softmax", "logsumexp", "softmax"]


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, axis: int) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.axis = axis
        return stable_log_softmax(x.data, axis)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        # y_i = x_i - log(sum_j exp(x_j)), so dy_i/dx_k = [i == k] - softmax_k and
        # the vector-Jacobian product is grad - softmax * sum(grad).
        softmax = LogSoftmax.apply(x, ctx.axis).exp()
        return grad - softmax * grad.sum(dim=ctx.axis, keepdim=True), None


def stable_log_softmax(data: np.ndarray, axis: int) -> np.ndarray:
    """``log(softmax(data))`` along ``axis`` in numpy, for forward passes.

    Subtracting the maximum first is exact, so float32 keeps its full precision
    even for inputs of +-1000 (``x - logsumexp(x)`` would not).
    """
    if data.size == 0:  # nothing to normalise (numpy's max of no elements would fail)
        return data.copy()
    rows, classes = data.shape if data.ndim == 2 else (0, 0)
    if axis in (1, -1) and 1 < classes <= 32 and rows > classes:
        # Many short rows (a batch of logits over ten classes): numpy reduces a short
        # contiguous axis one row at a time, slowly. On the transposed copy each
        # reduction runs along rows of N values instead: about twice as fast at
        # (100, 10), four times at (1000, 10), even with the two transposing copies.
        return np.ascontiguousarray(stable_log_softmax(np.ascontiguousarray(data.T), 0).T)
    shifted = data - np.maximum.reduce(data, axis=axis, keepdims=True)
    return shifted - np.log(np.add.reduce(np.exp(shifted), axis=axis, keepdims=True))


def _axis(op: str, input: Tensor, dim: int | None) -> int:
    if dim is None:
        raise TypeError(f"{op}: dim is required (as in PyTorch's modern API)")
    axes, _ = reduction_axes(op, input.ndim, dim, False, None, None)
    return axes[0] if axes else 0


def log_softmax(input: Tensor, dim: int) -> Tensor:
    """``log(softmax(input))`` along ``dim``, computed stably.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.log_softmax(mytorch.tensor([[1000.0, 1000.0]]), dim=1)
    tensor([[-0.6931472, -0.6931472]])
    """
    axis = _axis("log_softmax", input, dim)
    if input.ndim == 0:
        return input - input  # the log-softmax of a single value is 0
    return LogSoftmax.apply(input, axis)


def softmax(input: Tensor, dim: int) -> Tensor:
    """``exp(input) / sum(exp(input))`` along ``dim``, computed stably.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.softmax(mytorch.tensor([[1000.0, 1000.0]]), dim=1)
    tensor([[0.5, 0.5]])
    """
    _axis("softmax", input, dim)  # checked here too, so that errors name softmax
    return log_softmax(input, dim).exp()


class LogSumExp(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, axes: Any, keepdim: bool) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.axes = axes
        return stable_logsumexp(x.data, axes, keepdim)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        # d logsumexp(x) / dx = softmax(x), recomputed with Tensor ops.
        softmax = (x - x.logsumexp(dim=ctx.axes, keepdim=True)).exp()
        return spread(grad, x.shape, ctx.axes) * softmax, None, None


def stable_logsumexp(data: np.ndarray, axes: Any, keepdim: bool) -> np.ndarray:
    """log(sum(exp(data))) without overflow: shift by the maximum first."""
    if data.size == 0:  # a sum of no terms is 0, and its log -inf (as PyTorch)
        total = np.full(kept_shape(data.shape, axes), -np.inf, dtype=data.dtype)
        return total if keepdim else total.reshape(dropped_shape(data.shape, axes))
    shift = np.max(data, axis=axes, keepdims=True)
    # An all -inf (or +inf) slice would give inf - inf = nan: do not shift it.
    shift = np.where(np.isfinite(shift), shift, 0)
    total = np.log(np.sum(np.exp(data - shift), axis=axes, keepdims=True)) + shift
    return total if keepdim else total.reshape(dropped_shape(data.shape, axes))


def logsumexp(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(input)))`` over ``dim``, computed without overflow.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.logsumexp(mytorch.tensor([1000.0, 1000.0]), dim=0)
    tensor(1000.6932)
    """
    axes, keepdim = reduction_axes("logsumexp", input.ndim, dim, keepdim, None, None)
    return LogSumExp.apply(input, axes, keepdim)
