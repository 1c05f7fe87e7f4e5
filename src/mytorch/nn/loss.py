"""Loss layers: each stores its options and forwards to the function of the same maths.

CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, MSELoss, L1Loss,
SmoothL1Loss, HuberLoss, KLDivLoss, with PyTorch's options and defaults (see
``mytorch.nn.functional`` for the formulas). A class ``weight`` is kept as a
buffer, as in PyTorch, so it appears in ``state_dict()``.
"""

from __future__ import annotations

from typing import Any

from mytorch.core.tensor import Tensor
from mytorch.nn import functional as F
from mytorch.nn.module import Module

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "MSELoss",
    "NLLLoss",
    "SmoothL1Loss",
]


class _Loss(Module):
    _reductions: tuple[str, ...] = ("mean", "sum", "none")

    def __init__(self, reduction: str = "mean", weight: Any = None) -> None:
        super().__init__()
        if reduction not in self._reductions:
            names = ", ".join(repr(name) for name in self._reductions[:-1])
            raise ValueError(
                f"{type(self).__name__}: reduction must be {names} or "
                f"{self._reductions[-1]!r}, got {reduction!r}"
            )
        self.reduction = reduction
        if isinstance(weight, str):
            raise TypeError(
                f"{type(self).__name__}: weight must be a Tensor of one weight per class, got "
                f"the string {weight!r}; pass the reduction by name: reduction={weight!r}"
            )
        if weight is not None:
            weight = weight if isinstance(weight, Tensor) else Tensor(weight)
            self.register_buffer("weight", weight)


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits against class labels or class probabilities.

    ``loss = -w[y] * log_softmax(z)[y]`` per example, reduced; see
    ``mytorch.nn.functional.cross_entropy`` for the shapes, the weighted mean,
    ``ignore_index`` and ``label_smoothing``. The plain case ((N, C) logits,
    labels, no options) is one fused node whose gradient is
    ``(softmax(z) - onehot(y)) / N``.

    Parameters
    ----------
    weight : Tensor of shape (C,), optional
    ignore_index : int, default -100
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    label_smoothing : float, default 0.0

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> loss = nn.CrossEntropyLoss()
    >>> logits = mytorch.tensor([[2.0, 0.0], [0.0, 2.0]], requires_grad=True)
    >>> value = loss(logits, mytorch.tensor([0, 1], dtype=mytorch.int64))
    >>> round(value.item(), 4)
    0.1269
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        *,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction, weight)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """Return the cross-entropy of logits ``input`` at labels or probabilities ``target``.

        A 0-d tensor for ``'mean'`` and ``'sum'``, shape (N, ...) for ``'none'``.

        Examples
        --------
        >>> import mytorch
        >>> logits = mytorch.zeros(2, 4)
        >>> labels = mytorch.tensor([0, 3], dtype=mytorch.int64)
        >>> mytorch.nn.CrossEntropyLoss()(logits, labels).item()  # log(4)
        1.386294...
        """
        return F.cross_entropy(
            input,
            target,
            self.__dict__.get("weight"),
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (N, C, ...) at integer labels (N, ...).

    Parameters
    ----------
    weight : Tensor of shape (C,), optional
    ignore_index : int, default -100
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> logp = mytorch.tensor([[-0.1, -2.4]])
    >>> nn.NLLLoss()(logp, mytorch.tensor([1], dtype=mytorch.int64))
    tensor(2.4)
    """

    def __init__(
        self, weight: Tensor | None = None, *, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction, weight)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """Return ``-weight[y] * input[y]`` at each label ``y``, reduced.

        Examples
        --------
        >>> import mytorch
        >>> log_probs = mytorch.tensor([[-1.0, -2.0]])
        >>> mytorch.nn.NLLLoss()(log_probs, mytorch.tensor([1], dtype=mytorch.int64))
        tensor(2.)
        """
        return F.nll_loss(
            input,
            target,
            self.__dict__.get("weight"),
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities in [0, 1] (see ``functional.binary_cross_entropy``).

    Parameters
    ----------
    weight : Tensor, optional
        A weight per element, broadcast to the input's shape.
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.BCELoss()(mytorch.tensor([0.5]), mytorch.tensor([1.0]))
    tensor(0.6931472)
    """

    def __init__(self, weight: Tensor | None = None, *, reduction: str = "mean") -> None:
        super().__init__(reduction, weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """Return ``-w (y log x + (1 - y) log(1 - x))`` reduced; input and target share a shape.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.BCELoss(reduction="sum")(mytorch.tensor([0.5]), mytorch.tensor([0.0]))
        tensor(0.6931472)
        """
        weight = self.__dict__.get("weight")
        return F.binary_cross_entropy(input, target, weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits against targets in [0, 1], computed stably.

    ``loss = max(x, 0) - x * y + log(1 + exp(-|x|))``, which equals
    ``-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))`` without overflow.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.BCEWithLogitsLoss()(mytorch.tensor([0.0]), mytorch.tensor([1.0]))
    tensor(0.6931472)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """Return the binary cross-entropy of logits ``input`` at ``target`` (same shape), reduced.

        A 0-d tensor for ``'mean'`` and ``'sum'``, the input's shape for ``'none'``.

        Examples
        --------
        >>> import mytorch
        >>> loss = mytorch.nn.BCEWithLogitsLoss()(mytorch.tensor([0.0]), mytorch.tensor([1.0]))
        >>> round(loss.item(), 4)  # log(2)
        0.6931
        """
        return F.binary_cross_entropy_with_logits(input, target, self.reduction)


class MSELoss(_Loss):
    """Mean squared error ``(input - target) ** 2``; input and target must have one shape.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.MSELoss(reduction="sum")(mytorch.tensor([1.0, 2.0]), mytorch.tensor([0.0, 0.0]))
    tensor(5.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """Return ``(input - target) ** 2`` reduced; input and target share one shape.

        A 0-d tensor for ``'mean'`` and ``'sum'``, the input's shape for ``'none'``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.MSELoss()(mytorch.tensor([1.0, 3.0]), mytorch.tensor([1.0, 1.0]))
        tensor(2.)
        """
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error ``|input - target|``; input and target must have one shape.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.L1Loss()(mytorch.tensor([1.0, 2.0]), mytorch.tensor([0.0, 0.0]))
    tensor(1.5)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """Return ``|input - target|`` reduced.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.L1Loss()(mytorch.tensor([1.0, 3.0]), mytorch.tensor([1.0, 1.0]))
        tensor(1.)
        """
        return F.l1_loss(input, target, self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic for differences below ``beta``, linear above (``functional.smooth_l1_loss``).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.SmoothL1Loss(beta=1.0)(mytorch.tensor([0.5, 3.0]), mytorch.zeros(2))
    tensor(1.3125)
    """

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """Return the smooth L1 loss of ``input - target``, reduced.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.SmoothL1Loss(beta=2.0)(mytorch.tensor([1.0]), mytorch.zeros(1))
        tensor(0.25)
        """
        return F.smooth_l1_loss(input, target, self.reduction, self.beta)


class HuberLoss(_Loss):
    """Quadratic for differences below ``delta``, linear above (``functional.huber_loss``).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.HuberLoss(delta=2.0)(mytorch.tensor([0.5, 3.0]), mytorch.zeros(2))
    tensor(2.0625)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """Return the Huber loss of ``input - target``, reduced.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.HuberLoss(delta=0.5)(mytorch.tensor([2.0]), mytorch.zeros(1))
        tensor(0.875)
        """
        return F.huber_loss(input, target, self.reduction, self.delta)


class KLDivLoss(_Loss):
    """KL divergence of a target distribution from log-probabilities (``functional.kl_div``).

    Parameters
    ----------
    reduction : {'mean', 'batchmean', 'sum', 'none'}, default 'mean'
        ``'batchmean'`` (the sum over the batch size) is the true KL divergence;
        ``'mean'`` (over every element) is PyTorch's default, kept for parity.
    log_target : bool, default False
        Whether the target holds log-probabilities.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> p = mytorch.tensor([[0.25, 0.75]])
    >>> nn.KLDivLoss(reduction="batchmean")(p.log(), p)
    tensor(0.)
    """

    _reductions = ("none", "batchmean", "sum", "mean")

    def __init__(self, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """Return the KL divergence of ``target`` from log-probabilities ``input``, reduced.

        Examples
        --------
        >>> import mytorch
        >>> q = mytorch.tensor([[0.5, 0.5]])
        >>> mytorch.nn.KLDivLoss(reduction="sum", log_target=True)(q.log(), q.log())
        tensor(0.)
        """
        return F.kl_div(input, target, self.reduction, self.log_target)
