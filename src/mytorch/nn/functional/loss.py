"""Classification losses: cross_entropy and nll_loss, with PyTorch's options.

Both take scores of shape (C,), (N, C) or (N, C, d1, ...) (the classes on
dimension 1) and class labels of the scores' shape without the class
dimension; ``cross_entropy`` also takes class probabilities of the scores' own
shape. Labels are checked before anything is computed: a label out of range
would otherwise pick a wrong element, or wrap around silently when negative.

The plain case every classifier trains with ((N, C) logits, integer labels, no
weight, smoothing or ignored label) is one fused node with a numpy backward,
for speed. Every other case is built from differentiable Tensor ops
(log_softmax, indexing, products), so autograd gives its gradient.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.grad_mode import is_grad_enabled
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.softmax import stable_log_softmax

__all__ = ["cross_entropy", "nll_loss"]

_REDUCTIONS = ("mean", "sum", "none")


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits against class labels or class probabilities, as PyTorch's.

    With labels, each example's loss is ``-w[y] * log_softmax(z)[y]`` (``w[y] = 1``
    without ``weight``; 0 where ``y == ignore_index``). ``'mean'`` divides the
    sum by the sum of those ``w[y]`` (the number of labels not ignored, without
    weights), so an all-ignored batch gives nan, as in PyTorch. With
    ``label_smoothing`` ``e``, the target is ``(1 - e) * onehot(y) + e / C``.
    With probabilities ``p`` (a floating ``target`` of the input's shape), the
    loss is ``-sum_c w[c] p[c] log_softmax(z)[c]`` and ``'mean'`` divides by
    the number of examples. The log-softmax uses the log-sum-exp trick, so
    logits of +-1000 give finite losses.

    Parameters
    ----------
    input : Tensor of shape (C,), (N, C) or (N, C, d1, ...)
        Unnormalised scores (logits), the classes on dimension 1 (0 when 1-D).
    target : Tensor
        Class indices of an integer dtype, of shape (), (N,) or (N, d1, ...);
        or class probabilities of the input's shape and a floating dtype.
    weight : Tensor of shape (C,), optional
        A weight per class (a constant: no gradient flows to it).
    ignore_index : int, default -100
        A label that contributes nothing (labels only).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    label_smoothing : float in [0, 1], default 0.0

    Returns
    -------
    Tensor
        0-d for ``'mean'`` and ``'sum'``; for ``'none'``, the input's shape
        without the class dimension.

    Raises
    ------
    TypeError
        If the labels are neither integers nor floating probabilities.
    ValueError
        If the shapes do not fit, a label is out of range, or an option is invalid.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> logits = mytorch.tensor([[1000.0, -1000.0], [0.0, 0.0]])
    >>> F.cross_entropy(logits, mytorch.tensor([1, 1], dtype=mytorch.int64), reduction="none")
    tensor([2.000000e+03, 6.931472e-01])
    >>> labels = mytorch.tensor([1, -100], dtype=mytorch.int64)
    >>> F.cross_entropy(logits, labels, ignore_index=-100, reduction="sum")
    tensor(2000.)
    >>> F.cross_entropy(logits, mytorch.tensor([[0.5, 0.5], [0.5, 0.5]]))
    tensor(500.3466)
    """
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(
            f"cross_entropy: label_smoothing must be between 0 and 1, got {label_smoothing}"
        )
    weights = _check_weight("cross_entropy", input, weight)
    if _is_probabilities(input, target):
        return _cross_entropy_probabilities(input, target, weights, reduction, label_smoothing)
    labels, any_ignored = _check_labels("cross_entropy", input, target, ignore_index)
    if input.ndim <= 2 and weights is None and label_smoothing == 0.0 and not any_ignored:
        # The hot path: one node (an array of labels is wrapped, not copied, so
        # that mytorch.compile can feed the next batch's labels through it).
        target = target if isinstance(target, Tensor) else Tensor._wrap(target)
        return CrossEntropy.apply(input, target, reduction)
    log_probs = input.log_softmax(dim=_class_dim(input))
    # The general path indexes with the labels: a copy keeps the graph's index fixed.
    return _weighted_nll(
        log_probs, labels.copy(), weights, ignore_index, reduction, label_smoothing
    )


