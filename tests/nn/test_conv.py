"""Conv1d / Conv2d and the pooling layers: PyTorch's arguments, defaults, initialisation,
state_dict, and parity with torch.nn on float64 inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mytorch
from mytorch import nn

CONV2D = [
    {"in_channels": 1, "out_channels": 32, "kernel_size": 3},
    {"in_channels": 4, "out_channels": 6, "kernel_size": (2, 3), "stride": (2, 1), "padding": 1},
    {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": "same", "dilation": 2},
    {"in_channels": 4, "out_channels": 6, "kernel_size": 3, "groups": 2, "bias": False},
]
CONV1D = [
    {"in_channels": 3, "out_channels": 5, "kernel_size": 3},
    {"in_channels": 4, "out_channels": 2, "kernel_size": 2, "stride": 2, "padding": "valid"},
    {"in_channels": 2, "out_channels": 4, "kernel_size": 3, "padding": "same", "groups": 2},
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize(
    ("name", "kwargs", "shape"),
    [("Conv2d", k, (2, k["in_channels"], 7, 6)) for k in CONV2D]
    + [("Conv1d", k, (2, k["in_channels"], 9)) for k in CONV1D],
    ids=str,
)
def test_layer_matches_torch(torch, compare_layer, name, kwargs, shape) -> None:
    ours = getattr(nn, name)(**kwargs, dtype=mytorch.float64)
    theirs = getattr(torch.nn, name)(**kwargs, dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: tuple(v.shape) for k, v in theirs.state_dict().items()
    }
    compare_layer(ours, theirs, np.random.default_rng(0).normal(size=shape))


@pytest.mark.parametrize("kwargs", CONV2D, ids=str)
def test_default_init_is_uniform_within_one_over_sqrt_fan_in(kwargs) -> None:
    conv = nn.Conv2d(**{**kwargs, "out_channels": 64})
    kernel = conv.kernel_size
    fan_in = conv.in_channels // conv.groups * kernel[0] * kernel[1]
    bound = 1 / math.sqrt(fan_in)
    weights = conv.weight.data
    assert weights.dtype == np.float32
    assert np.abs(weights).max() <= bound and np.abs(weights).max() > 0.8 * bound
    if conv.bias is not None:
        assert np.abs(conv.bias.data).max() <= bound


def test_same_seed_gives_identical_weights_and_torch_state_dict_loads() -> None:
    mytorch.manual_seed(3)
    first = nn.Conv2d(2, 3, 3).state_dict()
    mytorch.manual_seed(3)
    second = nn.Conv2d(2, 3, 3)
    assert all(np.array_equal(first[k].data, v.data) for k, v in second.state_dict().items())
    second.load_state_dict({k: mytorch.zeros(*v.shape) for k, v in first.items()})
    assert second.weight.abs().sum().item() == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"in_channels": 3, "out_channels": 4, "kernel_size": 3, "groups": 2},
            ValueError,
            "divide by groups",
        ),
        ({"in_channels": 0, "out_channels": 4, "kernel_size": 3}, ValueError, "in_channels"),
        ({"in_channels": 1, "out_channels": 4, "kernel_size": 0}, ValueError, "kernel_size"),
        (
            {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding_mode": "reflect"},
            NotImplementedError,
            "reflect",
        ),
        (
            {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding_mode": "wrap"},
            ValueError,
            "padding_mode",
        ),
        (
            {
                "in_channels": 1,
                "out_channels": 4,
                "kernel_size": 3,
                "padding": "same",
                "stride": 2,
            },
            ValueError,
            "strided",
        ),
    ],
)
def test_bad_arguments(kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        nn.Conv2d(**kwargs)


def test_wrong_input_channels_names_the_shapes() -> None:
    with pytest.raises(ValueError, match=r"conv2d: input of shape \(1, 2, 5, 5\)"):
        nn.Conv2d(3, 4, 3)(mytorch.ones(1, 2, 5, 5))


POOLS = [
    ("MaxPool2d", {"kernel_size": 2}, (2, 3, 7, 6)),
    ("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, (2, 3, 7, 6)),
    ("MaxPool1d", {"kernel_size": 3, "stride": 1, "dilation": 2}, (2, 3, 9)),
    ("AvgPool2d", {"kernel_size": 2}, (2, 3, 6, 6)),
    (
        "AvgPool2d",
        {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
        (2, 3, 7, 6),
    ),
    ("AdaptiveAvgPool2d", {"output_size": (3, 2)}, (2, 3, 6, 6)),
]


@pytest.mark.parametrize(("name", "kwargs", "shape"), POOLS, ids=str)
def test_pooling_layers_match_torch(torch, compare_layer, name, kwargs, shape) -> None:
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(ours) == repr(theirs)
    compare_layer(ours, theirs, np.random.default_rng(0).normal(size=shape))


def test_mnist_network_shapes() -> None:
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3),
        nn.ReLU(),
        nn.Conv2d(32, 64, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(9216, 10),
    )
    out = model(mytorch.randn(2, 1, 28, 28))
    assert out.shape == (2, 10)
    out.sum().backward()
    assert model[0].weight.grad.shape == (32, 1, 3, 3)
