"""Loss functions: cross_entropy, nll_loss, mse_loss, binary_cross_entropy_with_logits.

Each gives one loss per example and then reduces them: ``'mean'`` (the
default), ``'sum'`` or ``'none'``. Class labels are checked before anything is
computed: a label out of range would otherwise pick a wrong element, or wrap
around silently when negative. Cross-entropy is one fused node (log-softmax and
the negative log-likelihood together), for speed: every classifier ends in it.
"""

from __future__ import annotations

import numpy as np

from mytorch import ops
from mytorch.core.function import BackwardFunction, Function
from mytorch.core.grad_mode import is_grad_enabled
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.softmax import stable_log_softmax

__all__ = ["binary_cross_entropy_with_logits", "cross_entropy", "mse_loss", "nll_loss"]

_REDUCTIONS = ("mean", "sum", "none")


def cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Cross-entropy of logits against class labels: ``nll_loss(log_softmax(input), target)``.

    For one example with logits ``z`` and label ``k`` the loss is
    ``logsumexp(z) - z[k]``; its gradient is ``softmax(z) - onehot(k)`` (divided
    by N for the mean). The log-softmax uses the log-sum-exp trick, so logits
    of +-1000 give finite losses.

    Parameters
    ----------
    input : Tensor of shape (N, C) or (C,)
        Unnormalised scores (logits).
    target : Tensor of shape (N,) or ()
        Class indices in [0, C), of an integer dtype.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Raises
    ------
    TypeError
        If the labels are not of an integer dtype.
    ValueError
        If the shapes do not fit, a label is out of range, or the reduction is unknown.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> logits = mytorch.tensor([[1000.0, -1000.0], [0.0, 0.0]])
    >>> F.cross_entropy(logits, mytorch.tensor([1, 1], dtype=mytorch.int64), reduction="none")
    tensor([2.000000e+03, 6.931472e-01])
    """
    labels = _check_labels("cross_entropy", input, target)
    _check_reduction("cross_entropy", reduction)
    return CrossEntropy.apply(input, labels, reduction, _tracked(target))


class CrossEntropy(Function):
    """``nll_loss(log_softmax(logits), labels)`` as one node."""

    @staticmethod
    def forward(
        ctx: BackwardFunction,
        logits: Tensor,
        labels: np.ndarray,
        reduction: str,
        target: Tensor | None = None,
    ) -> np.ndarray:
        # The label tensor is saved too (its array is ``labels``), so that backward
        # refuses to run if it was changed in place since (as PyTorch does).
        ctx.save_for_backward(logits, target)
        logp = stable_log_softmax(logits.data, -1)  # finite for logits of +-1000
        # Pick logp[i, labels[i]] for every row i (one row when the logits are 1-D).
        rows = () if logp.ndim == 1 else (np.arange(labels.size),)
        picked = (*rows, labels)
        ctx.log_probs, ctx.picked, ctx.labels, ctx.reduction = logp, picked, labels, reduction
        losses = -logp[picked]
        if reduction == "none":
            return losses
        return np.add.reduce(losses, axis=None) / (labels.size if reduction == "mean" else 1)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        logits, _ = ctx.saved_tensors
        nones = (None,) * (len(ctx.next_functions) - 1)
        labels, reduction = ctx.labels, ctx.reduction
        # d loss_i / d z_ij = softmax_ij - [j == label_i], times the loss's gradient.
        if is_grad_enabled():
            # create_graph=True: softmax as a Tensor op, so the formula is recorded.
            onehot = np.eye(logits.shape[-1], dtype=logits.dtype)[labels]
            error = logits.softmax(dim=-1) - Tensor._wrap(onehot)
            if reduction == "none":
                return error * grad.unsqueeze(-1), *nones
            return error * (grad / labels.size if reduction == "mean" else grad), *nones
        # Otherwise numpy, with the softmax recovered from forward's log-softmax.
        error = np.exp(ctx.log_probs)
        error[ctx.picked] -= 1.0
        if reduction == "none":
            scale = grad.data[..., None]
        else:
            scale = grad.data / labels.size if reduction == "mean" else grad.data
        return Tensor._wrap(error * scale), *nones


def nll_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: ``-input[i, target[i]]`` for each example ``i``.

    ``input`` holds log-probabilities (e.g. from ``log_softmax``); see
    ``cross_entropy`` for the shapes and errors.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> logp = mytorch.tensor([[-0.5, -1.0], [-2.0, -0.1]])
    >>> F.nll_loss(logp, mytorch.tensor([0, 1], dtype=mytorch.int64))
    tensor(0.3)
    """
    labels = _check_labels("nll_loss", input, target)
    _check_reduction("nll_loss", reduction)
    tracked = _tracked(target)
    return _nll(input, labels if tracked is None else tracked, reduction)


