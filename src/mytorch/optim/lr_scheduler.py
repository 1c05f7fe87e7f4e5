"""``mytorch.optim.lr_scheduler``: learning-rate schedules, as ``torch.optim.lr_scheduler``.

A scheduler wraps an optimiser; call ``scheduler.step()`` after each epoch's
``optimizer.step()`` calls (``OneCycleLR`` and ``CyclicLR`` after each batch's, and
``ReduceLROnPlateau.step(metric)`` with the validation loss). Most schedules are
"chainable" as in PyTorch: they multiply the current ``group["lr"]`` by their own
factor, so two of them on one optimiser compose. The classes live in one file
per idea; this module gathers them under PyTorch's import path.

Examples
--------
>>> import mytorch
>>> from mytorch.optim.lr_scheduler import ExponentialLR, MultiStepLR
>>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
>>> decay, drops = ExponentialLR(opt, gamma=0.5), MultiStepLR(opt, milestones=[2], gamma=0.1)
>>> for epoch in range(2):
...     opt.step()
...     decay.step()
...     drops.step()
>>> round(opt.param_groups[0]["lr"], 6)  # 0.5 ** 2 from one, 0.1 from the other
0.025
"""

from mytorch.optim.chained_lr import ChainedScheduler, SequentialLR
from mytorch.optim.cosine_lr import CosineAnnealingLR, CosineAnnealingWarmRestarts
from mytorch.optim.cyclic_lr import CyclicLR
from mytorch.optim.decay_lr import ExponentialLR, MultiStepLR, StepLR
from mytorch.optim.factor_lr import ConstantLR, LinearLR, PolynomialLR
from mytorch.optim.lambda_lr import LambdaLR, MultiplicativeLR
from mytorch.optim.one_cycle_lr import OneCycleLR
from mytorch.optim.plateau_lr import ReduceLROnPlateau
from mytorch.optim.scheduler_base import LRScheduler

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]