class CrossEntropy(Function):
    """``nll_loss(log_softmax(logits), labels)`` as one node."""

    @staticmethod
    def forward(
        ctx: BackwardFunction, logits: Tensor, target: Tensor, reduction: str
    ) -> np.ndarray:
        # The label tensor is saved too, so that backward refuses to run after an
        # in-place op on it (as PyTorch does).
        ctx.save_for_backward(logits, target)
        ctx.log_probs = stable_log_softmax(logits.data, -1)  # finite for logits of +-1000
        return _pick_losses(ctx, ctx.log_probs, target, reduction)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        logits, _ = ctx.saved_tensors
        nones = (None, None)  # the labels and the reduction
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
            # A Python float: numpy's arithmetic on a 0-d array costs a microsecond.
            # (float32 / N rounds to the same float32 as the double quotient.)
            scale = float(grad.data) / labels.size if reduction == "mean" else float(grad.data)
        error *= scale  # in place: error is a fresh array
        return Tensor._wrap(error), *nones


class NLLLoss(Function):
    """``nll_loss`` of log-probabilities (C,) or (N, C) against labels, as one node."""

    @staticmethod
    def forward(
        ctx: BackwardFunction, log_probs: Tensor, target: Tensor, reduction: str
    ) -> np.ndarray:
        ctx.save_for_backward(target)  # so that an in-place change to it is caught
        ctx.shape, ctx.dtype = log_probs.shape, log_probs.dtype
        return _pick_losses(ctx, log_probs.data, target, reduction)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, None, None]:
        ctx.saved_tensors  # noqa: B018 (raises if the labels changed in place)
        # d loss_i / d x_ij = -[j == label_i], times the loss's gradient.
        reduction, count = ctx.reduction, ctx.labels.size
        if is_grad_enabled():  # create_graph=True: recorded Tensor ops
            minus_onehot = Tensor._wrap(-np.eye(ctx.shape[-1], dtype=ctx.dtype)[ctx.labels])
            if reduction == "none":
                return minus_onehot * grad.unsqueeze(-1), None, None
            return minus_onehot * (grad / count if reduction == "mean" else grad), None, None
        result = np.zeros(ctx.shape, dtype=ctx.dtype)
        result[ctx.picked] = -(grad.data / count if reduction == "mean" else grad.data)
        return Tensor._wrap(result), None, None


