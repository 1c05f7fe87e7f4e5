"""Indexing, cat and stack; repeated indices accumulate their gradients."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch


def test_repeated_indices_accumulate() -> None:
    x = mytorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 0.0, 1.0])


def test_repeated_rows_with_a_tensor_index() -> None:
    x = mytorch.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    rows = mytorch.tensor(np.array([2, 2, 0]))
    y = x[rows, 1]
    np.testing.assert_array_equal(y.data, [5.0, 5.0, 1.0])
    y.backward(mytorch.tensor([1.0, 10.0, 100.0]))
    np.testing.assert_array_equal(x.grad.data, [[0.0, 100.0], [0.0, 0.0], [0.0, 11.0]])


def test_basic_indexing_gradient() -> None:
    x = mytorch.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    y = x[1:, ::2]
    np.testing.assert_array_equal(y.data, [[4.0, 6.0], [8.0, 10.0]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 0, 0, 0], [1, 0, 1, 0], [1, 0, 1, 0]])
    assert x[..., None, 0].shape == (3, 1) and x[2].shape == (4,) and x[2, 3].shape == ()


def test_bool_mask_indexing() -> None:
    x = mytorch.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    y = x[x > 0]
    np.testing.assert_array_equal(y.data, [2.0, 4.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 0.0, 1.0])


def test_second_derivative_through_repeated_indices() -> None:
    x = mytorch.tensor([1.0, 2.0], dtype=mytorch.float64, requires_grad=True)
    (g,) = mytorch.grad((x[[0, 0, 1]] ** 3).sum(), x, create_graph=True)  # 3x**2 * count
    np.testing.assert_array_equal(g.data, [6.0, 12.0])
    (h,) = mytorch.grad(g.sum(), x)
    np.testing.assert_array_equal(h.data, [12.0, 12.0])  # 6x * count


def test_an_index_out_of_range_names_the_op_and_the_shape() -> None:
    x = mytorch.ones(3, requires_grad=True)
    with pytest.raises(
        IndexError, match=r"getitem: index 5 is out of bounds .* \(tensor of shape \(3,\)\)"
    ):
        x[5]


def test_cat_joins_along_dim_and_splits_the_gradient() -> None:
    a = mytorch.tensor([[1.0, 2.0]], requires_grad=True)
    b = mytorch.tensor([[3.0, 4.0], [5.0, 6.0]])
    c = mytorch.tensor([[7.0, 8.0]], requires_grad=True)
    out = mytorch.cat([a, b, c])
    assert out.shape == (4, 2)
    (out * mytorch.tensor([[1.0], [2.0], [3.0], [4.0]])).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [[1.0, 1.0]])
    np.testing.assert_array_equal(c.grad.data, [[4.0, 4.0]])
    assert b.grad is None
    assert mytorch.concatenate([a, c], dim=-1).shape == (1, 4)
    assert mytorch.cat(([1.0], np.array([2.0]))).tolist() == [1.0, 2.0]


def test_stack_adds_a_dim_and_splits_the_gradient() -> None:
    a = mytorch.tensor([1.0, 2.0], requires_grad=True)
    b = mytorch.tensor([3.0, 4.0])
    out = mytorch.stack([a, b], dim=1)
    np.testing.assert_array_equal(out.data, [[1.0, 3.0], [2.0, 4.0]])
    (out * mytorch.tensor([[1.0, 10.0], [2.0, 20.0]])).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [1.0, 2.0])
    assert mytorch.stack([mytorch.tensor(1.0), mytorch.tensor(2.0)]).shape == (2,)
    assert mytorch.stack([a, b], dim=-1).shape == (2, 2)


@pytest.mark.parametrize(
    ("join", "error", "message"),
    [
        (
            lambda: mytorch.cat([mytorch.ones(2, 3), mytorch.ones(2, 4)]),
            ValueError,
            r"^cat: .*\(input shapes \(2, 3\), \(2, 4\)\)$",
        ),
        (
            lambda: mytorch.cat([mytorch.tensor(1.0)]),
            ValueError,
            "cat: zero-dimensional tensors cannot be concatenated; use stack",
        ),
        (
            lambda: mytorch.cat([mytorch.ones(2)], dim=1),
            IndexError,
            "cat: dimension 1 is out of range for a tensor with 1 dimensions",
        ),
        (
            lambda: mytorch.cat(mytorch.ones(2)),
            TypeError,
            "cat: expected a non-empty list of tensors",
        ),
        (lambda: mytorch.cat([]), TypeError, "cat: expected a non-empty list of tensors"),
        (
            lambda: mytorch.stack([mytorch.ones(2, 3), mytorch.ones(3, 2)]),
            ValueError,
            r"stack: all tensors must have the same shape, got \(2, 3\), \(3, 2\)",
        ),
        (
            lambda: mytorch.stack([mytorch.ones(2)], dim=2),
            IndexError,
            "stack: dimension 2 is out of range",
        ),
    ],
)
def test_join_errors(join, error, message) -> None:
    with pytest.raises(error, match=message):
        join()
