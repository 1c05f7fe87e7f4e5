"""Pooling: worked examples, gradients and second derivatives against central
differences over random geometries, PyTorch parity, and bad arguments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as hst

import mytorch
import mytorch.nn.functional as F
from mytorch.testing import gradcheck


@hst.composite
def pool_args(draw: Any, dims: int = 2, dilated: bool = True) -> dict[str, Any]:
    """An input and pooling settings: strides larger than the kernel, ceil_mode, padding
    up to half the kernel, kernels as large as the input."""
    kernel = tuple(draw(hst.integers(1, 3)) for _ in range(dims))
    stride = tuple(draw(hst.integers(1, 4)) for _ in range(dims))
    dilation = tuple(draw(hst.integers(1, 2)) if dilated else 1 for _ in range(dims))
    padding = tuple(draw(hst.integers(0, k // 2)) for k in kernel)
    size = tuple(
        max(1, d * (k - 1) + 1 - 2 * p + draw(hst.integers(0, 3)))
        for k, d, p in zip(kernel, dilation, padding)
    )
    # Distinct values, so no window has a tie (finite differences cannot pick a side).
    count = 2 * 2 * int(np.prod(size))
    rng = np.random.default_rng(draw(hst.integers(0, 2**16)))
    values = rng.permutation(count).reshape(2, 2, *size) / count + rng.normal(scale=1e-3)
    args = {"kernel_size": kernel, "stride": stride, "padding": padding}
    args["ceil_mode"] = draw(hst.booleans())
    if dilated:
        args["dilation"] = dilation
    return {"input": values, "args": args}


def vjp(fn):
    def first(x: mytorch.Tensor) -> mytorch.Tensor:
        out = fn(x)
        direction = mytorch.tensor(np.linspace(0.5, 1.5, out.data.size).reshape(out.shape))
        (grad,) = mytorch.grad(out, [x], direction, create_graph=True)
        return grad

    return first


def draw_case(data: Any, strategy: Any, pool: Any) -> dict[str, Any]:
    """Draw a case, skipping dilated windows that hold only padding (their max is -inf)."""
    case = data.draw(strategy())
    assume(np.isfinite(pool(mytorch.tensor(case["input"]), **case["args"]).data).all())
    return case


POOLS = {
    "max_pool2d": (lambda: pool_args(2), F.max_pool2d),
    "max_pool1d": (lambda: pool_args(1), F.max_pool1d),
    "avg_pool2d": (lambda: pool_args(2, dilated=False), F.avg_pool2d),
}


def test_worked_examples() -> None:
    x = mytorch.tensor([[[[1.0, 5.0, 2.0], [3.0, 4.0, 9.0], [0.0, 8.0, 7.0]]]], requires_grad=True)
    out = F.max_pool2d(x, 2, stride=1)
    np.testing.assert_array_equal(out.data, [[[[5.0, 9.0], [8.0, 9.0]]]])
    out.sum().backward()  # 9 is the maximum of two windows: its gradient is 2
    np.testing.assert_array_equal(x.grad.data[0, 0], [[0, 1, 0], [0, 0, 2], [0, 1, 0]])
    avg = F.avg_pool2d(x, 2, padding=1, count_include_pad=False)
    np.testing.assert_allclose(avg.data[0, 0], [[1.0, 3.5], [1.5, 7.0]])
    np.testing.assert_allclose(F.adaptive_avg_pool2d(x, (1, 3)).data[0, 0], [[4 / 3, 17 / 3, 6]])


@pytest.mark.parametrize("name", POOLS)
@given(data=hst.data())
def test_gradient_matches_finite_differences(name: str, data: Any) -> None:
    strategy, pool = POOLS[name]
    case = draw_case(data, strategy, pool)
    assert gradcheck(lambda x: pool(x, **case["args"]), [case["input"]])


@pytest.mark.parametrize("name", POOLS)
@settings(max_examples=max(5, settings.default.max_examples // 3))
@given(data=hst.data())
def test_second_derivative_matches_finite_differences(name: str, data: Any) -> None:
    strategy, pool = POOLS[name]
    case = draw_case(data, strategy, pool)
    assert gradcheck(vjp(lambda x: pool(x, **case["args"])), [case["input"]])


@pytest.mark.parametrize("name", POOLS)
@given(data=hst.data())
def test_values_and_gradients_match_torch(name: str, data: Any) -> None:
    torch = pytest.importorskip("torch")
    strategy, pool = POOLS[name]
    case = draw_case(data, strategy, pool)
    ours = mytorch.tensor(case["input"], requires_grad=True)
    theirs = torch.tensor(case["input"], requires_grad=True)
    out = pool(ours, **case["args"])
    expected = getattr(torch.nn.functional, name)(theirs, **case["args"])
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    grad = np.random.default_rng(0).normal(size=out.shape)
    out.backward(mytorch.tensor(grad))
    expected.backward(torch.tensor(grad))
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"count_include_pad": False, "ceil_mode": True, "padding": 1, "stride": 2},
        {"divisor_override": 3, "padding": 1},
        {"ceil_mode": True, "stride": 2},
    ],
)
def test_avg_pool_divisors_match_torch(kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=(2, 3, 7, 6))
    expected = torch.nn.functional.avg_pool2d(torch.tensor(x), 3, **kwargs).numpy()
    np.testing.assert_allclose(F.avg_pool2d(mytorch.tensor(x), 3, **kwargs).data, expected)


def test_adaptive_avg_pool_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=(2, 3, 6, 8))
    for size in [1, (3, 2), (None, 4), (6, 8)]:
        expected = torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), size).numpy()
        np.testing.assert_allclose(F.adaptive_avg_pool2d(mytorch.tensor(x), size).data, expected)


def test_ties_send_the_gradient_to_one_element() -> None:
    x = mytorch.ones(1, 1, 2, 2, requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.data.sum() == 1.0 and x.grad.data[0, 0, 0, 0] == 1.0


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: F.max_pool2d(mytorch.ones(1, 1, 4, 4), 2, padding=2), ValueError, "half"),
        (lambda: F.max_pool2d(mytorch.ones(1, 1, 2, 2), 3), ValueError, "does not fit"),
        (lambda: F.max_pool2d(mytorch.ones(4, 4), 2), ValueError, r"got \(4, 4\)"),
        (lambda: F.max_pool2d(mytorch.ones(1, 1, 4, 4), 0), ValueError, "kernel_size"),
        (lambda: F.max_pool1d(mytorch.ones(1, 1, 4, 4), 2), ValueError, "max_pool1d"),
        (lambda: F.adaptive_avg_pool2d(mytorch.ones(1, 1, 5, 5), 2), ValueError, "divide"),
        (
            lambda: F.max_pool2d(mytorch.ones(1, 1, 4, 4), 2, return_indices=True),
            NotImplementedError,
            "return_indices",
        ),
    ],
)
def test_bad_arguments(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()
