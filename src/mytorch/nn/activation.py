"""Activation layers and other stateless layers: each forwards to one function.

ReLU, Sigmoid, Tanh, LeakyReLU, Softmax, LogSoftmax, Identity, Flatten.
"""

from __future__ import annotations

from typing import Any

from mytorch.core.tensor import Tensor
from mytorch.nn import functional as F
from mytorch.nn.module import Module

__all__ = ["Flatten", "Identity", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "Tanh"]


class ReLU(Module):
    """``max(x, 0)`` elementwise (see ``mytorch.nn.functional.relu``).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.ReLU()(mytorch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """

    def forward(self, input: Tensor) -> Tensor:
        """Return ``max(input, 0)`` elementwise, of the input's shape (any shape).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.ReLU()(mytorch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
        """
        return F.relu(input)


class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` elementwise.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.Sigmoid()(mytorch.tensor([0.0]))
    tensor([0.5])
    """

    def forward(self, input: Tensor) -> Tensor:
        """Return ``1 / (1 + exp(-input))`` elementwise, of the input's shape (any shape).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Sigmoid()(mytorch.tensor([0.0]))
        tensor([0.5])
        """
        return F.sigmoid(input)


class Tanh(Module):
    """``tanh(x)`` elementwise.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.Tanh()(mytorch.tensor([0.0]))
    tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        """Return ``tanh(input)`` elementwise, of the input's shape (any shape).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Tanh()(mytorch.tensor([0.0]))
        tensor([0.])
        """
        return F.tanh(input)


class LeakyReLU(Module):
    """``x`` where positive, ``negative_slope * x`` elsewhere.

    Parameters
    ----------
    negative_slope : float, default 0.01

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.LeakyReLU(0.1)(mytorch.tensor([-1.0, 2.0]))
    tensor([-0.1,  2. ])
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, input: Tensor) -> Tensor:
        """Return ``input`` where positive, ``negative_slope * input`` elsewhere (same shape).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.LeakyReLU(0.5)(mytorch.tensor([-2.0, 3.0]))
        tensor([-1.,  3.])
        """
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        """Return ``'negative_slope=...'``, shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.LeakyReLU(0.1).extra_repr()
        'negative_slope=0.1'
        """
        return f"negative_slope={self.negative_slope}"


class Softmax(Module):
    """Softmax along ``dim``: each slice becomes positive and sums to 1.

    Parameters
    ----------
    dim : int
        The dimension to normalise (required, as in PyTorch's current API).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.Softmax(dim=1)(mytorch.tensor([[0.0, 0.0]]))
    tensor([[0.5, 0.5]])
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """Return the softmax of ``input`` along ``dim``: same shape, each slice summing to 1.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Softmax(dim=0)(mytorch.tensor([0.0, 0.0]))
        tensor([0.5, 0.5])
        """
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        """Return ``'dim=...'``, shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Softmax(dim=1).extra_repr()
        'dim=1'
        """
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """Log-softmax along ``dim``, computed stably (log-sum-exp trick).

    Parameters
    ----------
    dim : int
        The dimension to normalise.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.LogSoftmax(dim=1)(mytorch.tensor([[0.0, 0.0]]))
    tensor([[-0.6931472, -0.6931472]])
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """Return ``input - logsumexp(input, dim)`` along ``dim``, of the input's shape.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.LogSoftmax(dim=0)(mytorch.tensor([0.0, 0.0])).exp()
        tensor([0.5, 0.5])
        """
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        """Return ``'dim=...'``, shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.LogSoftmax(dim=1).extra_repr()
        'dim=1'
        """
        return f"dim={self.dim}"


class Identity(Module):
    """Return the input unchanged; any constructor arguments are ignored (as in PyTorch).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.Identity()(mytorch.tensor([1.0]))
    tensor([1.])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        """Return ``input`` itself (the same Tensor object), of any shape.

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.tensor([1.0])
        >>> mytorch.nn.Identity()(x) is x
        True
        """
        return input


class Flatten(Module):
    """Merge dimensions ``start_dim`` to ``end_dim`` into one (by default, all but the batch).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.Flatten()(mytorch.zeros(100, 28, 28)).shape
    (100, 784)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        """Return ``input.flatten(start_dim, end_dim)``: (N, C, H, W) becomes (N, C*H*W).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Flatten()(mytorch.zeros(2, 3, 4)).shape
        (2, 12)
        """
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        """Return ``'start_dim=..., end_dim=...'``, shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Flatten().extra_repr()
        'start_dim=1, end_dim=-1'
        """
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
