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
from mytorch.nn.batchnorm import BatchNorm1d, BatchNorm2d
from mytorch.nn.container import Sequential
from mytorch.nn.conv import Conv1d, Conv2d
from mytorch.nn.dropout import Dropout, Dropout2d
from mytorch.nn.linear import Linear
from mytorch.nn.loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from mytorch.nn.module import Module
from mytorch.nn.parameter import Parameter
from mytorch.nn.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool1d, MaxPool2d

__all__ = [
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Dropout2d",
    "Flatten",
    "Identity",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool1d",
    "MaxPool2d",
    "Module",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "functional",
    "init",
]