def _pick_losses(ctx: BackwardFunction, log_probs: np.ndarray, target: Tensor, reduction: str):
    """``-log_probs[i, label_i]`` for each row i, reduced; keeps on ``ctx`` what backward needs."""
    # Backward reads the labels: it gets a copy (N integers: cheap), so a change
    # through .data or a numpy array cannot alter the gradient.
    labels = target.data.copy()
    if labels.size and labels.min() < 0:
        # The caller checked the labels; a replayed step (mytorch.compile) did
        # not, and numpy would silently count a negative index from the end.
        raise ValueError(f"labels must be >= 0, got {labels.min()}")
    rows = () if log_probs.ndim == 1 else (np.arange(labels.size),)
    ctx.picked, ctx.labels, ctx.reduction = (*rows, labels), labels, reduction
    try:
        losses = -log_probs[ctx.picked]
    except IndexError:  # as above: a label too large for the classes, unchecked
        raise ValueError(
            f"labels must be below the number of classes {log_probs.shape[-1]}, got {labels.max()}"
        ) from None
    if reduction == "none":
        return losses
    total = np.add.reduce(losses, axis=None)
    if reduction == "sum":
        return total
    # np.divide with the dtype: numpy 1.x would make float32 scalar / int float64.
    return np.divide(total, labels.size, dtype=losses.dtype)


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood: ``-weight[y] * input[y]`` for each example's label ``y``.

    ``input`` holds log-probabilities (e.g. from ``log_softmax``); the shapes,
    ``weight``, ``ignore_index`` and the weighted mean are those of
    ``cross_entropy`` with labels.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> logp = mytorch.tensor([[-0.5, -1.0], [-2.0, -0.1]])
    >>> F.nll_loss(logp, mytorch.tensor([0, 1], dtype=mytorch.int64))
    tensor(0.3)
    >>> F.nll_loss(logp, mytorch.tensor([0, 1], dtype=mytorch.int64), mytorch.tensor([3.0, 1.0]))
    tensor(0.4)
    """
    _check_reduction("nll_loss", reduction)
    weights = _check_weight("nll_loss", input, weight)
    labels, any_ignored = _check_labels("nll_loss", input, target, ignore_index)
    if input.ndim <= 2 and weights is None and not any_ignored:
        # One node, as cross_entropy's hot path (it copies the labels itself).
        target = target if isinstance(target, Tensor) else Tensor._wrap(target)
        return NLLLoss.apply(input, target, reduction)
    # The graph indexes with the labels: a copy keeps its index fixed.
    return _weighted_nll(input, labels.copy(), weights, ignore_index, reduction, 0.0)


def _weighted_nll(
    log_probs: Tensor,
    labels: np.ndarray,
    weights: np.ndarray | None,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
) -> Tensor:
    """PyTorch's nll_loss (and the label-smoothing term of cross_entropy), from Tensor ops."""
    classes = log_probs.shape[_class_dim(log_probs)]
    rows = _classes_last(log_probs)  # (M, C): one row per label
    flat = labels.reshape(-1)
    kept = flat != ignore_index
    safe = np.where(kept, flat, 0)  # an ignored label picks class 0, weighted by 0
    row_weights = (weights[safe] if weights is not None else np.ones(flat.shape)) * kept
    row_weights = row_weights.astype(log_probs.dtype)
    losses = -rows[np.arange(flat.size), safe] * Tensor._wrap(row_weights)
    if label_smoothing:
        class_weights = weights if weights is not None else np.ones(classes)
        spread = -(rows * Tensor._wrap(class_weights.astype(log_probs.dtype))).sum(dim=1)
        spread = spread * Tensor._wrap(kept.astype(log_probs.dtype))
        losses = (1 - label_smoothing) * losses + (label_smoothing / classes) * spread
    if reduction == "none":
        return losses.reshape(labels.shape)
    total = losses.sum()
    if reduction == "sum":
        return total
    return _divide(total, float(row_weights.sum()))


def _cross_entropy_probabilities(
    input: Tensor,
    target: Tensor,
    weights: np.ndarray | None,
    reduction: str,
    label_smoothing: float,
) -> Tensor:
    if not isinstance(target, Tensor):
        target = Tensor(target)
    dim = _class_dim(input)
    classes = input.shape[dim]
    if target.dtype != input.dtype:
        target = target.to(input.dtype)
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    products = input.log_softmax(dim=dim) * target
    if weights is not None:
        # The class weights along dimension 1, broadcast over the batch and d1, ...
        shape = (classes,) + (1,) * (input.ndim - dim - 1)
        products = products * Tensor._wrap(weights.astype(input.dtype).reshape(shape))
    losses = -products.sum(dim=dim)
    if reduction == "none":
        return losses
    total = losses.sum()
    return total if reduction == "sum" else _divide(total, float(losses.numel()))


