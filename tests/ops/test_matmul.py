"""matmul: the 1-D, 2-D and batched cases, operand types, shape errors."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch

SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((4, 3), (3,)),
    ((4, 3), (3, 2)),
    ((5, 4, 3), (3, 2)),
    ((3,), (5, 3, 2)),
    ((2, 1, 4, 3), (5, 3, 2)),
    ((5, 4, 3), (3,)),
]


@pytest.mark.parametrize(("a_shape", "b_shape"), SHAPES)
def test_forward_and_gradient_shapes_match_numpy(a_shape, b_shape) -> None:
    rng = np.random.default_rng(0)
    a_data, b_data = rng.normal(size=a_shape), rng.normal(size=b_shape)
    a = mytorch.tensor(a_data, requires_grad=True)
    b = mytorch.tensor(b_data, requires_grad=True)
    out = a @ b
    np.testing.assert_allclose(out.data, a_data @ b_data)
    out.backward(mytorch.ones_like(out))
    assert a.grad.shape == a_shape and b.grad.shape == b_shape


def test_vector_dot_vector_gradients() -> None:
    a = mytorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = mytorch.tensor([4.0, 5.0, 6.0], requires_grad=True)
    out = mytorch.matmul(a, b)
    assert out.shape == () and out.item() == 32.0
    out.backward()
    np.testing.assert_array_equal(a.grad.data, [4.0, 5.0, 6.0])
    np.testing.assert_array_equal(b.grad.data, [1.0, 2.0, 3.0])


def test_method_form_and_numpy_operands() -> None:
    a = mytorch.tensor([[1.0, 2.0]], requires_grad=True)
    w = np.array([[3.0], [4.0]], dtype=np.float32)
    assert a.matmul(mytorch.tensor(w)).item() == 11.0
    assert (a @ w).item() == 11.0
    assert (w.T @ a.T).item() == 11.0
    (np.ones((3, 1), dtype=np.float32) @ a).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [[3.0, 3.0]])


def test_operand_types() -> None:
    a = mytorch.ones(2)
    with pytest.raises(
        TypeError, match=r"unsupported operand type\(s\) for @: 'Tensor' and 'list'"
    ):
        a @ [1.0, 2.0]
    with pytest.raises(TypeError, match="for @: 'float' and 'Tensor'"):
        2.0 @ a
    with pytest.raises(TypeError, match="matmul: expected two Tensors, got Tensor and ndarray"):
        mytorch.matmul(a, np.ones(2))


@pytest.mark.parametrize(
    ("a_shape", "b_shape", "message"),
    [
        (
            (2, 3),
            (4, 2),
            r"matmul: shapes \(2, 3\) and \(4, 2\) do not fit: 3 columns against 4 rows",
        ),
        ((3,), (4,), r"matmul: shapes \(3,\) and \(4,\) do not fit"),
        ((2, 2, 3), (3, 3, 2), r"^matmul: .*\(input shapes \(2, 2, 3\), \(3, 3, 2\)\)$"),
        ((2,), (), r"matmul: both operands need at least 1 dimension, got shapes \(2,\) and \(\)"),
    ],
)
def test_shapes_that_do_not_fit_name_the_op_and_both_shapes(a_shape, b_shape, message) -> None:
    a = mytorch.ones(*a_shape, requires_grad=True)
    b = mytorch.ones(*b_shape)
    with pytest.raises(ValueError, match=message):
        a @ b
    assert a.grad is None and np.all(a.data == 1) and np.all(b.data == 1)


def test_a_float64_gradient_into_a_float32_product_gives_float32_grads_as_torch() -> None:
    torch = pytest.importorskip("torch")
    x, w = np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(3, 2) / 7
    seed = np.array([[1.0, 0.5], [0.25, 2.0]])
    a = mytorch.tensor(x.astype(np.float32), requires_grad=True)
    b = mytorch.tensor(w.astype(np.float32), requires_grad=True)
    (a @ b).backward(mytorch.tensor(seed))  # float64
    ta = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    tb = torch.tensor(w, dtype=torch.float32, requires_grad=True)
    (ta @ tb).backward(torch.tensor(seed))
    for mine, theirs in ((a, ta), (b, tb)):
        assert mine.grad.dtype == mytorch.float32
        np.testing.assert_allclose(mine.grad.data, theirs.grad.numpy(), rtol=1e-6)
