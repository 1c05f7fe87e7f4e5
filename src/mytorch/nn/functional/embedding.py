"""``embedding``: rows of a weight matrix looked up by integer index.

The lookup is ``weight[indices]``; its gradient adds each output row's
gradient into the row it came from (an index used twice gets both), except
``padding_idx``'s row, which gets none, as in PyTorch. With ``max_norm``, the
looked-up rows whose norm is larger are first scaled down to it, in place and
outside the graph, as PyTorch's ``embedding_renorm_`` does.
"""

from __future__ import annotations

import numbers

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.indexing import IndexAdd

__all__ = ["embedding"]


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
) -> Tensor:
    """Look up ``weight[input]``: integer indices of any shape ``(*)`` give ``(*, D)``.

    Parameters
    ----------
    input : Tensor of an integer dtype
        Indices in ``[0, num_embeddings)``.
    weight : Tensor of shape (num_embeddings, D)
    padding_idx : int, optional
        An index whose row receives no gradient (negative counts from the end).
    max_norm : float, optional
        Each looked-up row whose ``norm_type``-norm exceeds ``max_norm`` is
        first scaled, in ``weight`` itself, to norm ``max_norm`` (times
        ``max_norm / (norm + 1e-7)``, as PyTorch). The change is made outside
        the graph (as under ``no_grad``) and bumps ``weight``'s version.
    norm_type : float, default 2.0
        The p of the p-norm for ``max_norm``.

    Raises
    ------
    TypeError
        If the indices are not integers, or ``max_norm`` / ``norm_type`` not
        real numbers.
    IndexError
        If an index is out of range (as PyTorch).
    ValueError
        If ``max_norm`` is negative or NaN.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> weight = mytorch.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
    >>> F.embedding(mytorch.tensor([[2, 1]], dtype=mytorch.int64), weight)
    tensor([[[3., 4.],
             [1., 2.]]])
    >>> weight = mytorch.tensor([[3.0, 4.0], [0.3, 0.4]])
    >>> F.embedding(mytorch.tensor([0], dtype=mytorch.int64), weight, max_norm=1.0)
    tensor([[0.6, 0.8]])
    >>> weight  # row 0 was renormalised in place; row 1 was not looked up
    tensor([[0.6, 0.8],
            [0.3, 0.4]])
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
    if max_norm is not None:
        _check_max_norm("embedding", max_norm, norm_type)
    # The index tensor itself (an array is wrapped, not copied), so that
    # mytorch.compile can feed the next batch's indices through it.
    target = input if isinstance(input, Tensor) else Tensor._wrap(indices)
    return Embedding.apply(weight, target, padding_idx, max_norm, norm_type)


def _check_max_norm(op: str, max_norm: float | None, norm_type: float) -> None:
    """Refuse a ``max_norm`` or ``norm_type`` that is not a real number (or None, for max_norm).

    A negative or NaN ``max_norm`` is refused too; ``op`` names the caller in the message.
    """
    for what, value in (("max_norm", max_norm), ("norm_type", norm_type)):
        if value is None and what == "max_norm":
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{op}: {what} must be a real number, got {value!r}")
    if max_norm is not None and not max_norm >= 0:
        raise ValueError(f"{op}: max_norm must be >= 0, got {max_norm!r}")


def _renorm_rows(weight: Tensor, indices: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Scale the looked-up rows of norm above ``max_norm`` down to it, in place.

    PyTorch does this under ``no_grad``: the new values are a change of the
    weight, not an op in the graph; the version bump lets a node that saved
    the old weight notice, as in PyTorch.
    """
    rows = np.unique(indices)
    if rows.size == 0:
        return
    norms = np.linalg.norm(weight.data[rows], ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        rows = rows[over]
        # PyTorch's scale, with 1e-7 so that a row is never divided by zero.
        scale = (max_norm / (norms[over].astype(np.float64) + 1e-7)).astype(weight.dtype)
        weight.data[rows] *= scale[:, None]
        weight._bump_version()


class Embedding(Function):
    """``weight[indices]``, after renormalising the looked-up rows if ``max_norm`` is given."""

    @staticmethod
    def forward(
        ctx: BackwardFunction,
        weight: Tensor,
        input: Tensor,
        padding_idx: int | None,
        max_norm: float | None,
        norm_type: float,
    ) -> np.ndarray:
        # A copy: changing the caller's index tensor later must not change the gradient.
        indices = input.data.copy()
        if indices.size and indices.min() < 0:
            # embedding checked them; a replayed step (mytorch.compile) did not, and
            # numpy would silently count a negative index from the end.
            raise IndexError(f"embedding: indices must be >= 0, got {indices.min()}")
        if max_norm is not None:
            _renorm_rows(weight, indices, max_norm, norm_type)
        ctx.shape, ctx.indices, ctx.padding_idx = weight.shape, indices, padding_idx
        return weight.data[indices]

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        if ctx.padding_idx is not None:
            grad = grad * Tensor._wrap((ctx.indices != ctx.padding_idx)[..., None])
        return IndexAdd.apply(grad, ctx.shape, ctx.indices), None, None, None, None
