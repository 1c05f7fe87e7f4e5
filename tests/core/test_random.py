"""The framework's random generator: one seed reproduces every draw."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch.core.random import default_generator


def draws() -> list[np.ndarray]:
    return [mytorch.randn(3).data, mytorch.rand(2, 2).data, default_generator().random(2)]


def test_manual_seed_reproduces_every_draw() -> None:
    mytorch.manual_seed(1234)
    first = draws()
    mytorch.manual_seed(1234)
    second = draws()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    mytorch.manual_seed(4321)
    assert not np.array_equal(draws()[0], first[0])


def test_manual_seed_returns_the_generator_every_draw_uses() -> None:
    generator = mytorch.manual_seed(0)
    assert generator is default_generator() is mytorch.default_generator()


@pytest.mark.parametrize("bad", [-1, 1.5, "7", True, None])
def test_manual_seed_refuses_anything_but_a_non_negative_integer(bad) -> None:
    with pytest.raises(ValueError, match="manual_seed: seed must be a non-negative integer"):
        mytorch.manual_seed(bad)


def test_seed_reseeds_from_entropy_and_returns_the_seed() -> None:
    used = mytorch.seed()
    assert isinstance(used, int) and used >= 0
    first = mytorch.randn(4).data
    mytorch.manual_seed(used)
    np.testing.assert_array_equal(mytorch.randn(4).data, first)
