"""The autograd core: Tensor, Function and its nodes, the backward engine, grad mode."""

from mytorch.core.dtypes import float32, float64, get_default_dtype, set_default_dtype
from mytorch.core.engine import grad
from mytorch.core.function import Function
from mytorch.core.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from mytorch.core.node import AccumulateGrad, BackwardFunction
from mytorch.core.random import manual_seed
from mytorch.core.tensor import Tensor

__all__ = [
    "AccumulateGrad",
    "BackwardFunction",
    "Function",
    "Tensor",
    "enable_grad",
    "float32",
    "float64",
    "get_default_dtype",
    "grad",
    "is_grad_enabled",
    "manual_seed",
    "no_grad",
    "set_default_dtype",
    "set_grad_enabled",
]
