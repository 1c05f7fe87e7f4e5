"""Activation layers: each forwards to one function of ``mytorch.nn.functional``.

ReLU, Sigmoid, Tanh, LeakyReLU, GELU, SiLU, ELU, Softplus, Softmax, LogSoftmax.
"""

from __future__ import annotations

from mytorch.core.tensor import Tensor
from mytorch.nn import functional as F
from mytorch.nn.module import Module

__all__ = [
    "ELU",
    "GELU",
    "LeakyReLU",
    "LogSoftmax",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
]


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


class GELU(Module):
    """Gaussian error linear unit ``x * Phi(x)`` (see ``mytorch.nn.functional.gelu``).

    Parameters
    ----------
    approximate : {'none', 'tanh'}, default 'none'

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.GELU()(mytorch.tensor([0.0, 1.0]))
    tensor([0.       , 0.8413447])
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        """Return ``input * Phi(input)`` elementwise, of the input's shape.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.GELU(approximate="tanh")(mytorch.tensor([0.0]))
        tensor([0.])
        """
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        """Return ``"approximate='...'"``, shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.GELU().extra_repr()
        "approximate='none'"
        """
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """Sigmoid linear unit (swish) ``x * sigmoid(x)``.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.SiLU()(mytorch.tensor([0.0]))
    tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        """Return ``input * sigmoid(input)`` elementwise, of the input's shape.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.SiLU()(mytorch.tensor([0.0]))
        tensor([0.])
        """
        return F.silu(input)


class ELU(Module):
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere.

    Parameters
    ----------
    alpha : float, default 1.0

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.ELU(alpha=2.0)(mytorch.tensor([0.0, 3.0]))
    tensor([0., 3.])
    """

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, input: Tensor) -> Tensor:
        """Return the ELU of ``input`` elementwise, of the input's shape.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.ELU()(mytorch.tensor([1.0]))
        tensor([1.])
        """
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        """Return ``'alpha=...'``, shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.ELU().extra_repr()
        'alpha=1.0'
        """
        return f"alpha={self.alpha}"


class Softplus(Module):
    """``log(1 + exp(beta x)) / beta``; ``x`` itself where ``beta x > threshold``.

    Parameters
    ----------
    beta : float, default 1.0
    threshold : float, default 20.0

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.Softplus()(mytorch.tensor([0.0]))
    tensor([0.6931472])
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        """Return the softplus of ``input`` elementwise, of the input's shape.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Softplus(beta=2.0)(mytorch.tensor([100.0]))
        tensor([100.])
        """
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        """Return ``'beta=..., threshold=...'``, shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Softplus().extra_repr()
        'beta=1.0, threshold=20.0'
        """
        return f"beta={self.beta}, threshold={self.threshold}"
