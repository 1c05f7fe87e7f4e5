"""MyTorch: a small, readable deep-learning framework on numpy with a PyTorch-shaped API.

Examples
--------
>>> import mytorch
>>> x = mytorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> loss = (x * x).sum()
>>> loss.backward()
>>> x.grad
tensor([2., 4., 6.])
"""

from __future__ import annotations

import importlib
from typing import Any

from mytorch import ops
from mytorch.core.dtypes import (
    bool_,
    float16,
    float32,
    float64,
    get_default_dtype,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from mytorch.core.engine import grad
from mytorch.core.function import Function
from mytorch.core.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from mytorch.core.random import default_generator, manual_seed, seed
from mytorch.core.tensor import Tensor
from mytorch.ops import (
    abs,
    add,
    amax,
    amin,
    arange,
    argmax,
    argmin,
    broadcast_to,
    cat,
    clamp,
    clip,
    clone,
    concatenate,
    div,
    exp,
    expand,
    flatten,
    full,
    log,
    log_softmax,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    neg,
    ones,
    ones_like,
    permute,
    pow,
    rand,
    randn,
    relu,
    reshape,
    sigmoid,
    softmax,
    sqrt,
    squeeze,
    stack,
    sub,
    sum,
    tanh,
    tensor,
    transpose,
    unsqueeze,
    var,
    where,
    zeros,
    zeros_like,
)
from mytorch.serialization import load, save

__version__ = "0.1.0.dev0"

# Subpackages load on first use (``mytorch.nn``), as attributes, like torch's;
# importing them lazily keeps ``import mytorch`` fast.
_SUBMODULES = frozenset({"autograd", "data", "datasets", "nn", "optim", "testing", "utils", "viz"})


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"mytorch.{name}")
    raise AttributeError(f"module 'mytorch' has no attribute {name!r}")


__all__ = [
    "Function",
    "Tensor",
    "abs",
    "add",
    "amax",
    "amin",
    "arange",
    "argmax",
    "argmin",
    "bool_",
    "broadcast_to",
    "cat",
    "clamp",
    "clip",
    "clone",
    "concatenate",
    "default_generator",
    "div",
    "enable_grad",
    "exp",
    "expand",
    "flatten",
    "float16",
    "float32",
    "float64",
    "full",
    "get_default_dtype",
    "grad",
    "int32",
    "int64",
    "is_grad_enabled",
    "load",
    "log",
    "log_softmax",
    "logsumexp",
    "manual_seed",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mul",
    "neg",
    "no_grad",
    "ones",
    "ones_like",
    "ops",
    "permute",
    "pow",
    "rand",
    "randn",
    "relu",
    "reshape",
    "save",
    "seed",
    "set_default_dtype",
    "set_grad_enabled",
    "sigmoid",
    "softmax",
    "sqrt",
    "squeeze",
    "stack",
    "sub",
    "sum",
    "tanh",
    "tensor",
    "transpose",
    "uint8",
    "unsqueeze",
    "var",
    "where",
    "zeros",
    "zeros_like",
]
