"""dtype rules: defaults, promotion, gradients in their tensor's dtype."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch.core.dtypes import resolve_dtype


def test_mytorch_dtypes_are_numpy_dtypes() -> None:
    assert mytorch.float32 == np.float32 and mytorch.float64 == np.dtype("float64")
    assert mytorch.int64 == np.int64 and mytorch.bool_ == np.bool_


@pytest.mark.parametrize(
    ("data", "dtype"),
    [
        (1, np.int64),
        (2.5, np.float32),
        ([1, 2], np.int64),
        ([1, 2.5], np.float32),
        ([[1.0], [2.0]], np.float32),
        ((3, 4), np.int64),
        ([True, 1], np.int64),
        (True, np.bool_),
    ],
)
def test_python_data_takes_pytorchs_dtype(data, dtype) -> None:
    # As PyTorch (and SPEC.md section 1): ints int64, floats the default float dtype.
    assert mytorch.tensor(data).dtype == dtype
    assert mytorch.Tensor(data).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int32, np.int64, np.uint8, np.bool_])
def test_numpy_arrays_keep_their_dtype(dtype) -> None:
    assert mytorch.tensor(np.zeros(2, dtype=dtype)).dtype == dtype
    assert mytorch.Tensor(np.zeros(2, dtype=dtype)).dtype == dtype


def test_python_bools_stay_bool_and_numpy_scalars_keep_their_dtype() -> None:
    assert mytorch.tensor([True, False]).dtype == np.bool_
    assert mytorch.tensor(np.float64(1.0)).dtype == np.float64


def test_explicit_dtype() -> None:
    assert mytorch.tensor([1, 2], dtype=mytorch.int64).dtype == np.int64
    assert mytorch.tensor([1, 2], dtype="float64").dtype == np.float64
    with pytest.raises(TypeError, match="not a dtype: 'no such dtype'"):
        resolve_dtype("no such dtype")


@pytest.mark.parametrize(
    "op",
    [
        lambda x: x + 2.5,
        lambda x: 2.5 + x,
        lambda x: x - 1,
        lambda x: 1 - x,
        lambda x: x * np.float64(0.5),
        lambda x: 3 * x,
        lambda x: x / 3.0,
        lambda x: 3.0 / x,
        lambda x: x**2.0,
        lambda x: 2.0**x,
        lambda x: mytorch.maximum(x, 0.5),
        lambda x: mytorch.where(x > 1, x, 0.0),
    ],
)
def test_float32_with_a_python_scalar_stays_float32(op) -> None:
    assert op(mytorch.tensor([1.0, 2.0])).dtype == np.float32


@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a + b,
        lambda a, b: b + a,
        lambda a, b: a * b.data,
        lambda a, b: b.data - a,
        lambda a, b: mytorch.cat([a, b]),
    ],
)
def test_float32_with_float64_promotes_to_float64(op) -> None:
    a = mytorch.tensor([1.0, 2.0])
    b = mytorch.tensor(np.array([3.0, 4.0]))
    assert op(a, b).dtype == np.float64


def test_where_with_python_numbers_only_gives_the_default_dtype() -> None:
    condition = mytorch.tensor([True, False])
    result = mytorch.where(condition, 1.0, 2.0)
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result.data, [1.0, 2.0])


def test_a_gradient_has_its_tensors_dtype_and_shape() -> None:
    x = mytorch.tensor([[1.0, 2.0]], requires_grad=True)  # float32, (1, 2)
    y = mytorch.tensor(np.array([[3.0], [4.0]]), requires_grad=True)  # float64, (2, 1)
    (x * y).sum().backward()  # a float64 (2, 2) result
    assert x.grad.dtype == np.float32 and x.grad.shape == (1, 2)
    assert y.grad.dtype == np.float64 and y.grad.shape == (2, 1)
    np.testing.assert_array_equal(x.grad.data, [[7.0, 7.0]])
    np.testing.assert_array_equal(y.grad.data, [[3.0], [3.0]])


def test_set_default_dtype() -> None:
    assert mytorch.get_default_dtype() == np.float32
    mytorch.set_default_dtype(mytorch.float64)
    try:
        assert mytorch.get_default_dtype() == np.float64
        assert mytorch.tensor([1.0, 2]).dtype == np.float64
        assert mytorch.tensor([1, 2]).dtype == np.int64
        assert mytorch.zeros(2).dtype == np.float64
        assert mytorch.randn(2).dtype == np.float64
        assert (mytorch.arange(3) * 0.5).dtype == np.float64
    finally:
        mytorch.set_default_dtype(mytorch.float32)
    assert mytorch.tensor(1.0).dtype == np.float32


def test_only_float_dtypes_can_be_the_default() -> None:
    with pytest.raises(TypeError, match=r"set_default_dtype: only floating-point .* got int64"):
        mytorch.set_default_dtype(mytorch.int64)
    assert mytorch.get_default_dtype() == np.float32


def test_integer_and_bool_tensors_exist_but_cannot_require_grad() -> None:
    ints = mytorch.tensor([1, 2], dtype=mytorch.int64)
    assert (ints + 1).dtype == np.int64
    assert (mytorch.tensor([True]) + 1).dtype == np.int64
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients"):
        mytorch.tensor([1, 2], dtype=mytorch.int64, requires_grad=True)
    with pytest.raises(TypeError, match="got dtype bool"):
        mytorch.tensor([True], requires_grad=True)


def test_a_gradient_kept_with_create_graph_has_its_tensors_dtype() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)  # float32
    with pytest.warns(UserWarning, match="reference cycle"):
        (x * x * np.array([1.0, 1.0])).sum().backward(create_graph=True)  # a float64 product
    assert x.grad.dtype == np.float32 and x.grad.requires_grad
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])
    with pytest.warns(UserWarning, match="reference cycle"):
        (x * 3).sum().backward(create_graph=True)  # accumulates, keeping the graph
    np.testing.assert_array_equal(x.grad.data, [5.0, 7.0])
