"""``mytorch.nn.functional``: the layers and losses as plain functions.

Each layer of ``mytorch.nn`` is a thin ``Module`` around one of these, which
hold the maths: ``nn.Linear(3, 2)(x)`` is ``F.linear(x, weight, bias)``. They
are built from Tensor operations, so autograd differentiates them without a
backward of their own.

Examples
--------
>>> import mytorch
>>> import mytorch.nn.functional as F
>>> F.relu(mytorch.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""

from mytorch.nn.functional.activation import (
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from mytorch.nn.functional.batchnorm import batch_norm
from mytorch.nn.functional.embedding import embedding
from mytorch.nn.functional.layers import dropout, dropout2d, linear
from mytorch.nn.functional.loss import cross_entropy, nll_loss
from mytorch.nn.functional.normalization import layer_norm
from mytorch.nn.functional.pointwise_loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    smooth_l1_loss,
)
from mytorch.ops.conv import conv1d, conv2d
from mytorch.ops.padding import pad
from mytorch.ops.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool1d, max_pool2d

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "cross_entropy",
    "dropout",
    "dropout2d",
    "elu",
    "embedding",
    "gelu",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool1d",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "pad",
    "relu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softplus",
    "tanh",
]
