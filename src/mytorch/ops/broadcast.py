"""Undo broadcasting in backward: the one ``unbroadcast`` every op uses.

When numpy broadcasts an input of shape ``(3, 1)`` against one of ``(2, 3, 4)``,
each input element is used several times in the result: once for every position
along the added leading axis and along the stretched size-1 axis. By the chain
rule an input element's gradient is the sum of the gradients of all the result
elements it was used for. So reducing a gradient from the broadcast shape back
to the input's shape is a sum: over the leading axes broadcasting added, and
(keeping the axis) over the axes where the input had size 1.
"""

from __future__ import annotations

from collections.abc import Sequence

from mytorch.core.tensor import Tensor
from mytorch.ops.reductions import Sum
from mytorch.ops.shape import Reshape

__all__ = ["unbroadcast"]


def unbroadcast(grad: Tensor, shape: Sequence[int] | None) -> Tensor:
    """Sum ``grad`` (shaped like a broadcast result) back down to ``shape``.

    Written with Tensor operations, so it is itself differentiable. A ``shape``
    of None stands for the gradient's own shape (an input that was not
    broadcast): ``grad`` is returned as it is.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.ops.broadcast import unbroadcast
    >>> unbroadcast(mytorch.ones(2, 3, 4), (3, 1))
    tensor([[8.],
            [8.],
            [8.]])
    """
    if shape is None:
        return grad
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    added = grad.ndim - len(shape)
    if added < 0:
        raise ValueError(
            f"unbroadcast: a gradient of shape {grad.shape} cannot come from broadcasting "
            f"an input of shape {shape}"
        )
    stretched = tuple(
        added + axis
        for axis, size in enumerate(shape)
        if size == 1 and grad.shape[added + axis] != 1
    )
    # The ops are applied directly: their public wrappers would re-check
    # arguments that are right by construction, on every backward step.
    summed = Sum.apply(grad, tuple(range(added)) + stretched, True)
    # keepdim left the added leading axes as size 1; reshape drops them.
    return Reshape.apply(summed, shape)
