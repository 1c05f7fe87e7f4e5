"""softmax and log_softmax: stable at +-1000, exact gradients, dim checks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given

import mytorch
from mytorch.testing import gradcheck
from mytorch.testing import strategies as st

EXTREME = [[1000.0, -1000.0, 0.0], [1000.0, 1000.0, 1000.0], [-1000.0, -1000.0, -999.0]]


@pytest.mark.parametrize("dtype", [mytorch.float32, mytorch.float64])
def test_log_softmax_is_stable_at_plus_minus_1000(dtype) -> None:
    x = mytorch.tensor(EXTREME, dtype=dtype, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no nan
        y = x.log_softmax(dim=1)
        (y * mytorch.tensor([[1.0, 0.0, 0.0]] * 3, dtype=dtype)).sum().backward()
    assert y.dtype == dtype
    np.testing.assert_allclose(y.data[0], [0.0, -2000.0, -1000.0])
    np.testing.assert_allclose(y.data[1], [-np.log(3)] * 3, rtol=1e-6)
    np.testing.assert_allclose(
        y.data[2], [-1 - np.log(1 + 2 / np.e)] * 2 + [-np.log(1 + 2 / np.e)], rtol=1e-6
    )
    assert np.all(np.isfinite(x.grad.data))
    # The gradient of log_softmax(x)[0] is onehot(0) - softmax(x).
    np.testing.assert_allclose(x.grad.data[1], [2 / 3, -1 / 3, -1 / 3], rtol=1e-6)


def test_softmax_is_stable_at_plus_minus_1000() -> None:
    x = mytorch.tensor(EXTREME, requires_grad=True)
    y = x.softmax(dim=-1)
    np.testing.assert_allclose(y.data[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(y.data[1], [1 / 3] * 3, rtol=1e-6)
    y[:, 0].sum().backward()
    assert np.all(np.isfinite(x.grad.data))


@given(st.arrays_in(st.shapes(min_dims=1), low=-50, high=50))
def test_softmax_is_a_distribution_along_dim(x: np.ndarray) -> None:
    for dim in range(x.ndim):
        y = mytorch.softmax(mytorch.tensor(x), dim=dim)
        assert np.all(y.data >= 0)
        np.testing.assert_allclose(y.data.sum(axis=dim), 1.0, rtol=1e-12)


def test_softmax_of_a_0d_tensor() -> None:
    x = mytorch.tensor(5.0, requires_grad=True)
    assert x.softmax(dim=0).item() == 1.0
    y = x.log_softmax(dim=-1)
    assert y.item() == 0.0
    y.backward()
    assert x.grad.item() == 0.0


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_dim_is_required_and_checked(name: str) -> None:
    x = mytorch.ones(2, 3)
    with pytest.raises(TypeError, match=rf"^{name}: dim is required"):
        getattr(mytorch, name)(x, None)
    with pytest.raises(IndexError, match=rf"^{name}: dimension 2 is out of range .* 2 dimensions"):
        getattr(x, name)(dim=2)
    with pytest.raises(IndexError, match=rf"^{name}: dimension 1 is out of range .* 0 dimensions"):
        getattr(mytorch.tensor(1.0), name)(dim=1)


@given(st.arrays_in(st.shapes(min_dims=1, max_dims=2), low=-5, high=5))
def test_log_softmax_gradient_is_right_far_from_zero(x: np.ndarray) -> None:
    # Shifted to around +-1000, where a naive exp would overflow.
    gradcheck(lambda t: (t + 1000).log_softmax(dim=-1), [x])
    gradcheck(lambda t: (t - 1000).softmax(dim=0), [x])
