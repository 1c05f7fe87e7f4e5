"""Elementwise functions of one tensor, casts and clone."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given

import mytorch
from mytorch.testing import gradcheck
from mytorch.testing import strategies as st


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu"])
def test_method_and_function_forms_agree(name: str) -> None:
    x = mytorch.tensor([0.5, 1.0, 2.0])
    np.testing.assert_array_equal(getattr(x, name)().data, getattr(mytorch, name)(x).data)


def test_sigmoid_is_stable_for_large_inputs() -> None:
    x = mytorch.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning
        y = x.sigmoid()
        y.sum().backward()
    np.testing.assert_allclose(y.data, [0.0, 0.0, 0.5, 1.0, 1.0], atol=1e-20)
    assert np.all(np.isfinite(x.grad.data))
    np.testing.assert_allclose(x.grad.data, [0.0, 0.0, 0.25, 0.0, 0.0], atol=1e-20)


@pytest.mark.parametrize(
    ("name", "gradient"), [("relu", [0.0, 0.0, 1.0]), ("abs", [-1.0, 0.0, 1.0])]
)
def test_gradient_at_the_kink_is_zero_as_in_pytorch(name: str, gradient: list) -> None:
    x = mytorch.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    getattr(x, name)().sum().backward()
    np.testing.assert_array_equal(x.grad.data, gradient)


def test_to_converts_and_its_gradient_comes_back_in_the_original_dtype() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    y = x.to(mytorch.float64)
    assert y.dtype == np.float64 and y.grad_fn.name() == "CastBackward"
    (y * np.array([3.0, 4.0])).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])


def test_to_the_same_dtype_returns_the_tensor_itself() -> None:
    x = mytorch.tensor([1.0])
    assert x.to(mytorch.float32) is x and x.float() is x
    assert x.double().dtype == np.float64 and x.to("float16").dtype == np.float16


def test_to_an_integer_dtype() -> None:
    assert mytorch.tensor([1.7, -2.2]).to(mytorch.int64).tolist() == [1, -2]
    x = mytorch.tensor([1.7], requires_grad=True)
    # As PyTorch: the cast leaves the graph, its result a constant.
    y = x.to(mytorch.int64)
    assert y.tolist() == [1] and not y.requires_grad and y.is_leaf
    with pytest.raises(TypeError, match="not a dtype: 'nonsense'"):
        x.to("nonsense")


@given(st.arrays_in(st.shapes()))
def test_to_float32_and_back_is_differentiable(x: np.ndarray) -> None:
    # A float32 round trip leaves ~7 digits: a larger finite-difference step.
    gradcheck(lambda t: t.to(mytorch.float32).to(mytorch.float64) * 3, [x], eps=1e-3, atol=1e-4)


def test_clone_copies_and_stays_in_the_graph() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y.data is not x.data and y.grad_fn.name() == "CloneBackward"
    with mytorch.no_grad():
        y.data[0] = 10.0
    assert x.data[0] == 1.0
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [20.0, 4.0])
    assert mytorch.clone(x).requires_grad
