"""The hypothesis strategies users property-test their own ops with."""

from __future__ import annotations

import numpy as np
from hypothesis import given

from mytorch.testing import strategies as st


@given(st.shapes(min_dims=0, max_dims=3, max_side=4))
def test_shapes(shape: tuple[int, ...]) -> None:
    assert isinstance(shape, tuple) and len(shape) <= 3
    assert all(1 <= side <= 4 for side in shape)


@given(st.broadcastable_pair(max_dims=3, max_side=4))
def test_broadcastable_pair(pair: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    a, b = pair
    np.broadcast_shapes(a, b)  # raises if they do not broadcast
    assert len(a) <= 3 and len(b) <= 3


@given(st.arrays_in(st.shapes(), low=-2.0, high=5.0, away_from=1.0, margin=0.25))
def test_arrays_in_a_domain(x: np.ndarray) -> None:
    assert x.dtype == np.float64
    assert np.all((x >= -2.0) & (x <= 5.0))
    assert np.all(np.abs(x - 1.0) >= 0.25)


@given(st.arrays_in((2, 3)))
def test_arrays_in_a_fixed_shape(x: np.ndarray) -> None:
    assert x.shape == (2, 3) and np.all(np.abs(x) <= 3.0)
