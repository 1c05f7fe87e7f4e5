"""Activation functions: relu, sigmoid, tanh, leaky_relu, gelu, silu, elu, softplus, softmax.

Most are the core's primitives under their ``torch.nn.functional`` names;
``leaky_relu`` is built from ``where``. gelu, silu, elu and softplus are
``Function``s of their own (numpy forward, backward in Tensor ops beside it),
each one node instead of five or more.

numpy has no ``erf``, which the exact GELU needs; ``_erf`` computes it with a
series of positive terms for ``|x| < 2`` and a continued fraction for ``erfc``
beyond, both to within 2e-15 of ``math.erf`` (about 0.1 s per million elements:
use ``approximate='tanh'`` where that matters).
"""

from __future__ import annotations

import math

import numpy as np

from mytorch import ops
from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor

__all__ = [
    "elu",
    "gelu",
    "leaky_relu",
    "log_softmax",
    "relu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "tanh",
]


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


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit: ``x * Phi(x)``, ``Phi`` the standard normal's CDF.

    ``approximate='tanh'`` uses ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3)))``,
    as PyTorch's option of that name.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.gelu(mytorch.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.15865526,  0.        ,  0.8413447 ])
    >>> F.gelu(mytorch.tensor([1.0]), approximate="tanh")
    tensor([0.841192])
    """
    if approximate == "none":
        return GELU.apply(input)
    if approximate == "tanh":
        return GELUTanh.apply(input)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_TANH_SCALE = math.sqrt(2 / math.pi)
_TANH_CUBIC = 0.044715


def _erf(x: np.ndarray) -> np.ndarray:
    """erf elementwise, to within 2e-15 of ``math.erf`` (see the module docstring)."""
    size = np.abs(x)
    out = np.empty(x.shape, dtype=np.result_type(x.dtype, np.float32))
    near = size < 2.0
    # erf(a) = 2/sqrt(pi) exp(-a^2) sum_n (2a^2)^n a / (1 * 3 * ... * (2n + 1)): no cancellation.
    a = size[near].astype(np.float64)
    term, total, ratio = a.copy(), a.copy(), 2 * a * a
    for n in range(1, 36):
        term *= ratio / (2 * n + 1)
        total += term
    out[near] = (2 / math.sqrt(math.pi)) * np.exp(-a * a) * total
    # erfc(b) = exp(-b^2) / sqrt(pi) / (b + 1/2 / (b + 1 / (b + 3/2 / (b + ...)))), from the tail.
    b = size[~near].astype(np.float64)
    fraction = np.zeros_like(b)
    for k in range(50, 0, -1):
        fraction = (k / 2) / (b + fraction)
    out[~near] = 1 - np.exp(-b * b) / math.sqrt(math.pi) / (b + fraction)
    return np.copysign(out, x)


class Erf(Function):
    """The error function (used by the exact GELU's backward, so that it is differentiable)."""

    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return _erf(x.data)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * (2 / math.sqrt(math.pi)) * (-(x * x)).exp()


class GELU(Function):
    """``x * Phi(x)`` with ``Phi(x) = (1 + erf(x / sqrt(2))) / 2``."""

    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return x.data * (0.5 + 0.5 * _erf(x.data * _SQRT_HALF))

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        # d/dx x Phi(x) = Phi(x) + x phi(x), phi the normal density.
        cdf = 0.5 + 0.5 * Erf.apply(x * _SQRT_HALF)
        density = (x * x * -0.5).exp() * _INV_SQRT_2PI
        return grad * (cdf + x * density)


class GELUTanh(Function):
    """``0.5 x (1 + tanh(u))`` with ``u = sqrt(2/pi) (x + 0.044715 x**3)``."""

    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        u = _TANH_SCALE * (x.data + _TANH_CUBIC * x.data**3)
        return 0.5 * x.data * (1 + np.tanh(u))

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        t = ((x + x * x * x * _TANH_CUBIC) * _TANH_SCALE).tanh()
        du = (1 + x * x * (3 * _TANH_CUBIC)) * _TANH_SCALE
        return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)


def silu(input: Tensor) -> Tensor:
    """Sigmoid linear unit (swish): ``x * sigmoid(x)``.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.silu(mytorch.tensor([0.0, 1.0]))
    tensor([0.       , 0.7310586])
    """
    return SiLU.apply(input)


class SiLU(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return x.data * (0.5 + 0.5 * np.tanh(0.5 * x.data))  # the stable sigmoid

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return grad * (s * (1 + x * (1 - s)))


def elu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """Exponential linear unit: ``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.elu(mytorch.tensor([-1.0, 2.0]))
    tensor([-0.63212055,  2.        ])
    """
    return ELU.apply(input, alpha)


class ELU(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, alpha: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        # expm1 of min(x, 0): exact near 0, and no overflow where x is large and unused.
        return np.where(x.data > 0, x.data, alpha * np.expm1(np.minimum(x.data, 0)))

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None]:
        (x,) = ctx.saved_tensors
        positive = Tensor._wrap(x.data > 0)
        slope = ops.where(positive, 1.0, ops.minimum(x, 0.0).exp() * ctx.alpha)
        return grad * slope, None


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta x)) / beta``, a smooth ReLU; ``x`` itself where ``beta x > threshold``.

    Examples
    --------
    >>> import mytorch
    >>> import mytorch.nn.functional as F
    >>> F.softplus(mytorch.tensor([0.0, 30.0]))
    tensor([ 0.6931472, 30.       ])
    """
    return Softplus.apply(input, beta, threshold)


class Softplus(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, beta: float, threshold: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        scaled = x.data * beta
        # log1p(exp(-|z|)) + max(z, 0) equals log(1 + exp(z)) and never overflows.
        smooth = (np.log1p(np.exp(-np.abs(scaled))) + np.maximum(scaled, 0)) / beta
        return np.where(scaled > threshold, x.data, smooth)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None]:
        (x,) = ctx.saved_tensors
        linear = Tensor._wrap(x.data * ctx.beta > ctx.threshold)
        return grad * ops.where(linear, 1.0, (x * ctx.beta).sigmoid()), None, None
