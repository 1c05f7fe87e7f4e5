"""mytorch.nn.init: PyTorch's gains, fans and bounds; in place, seeded, version-bumping."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mytorch
from mytorch import nn
from mytorch.nn import init

GAINS = [
    ("linear", None),
    ("conv_transpose1d", None),
    ("sigmoid", None),
    ("conv2d", None),
    ("tanh", None),
    ("relu", None),
    ("leaky_relu", None),
    ("leaky_relu", 0.2),
    ("leaky_relu", math.sqrt(5)),
    ("selu", None),
]


@pytest.mark.parametrize(("nonlinearity", "param"), GAINS)
def test_calculate_gain_matches_torch(torch, nonlinearity, param):
    expected = torch.nn.init.calculate_gain(nonlinearity, param)
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(expected, rel=1e-15)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="is not a number"):
        init.calculate_gain("leaky_relu", "0.1")


@pytest.mark.parametrize("shape", [(20, 784), (3, 4, 5), (8, 2, 3, 3)], ids=str)
def test_fans_match_torch(torch, shape):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    assert init.fan_in_and_fan_out(mytorch.zeros(*shape)) == expected


def _std_of(fill, shape, **kwargs):
    _ = mytorch.manual_seed(0)
    return fill(mytorch.zeros(*shape, dtype=mytorch.float64), **kwargs).data


# (our fill, its keyword arguments, the standard deviation by PyTorch's formula, uniform?)
CASES = [
    (init.xavier_uniform_, {}, math.sqrt(2 / (300 + 200)), True),
    (init.xavier_uniform_, {"gain": 2.0}, 2 * math.sqrt(2 / (300 + 200)), True),
    (init.xavier_normal_, {}, math.sqrt(2 / (300 + 200)), False),
    (init.kaiming_uniform_, {}, math.sqrt(2 / 200), True),  # a = 0: the relu gain
    (init.kaiming_uniform_, {"a": math.sqrt(5)}, 1 / math.sqrt(3 * 200), True),
    (init.kaiming_uniform_, {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(2 / 300), True),
    (init.kaiming_normal_, {"nonlinearity": "relu"}, math.sqrt(2 / 200), False),
    (
        init.kaiming_normal_,
        {"mode": "fan_out", "nonlinearity": "tanh"},
        5 / 3 / math.sqrt(300),
        False,
    ),
]


@pytest.mark.parametrize(("fill", "kwargs", "std", "uniform"), CASES, ids=str)
def test_fills_have_pytorchs_spread(fill, kwargs, std, uniform):
    values = _std_of(fill, (300, 200), **kwargs)
    assert abs(values.std() - std) < 0.02 * std
    assert abs(values.mean()) < 0.02 * std
    if uniform:
        bound = math.sqrt(3) * std
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.999 * bound


def test_uniform_normal_constant_zeros_ones():
    _ = mytorch.manual_seed(0)
    values = init.uniform_(mytorch.zeros(10000, dtype=mytorch.float64), -2.0, 3.0).data
    assert values.min() >= -2.0 and values.max() < 3.0 and abs(values.mean() - 0.5) < 0.05
    values = init.normal_(mytorch.zeros(10000, dtype=mytorch.float64), 1.0, 0.5).data
    assert abs(values.mean() - 1.0) < 0.02 and abs(values.std() - 0.5) < 0.02
    assert init.constant_(mytorch.zeros(3), 0.25).tolist() == [0.25] * 3
    assert init.zeros_(mytorch.ones(3)).tolist() == [0.0] * 3
    assert init.ones_(mytorch.zeros(3)).tolist() == [1.0] * 3


@pytest.mark.parametrize(
    "fill",
    [
        init.uniform_,
        init.normal_,
        init.zeros_,
        init.ones_,
        lambda t: init.constant_(t, 2.0),
        init.xavier_uniform_,
        init.xavier_normal_,
        init.kaiming_uniform_,
        init.kaiming_normal_,
    ],
)
def test_fills_a_parameter_in_place_outside_the_graph(fill):
    param = nn.Parameter(np.full((4, 3), 7.0))
    array, version = param.data, param._version
    assert fill(param) is param
    assert param.data is array and not np.all(array == 7.0)
    assert param._version == version + 1
    assert param.requires_grad and param.is_leaf and param.grad_fn is not None
    assert param.grad is None


@pytest.mark.parametrize("fill", [init.uniform_, init.xavier_normal_, init.kaiming_uniform_])
def test_same_seed_gives_bit_identical_values(fill):
    _ = mytorch.manual_seed(5)
    first = fill(mytorch.zeros(6, 5)).data.copy()
    _ = mytorch.manual_seed(5)
    assert np.array_equal(fill(mytorch.zeros(6, 5)).data, first)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match=r"fan in and fan out cannot be computed.*\(5,\)"):
        init.xavier_uniform_(mytorch.zeros(5))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out', got 'fan_avg'"):
        init.kaiming_normal_(mytorch.zeros(2, 2), mode="fan_avg")
    with pytest.raises(ValueError, match="std must be non-negative"):
        init.normal_(mytorch.zeros(2), std=-1.0)
    with pytest.raises(ValueError, match="lower bound"):
        init.uniform_(mytorch.zeros(2), 1.0, 0.0)


def test_zero_element_tensors_are_left_alone():
    empty = mytorch.zeros(0, 3)
    assert init.kaiming_uniform_(empty) is empty
    assert init.kaiming_normal_(empty) is empty
