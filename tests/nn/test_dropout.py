"""Dropout and F.dropout: inverted scaling, masks from the framework's seed, eval identity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import mytorch
import mytorch.nn.functional as F
from mytorch import nn
from mytorch.testing import gradcheck
from mytorch.testing import strategies as st


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_training_zeroes_a_fraction_p_and_scales_the_rest(p):
    _ = mytorch.manual_seed(0)
    x = mytorch.Tensor(np.random.default_rng(0).uniform(1, 2, size=(200, 100)))
    y = nn.Dropout(p)(x).data
    kept = y != 0
    np.testing.assert_allclose(y[kept], x.data[kept] / (1 - p), rtol=1e-15)
    assert abs(1 - kept.mean() - p) < 0.02


def test_gradient_is_the_scaled_mask():
    _ = mytorch.manual_seed(1)
    x = mytorch.tensor(np.full((50, 40), 3.0), requires_grad=True)
    y = F.dropout(x, p=0.25)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.where(y.data != 0, 1 / 0.75, 0.0))


def test_same_seed_gives_the_same_mask():
    layer = nn.Dropout(0.5)
    _ = mytorch.manual_seed(7)
    first = layer(mytorch.ones(100)).data
    _ = mytorch.manual_seed(7)
    second = layer(mytorch.ones(100)).data
    assert np.array_equal(first, second)
    assert not np.array_equal(first, layer(mytorch.ones(100)).data)


def test_eval_mode_and_p_zero_are_the_identity():
    x = mytorch.randn(3, 4)
    assert nn.Dropout(0.5).eval()(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_p_one_zeroes_everything_without_nan():
    x = mytorch.randn(3, 4, requires_grad=True)
    y = F.dropout(x, 1.0)
    y.sum().backward()
    assert np.array_equal(y.data, np.zeros((3, 4)))
    assert np.array_equal(x.grad.data, np.zeros((3, 4)))


def test_keeps_dtype():
    assert F.dropout(mytorch.ones(4, dtype=mytorch.float64), 0.5).dtype == mytorch.float64
    assert F.dropout(mytorch.ones(4), 0.5).dtype == mytorch.float32


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_probability_out_of_range_is_refused(p):
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout: probability"):
        F.dropout(mytorch.ones(2), p)


def test_repr():
    assert repr(nn.Dropout(0.2)) == "Dropout(p=0.2)"


@given(x=st.arrays_in(st.shapes(min_dims=1)))
def test_dropout_gradcheck(x):
    def with_fixed_mask(t):
        _ = mytorch.manual_seed(0)  # the same mask at every evaluation
        return F.dropout(t, p=0.4)

    assert gradcheck(with_fixed_mask, [x])
