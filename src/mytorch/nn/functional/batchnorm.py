"""Batch normalisation: ``batch_norm``, and training mode's fused node.

Evaluation-mode batch_norm is a composition of Tensor operations, so autograd
gives its gradient. Training mode is one fused op with its own backward, for
speed: one node does the work of eleven.

What is not differentiated (the batch count, the running statistics) is
computed on plain numpy arrays, but always inside the op's ``forward``, which
is what lets ``mytorch.compile`` replay a step by running the same forwards
again (see ``layers.py``).
"""

from __future__ import annotations

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.grad_mode import is_grad_enabled
from mytorch.core.tensor import Tensor, shape_str
from mytorch.nn.functional.layers import _channel_sums

__all__ = ["batch_norm"]


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation (Ioffe & Szegedy, 2015) of an ``(N, C, *)`` input (as (N, C, H, W)).

    Each channel ``c`` is normalised over the batch (and spatial) axes, then
    scaled and shifted::

        x_hat = (x - mu) / sqrt(s2 + eps),    y = weight * x_hat + bias

    In training, ``mu`` and the biased ``s2 = mean((x - mu)**2)`` are the batch's
    own, and the running statistics (if given) are updated in place, outside
    the graph, with the unbiased variance (``n`` values per channel)::

        running_mean = (1 - momentum) * running_mean + momentum * mu
        running_var = (1 - momentum) * running_var + momentum * s2 * n / (n - 1)

    In evaluation, ``mu`` and ``s2`` are the running statistics.

    Raises
    ------
    ValueError
        For an input with fewer than 2 dimensions, statistics or weights that are not
        of size C, a training batch with one value per channel, or evaluation
        without running statistics.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> x = mytorch.tensor([[1.0], [3.0]])
    >>> mean, var = mytorch.zeros(1), mytorch.ones(1)
    >>> F.batch_norm(x, mean, var, training=True, eps=0.0)
    tensor([[-1.],
            [ 1.]])
    >>> mean, var
    (tensor([0.2]), tensor([1.1]))
    """
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def _batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None,
    bias: Tensor | None,
    training: bool,
    momentum: float | None,
    eps: float,
    counter: Tensor | None = None,
) -> Tensor:
    """``batch_norm``, plus what the BatchNorm modules add: a batch ``counter`` that the
    op itself counts up in training, and ``momentum=None`` (the cumulative average,
    ``1 / counter`` after counting)."""
    _check_channels(input, running_mean, running_var, weight, bias)
    channels = input.shape[1]
    if training:
        if input.data.size // channels <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, "
                f"got input of shape {shape_str(input.shape)}"
            )
        return BatchNormTraining.apply(
            input, weight, bias, running_mean, running_var, momentum, eps, counter
        )
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: evaluation (training=False) needs running statistics")
    shape = (1, channels) + (1,) * (input.ndim - 2)  # per-channel values, broadcastable
    normalised = (input - running_mean.reshape(shape)) / (running_var.reshape(shape) + eps).sqrt()
    if weight is not None:
        normalised = normalised * weight.reshape(shape)
    if bias is not None:
        normalised = normalised + bias.reshape(shape)
    return normalised


class BatchNormTraining(Function):
    """Training-mode batch normalisation as one node: ``weight * x_hat + bias``.

    Forward counts the batch (the module's ``num_batches_tracked``, if given),
    computes the batch statistics in numpy, moves the running statistics (if
    given) toward them, in place and outside the graph, and
    keeps ``x_hat`` and ``1 / sqrt(var + eps)``. Backward reuses them, except
    with ``create_graph``: then it rebuilds them from ``x`` with Tensor ops, so
    that the batch statistics are differentiated too.
    """

    # Without create_graph, backward's results are new arrays: dx, and the two
    # channel sums (a 4-D input's are reshaped views, which the engine copies).
    fresh_grads = True

    @staticmethod
    def forward(
        ctx: BackwardFunction,
        x: Tensor,
        weight: Tensor | None,
        bias: Tensor | None,
        running_mean: Tensor | None,
        running_var: Tensor | None,
        momentum: float | None,
        eps: float,
        counter: Tensor | None = None,
    ) -> np.ndarray:
        if counter is not None:
            # The module's batch count, counted here, in the op: a compiled step's
            # replay runs this forward again, so it counts (and averages) too.
            # (fill with a Python int: a third of a ufunc's cost on a 0-d array)
            counter.data.fill(int(counter.data) + 1)
            counter._bump_version()
            if momentum is None:  # a cumulative moving average
                momentum = 1.0 / int(counter.data)
        data = x.data
        channels = data.shape[1]
        axes = (0, *range(2, data.ndim))  # every axis but the channels'
        count = data.size // channels
        mean = _channel_sums(data, axes) / count
        centred = data - mean
        if data.ndim == 2:
            # (N, C): einsum sums the squares without storing them, in one call.
            var = np.einsum("ij,ij->j", centred, centred).reshape(mean.shape) / count
        else:
            var = np.add.reduce(centred * centred, axis=axes, keepdims=True) / count
        if running_mean is not None:
            _update(running_mean, mean.reshape(channels), momentum)
        if running_var is not None:
            # The unbiased variance: the factor n / (n - 1) goes into the scalar.
            _update(running_var, var.reshape(channels), momentum, count / (count - 1))
        inv_std = 1.0 / np.sqrt(var + eps)
        x_hat = centred * inv_std
        ctx.save_for_backward(x, weight)
        ctx.x_hat, ctx.inv_std, ctx.axes, ctx.eps = x_hat, inv_std, axes, eps
        ctx.shape = mean.shape  # (C,) or (1, C, 1, ...): per channel, broadcastable
        out = x_hat if weight is None else x_hat * weight.data.reshape(ctx.shape)
        if bias is None:
            return out
        if out is not x_hat and bias.data.dtype is out.dtype:
            out += bias.data.reshape(ctx.shape)  # in place: out is a fresh array
            return out
        return out + bias.data.reshape(ctx.shape)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, weight = ctx.saved_tensors
        need_x, need_weight, need_bias = ctx.needs_input_grad[:3]
        axes, count = ctx.axes, x.data.size // x.shape[1]
        channels = (x.shape[1],)
        # The per-channel sums of the gradient, and of the gradient times x_hat, are
        # the bias's and the weight's gradients; they also make up dx. With
        # g = grad * weight, the batch statistics' own dependence on x gives
        # dx = (g - mean(g) - x_hat * mean(g * x_hat)) / sqrt(var + eps).
        if is_grad_enabled():
            # create_graph=True: the formula in Tensor ops, from x, so it is recorded.
            centred = x - x.mean(dim=axes, keepdim=True)
            inv_std = ((centred * centred).mean(dim=axes, keepdim=True) + ctx.eps) ** -0.5
            x_hat = centred * inv_std
            grad_sum = grad.sum(dim=axes, keepdim=True)
            grad_x_hat_sum = (grad * x_hat).sum(dim=axes, keepdim=True)
            grad_x = None
            if need_x:
                centred_grad = grad - (grad_sum + x_hat * grad_x_hat_sum) / count
                scale = inv_std if weight is None else inv_std * weight.reshape(ctx.shape)
                grad_x = centred_grad * scale
            grad_weight = grad_x_hat_sum.reshape(channels) if need_weight else None
            grad_bias = grad_sum.reshape(channels) if need_bias else None
            return grad_x, grad_weight, grad_bias, None, None, None, None, None
        # Otherwise the same formula in numpy, from what forward kept.
        g, x_hat = grad.data, ctx.x_hat
        grad_sum = _channel_sums(g, axes)
        grad_x_hat_sum = _channel_sums(g * x_hat, axes)
        grad_x = None
        if need_x:
            centred_grad = g - (grad_sum + x_hat * grad_x_hat_sum) / count
            scale = ctx.inv_std if weight is None else ctx.inv_std * weight.data.reshape(ctx.shape)
            grad_x = Tensor._wrap(centred_grad * scale)
        grad_weight = Tensor._wrap(_per_channel(grad_x_hat_sum)) if need_weight else None
        grad_bias = Tensor._wrap(_per_channel(grad_sum)) if need_bias else None
        return grad_x, grad_weight, grad_bias, None, None, None, None, None


def _per_channel(sums: np.ndarray) -> np.ndarray:
    """Channel sums as a (C,) gradient.

    A 2-D input's sums are (C,) already and stay the array itself, not a view
    of it: the engine can then hand it to the leaf's ``.grad`` without a copy.
    """
    return sums if sums.ndim == 1 else sums.reshape(sums.size)


def _update(running: Tensor, batch: np.ndarray, momentum: float, scale: float = 1.0) -> None:
    """Move a running statistic toward ``scale * batch``, in place (numpy: no graph)."""
    # Straight into the array: by hand, forward's tensor inputs are leaves that
    # require grad, which copy_ would refuse to change. In place, three numpy
    # calls: (1 - m) * r, then plus (m * scale) * b (the same sum).
    data = running.data
    data *= 1.0 - momentum
    data += (momentum * scale) * batch
    running._bump_version()


def _check_channels(input: Tensor, *per_channel: Tensor | None) -> None:
    if input.ndim < 2:
        raise ValueError(
            f"batch_norm: expected an input of shape (N, C, ...) with at least 2 dimensions, "
            f"got {shape_str(input.shape)}"
        )
    channels = input.shape[1]
    for tensor in per_channel:
        if tensor is not None and tensor.shape != (channels,):
            raise ValueError(
                f"batch_norm: input of shape {shape_str(input.shape)} has {channels} channels, "
                f"but a statistic or affine parameter has shape {shape_str(tensor.shape)}"
            )
