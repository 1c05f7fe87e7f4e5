"""The factories PyTorch scripts use: values and dtypes against torch, sharing, generators."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mytorch


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.linspace(0, 1, 5),
        lambda m: m.linspace(-2, 3, 1),
        lambda m: m.linspace(0, 1, 0),
        lambda m: m.logspace(0, 2, 3),
        lambda m: m.logspace(0, 3, 4, base=2.0),
        lambda m: m.eye(3),
        lambda m: m.eye(2, 4),
        lambda m: m.full((2, 2), 7),
        lambda m: m.full((2,), 1.5),
        lambda m: m.full((2,), True),
        lambda m: m.full_like(m.zeros(2, dtype=m.int64), 3.7),
        lambda m: m.arange(5),
        lambda m: m.arange(1, 2, 0.25),
        lambda m: m.arange(5, 0, -2),
        lambda m: m.tensor([[1, 2], [3, 4]]),
        lambda m: m.tensor([1.0, 2]),
        lambda m: m.tensor(True),
        lambda m: m.zeros(2, 3, dtype=m.long),
        lambda m: m.ones(2, dtype=m.bool),
        lambda m: m.eye(2, dtype=m.double),
    ],
)
def test_values_and_dtypes_match_torch(call) -> None:
    torch = pytest.importorskip("torch")
    got, expected = call(mytorch), call(torch)
    assert str(got.dtype) == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-6)


def test_empty_has_the_shape_and_dtype_asked_for() -> None:
    assert mytorch.empty(2, 3).shape == (2, 3) and mytorch.empty(2).dtype == np.float32
    assert mytorch.empty_like(mytorch.tensor([1, 2])).dtype == np.int64


def test_from_numpy_and_as_tensor_share_memory_as_torch() -> None:
    array = np.array([1.0, 2.0])
    t = mytorch.from_numpy(array)
    assert t.dtype == np.float64 and np.shares_memory(t.data, array)
    array[0] = 5.0
    assert t[0].item() == 5.0
    t.add_(1)
    np.testing.assert_array_equal(array, [6.0, 3.0])
    assert mytorch.as_tensor(array).data is array
    assert mytorch.as_tensor(t) is t
    assert not np.shares_memory(mytorch.as_tensor(array, dtype=mytorch.float32).data, array)
    assert mytorch.as_tensor([1, 2]).dtype == np.int64
    with pytest.raises(TypeError, match=r"from_numpy: expected a numpy\.ndarray, got list"):
        mytorch.from_numpy([1.0])


def test_a_saved_from_numpy_tensor_is_version_checked() -> None:
    weight = mytorch.from_numpy(np.array([1.0, 2.0]))
    x = mytorch.tensor(np.array([3.0, 4.0]), requires_grad=True)
    loss = (x * weight).sum()
    mytorch.as_tensor(weight).mul_(2)  # the same tensor, so the same counter
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_generator_reproduces_and_leaves_the_global_generator_alone() -> None:
    mytorch.manual_seed(3)
    expected_global = mytorch.rand(4)
    mytorch.manual_seed(3)
    g = mytorch.Generator().manual_seed(11)
    first = [
        mytorch.rand(3, generator=g),
        mytorch.randn(3, generator=g),
        mytorch.randint(0, 9, (3,), generator=g),
        mytorch.randperm(5, generator=g),
        mytorch.multinomial(mytorch.ones(4), 2, generator=g),
    ]
    assert mytorch.rand(4).tolist() == expected_global.tolist()
    g.manual_seed(11)
    again = [
        mytorch.rand(3, generator=g),
        mytorch.randn(3, generator=g),
        mytorch.randint(0, 9, (3,), generator=g),
        mytorch.randperm(5, generator=g),
        mytorch.multinomial(mytorch.ones(4), 2, generator=g),
    ]
    for a, b in zip(first, again):
        assert a.tolist() == b.tolist()
    assert g.initial_seed() == 11


@given(st.integers(-20, 20), st.integers(1, 20), st.integers(0, 5))
def test_randint_stays_in_range_and_is_int64(low: int, width: int, n: int) -> None:
    x = mytorch.randint(low, low + width, (n,))
    assert x.dtype == np.int64 and x.shape == (n,)
    assert ((x.data >= low) & (x.data < low + width)).all()
    assert mytorch.randint(width, (n,)).data.max(initial=0) < width


@given(st.integers(0, 30))
def test_randperm_is_a_permutation(n: int) -> None:
    assert sorted(mytorch.randperm(n).tolist()) == list(range(n))


@given(st.integers(1, 6), st.integers(1, 6), st.booleans())
def test_multinomial_draws_only_weighted_categories(categories: int, draws: int, again) -> None:
    weights = np.zeros((2, categories + draws))
    weights[:, : categories + (0 if again else draws)] = 1.0
    out = mytorch.multinomial(mytorch.tensor(weights), draws, replacement=again)
    assert out.shape == (2, draws) and out.dtype == np.int64
    assert (weights[np.arange(2)[:, None], out.data] > 0).all()
    if not again:
        assert all(len(set(row)) == draws for row in out.tolist())


def test_multinomial_frequencies_follow_the_weights() -> None:
    mytorch.manual_seed(0)
    out = mytorch.multinomial(mytorch.tensor([1.0, 3.0]), 4000, replacement=True)
    assert abs(out.data.mean() - 0.75) < 0.03


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: mytorch.zeros(True), TypeError, "zeros: sizes must be integers, not bools"),
        (lambda: mytorch.full((2,), None), TypeError, "full: fill_value must be a number"),
        (lambda: mytorch.full((2,), "a"), TypeError, "full: fill_value must be a number"),
        (lambda: mytorch.arange(0, 10, 0), ValueError, "arange: step must be nonzero"),
        (lambda: mytorch.arange(0, 10, -1), ValueError, "arange: step -1 goes away from end"),
        (lambda: mytorch.arange(0, float("inf")), ValueError, "arange: .* must be finite"),
        (lambda: mytorch.linspace(0, 1, -1), ValueError, "linspace: steps must be"),
        (lambda: mytorch.randint(5, 5, (2,)), ValueError, "randint: low must be less than high"),
        (lambda: mytorch.randperm(-1), ValueError, "randperm: n must be a non-negative"),
        (lambda: mytorch.rand(2, generator=3), TypeError, "rand: generator must be"),
        (
            lambda: mytorch.multinomial(mytorch.tensor([1.0, 0.0]), 2),
            ValueError,
            "multinomial: cannot draw 2 samples without replacement",
        ),
        (lambda: mytorch.multinomial(mytorch.tensor([-1.0, 2.0]), 1), ValueError, "non-negative"),
        (lambda: mytorch.multinomial(mytorch.zeros(2), 1), ValueError, "positive sum"),
    ],
)
def test_bad_arguments_are_refused_clearly(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()


def test_torch_refuses_the_same_arguments() -> None:
    torch = pytest.importorskip("torch")
    for call in [
        lambda: torch.arange(0, 10, 0),
        lambda: torch.arange(0, 10, -1),
        lambda: torch.full((2,), None),
        lambda: torch.randint(5, 5, (2,)),
    ]:  # (multinomial's rule is in PyTorch's docs; its CPU kernel does not check it)
        with pytest.raises((RuntimeError, TypeError)):
            call()
