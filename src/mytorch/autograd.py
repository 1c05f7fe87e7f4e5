"""``mytorch.autograd``: the autograd entry points under PyTorch's module name.

Examples
--------
>>> import mytorch
>>> x = mytorch.tensor(2.0, requires_grad=True)
>>> mytorch.autograd.grad(x * x, x)
(tensor(4.),)
"""

from mytorch.core.anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled
from mytorch.core.by_hand import ContextManager
from mytorch.core.engine import backward, grad
from mytorch.core.function import Function
from mytorch.core.grad_mode import enable_grad, no_grad, set_grad_enabled
from mytorch.core.node import AccumulateGrad, BackwardFunction

__all__ = [
    "AccumulateGrad",
    "AnomalyError",
    "BackwardFunction",
    "ContextManager",
    "Function",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "is_anomaly_enabled",
    "no_grad",
    "set_grad_enabled",
]
