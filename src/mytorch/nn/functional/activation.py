"""Activation functions: relu, sigmoid, tanh, leaky_relu, softmax, log_softmax.

Most are the core's primitives under their ``torch.nn.functional`` names;
``leaky_relu`` is built from ``where``.
"""

from __future__ import annotations

from mytorch import ops
from mytorch.core.tensor import Tensor

__all__ = ["leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "tanh"]


def relu(input: Tensor) -> Tensor:
    """``max(input, 0)`` elementwise; the gradient is 1 where input > 0, else 0.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.relu(mytorch.tensor([-1.0, 0.0, 2.0]))
    tensor([0., 0., 2.])
    """
    return ops.relu(input)


def sigmoid(input: Tensor) -> Tensor:
    """The logistic function ``1 / (1 + exp(-input))``, stable for any input.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.sigmoid(mytorch.tensor([0.0]))
    tensor([0.5])
    """
    return ops.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """The hyperbolic tangent elementwise.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.tanh(mytorch.tensor([0.0]))
    tensor([0.])
    """
    return ops.tanh(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``input`` where it is positive, ``negative_slope * input`` elsewhere.

    The gradient is 1 where input > 0 and ``negative_slope`` elsewhere,
    including at 0, as in PyTorch.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.leaky_relu(mytorch.tensor([-2.0, 3.0]), negative_slope=0.1)
    tensor([-0.2,  3. ])
    """
    return ops.where(input > 0, input, input * negative_slope)


def softmax(input: Tensor, dim: int) -> Tensor:
    """``exp(input) / sum(exp(input))`` along ``dim``, stable for large inputs.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.softmax(mytorch.tensor([[0.0, 0.0]]), dim=1)
    tensor([[0.5, 0.5]])
    """
    return ops.softmax(input, dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:
    """``log(softmax(input))`` along ``dim``, by the log-sum-exp trick (stable for +-1000).

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.log_softmax(mytorch.tensor([[1000.0, 1000.0]], dtype=mytorch.float64), dim=1)
    tensor([[-0.69314718, -0.69314718]], dtype=float64)
    """
    return ops.log_softmax(input, dim)
