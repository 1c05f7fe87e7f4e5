"""``mytorch.optim``: optimisers that update parameters from their gradients, and lr schedules.

Examples
--------
>>> import mytorch
>>> w = mytorch.tensor([3.0], requires_grad=True)
>>> opt = mytorch.optim.SGD([w], lr=0.25)
>>> for _ in range(2):
...     opt.zero_grad()
...     (w * w).sum().backward()
...     opt.step()
>>> w
tensor([0.75], requires_grad=True)
"""

from mytorch.optim import lr_scheduler
from mytorch.optim.adadelta import Adadelta
from mytorch.optim.adagrad import Adagrad
from mytorch.optim.adam import Adam, AdamW
from mytorch.optim.lbfgs import LBFGS
from mytorch.optim.optimizer import Optimizer
from mytorch.optim.rmsprop import RMSprop
from mytorch.optim.sgd import SGD

__all__ = [
    "LBFGS",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSprop",
    "lr_scheduler",
]
