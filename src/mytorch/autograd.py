"""``mytorch.autograd``: the autograd entry points under PyTorch's module name.

Examples
--------
>>> import mytorch
>>> x = mytorch.tensor(2.0, requires_grad=True)
>>> mytorch.autograd.grad(x * x, x)
(tensor(4.),)
"""

from mytorch.core.engine import backward, grad
from mytorch.core.function import AccumulateGrad, BackwardFunction, Function
from mytorch.core.grad_mode import enable_grad, no_grad, set_grad_enabled

__all__ = [
    "AccumulateGrad",
    "BackwardFunction",
    "Function",
    "backward",
    "enable_grad",
    "grad",
    "no_grad",
    "set_grad_enabled",
]
