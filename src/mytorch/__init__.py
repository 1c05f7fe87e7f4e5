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

import importlib as _importlib

from mytorch import ops
from mytorch.core.device import device
from mytorch.core.dtypes import (
    bool_,
    double,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from mytorch.core.engine import grad
from mytorch.core.function import Function
from mytorch.core.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from mytorch.core.random import Generator, default_generator, manual_seed, seed
from mytorch.core.tensor import Tensor
from mytorch.ops import (
    abs,
    add,
    amax,
    amin,
    arange,
    argmax,
    argmin,
    as_tensor,
    broadcast_to,
    cat,
    clamp,
    clip,
    clone,
    concatenate,
    div,
    empty,
    empty_like,
    exp,
    expand,
    eye,
    flatten,
    from_numpy,
    full,
    full_like,
    linspace,
    log,
    log_softmax,
    logspace,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    multinomial,
    neg,
    ones,
    ones_like,
    permute,
    pow,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
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
_SUBMODULES = frozenset(
    {
        "accelerator",
        "autograd",
        "backends",
        "cuda",
        "data",
        "datasets",
        "nn",
        "optim",
        "testing",
        "utils",
    }
)


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        return _importlib.import_module(f"mytorch.{name}")
    raise AttributeError(f"module 'mytorch' has no attribute {name!r}")


# PyTorch's dtype names that are also Python builtins' names, set last so
# that nothing above uses them by mistake.
float = float32
int = int32
bool = bool_

__all__ = [
    "Function",
    "Generator",
    "Tensor",
    "abs",
    "add",
    "amax",
    "amin",
    "arange",
    "argmax",
    "argmin",
    "as_tensor",
    "bool",
    "bool_",
    "broadcast_to",
    "cat",
    "clamp",
    "clip",
    "clone",
    "concatenate",
    "default_generator",
    "device",
    "div",
    "double",
    "empty",
    "empty_like",
    "enable_grad",
    "exp",
    "expand",
    "eye",
    "flatten",
    "float",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "get_default_dtype",
    "grad",
    "half",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_grad_enabled",
    "linspace",
    "load",
    "log",
    "log_softmax",
    "logspace",
    "logsumexp",
    "long",
    "manual_seed",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mul",
    "multinomial",
    "neg",
    "no_grad",
    "ones",
    "ones_like",
    "ops",
    "permute",
    "pow",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "relu",
    "reshape",
    "save",
    "seed",
    "set_default_dtype",
    "set_grad_enabled",
    "short",
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
