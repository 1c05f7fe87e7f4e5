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

from mytorch.nn import functional, init, utils
from mytorch.nn.activation import (
    ELU,
    GELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from mytorch.nn.batchnorm import BatchNorm1d, BatchNorm2d
from mytorch.nn.container import ModuleDict, ModuleList, Sequential
from mytorch.nn.conv import Conv1d, Conv2d
from mytorch.nn.dropout import Dropout, Dropout2d
from mytorch.nn.embedding import Embedding
from mytorch.nn.flatten import Flatten, Identity, Unflatten
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
from mytorch.nn.normalization import LayerNorm
from mytorch.nn.parameter import Parameter
from mytorch.nn.parameter_containers import ParameterDict, ParameterList
from mytorch.nn.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool1d, MaxPool2d

__all__ = [
    "ELU",
    "GELU",
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Dropout2d",
    "Embedding",
    "Flatten",
    "HuberLoss",
    "Identity",
    "KLDivLoss",
    "L1Loss",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool1d",
    "MaxPool2d",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ParameterDict",
    "ParameterList",
    "ReLU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Softplus",
    "Tanh",
    "Unflatten",
    "functional",
    "init",
    "utils",
]