def _divide(total: Tensor, count: float) -> Tensor:
    # An empty batch (or one whose labels are all ignored) averages to nan, as in
    # PyTorch; multiplying by nan says so without numpy's 0/0 warning.
    return total / count if count else total * math.nan


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    """Reduce elementwise losses: the mean (nan when empty, as PyTorch), the sum, or none."""
    if reduction == "mean":
        return loss.mean() if loss.numel() else loss.sum() * math.nan
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_reduction(op: str, reduction: str, allowed: tuple[str, ...] = _REDUCTIONS) -> None:
    if reduction not in allowed:
        names = ", ".join(repr(name) for name in allowed[:-1]) + f" or {allowed[-1]!r}"
        raise ValueError(f"{op}: reduction must be {names}, got {reduction!r}")


def _class_dim(input: Tensor) -> int:
    return 0 if input.ndim == 1 else 1


def _classes_last(input: Tensor) -> Tensor:
    """Scores (C,), (N, C) or (N, C, d1, ...) as rows (M, C), one row per label."""
    classes = input.shape[_class_dim(input)]
    if input.ndim > 2:  # move the classes last: (N, d1, ..., C)
        input = input.permute(0, *range(2, input.ndim), 1)
    return input.reshape(input.numel() // classes if classes else 0, classes)


def _is_probabilities(input: Tensor, target: Any) -> bool:
    # As in PyTorch: a floating target of the input's own shape holds probabilities.
    data = target.data if isinstance(target, Tensor) else target
    return (
        isinstance(input, Tensor)
        and input.ndim > 0
        and isinstance(data, np.ndarray)
        and data.dtype.kind == "f"
        and data.shape == input.shape
    )


def _check_weight(op: str, input: Tensor, weight: Any) -> np.ndarray | None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if weight is None:
        return None
    if isinstance(weight, str):
        raise TypeError(
            f"{op}: weight must be a Tensor of one weight per class, got the string "
            f"{weight!r}; pass the reduction by name: reduction={weight!r}"
        )
    weights = weight.data if isinstance(weight, Tensor) else np.asarray(weight)
    classes = input.shape[_class_dim(input)] if input.ndim else 0
    if weights.dtype.kind not in "iuf" or weights.shape != (classes,):
        raise ValueError(
            f"{op}: weight must hold one number per class, shape ({classes},), got "
            f"{shape_str(weights.shape)} of dtype {weights.dtype}"
        )
    return weights


def _check_labels(
    op: str, input: Tensor, target: Any, ignore_index: int = -100
) -> tuple[np.ndarray, bool]:
    """Check class labels against scores (C,), (N, C) or (N, C, d1, ...).

    Return them as an array, and whether any is ``ignore_index`` (or there are
    none: the fused path needs at least one label to use).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim == 0:
        raise ValueError(
            f"{op}: expected scores of shape (C,), (N, C) or (N, C, d1, ...), got a 0-d tensor"
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
    dim = _class_dim(input)
    expected = input.shape[:dim] + input.shape[dim + 1 :]
    if labels.shape != expected:
        raise ValueError(
            f"{op}: scores of shape {shape_str(input.shape)} need labels of shape "
            f"{shape_str(expected)}, got {shape_str(labels.shape)}"
        )
    classes = input.shape[dim]
    if not labels.size:
        return labels, True
    # The ufuncs' reduce: ndarray.min and .max add a Python wrapper to the same call.
    if np.minimum.reduce(labels, axis=None) < 0 or np.maximum.reduce(labels, axis=None) >= classes:
        wrong = np.flatnonzero(((labels < 0) | (labels >= classes)) & (labels != ignore_index))
        if wrong.size:
            values = labels.reshape(-1)[wrong]
            raise ValueError(
                f"{op}: labels must be in [0, {classes}) for {classes} classes, got "
                f"{values[:5].tolist()} at position(s) {wrong[:5].tolist()}"
                + (f" and {wrong.size - 5} more" if wrong.size > 5 else "")
            )
        return labels, True  # some label is out of range, so it is ignore_index
    # Every label is in range: one is ignored only if ignore_index is in range too.
    return labels, 0 <= ignore_index < classes and bool((labels == ignore_index).any())
