"""The maths of the linear and dropout layers (``batch_norm`` has its own module).

``linear`` is a fused op with its own backward, for speed: it is where an MLP
spends its time, and one node does the work of three. It also holds the sums
over the batch that its bias gradient and batch normalisation share.

What is not differentiated (the dropout mask) is computed on plain numpy
arrays, but always inside an op's ``forward``: the op's inputs are then all
there is to it, which is what lets ``mytorch.compile`` replay a step by running
the same forwards again (a mask drawn outside would be replayed as the first
step's mask).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from mytorch.core.dtypes import same_type
from mytorch.core.function import BackwardFunction, Function
from mytorch.core.grad_mode import is_grad_enabled
from mytorch.core.random import default_generator
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.matmul import product

__all__ = ["dropout", "dropout2d", "linear"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """The affine map ``input @ weight.T + bias`` over the last dimension.

    Parameters
    ----------
    input : Tensor of shape ``(*, in_features)``
    weight : Tensor of shape (out_features, in_features)
    bias : Tensor of shape (out_features,), optional

    Returns
    -------
    Tensor of shape ``(*, out_features)``

    Raises
    ------
    ValueError
        If the weight is not 2-D or the input's last dimension is not ``in_features``.
    RuntimeError
        If the input's dtype differs from the weight's (as in PyTorch).

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> x = mytorch.tensor([[1.0, 2.0]])
    >>> F.linear(x, mytorch.tensor([[1.0, 1.0], [0.0, 1.0]]), mytorch.tensor([0.5, 0.0]))
    tensor([[3.5, 2. ]])
    """
    if weight.ndim != 2:
        raise ValueError(
            f"linear: weight must have shape (out_features, in_features), "
            f"got {shape_str(weight.shape)}"
        )
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {shape_str(input.shape)} does not fit a weight of shape "
            f"{shape_str(weight.shape)}: the input's last dimension must be {weight.shape[1]}"
        )
    dtype = weight.data.dtype
    if (input.data.dtype is not dtype and not same_type(input.data.dtype, dtype)) or (
        bias is not None and bias.data.dtype is not dtype and not same_type(bias.data.dtype, dtype)
    ):
        # As PyTorch: a float64 batch into a float32 model is an error, not a silent cast.
        raise RuntimeError(
            f"linear: input of dtype {input.dtype} and weight of dtype {weight.dtype}"
            + ("" if bias is None else f" and bias of dtype {bias.dtype}")
            + " must have the same dtype; convert the input with .to(dtype) or the model "
            "with .to(dtype) / .double()"
        )
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(
            f"linear: bias of shape {shape_str(bias.shape)} does not fit a weight of shape "
            f"{shape_str(weight.shape)}: it must have shape ({weight.shape[0]},)"
        )
    return Linear.apply(input, weight, bias)


class Linear(Function):
    """``input @ weight.T + bias`` as one node (``bias`` may be None)."""

    fresh_grads = True  # backward's three results are new arrays (two products, one sum)

    @staticmethod
    def forward(
        ctx: BackwardFunction, input: Tensor, weight: Tensor, bias: Tensor | None
    ) -> np.ndarray:
        ctx.save_for_backward(input, weight)
        out = product(input.data, weight.data.T)  # as MatMul computes it
        if bias is None:
            return out
        if bias.data.dtype is out.dtype:
            out += bias.data  # in place: out is a fresh array
            return out
        return out + bias.data  # let numpy promote the dtype

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        input, weight = ctx.saved_tensors
        need_input, need_weight, need_bias = ctx.needs_input_grad
        # With y = x W^T + b: dx = dy W, dW = dy^T x and db = dy summed over the
        # batch, the leading dimensions flattened into one.
        if is_grad_enabled():
            # create_graph=True: the same formula in Tensor ops, so it is recorded.
            # The row count is given, not -1: numpy cannot infer it when a size is 0.
            count = math.prod(input.shape[:-1])
            rows = grad.reshape(count, grad.shape[-1])
            return (
                grad @ weight if need_input else None,
                rows.mT @ input.reshape(count, input.shape[-1]) if need_weight else None,
                _row_sums_recorded(rows) if need_bias else None,
            )
        # Otherwise numpy does it directly: three array operations, no op dispatch.
        rows, input_rows = grad.data, input.data
        if input_rows.ndim != 2:  # a 2-D input is its own rows: no reshape to make
            count = math.prod(input.shape[:-1])
            rows = rows.reshape(count, grad.shape[-1])
            input_rows = input_rows.reshape(count, input.shape[-1])
        return (
            Tensor._wrap(product(grad.data, weight.data)) if need_input else None,
            Tensor._wrap(product(rows.T, input_rows)) if need_weight else None,
            Tensor._wrap(_channel_sums(rows, (0,))) if need_bias else None,
        )


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: zero each element with probability ``p``, scale the rest by ``1/(1-p)``.

    The scaling keeps every element's expected value unchanged, so nothing
    needs rescaling at evaluation time, when dropout is the identity. The mask
    is drawn from the framework's generator (``mytorch.manual_seed``).

    Parameters
    ----------
    input : Tensor
    p : float, default 0.5
        The probability of zeroing an element, in [0, 1].
    training : bool, default True
        If False, return ``input`` unchanged.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> _ = mytorch.manual_seed(0)
    >>> y = F.dropout(mytorch.ones(1000), p=0.2)
    >>> sorted(set(y.tolist()))
    [0.0, 1.25]
    >>> F.dropout(mytorch.ones(3), p=0.2, training=False)
    tensor([1., 1., 1.])
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability p must be between 0 and 1, got {p}")
    if not training or p == 0.0:
        return input
    return Dropout.apply(input, p, input.shape)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Channel dropout: zero whole channels of an (N, C, H, W) input with probability ``p``.

    Each of the ``N * C`` feature maps is kept whole (scaled by ``1/(1-p)``) or
    zeroed whole: neighbouring pixels of a map are strongly correlated, so
    zeroing single pixels would barely regularise a convolutional layer
    (Tompson et al., 2015). A 3-D input is taken as (N, C, L), as PyTorch does.

    Parameters
    ----------
    input : Tensor of shape (N, C, H, W) or (N, C, L)
    p : float, default 0.5
    training : bool, default True
        If False, return ``input`` unchanged.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> y = F.dropout2d(mytorch.ones(2, 8, 3, 3))
    >>> bool((y.amin(dim=(2, 3)) == y.amax(dim=(2, 3))).all())  # each map kept or zeroed whole
    True
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout2d: probability p must be between 0 and 1, got {p}")
    if input.ndim not in (3, 4):
        raise ValueError(
            f"dropout2d: expected an input of shape (N, C, H, W) or (N, C, L), "
            f"got {shape_str(input.shape)}"
        )
    if not training or p == 0.0:
        return input
    mask_shape = input.shape[:2] + (1,) * (input.ndim - 2)  # one draw per channel
    return Dropout.apply(input, p, mask_shape)


class Dropout(Function):
    """Multiply by a fresh random mask of ``mask_shape`` (broadcast to the input).

    Each mask entry is ``1/(1-p)`` with probability ``1 - p`` and 0 otherwise,
    drawn from the framework's generator in forward; backward multiplies the
    gradient by the same mask.
    """

    @staticmethod
    def forward(
        ctx: BackwardFunction, x: Tensor, p: float, mask_shape: tuple[int, ...]
    ) -> np.ndarray:
        keep = default_generator().random(mask_shape) >= p  # true with probability 1 - p
        scale = 1.0 / (1.0 - p) if p < 1.0 else 0.0
        ctx.mask = (keep * scale).astype(x.dtype)
        return x.data * ctx.mask

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, None, None]:
        if is_grad_enabled():  # create_graph=True: recorded, as a product
            return grad * Tensor._wrap(ctx.mask), None, None
        return Tensor._wrap(grad.data * ctx.mask), None, None  # the same product, on arrays


def _channel_sums(array: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """``array`` summed over ``axes`` (every axis but the channels', axis 1).

    The sums of a 2-D (N, C) float array keep no axes (a bias's gradient); the
    others keep the summed axes as 1s, to broadcast against the input.
    """
    if array.ndim != 2:
        return np.add.reduce(array, axis=axes, keepdims=True)
    if array.dtype in _BLAS_TYPES:
        # numpy adds the N rows one after another, a short loop over C each time;
        # ones (N,) @ array is one BLAS product, two to six times faster here.
        return product(_ones(len(array), array.dtype), array)  # as the recorded ones @ rows
    return np.add.reduce(array, axis=0)


_BLAS_TYPES = (np.dtype(np.float32), np.dtype(np.float64))


@functools.lru_cache(maxsize=8)
def _ones(length: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of ones, kept: np.ones costs more than the product it feeds."""
    ones = np.ones(length, dtype)
    ones.flags.writeable = False
    return ones


def _row_sums_recorded(rows: Tensor) -> Tensor:
    """``_channel_sums`` of (N, C) rows as recorded Tensor ops (for create_graph): the same
    formula, so a gradient made with create_graph has the very bits of a plain one."""
    if rows.data.dtype in _BLAS_TYPES:
        return Tensor._wrap(_ones(len(rows.data), rows.data.dtype)) @ rows
    return rows.sum(dim=0)
