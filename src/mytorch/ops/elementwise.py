"""Elementwise math from one table: trigonometry, logarithms, rounding, and value tests.

Each row of ``SMOOTH`` names a function, its numpy forward and its derivative
written with Tensor ops (so a gradient can be differentiated again); the
Function classes (``Sin``, ``Log1p``, ...) are generated from the table rather
than written out fifty times. The rounding functions (floor, ceil, round, sign)
are piecewise constant: their derivative is 0 wherever it exists, and PyTorch
gives 0 at the jumps too, so they pass back zeros. The value tests (isnan,
isinf, isfinite) give bool tensors outside the graph.

A float function of an integer or bool tensor computes in the default float
dtype (``mytorch.get_default_dtype()``), as PyTorch does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from mytorch.core import dtypes
from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor
from mytorch.ops import unary

__all__ = [
    "ceil",
    "cos",
    "expm1",
    "floor",
    "isfinite",
    "isinf",
    "isnan",
    "log1p",
    "log2",
    "log10",
    "round",
    "sign",
    "sin",
    "tan",
]


class Smooth(NamedTuple):
    forward: Callable[..., np.ndarray]
    derivative: Callable[[Tensor], Tensor]  # d f(x) / dx, as a function of x
    summary: str
    example: tuple[str, str]  # a doctest: the input list, and the result's repr


ZERO_HALF = "[0.0, 0.5]"

# The derivatives call the public functions below (looked up when backward runs).
SMOOTH = {
    "sin": Smooth(
        np.sin,
        lambda x: cos(x),
        "Sine, elementwise (radians).",
        (ZERO_HALF, "tensor([0.        , 0.47942555])"),
    ),
    "cos": Smooth(
        np.cos,
        lambda x: -sin(x),
        "Cosine, elementwise (radians).",
        (ZERO_HALF, "tensor([1.        , 0.87758255])"),
    ),
    # tan' = 1 / cos**2, written with tan itself so it stays one op deep.
    "tan": Smooth(
        np.tan,
        lambda x: 1 + tan(x) * tan(x),
        "Tangent, elementwise (radians).",
        (ZERO_HALF, "tensor([0.       , 0.5463025])"),
    ),
    "log1p": Smooth(
        np.log1p,
        lambda x: 1 / (1 + x),
        "``log(1 + input)``, accurate for small input (domain: input > -1).",
        (ZERO_HALF, "tensor([0.        , 0.40546513])"),
    ),
    "expm1": Smooth(
        np.expm1,
        unary.exp,
        "``exp(input) - 1``, accurate for small input.",
        (ZERO_HALF, "tensor([0.       , 0.6487213])"),
    ),
    "log2": Smooth(
        np.log2,
        lambda x: 1 / (x * math.log(2)),
        "Base-2 logarithm, elementwise (domain: positive values).",
        ("[1.0, 8.0]", "tensor([0., 3.])"),
    ),
    "log10": Smooth(
        np.log10,
        lambda x: 1 / (x * math.log(10)),
        "Base-10 logarithm, elementwise (domain: positive values).",
        ("[1.0, 10.0]", "tensor([0., 1.])"),
    ),
}

# Piecewise-constant functions: zero gradient (their public wrappers are below).
ROUNDING = {"floor": np.floor, "ceil": np.ceil, "round": np.round, "sign": np.sign}


def _smooth_function(name: str, spec: Smooth) -> type[Function]:
    def forward(ctx: BackwardFunction, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return spec.forward(x.data)

    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * spec.derivative(x)

    return _function_class(name, forward, backward)


def _rounding_function(name: str, numpy_fn: Callable[..., np.ndarray]) -> type[Function]:
    def forward(ctx: BackwardFunction, x: Tensor, *options: Any) -> np.ndarray:
        ctx.option_count = len(options)
        return numpy_fn(x.data, *options)

    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        # Zero almost everywhere, and PyTorch's choice at the jumps.
        return (grad * 0, *(None,) * ctx.option_count)

    return _function_class(name, forward, backward)


def _function_class(name: str, forward: Callable, backward: Callable) -> type[Function]:
    class_name = name[0].upper() + name[1:]
    return type(
        class_name,
        (Function,),
        {
            "forward": staticmethod(forward),
            "backward": staticmethod(backward),
            "__module__": __name__,
            "__qualname__": class_name,
        },
    )


FUNCTIONS: dict[str, type[Function]] = {
    **{name: _smooth_function(name, spec) for name, spec in SMOOTH.items()},
    **{name: _rounding_function(name, fn) for name, fn in ROUNDING.items()},
}


def as_float(input: Tensor) -> Tensor:
    """``input``, or for an integer or bool tensor its copy in the default float dtype."""
    if input.data.dtype.kind in "fc":
        return input
    return Tensor._wrap(input.data.astype(dtypes.get_default_dtype()))


def _smooth_wrapper(name: str, spec: Smooth) -> Callable[[Tensor], Tensor]:
    function = FUNCTIONS[name]

    def wrapper(input: Tensor) -> Tensor:
        return function.apply(as_float(input))

    values, output = spec.example
    wrapper.__doc__ = f"""{spec.summary}

    Differentiable; an integer tensor computes in the default float dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.{name}(mytorch.tensor({values}))
    {output}
    """
    return _named(wrapper, name)


def _named(function: Callable, name: str) -> Callable:
    function.__name__ = function.__qualname__ = name
    function.__module__ = __name__
    return function


sin = _smooth_wrapper("sin", SMOOTH["sin"])
cos = _smooth_wrapper("cos", SMOOTH["cos"])
tan = _smooth_wrapper("tan", SMOOTH["tan"])
log1p = _smooth_wrapper("log1p", SMOOTH["log1p"])
expm1 = _smooth_wrapper("expm1", SMOOTH["expm1"])
log2 = _smooth_wrapper("log2", SMOOTH["log2"])
log10 = _smooth_wrapper("log10", SMOOTH["log10"])


def floor(input: Tensor) -> Tensor:
    """Round down to the nearest integer, elementwise; the gradient is 0.

    An integer or bool tensor comes back unchanged (as a new tensor).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.floor(mytorch.tensor([-1.5, 0.5, 2.0]))
    tensor([-2.,  0.,  2.])
    """
    return _round_like("floor", input)


def ceil(input: Tensor) -> Tensor:
    """Round up to the nearest integer, elementwise; the gradient is 0.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.ceil(mytorch.tensor([-1.5, 0.5, 2.0]))
    tensor([-1.,  1.,  2.])
    """
    return _round_like("ceil", input)


def round(input: Tensor, decimals: int = 0) -> Tensor:
    """Round to ``decimals`` decimal places; halves go to the even neighbour, as in PyTorch.

    The gradient is 0. ``decimals`` may be negative (round to tens, hundreds...).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.round(mytorch.tensor([0.5, 1.5, 2.5]))
    tensor([0., 2., 2.])
    >>> mytorch.tensor([1.2345]).round(decimals=2)
    tensor([1.23])
    """
    if not isinstance(decimals, (int, np.integer)) or isinstance(decimals, bool):
        raise TypeError(f"round: decimals must be an int, got {type(decimals).__name__}")
    if decimals == 0:
        return _round_like("round", input)
    return _round_like("round", input, int(decimals))


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element (0 for 0); the gradient is 0.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.sign(mytorch.tensor([-2.0, 0.0, 3.0]))
    tensor([-1.,  0.,  1.])
    """
    if input.data.dtype.kind == "b":
        return Tensor._wrap(input.data.copy())  # the sign of a bool is itself
    return FUNCTIONS["sign"].apply(input)


def _round_like(name: str, input: Tensor, *options: Any) -> Tensor:
    if input.data.dtype.kind in "biu":  # already whole numbers
        return Tensor._wrap(input.data.copy())
    return FUNCTIONS[name].apply(input, *options)


def isnan(input: Tensor) -> Tensor:
    """A bool tensor: True where ``input`` is NaN.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.isnan(mytorch.tensor([1.0, float("nan")]))
    tensor([False,  True])
    """
    return Tensor._wrap(np.isnan(input.data))


def isinf(input: Tensor) -> Tensor:
    """A bool tensor: True where ``input`` is +inf or -inf.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.isinf(mytorch.tensor([1.0, float("-inf")]))
    tensor([False,  True])
    """
    return Tensor._wrap(np.isinf(input.data))


def isfinite(input: Tensor) -> Tensor:
    """A bool tensor: True where ``input`` is neither infinite nor NaN.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.isfinite(mytorch.tensor([1.0, float("inf"), float("nan")]))
    tensor([ True, False, False])
    """
    return Tensor._wrap(np.isfinite(input.data))
