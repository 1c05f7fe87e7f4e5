"""The per-channel sums behind Linear's bias gradient and BatchNorm: a BLAS product with ones."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hst

from mytorch.nn.functional.layers import _channel_sums, _ones
from mytorch.testing import strategies as st


@given(
    st.arrays_in(st.shapes(min_dims=2, max_dims=4, min_side=0, max_side=6), low=-100, high=100),
    hst.sampled_from([np.float32, np.float64, np.int64]),
)
def test_channel_sums_are_the_sums_over_every_axis_but_the_channels(
    x: np.ndarray, dtype: type
) -> None:
    array = x.astype(dtype)
    axes = (0, *range(2, array.ndim))
    sums = _channel_sums(array, axes)
    # 2-D: one value per channel (a bias's gradient); N-D: the summed axes kept as 1s.
    expected = np.add.reduce(array, axis=axes, keepdims=array.ndim != 2)
    assert sums.shape == expected.shape and sums.dtype == array.dtype
    np.testing.assert_allclose(sums, expected, rtol=1e-5, atol=1e-4)


def test_the_cached_ones_cannot_be_written() -> None:
    ones = _ones(7, np.dtype(np.float32))
    assert ones is _ones(7, np.dtype(np.float32))
    with pytest.raises(ValueError):
        ones[0] = 2.0
