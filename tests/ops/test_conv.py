"""conv1d / conv2d / pad: worked examples, gradients and second derivatives against
central differences over random geometries, PyTorch parity, and bad arguments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

import mytorch
import mytorch.nn.functional as F
from mytorch.testing import gradcheck

# ------------------------------------------------------------------ strategies


@hst.composite
def conv_args(draw: Any, dims: int = 2) -> dict[str, Any]:
    """A convolution's arrays and settings: every geometry, the edge cases included.

    The input's size is drawn as the padded kernel span plus 0..3, so a kernel
    as large as the (padded) input, strides larger than the kernel and padding
    larger than half the kernel all occur.
    """
    groups = draw(hst.integers(1, 2))
    channels = groups * draw(hst.integers(1, 2))
    out_channels = groups * draw(hst.integers(1, 2))
    kernel = tuple(draw(hst.integers(1, 3)) for _ in range(dims))
    stride = tuple(draw(hst.integers(1, 3)) for _ in range(dims))
    dilation = tuple(draw(hst.integers(1, 2)) for _ in range(dims))
    padding = tuple(draw(hst.integers(0, 3)) for _ in range(dims))
    size = tuple(
        max(1, d * (k - 1) + 1 - 2 * p + draw(hst.integers(0, 3)))
        for k, d, p in zip(kernel, dilation, padding)
    )
    rng = np.random.default_rng(draw(hst.integers(0, 2**16)))
    return {
        "input": rng.normal(size=(draw(hst.integers(1, 2)), channels, *size)),
        "weight": rng.normal(size=(out_channels, channels // groups, *kernel)),
        "bias": rng.normal(size=out_channels) if draw(hst.booleans()) else None,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
    }


def conv_fn(dims: int, args: dict[str, Any]):
    conv = F.conv2d if dims == 2 else F.conv1d
    settings_ = {k: args[k] for k in ("stride", "padding", "dilation", "groups")}
    return lambda x, w, b=None: conv(x, w, b, **settings_)


def arrays(args: dict[str, Any]) -> list[Any]:
    return [a for a in (args["input"], args["weight"], args["bias"]) if a is not None]


def vjp(fn):
    """``fn``'s vector-Jacobian product with create_graph=True, to be differentiated again."""

    def first(*inputs: mytorch.Tensor) -> mytorch.Tensor:
        out = fn(*inputs)
        direction = mytorch.tensor(np.linspace(0.5, 1.5, out.data.size).reshape(out.shape))
        grads = mytorch.grad(out, list(inputs), direction, create_graph=True, allow_unused=True)
        return mytorch.cat([g.reshape(-1) for g in grads if g is not None])

    return first


# ------------------------------------------------------------ worked examples
def test_conv2d_worked_example() -> None:
    x = mytorch.arange(16.0).reshape(1, 1, 4, 4)
    w = mytorch.tensor([[[[1.0, 0.0], [0.0, -1.0]]]])
    out = F.conv2d(x, w, mytorch.tensor([0.5]))
    np.testing.assert_array_equal(out.data, np.full((1, 1, 3, 3), -4.5))


