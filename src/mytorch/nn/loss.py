"""Loss layers: CrossEntropyLoss, NLLLoss, MSELoss, BCEWithLogitsLoss.

Each stores its ``reduction`` and forwards to the function of the same maths
in ``mytorch.nn.functional``.
"""

from __future__ import annotations

from mytorch.core.tensor import Tensor
from mytorch.nn import functional as F
from mytorch.nn.module import Module

__all__ = ["BCEWithLogitsLoss", "CrossEntropyLoss", "MSELoss", "NLLLoss"]


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(
                f"{type(self).__name__}: reduction must be 'mean', 'sum' or 'none', "
                f"got {reduction!r}"
            )
        self.reduction = reduction


class CrossEntropyLoss(_Loss):
    """Cross-entropy of logits (N, C) against integer class labels (N,).

    ``loss_i = logsumexp(z_i) - z_i[y_i]``, reduced by ``reduction``
    (``'mean'``, ``'sum'`` or ``'none'``). The gradient with respect to the logits
    is ``(softmax(z) - onehot(y)) / N`` for the mean. See
    ``mytorch.nn.functional.cross_entropy``; unlike PyTorch, class
    probabilities as targets are not accepted.

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

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """Return the cross-entropy of logits ``input`` (N, C) at labels ``target`` (N,).

        A 0-d tensor for ``'mean'`` and ``'sum'``, shape (N,) for ``'none'``.

        Examples
        --------
        >>> import mytorch
        >>> logits = mytorch.zeros(2, 4)
        >>> labels = mytorch.tensor([0, 3], dtype=mytorch.int64)
        >>> mytorch.nn.CrossEntropyLoss()(logits, labels).item()  # log(4)
        1.386294...
        """
        return F.cross_entropy(input, target, self.reduction)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (N, C) at integer labels (N,).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> logp = mytorch.tensor([[-0.1, -2.4]])
    >>> nn.NLLLoss()(logp, mytorch.tensor([1], dtype=mytorch.int64))
    tensor(2.4)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """Return ``-input[i, target[i]]`` for log-probabilities (N, C) and labels (N,), reduced.

        A 0-d tensor for ``'mean'`` and ``'sum'``, shape (N,) for ``'none'``.

        Examples
        --------
        >>> import mytorch
        >>> log_probs = mytorch.tensor([[-1.0, -2.0]])
        >>> mytorch.nn.NLLLoss()(log_probs, mytorch.tensor([1], dtype=mytorch.int64))
        tensor(2.)
        """
        return F.nll_loss(input, target, self.reduction)


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
