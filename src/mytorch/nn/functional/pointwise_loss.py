"""Losses compared element by element: mse, l1, smooth_l1, huber, binary cross-entropy, kl_div.

Each computes one loss per element of ``input`` and ``target`` (of one shape)
and reduces them: ``'mean'`` (the default; nan for empty inputs, as in
PyTorch), ``'sum'`` or ``'none'``. All but ``binary_cross_entropy`` are built
from differentiable Tensor ops, so autograd gives their gradients, with respect
to the target too; ``binary_cross_entropy`` is one node, whose backward clamps
the denominator as PyTorch's does.
"""

from __future__ import annotations

import numpy as np

from mytorch import ops
from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor, shape_str
from mytorch.nn.functional.loss import _check_reduction, _divide, _reduce

_EPSILON = float(np.float32(1e-12))

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "mse_loss",
    "smooth_l1_loss",
]


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


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean absolute error: ``|input - target|``, reduced (gradient 0 where they are equal).

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.l1_loss(mytorch.tensor([1.0, 2.0]), mytorch.tensor([1.0, 4.0]))
    tensor(1.)
    """
    target = _check_same_shape("l1_loss", input, target)
    _check_reduction("l1_loss", reduction)
    return _reduce((input - target).abs(), reduction)


def smooth_l1_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", beta: float = 1.0
) -> Tensor:
    """Smooth L1: ``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``.

    ``d = input - target``.

    Quadratic near zero and linear far from it, so outliers pull less than in
    ``mse_loss``. ``beta=0`` is ``l1_loss``.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.smooth_l1_loss(mytorch.tensor([0.5, 3.0]), mytorch.zeros(2), reduction="none")
    tensor([0.125, 2.5  ])
    """
    target = _check_same_shape("smooth_l1_loss", input, target)
    _check_reduction("smooth_l1_loss", reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    return _reduce(_smooth_l1(input - target, beta), reduction)


def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0
) -> Tensor:
    """Huber: ``0.5 d**2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``.

    ``d = input - target``; this is ``delta`` times ``smooth_l1_loss`` with ``beta=delta``.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.huber_loss(mytorch.tensor([0.5, 3.0]), mytorch.zeros(2), reduction="none", delta=2.0)
    tensor([0.125, 4.   ])
    """
    target = _check_same_shape("huber_loss", input, target)
    _check_reduction("huber_loss", reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    return _reduce(_smooth_l1(input - target, delta) * delta, reduction)


def _smooth_l1(difference: Tensor, beta: float) -> Tensor:
    size = difference.abs()
    if beta == 0:  # the quadratic part is empty (and would divide by zero)
        return size
    return ops.where(size < beta, difference * difference * (0.5 / beta), size - 0.5 * beta)


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of probabilities ``x`` in [0, 1] against targets ``y``.

    ``-w (y log x + (1 - y) log(1 - x))``, each log clamped at -100 as in
    PyTorch, so ``x = 0`` or ``1`` gives a finite loss. Prefer
    ``binary_cross_entropy_with_logits`` on logits: it is stable everywhere.

    Parameters
    ----------
    weight : Tensor, optional
        A weight per element, broadcastable to the input's shape (a constant).

    Raises
    ------
    RuntimeError
        If an input is outside [0, 1] (as PyTorch).

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> x = mytorch.tensor([0.5, 0.0])
    >>> F.binary_cross_entropy(x, mytorch.tensor([1.0, 1.0]), reduction="none")
    tensor([  0.6931472, 100.       ])
    """
    target = _check_same_shape("binary_cross_entropy", input, target)
    _check_reduction("binary_cross_entropy", reduction)
    outside = np.flatnonzero(~((input.data >= 0) & (input.data <= 1)))
    if outside.size:
        raise RuntimeError(
            "binary_cross_entropy: all elements of input should be between 0 and 1, got "
            f"{input.data.reshape(-1)[outside[:5]].tolist()} at position(s) {outside[:5].tolist()}"
        )
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        weights = weight.data if isinstance(weight, Tensor) else np.asarray(weight)
        try:
            np.broadcast_shapes(weights.shape, input.shape)
        except ValueError:
            raise ValueError(
                f"binary_cross_entropy: weight of shape {shape_str(weights.shape)} does not "
                f"broadcast to the input's shape {shape_str(input.shape)}"
            ) from None
        loss = loss * Tensor._wrap(weights.astype(input.dtype))
    return _reduce(loss, reduction)


class BinaryCrossEntropy(Function):
    """``-(y log x + (1 - y) log(1 - x))`` elementwise, each log clamped at -100."""

    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, y: Tensor) -> np.ndarray:
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore"):  # log(0) is -inf, clamped next
            log_x = np.maximum(np.log(x.data), -100.0)
            log_rest = np.maximum(np.log1p(-x.data), -100.0)
        return -(y.data * log_x + (1 - y.data) * log_rest)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        # d/dx = (x - y) / (x (1 - x)); PyTorch clamps the denominator at float32's 1e-12.
        grad_x = grad * (x - y) / ops.clamp(x * (1 - x), min=_EPSILON) if need_x else None
        # d/dy = log(1 - x) - log(x), with the logs clamped as in forward.
        if need_y:
            grad_y = grad * (ops.clamp((1 - x).log(), min=-100) - ops.clamp(x.log(), min=-100))
        else:
            grad_y = None
        return grad_x, grad_y


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


def kl_div(
    input: Tensor, target: Tensor, reduction: str = "mean", log_target: bool = False
) -> Tensor:
    """Kullback-Leibler divergence of ``target`` from ``input``, which holds log-probabilities.

    Elementwise ``target * (log(target) - input)`` (0 where ``target`` is 0), or
    ``exp(target) * (target - input)`` when ``log_target`` (the target given as
    log-probabilities too). The gradient with respect to a target of 0 is
    taken as ``-input`` (PyTorch gives nan there). ``reduction='batchmean'`` divides the sum by the
    batch size (the first dimension), which is the true KL divergence per
    example; ``'mean'`` divides by the number of elements, as PyTorch does.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> p = mytorch.tensor([[0.5, 0.5]])
    >>> F.kl_div(p.log(), p, reduction="batchmean")
    tensor(0.)
    >>> F.kl_div(mytorch.tensor([[0.0, 0.0]]), p, reduction="sum")
    tensor(-0.6931472)
    """
    target = _check_same_shape("kl_div", input, target)
    _check_reduction("kl_div", reduction, ("none", "batchmean", "sum", "mean"))
    if log_target:
        loss = target.exp() * (target - input)
    else:
        # target * log(target) is 0 at target 0: take the log of 1 there instead of 0.
        positive = Tensor._wrap(target.data > 0)
        loss = target * (ops.where(positive, target, 1.0).log() - input)
    if reduction == "batchmean":
        total = loss.sum()
        return _divide(total, float(input.shape[0])) if input.ndim else total
    return _reduce(loss, reduction)


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
