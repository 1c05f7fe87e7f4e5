"""maximum, minimum, clip, where and the comparisons."""

from __future__ import annotations

import operator

import numpy as np
import pytest

import mytorch


def test_maximum_and_minimum_split_the_gradient_of_a_tie() -> None:
    a = mytorch.tensor([1.0, 3.0, 2.0], requires_grad=True)
    b = mytorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    mytorch.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 1.0, 0.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 0.0, 1.0])
    a.grad = b.grad = None
    a.minimum(b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 1.0, 0.0])


def test_maximum_broadcasts_and_sums_the_gradient_back() -> None:
    x = mytorch.tensor([[-1.0, 0.0, 2.0]], requires_grad=True)
    floor = mytorch.tensor([[0.0], [1.0]], requires_grad=True)
    out = mytorch.maximum(x, floor)
    np.testing.assert_array_equal(out.data, [[0.0, 0.0, 2.0], [1.0, 1.0, 2.0]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.0, 0.5, 2.0]])
    np.testing.assert_array_equal(floor.grad.data, [[1.5], [2.0]])


def test_clip_gradient_is_one_inside_and_on_the_bounds() -> None:
    x = mytorch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
    y = mytorch.clip(x, -1.0, 1.0)
    np.testing.assert_array_equal(y.data, [-1.0, -1.0, 0.0, 1.0, 1.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 1.0, 1.0, 0.0])


def test_clip_with_one_bound_and_clamp_alias() -> None:
    x = mytorch.tensor([-2.0, 0.5, 2.0])
    np.testing.assert_array_equal(x.clip(min=0.0).data, [0.0, 0.5, 2.0])
    np.testing.assert_array_equal(x.clamp(max=0.0).data, [-2.0, 0.0, 0.0])
    assert mytorch.clamp is mytorch.clip
    with pytest.raises(ValueError, match="clip: at least one of min and max must be given"):
        mytorch.clip(x)


def test_where_sends_the_gradient_to_the_chosen_side() -> None:
    a = mytorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = mytorch.tensor(10.0, requires_grad=True)
    out = mytorch.where(a > 1.5, a, b)
    np.testing.assert_array_equal(out.data, [10.0, 2.0, 3.0])
    (out * mytorch.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.0, 2.0, 3.0])
    assert b.grad.shape == () and b.grad.item() == 1.0


def test_where_accepts_lists_arrays_and_scalars() -> None:
    x = mytorch.tensor([1.0, -2.0])
    np.testing.assert_array_equal(mytorch.where([True, False], x, 0.0).data, [1.0, 0.0])
    np.testing.assert_array_equal(mytorch.where(np.array([False, True]), 5.0, x).data, [1.0, 5.0])
    np.testing.assert_array_equal(mytorch.where(x > 0, 1, np.zeros(2)).data, [1.0, 0.0])


def test_where_needs_a_bool_condition() -> None:
    x = mytorch.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="where: condition must be a bool tensor, got dtype int64"):
        mytorch.where(mytorch.arange(2), x, x)


COMPARISONS = [
    (operator.lt, [True, False, False]),
    (operator.le, [True, True, False]),
    (operator.gt, [False, False, True]),
    (operator.ge, [False, True, True]),
    (operator.eq, [False, True, False]),
    (operator.ne, [True, False, True]),
]


@pytest.mark.parametrize(("compare", "expected"), COMPARISONS)
def test_comparisons_give_bool_tensors_outside_the_graph(compare, expected) -> None:
    x = mytorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for other in [2.0, mytorch.tensor(2.0), np.array([2.0, 2.0, 2.0])]:
        result = compare(x, other)
        assert result.dtype == np.bool_ and not result.requires_grad and result.grad_fn is None
        assert result.tolist() == expected


def test_reversed_comparisons() -> None:
    x = mytorch.tensor([1.0, 2.0, 3.0])
    assert operator.lt(2.0, x).tolist() == [False, False, True]  # runs x.__gt__(2.0)
    assert operator.eq(2.0, x).tolist() == [False, True, False]


def test_comparison_errors() -> None:
    x = mytorch.tensor([1.0, 2.0])
    with pytest.raises(
        ValueError, match=r"gt: cannot compare tensors of shapes \(2,\) and \(3,\)"
    ):
        operator.gt(x, mytorch.ones(3))
    with pytest.raises(
        TypeError, match="'<' not supported between instances of 'Tensor' and 'str'"
    ):
        operator.lt(x, "a")
    assert (x == "a") is False  # Python's fallback for == with an unrelated type