def _tracked(target: Tensor | np.ndarray) -> Tensor | None:
    """The label tensor whose in-place changes backward must notice, if there is one."""
    return target if isinstance(target, Tensor) else None


def _nll(logp: Tensor, labels: Tensor | np.ndarray, reduction: str) -> Tensor:
    # Advanced indexing picks logp[i, labels[i]] for every row i at once.
    rows = () if logp.ndim == 1 else (np.arange(logp.shape[0]),)
    picked = logp[(*rows, labels)]
    return _reduce(-picked, reduction)


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error: ``(input - target) ** 2``, reduced.

    Unlike PyTorch, which warns and broadcasts, shapes that differ are an
    error: broadcasting (N, 1) against (N,) silently gives an (N, N) loss.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.mse_loss(mytorch.tensor([1.0, 2.0]), mytorch.tensor([1.0, 4.0]))
    tensor(2.)
    """
    target = _check_same_shape("mse_loss", input, target)
    _check_reduction("mse_loss", reduction)
    difference = input - target
    return _reduce(difference * difference, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor, target: Tensor, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of logits ``x`` against targets ``y`` in [0, 1], computed stably.

    ``-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))`` equals
    ``max(x, 0) - x y + log(1 + exp(-|x|))``, which never overflows: the
    exponent is never positive. Its gradient is ``sigmoid(x) - y``.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> x = mytorch.tensor([0.0, 1000.0, -1000.0])
    >>> F.binary_cross_entropy_with_logits(x, mytorch.tensor([1.0, 1.0, 0.0]), reduction="none")
    tensor([0.6931472, 0.       , 0.       ])
    """
    target = _check_same_shape("binary_cross_entropy_with_logits", input, target)
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    # A NaN or Inf target would silently make the loss nan (PyTorch lets it through).
    bad = np.flatnonzero(~np.isfinite(target.data))
    if bad.size:
        raise ValueError(
            "binary_cross_entropy_with_logits: targets must be finite, got "
            f"{target.data.reshape(-1)[bad[:5]].tolist()} at position(s) {bad[:5].tolist()}"
        )
    positive_part = ops.maximum(input, 0.0)
    loss = positive_part - input * target + (1 + (-input.abs()).exp()).log()
    return _reduce(loss, reduction)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_reduction(op: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _check_labels(op: str, input: Tensor, target: Tensor) -> np.ndarray:
    """Check class labels against scores of shape (N, C) or (C,); return them as an array."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (1, 2):
        raise ValueError(
            f"{op}: expected scores of shape (N, C) or (C,), got {shape_str(input.shape)}"
        )
    if input.ndim == 2 and input.shape[0] == 0:
        raise ValueError(
            f"{op}: the batch is empty (scores of shape {shape_str(input.shape)}); "
            "a loss needs at least one example"
        )
    if not isinstance(target, (Tensor, np.ndarray)):
        raise TypeError(f"{op}: labels must be a Tensor, got {type(target).__name__}")
    labels = target.data if isinstance(target, Tensor) else target
    if labels.dtype.kind not in "iu":
        has_nan = labels.dtype.kind == "f" and bool(np.isnan(labels).any())
        raise TypeError(
            f"{op}: labels must be class indices of an integer dtype, got dtype {labels.dtype}"
            + (" (with NaN values)" if has_nan else "")
            + "; make them with mytorch.tensor(labels, dtype=mytorch.int64)"
        )
    if labels.shape != input.shape[:-1]:
        raise ValueError(
            f"{op}: scores of shape {shape_str(input.shape)} need labels of shape "
            f"{shape_str(input.shape[:-1])}, got {shape_str(labels.shape)}"
        )
    classes = input.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        wrong = np.flatnonzero((labels < 0) | (labels >= classes))
        values = labels.reshape(-1)[wrong]
        raise ValueError(
            f"{op}: labels must be in [0, {classes}) for {classes} classes, got "
            f"{values[:5].tolist()} at position(s) {wrong[:5].tolist()}"
            + (f" and {wrong.size - 5} more" if wrong.size > 5 else "")
        )
    return labels


def _check_same_shape(op: str, input: Tensor, target: Tensor | np.ndarray) -> Tensor:
    """Check that ``target`` has ``input``'s shape; return it as a tensor of input's dtype."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if not isinstance(target, Tensor):
        target = Tensor(np.asarray(target))
    if target.shape != input.shape:
        raise ValueError(
            f"{op}: target of shape {shape_str(target.shape)} must have the input's shape "
            f"{shape_str(input.shape)}"
        )
    return target if target.dtype == input.dtype else target.to(input.dtype)
