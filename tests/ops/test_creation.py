"""Factories: tensor, zeros, ones, full, *_like, arange, rand, randn."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch


def test_tensor_always_copies() -> None:
    array = np.array([1.0, 2.0])
    t = mytorch.tensor(array)
    array[0] = 10.0
    assert t.tolist() == [1.0, 2.0]
    copy = mytorch.tensor(t)
    assert copy.data is not t.data and copy.tolist() == [1.0, 2.0]


def test_tensor_dtype_and_requires_grad() -> None:
    t = mytorch.tensor([1, 2], dtype=mytorch.float64, requires_grad=True)
    assert t.dtype == np.float64 and t.requires_grad and t.is_leaf


@pytest.mark.parametrize("factory", [mytorch.zeros, mytorch.ones, mytorch.rand, mytorch.randn])
def test_sized_factories(factory) -> None:
    assert factory(2, 3).shape == (2, 3)
    assert factory((2, 3)).shape == (2, 3)
    assert factory([4]).shape == (4,)
    assert factory().shape == ()
    assert factory(2).dtype == np.float32
    assert factory(2, dtype=mytorch.float64).dtype == np.float64
    t = factory(2, requires_grad=True)
    assert t.requires_grad and t.is_leaf
    with pytest.raises(TypeError, match=r"sizes must be integers"):
        factory(2.5j)


def test_values_of_the_constant_factories() -> None:
    assert mytorch.zeros(2).tolist() == [0.0, 0.0]
    assert mytorch.ones(2).tolist() == [1.0, 1.0]
    full = mytorch.full((2, 1), 7.0)
    assert full.tolist() == [[7.0], [7.0]] and full.dtype == np.float32
    assert mytorch.full(3, 1, dtype=mytorch.int64).dtype == np.int64


def test_like_factories_keep_shape_and_dtype() -> None:
    base = mytorch.tensor(np.ones((2, 3)))
    for factory, value in [(mytorch.zeros_like, 0.0), (mytorch.ones_like, 1.0)]:
        t = factory(base)
        assert t.shape == (2, 3) and t.dtype == np.float64 and np.all(t.data == value)
        assert factory(base, dtype=mytorch.float32).dtype == np.float32
        assert factory(base, requires_grad=True).requires_grad


def test_arange() -> None:
    assert mytorch.arange(4).tolist() == [0, 1, 2, 3] and mytorch.arange(4).dtype == np.int64
    assert mytorch.arange(1, 7, 2).tolist() == [1, 3, 5]
    floats = mytorch.arange(0, 1, 0.25)
    assert floats.tolist() == [0.0, 0.25, 0.5, 0.75] and floats.dtype == np.float32
    assert mytorch.arange(3, dtype=mytorch.float64).dtype == np.float64
    assert mytorch.arange(3.0, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients"):
        mytorch.arange(3, requires_grad=True)


def test_random_factories_draw_from_the_framework_generator() -> None:
    mytorch.manual_seed(7)
    uniform, normal = mytorch.rand(1000), mytorch.randn(1000)
    assert uniform.data.min() >= 0.0 and uniform.data.max() < 1.0
    assert abs(normal.data.mean()) < 0.2 and 0.8 < normal.data.std() < 1.2
    mytorch.manual_seed(7)
    np.testing.assert_array_equal(mytorch.rand(1000).data, uniform.data)
    np.testing.assert_array_equal(mytorch.randn(1000).data, normal.data)
