"""``embedding``: rows of a weight matrix looked up by integer index.

The lookup is ``weight[indices]``; its gradient adds each output row's
gradient into the row it came from (an index used twice gets both), except
``padding_idx``'s row, which gets none, as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.indexing import IndexAdd

__all__ = ["embedding"]


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Look up ``weight[input]``: integer indices of any shape ``(*)`` give ``(*, D)``.

    Parameters
    ----------
    input : Tensor of an integer dtype
        Indices in ``[0, num_embeddings)``.
    weight : Tensor of shape (num_embeddings, D)
    padding_idx : int, optional
        An index whose row receives no gradient (negative counts from the end).

    Raises
    ------
    TypeError
        If the indices are not integers.
    IndexError
        If an index is out of range (as PyTorch).

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> weight = mytorch.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
    >>> F.embedding(mytorch.tensor([[2, 1]], dtype=mytorch.int64), weight)
    tensor([[[3., 4.],
             [1., 2.]]])
    """
    indices = input.data if isinstance(input, Tensor) else np.asarray(input)
    if indices.dtype.kind not in "iu":
        raise TypeError(
            f"embedding: indices must be of an integer dtype, got dtype {indices.dtype}; "
            "make them with mytorch.tensor(indices, dtype=mytorch.int64)"
        )
    if weight.ndim != 2:
        raise ValueError(
            f"embedding: weight must have shape (num_embeddings, embedding_dim), "
            f"got {shape_str(weight.shape)}"
        )
    rows = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        wrong = np.flatnonzero((indices < 0) | (indices >= rows))
        raise IndexError(
            f"embedding: indices must be in [0, {rows}) for {rows} embeddings, got "
            f"{indices.reshape(-1)[wrong[:5]].tolist()} at position(s) {wrong[:5].tolist()}"
        )
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise ValueError(
                f"embedding: padding_idx must be within [-{rows}, {rows}), got {padding_idx}"
            )
        padding_idx %= rows
    # A copy: changing the caller's index tensor later must not change the gradient.
    return Embedding.apply(weight, indices.copy(), padding_idx)


class Embedding(Function):
    @staticmethod
    def forward(
        ctx: BackwardFunction, weight: Tensor, indices: np.ndarray, padding_idx: int | None
    ) -> np.ndarray:
        ctx.shape, ctx.indices, ctx.padding_idx = weight.shape, indices, padding_idx
        return weight.data[indices]

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None]:
        if ctx.padding_idx is not None:
            grad = grad * Tensor._wrap((ctx.indices != ctx.padding_idx)[..., None])
        return IndexAdd.apply(grad, ctx.shape, ctx.indices), None, None
