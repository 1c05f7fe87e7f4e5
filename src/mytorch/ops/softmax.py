"""Softmax and log-softmax along one dimension, stable for inputs of +-1000.

``log_softmax`` is a primitive with its own backward: built from ``x -
logsumexp(x)`` it would also be right, but one node is faster and it is the
heart of every classification loss. ``softmax`` is its exponential.
"""

from __future__ import annotations

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor
from mytorch.ops.reductions import reduction_axes

__all__ = ["log_softmax", "softmax"]


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
