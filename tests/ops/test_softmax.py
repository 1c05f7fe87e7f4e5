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


@given(
    st.arrays_in(st.shapes(min_dims=2, max_dims=2, min_side=1, max_side=40), low=-1000, high=1000)
)
def test_log_softmax_over_few_classes_matches_the_row_formula(x: np.ndarray) -> None:
    # Many rows of few classes take another route (the transposed logits, where
    # numpy reduces along long rows); it must give the direct formula's values,
    # in a C-ordered array as every other op's result.
    for dtype in (np.float32, np.float64):
        data = x.astype(dtype)
        shifted = data - data.max(axis=1, keepdims=True)
        expected = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        y = mytorch.tensor(data).log_softmax(dim=1)
        assert y.data.flags.c_contiguous and y.dtype == dtype
        np.testing.assert_allclose(
            y.data,
            expected,
            rtol=1e-5 if dtype == np.float32 else 1e-12,
            atol=1e-4 if dtype == np.float32 else 1e-9,
        )


@pytest.mark.parametrize("shape", [(100, 10), (1000, 10), (33, 32), (40, 33), (5, 10)])
def test_cross_entropy_over_few_classes_matches_torch(shape: tuple[int, int]) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    logits = (rng.standard_normal(shape) * 10).astype(np.float32)
    labels = rng.integers(0, shape[1], shape[0])
    x = mytorch.tensor(logits, requires_grad=True)
    loss = mytorch.nn.functional.cross_entropy(x, mytorch.tensor(labels))
    loss.backward()
    tx = torch.tensor(logits, requires_grad=True)
    tloss = torch.nn.functional.cross_entropy(tx, torch.tensor(labels))
    tloss.backward()
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-5, atol=1e-7)
