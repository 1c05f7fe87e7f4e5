"""``layer_norm``: normalise each example over its last dimensions.

Unlike batch normalisation, the statistics are those of one example (over
``normalized_shape``), so training and evaluation compute the same thing and
no running statistics are kept. Built from Tensor ops, so autograd gives the
gradient.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from mytorch.core.tensor import Tensor, shape_str

__all__ = ["layer_norm"]


def layer_norm(
    input: Tensor,
    normalized_shape: Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """``(x - mean) / sqrt(var + eps) * weight + bias`` over the last dimensions.

    The statistics are over the last ``len(normalized_shape)`` dimensions.

    The variance is the biased one (divided by the count), as in PyTorch.

    Parameters
    ----------
    input : Tensor of shape ``(*, *normalized_shape)``
    normalized_shape : sequence of int
    weight, bias : Tensor of shape ``normalized_shape``, optional

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.layer_norm(mytorch.tensor([[1.0, 3.0]]), (2,))
    tensor([[-0.999995,  0.999995]])
    """
    normalized_shape = tuple(normalized_shape)
    count = len(normalized_shape)
    if input.shape[input.ndim - count :] != normalized_shape or input.ndim < count:
        raise ValueError(
            f"layer_norm: input of shape {shape_str(input.shape)} does not end in the "
            f"normalized shape {shape_str(normalized_shape)}"
        )
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and tensor.shape != normalized_shape:
            raise ValueError(
                f"layer_norm: {name} of shape {shape_str(tensor.shape)} must have the "
                f"normalized shape {shape_str(normalized_shape)}"
            )
    dims = tuple(range(input.ndim - count, input.ndim))
    # sum / count rather than mean: an empty batch (0, *normalized_shape) is no error.
    scale = 1 / math.prod(normalized_shape) if math.prod(normalized_shape) else math.nan
    centred = input - input.sum(dim=dims, keepdim=True) * scale
    variance = (centred * centred).sum(dim=dims, keepdim=True) * scale
    out = centred / (variance + eps).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out
