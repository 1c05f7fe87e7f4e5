"""``mytorch.nn.init``: filling parameters with their starting values, in place.

The formulas and fan computations are PyTorch's (and the papers'): Glorot &
Bengio (2010) for ``xavier_*``, He et al. (2015) for ``kaiming_*``. Every draw
comes from the framework's one generator (``mytorch.manual_seed`` seeds it), so
the same seed gives bit-identical weights. The fills run under ``no_grad`` (a
parameter requires grad, and starting values are not part of any graph) and
bump the tensor's version like any in-place change.
"""

from __future__ import annotations

import math

import numpy as np

from mytorch.core.grad_mode import no_grad
from mytorch.core.random import default_generator
from mytorch.core.tensor import Tensor, shape_str

__all__ = [
    "calculate_gain",
    "constant_",
    "fan_in_and_fan_out",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

_LINEAR_LIKE = {
    "linear",
    "sigmoid",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain recommended for a nonlinearity: the factor that keeps activations' scale.

    ========================  =====================================
    nonlinearity              gain
    ========================  =====================================
    linear, conv*, sigmoid    1
    tanh                      5/3
    relu                      sqrt(2)
    leaky_relu                sqrt(2 / (1 + negative_slope**2))
    selu                      3/4
    ========================  =====================================

    Parameters
    ----------
    nonlinearity : str
    param : float, optional
        The negative slope of ``leaky_relu`` (default 0.01).

    Examples
    --------
    >>> from mytorch.nn import init
    >>> init.calculate_gain("tanh")
    1.6666666666666667
    >>> round(init.calculate_gain("leaky_relu", 0.2), 4)
    1.3868
    """
    if nonlinearity in _LINEAR_LIKE:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *receptive_field)``.

    For a Linear weight (out, in) that is (in, out); a convolution's kernel
    multiplies both by the receptive field's size.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.nn import init
    >>> init.fan_in_and_fan_out(mytorch.zeros(20, 784))
    (784, 20)
    """
    if tensor.ndim < 2:
        raise ValueError(
            f"init: fan in and fan out cannot be computed for a tensor of shape "
            f"{shape_str(tensor.shape)}: it needs at least 2 dimensions"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _fill(tensor: Tensor, values: np.ndarray | float) -> Tensor:
    with no_grad():
        return tensor.copy_(values)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill ``tensor`` in place with draws from the uniform distribution on ``[a, b)``.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.nn import init
    >>> w = init.uniform_(mytorch.zeros(1000), -0.5, 0.5)
    >>> bool((w >= -0.5).all() and (w < 0.5).all())
    True
    """
    if not a <= b:
        raise ValueError(f"uniform_: the lower bound a={a} is above the upper bound b={b}")
    return _fill(tensor, default_generator().uniform(a, b, size=tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill ``tensor`` in place with draws from the normal distribution N(mean, std**2).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.nn import init
    >>> w = init.normal_(mytorch.zeros(10000), mean=3.0, std=0.1)
    >>> abs(w.mean().item() - 3.0) < 0.01
    True
    """
    if std < 0:
        raise ValueError(f"normal_: std must be non-negative, got {std}")
    return _fill(tensor, default_generator().normal(mean, std, size=tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` in place with the value ``val``.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.nn import init
    >>> init.constant_(mytorch.zeros(2), 0.5)
    tensor([0.5, 0.5])
    """
    return _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` in place with zeros.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.nn import init
    >>> init.zeros_(mytorch.ones(2))
    tensor([0., 0.])
    """
    return _fill(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` in place with ones.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.nn import init
    >>> init.ones_(mytorch.zeros(2))
    tensor([1., 1.])
    """
    return _fill(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot uniform: ``U(-a, a)`` with ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.nn import init
    >>> w = init.xavier_uniform_(mytorch.zeros(30, 70))
    >>> bool((w.abs() <= (6 / 100) ** 0.5).all())
    True
    """
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # a uniform on [-b, b] has standard deviation b / sqrt(3)
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot normal: ``N(0, std**2)`` with ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.nn import init
    >>> init.xavier_normal_(mytorch.zeros(30, 70)).shape
    (30, 70)
    """
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He uniform: ``U(-b, b)`` with ``b = gain * sqrt(3 / fan)``.

    ``gain = calculate_gain(nonlinearity, a)`` and ``fan`` is ``fan_in`` (keeps
    the forward pass's scale) or ``fan_out`` (the backward pass's). ``Linear``
    uses ``a = sqrt(5)``, which gives ``b = 1 / sqrt(fan_in)``.

    Examples
    --------
    >>> import math
    >>> import mytorch
    >>> from mytorch.nn import init
    >>> w = init.kaiming_uniform_(mytorch.zeros(20, 784), a=math.sqrt(5))
    >>> bool((w.abs() <= 1 / math.sqrt(784)).all())
    True
    """
    if 0 in tensor.shape:
        return tensor  # nothing to fill (and no fan to divide by)
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He normal: ``N(0, std**2)`` with ``std = gain / sqrt(fan)`` (see ``kaiming_uniform_``).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.nn import init
    >>> init.kaiming_normal_(mytorch.zeros(20, 784), nonlinearity="relu").shape
    (20, 784)
    """
    if 0 in tensor.shape:
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity))
