"""``mytorch.nn``: modules, layers, losses, and their functional forms.

Examples
--------
>>> import mytorch
>>> from mytorch import nn
>>> model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
>>> loss = nn.CrossEntropyLoss()(model(mytorch.ones(5, 4)), mytorch.zeros(5, dtype=mytorch.int64))
>>> loss.backward()
>>> model[0].weight.grad.shape
(3, 4)
"""

from mytorch.nn import functional, init
from mytorch.nn.activation import (
    Flatten,
    Identity,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from mytorch.nn.batchnorm import BatchNorm1d
from mytorch.nn.container import Sequential
from mytorch.nn.dropout import Dropout
from mytorch.nn.linear import Linear
from mytorch.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from mytorch.nn.module import Module
from mytorch.nn.parameter import Parameter

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "HuberLoss",
    "Identity",
    "KLDivLoss",
    "L1Loss",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "Module",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Tanh",
    "functional",
    "init",
]
