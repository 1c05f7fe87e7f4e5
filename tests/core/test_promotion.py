"""Type promotion as PyTorch's: checked against torch itself, and by properties without it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mytorch

DTYPES = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 3, -2, 2.5, 1e5]
OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}


def _values(dtype: str, shape: tuple[int, ...] = (3,)) -> np.ndarray:
    base = np.array([1, 2, 3][: shape[0]] if shape else 2).reshape(shape)
    # All True: False would divide by zero and take log(0), which numpy warns of.
    return (base > 0) if dtype == "bool" else base.astype(dtype)


def _ok(name: str, a: str, b: str) -> bool:
    # PyTorch refuses subtraction with bools (not covered here: numpy's is xor).
    return not (name == "sub" and "bool" in (a, b))


def _torch_result(op, *args):
    try:
        return op(*args)
    except RuntimeError:
        return None


@pytest.mark.parametrize("name", OPS)
@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES)
@pytest.mark.parametrize("b_shape", [(3,), ()], ids=["tensor", "0-d"])
def test_tensor_tensor_dtypes_match_torch(name: str, a: str, b: str, b_shape) -> None:
    torch = pytest.importorskip("torch")
    if not _ok(name, a, b):
        return
    x, y = _values(a), _values(b, b_shape)
    if b == "bool":
        y = np.ones_like(y)  # no division by False
    expected = _torch_result(OPS[name], torch.from_numpy(x), torch.from_numpy(np.array(y)))
    if expected is None:
        return
    got = OPS[name](mytorch.tensor(x), mytorch.tensor(y))
    assert str(got.dtype) == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_allclose(got.data.astype(float), expected.double().numpy(), rtol=1e-3)


@pytest.mark.parametrize("name", OPS)
@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("scalar", SCALARS)
@pytest.mark.parametrize("reflected", [False, True])
def test_tensor_scalar_dtypes_and_values_match_torch(name, a, scalar, reflected) -> None:
    torch = pytest.importorskip("torch")
    if (a in ("bool", "uint8", "int32") and scalar == 1e5) or (a == "uint8" and scalar == -2):
        return  # out of range for the small dtypes (PyTorch wraps around, numpy refuses)
    if name == "sub" and (a == "bool" or scalar is True):
        return  # PyTorch refuses subtraction with bools
    x = _values(a)
    op = OPS[name]
    if reflected:
        expected, got = op(scalar, torch.from_numpy(x)), op(scalar, mytorch.tensor(x))
    else:
        expected, got = op(torch.from_numpy(x), scalar), op(mytorch.tensor(x), scalar)
    assert str(got.dtype) == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_allclose(got.data.astype(float), expected.double().numpy(), rtol=1e-3)


def test_float16_with_a_large_python_number_computes_as_torch() -> None:
    # numpy would turn 1e5 into float16's inf first; PyTorch computes in float32.
    x = mytorch.tensor([1e-3, 2.0]).half()
    y = x * 1e5
    assert y.dtype == mytorch.float16
    np.testing.assert_array_equal(y.data, np.array([100.0625, np.inf], dtype=np.float16))


@pytest.mark.parametrize("function", ["exp", "log", "sqrt", "tanh", "sigmoid"])
@pytest.mark.parametrize("dtype", ["uint8", "int32", "int64", "bool"])
def test_float_functions_of_integers_give_the_default_float(function, dtype) -> None:
    torch = pytest.importorskip("torch")
    x = _values(dtype)
    got = getattr(mytorch.tensor(x), function)()
    expected = getattr(torch.from_numpy(x), function)()
    assert got.dtype == mytorch.float32 == np.dtype(str(expected.dtype).removeprefix("torch."))
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    ("make", "dtype"),
    [
        (lambda: mytorch.tensor([0, 1]), "int64"),
        (lambda: mytorch.tensor([True]), "bool"),
        (lambda: mytorch.tensor([1, 2.0]), "float32"),
        (lambda: mytorch.arange(3), "int64"),
        (lambda: mytorch.arange(3.0), "float32"),
        (lambda: mytorch.full((2,), 7), "int64"),
        (lambda: mytorch.full((2,), 7.0), "float32"),
        (lambda: mytorch.full((2,), True), "bool"),
        (lambda: mytorch.tensor([1, 2]) / mytorch.tensor([2, 2]), "float32"),
        (lambda: mytorch.tensor([1, 2]) * 0.5, "float32"),
        (lambda: mytorch.tensor([1, 2]) + 1, "int64"),
    ],
)
def test_creation_and_arithmetic_dtypes(make, dtype) -> None:
    assert make().dtype == np.dtype(dtype)


def test_default_float_dtype_follows_set_default_dtype() -> None:
    mytorch.set_default_dtype(mytorch.float64)
    try:
        assert (mytorch.tensor([1, 2]) / 2).dtype == mytorch.float64
        assert mytorch.tensor([1, 2]).exp().dtype == mytorch.float64
    finally:
        mytorch.set_default_dtype(mytorch.float32)


def test_matmul_and_linear_refuse_two_float_dtypes_naming_both() -> None:
    a = mytorch.ones(2, 3)
    b = mytorch.ones(3, 2, dtype=mytorch.float64)
    with pytest.raises(RuntimeError, match=r"matmul: .*float32 and float64"):
        a @ b
    layer = mytorch.nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match=r"linear: input of dtype float64 and weight .*float32"):
        layer(mytorch.ones(4, 3, dtype=mytorch.float64))


def test_matmul_with_different_dtypes_is_an_error_in_torch_too() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.ones(2, 3) @ torch.ones(3, 2, dtype=torch.float64)


@given(st.integers(-50, 50), st.integers(1, 50))
def test_integer_true_division_is_float_division(a: int, b: int) -> None:
    out = mytorch.tensor([a]) / mytorch.tensor([b])
    assert out.dtype == mytorch.float32
    np.testing.assert_allclose(out.item(), a / b, rtol=1e-6)


def test_gradients_flow_through_a_promotion() -> None:
    a = mytorch.tensor([1.0, 2.0], requires_grad=True)
    b = mytorch.tensor(np.array([3.0, 4.0]), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == mytorch.float32 and b.grad.dtype == mytorch.float64
    np.testing.assert_array_equal(a.grad.data, [3.0, 4.0])
    np.testing.assert_array_equal(b.grad.data, [1.0, 2.0])
    h = mytorch.tensor([1.0, 2.0]).half().requires_grad_()
    (h * 3.0).sum().backward()
    assert h.grad.dtype == mytorch.float16
    np.testing.assert_array_equal(h.grad.data, [3.0, 3.0])


@pytest.mark.parametrize(
    "pair",
    [
        ("int64", "float32"),
        ("float32", "float64"),
        ("bool", "int32"),
        ("uint8", "int8"),
        ("float16", "int64"),
        ("bool", "float16"),
    ],
)
@pytest.mark.parametrize("join", ["cat", "stack"])
def test_joining_mixed_dtypes_matches_torch(pair, join: str) -> None:
    torch = pytest.importorskip("torch")
    arrays = [_values(dtype) for dtype in pair]
    got = getattr(mytorch, join)([mytorch.tensor(a) for a in arrays])
    expected = getattr(torch, join)([torch.from_numpy(a) for a in arrays])
    assert str(got.dtype) == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(got.data, expected.numpy())


def test_joining_keeps_gradients_across_a_promotion() -> None:
    a = mytorch.tensor([1.0, 2.0], requires_grad=True)
    b = mytorch.tensor(np.array([3.0]), requires_grad=True)
    (mytorch.cat([a, b]) * 2).sum().backward()
    assert a.grad.dtype == mytorch.float32 and a.grad.tolist() == [2.0, 2.0]
    assert b.grad.dtype == mytorch.float64 and b.grad.tolist() == [2.0]
