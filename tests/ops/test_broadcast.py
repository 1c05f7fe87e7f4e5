"""The one ``unbroadcast``: the adjoint of numpy broadcasting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hst

import mytorch
from mytorch.ops import unbroadcast
from mytorch.testing import strategies as st


def test_sums_added_leading_axes_and_stretched_size_one_axes() -> None:
    result = unbroadcast(mytorch.ones(2, 3, 4), (3, 1))
    assert result.shape == (3, 1)
    np.testing.assert_array_equal(result.data, [[8.0], [8.0], [8.0]])
    assert unbroadcast(mytorch.ones(2, 3), ()).item() == 6.0
    assert unbroadcast(mytorch.ones(1, 3), (1, 3)).shape == (1, 3)


def test_the_same_shape_returns_the_gradient_itself() -> None:
    grad = mytorch.ones(2, 3)
    assert unbroadcast(grad, (2, 3)) is grad


def test_a_shape_with_more_dimensions_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unbroadcast: a gradient of shape \(3,\) cannot come"):
        unbroadcast(mytorch.ones(3), (2, 3))


@given(st.broadcastable_pair(), hst.data())
def test_unbroadcast_is_the_adjoint_of_broadcasting(shapes, data) -> None:
    # <unbroadcast(g), v> == <g, broadcast(v)> for every g and v: the defining
    # property of a vector-Jacobian product of broadcasting.
    shape, other = shapes
    full = np.broadcast_shapes(shape, other)
    g = data.draw(st.arrays_in(full))
    v = data.draw(st.arrays_in(shape))
    reduced = unbroadcast(mytorch.tensor(g), shape)
    assert reduced.shape == shape
    np.testing.assert_allclose(
        np.sum(reduced.data * v), np.sum(g * np.broadcast_to(v, full)), rtol=1e-12, atol=1e-12
    )


def test_unbroadcast_is_differentiable() -> None:
    grad = mytorch.tensor(np.ones((2, 3)), requires_grad=True)
    reduced = unbroadcast(grad, (3,))
    (reduced * mytorch.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(grad.grad.data, [[1.0, 2.0, 3.0]] * 2)