def test_conv2d_gradients_worked_example() -> None:
    x = mytorch.ones(1, 1, 3, 3, requires_grad=True)
    w = mytorch.ones(1, 1, 2, 2, requires_grad=True)
    F.conv2d(x, w).sum().backward()
    # Each input element is in as many windows as it has 2x2 neighbourhoods.
    np.testing.assert_array_equal(x.grad.data[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    np.testing.assert_array_equal(w.grad.data, np.full((1, 1, 2, 2), 4.0))


def test_same_padding_keeps_the_size_and_pads_odd_totals_after() -> None:
    x = mytorch.randn(1, 2, 5, 6)
    assert F.conv2d(x, mytorch.ones(3, 2, 2, 3), padding="same").shape == (1, 3, 5, 6)
    # An even kernel (odd total padding 1): the extra zero goes after, so the last
    # output sees only the last input.
    out = F.conv1d(mytorch.tensor([[[1.0, 2.0, 3.0]]]), mytorch.ones(1, 1, 2), padding="same")
    np.testing.assert_array_equal(out.data, [[[3.0, 5.0, 3.0]]])
    assert F.conv1d(mytorch.ones(1, 1, 5), mytorch.ones(1, 1, 3), padding="valid").shape == (
        1,
        1,
        3,
    )


def test_unbatched_input_and_float32() -> None:
    x, w = mytorch.randn(3, 6, 6), mytorch.randn(4, 3, 3, 3)
    out = F.conv2d(x, w)
    assert out.shape == (4, 4, 4) and out.dtype == np.float32
    np.testing.assert_allclose(out.data, F.conv2d(x.unsqueeze(0), w).data[0])


def test_pad_worked_example_and_crop() -> None:
    x = mytorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = F.pad(x, (1, -1, 0, 1), value=9.0)  # last axis: 1 before, crop 1 after
    np.testing.assert_array_equal(out.data, [[9.0, 1.0], [9.0, 3.0], [9.0, 9.0]])
    out.backward(mytorch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    np.testing.assert_array_equal(x.grad.data, [[2.0, 0.0], [4.0, 0.0]])


# ------------------------------------------------------ gradients, property tests
@pytest.mark.parametrize("dims", [1, 2])
@given(data=hst.data())
def test_gradient_matches_finite_differences(dims: int, data: Any) -> None:
    args = data.draw(conv_args(dims))
    assert gradcheck(conv_fn(dims, args), arrays(args))


@pytest.mark.parametrize("dims", [1, 2])
@settings(max_examples=max(5, settings.default.max_examples // 3))
@given(data=hst.data())
def test_second_derivative_matches_finite_differences(dims: int, data: Any) -> None:
    args = data.draw(conv_args(dims))
    assert gradcheck(vjp(conv_fn(dims, args)), arrays(args))


@given(data=hst.data())
def test_pad_gradient_and_second_derivative(data: Any) -> None:
    x = np.random.default_rng(data.draw(hst.integers(0, 99))).normal(size=(2, 3, 4))
    pad = tuple(
        data.draw(
            hst.lists(hst.integers(-1, 2), min_size=2, max_size=6).filter(
                lambda p: len(p) % 2 == 0
            )
        )
    )
    value = data.draw(hst.floats(-2, 2))
    assert gradcheck(lambda t: F.pad(t, pad, value=value), [x])
    assert gradcheck(vjp(lambda t: F.pad(t, pad, value=value)), [x])


# ------------------------------------------------------------------ PyTorch oracle
@pytest.mark.parametrize("dims", [1, 2])
@given(data=hst.data())
def test_values_and_gradients_match_torch(dims: int, data: Any) -> None:
    torch = pytest.importorskip("torch")
    args = data.draw(conv_args(dims))
    settings_ = {k: args[k] for k in ("stride", "padding", "dilation", "groups")}
    ours = [mytorch.tensor(a, requires_grad=True) for a in arrays(args)]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays(args)]
    torch_conv = torch.nn.functional.conv2d if dims == 2 else torch.nn.functional.conv1d
    out = conv_fn(dims, args)(*ours)
    expected = torch_conv(*theirs, **settings_)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    grad = np.random.default_rng(1).normal(size=out.shape)
    out.backward(mytorch.tensor(grad))
    expected.backward(torch.tensor(grad))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.data, reference.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's, on the even kernel
@pytest.mark.parametrize("padding", ["same", "valid", 2, (1, 3)])
def test_string_and_tuple_padding_match_torch(padding: Any) -> None:
    torch = pytest.importorskip("torch")
    x, w = np.random.default_rng(0).normal(size=(2, 2, 6, 5)), np.ones((3, 2, 2, 3))
    expected = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding=padding)
    out = F.conv2d(mytorch.tensor(x), mytorch.tensor(w), padding=padding)
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-12)


def test_pad_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    for pad in [(1, 2), (0, 1, 2, 0), (1, 1, -1, 2, 0, 1)]:
        expected = torch.nn.functional.pad(torch.tensor(x), pad, value=0.5).numpy()
        np.testing.assert_array_equal(F.pad(mytorch.tensor(x), pad, value=0.5).data, expected)


# ------------------------------------------------------------------ bad arguments
BAD = [
    ("channels", (1, 3, 5, 5), (2, 2, 3, 3), {}, ValueError, "conv2d: .*need"),
    ("groups", (1, 4, 5, 5), (3, 2, 3, 3), {"groups": 2}, ValueError, "divide by groups"),
    ("kernel too big", (1, 1, 2, 2), (1, 1, 3, 3), {}, ValueError, "larger than the padded"),
    ("weight dims", (1, 1, 5, 5), (1, 1, 3), {}, ValueError, "a weight with 4"),
    ("stride 0", (1, 1, 5, 5), (1, 1, 3, 3), {"stride": 0}, ValueError, "stride must be at"),
    ("negative pad", (1, 1, 5, 5), (1, 1, 3, 3), {"padding": -1}, ValueError, "padding"),
    ("bad string", (1, 1, 5, 5), (1, 1, 3, 3), {"padding": "full"}, ValueError, "'full'"),
    (
        "same strided",
        (1, 1, 5, 5),
        (1, 1, 3, 3),
        {"padding": "same", "stride": 2},
        ValueError,
        "strided",
    ),
    ("stride triple", (1, 1, 5, 5), (1, 1, 3, 3), {"stride": (1, 2, 3)}, TypeError, "2 ints"),
]


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "kwargs", "error", "match"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_arguments_raise_clear_errors(x_shape, w_shape, kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        F.conv2d(mytorch.ones(*x_shape), mytorch.ones(*w_shape), **kwargs)


def test_bad_bias_and_pad() -> None:
    with pytest.raises(ValueError, match=r"bias of shape \(3,\)"):
        F.conv2d(mytorch.ones(1, 1, 3, 3), mytorch.ones(2, 1, 2, 2), mytorch.ones(3))
    with pytest.raises(ValueError, match="even length"):
        F.pad(mytorch.ones(2, 2), (1, 2, 3))
    with pytest.raises(ValueError, match="crops more"):
        F.pad(mytorch.ones(2, 2), (-2, -1))
    with pytest.raises(NotImplementedError, match="reflect"):
        F.pad(mytorch.ones(2, 2), (1, 1), mode="reflect")
