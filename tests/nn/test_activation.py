"""Activation layers and their functions: PyTorch parity, stability, gradcheck."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import mytorch
import mytorch.nn.functional as F
from mytorch import nn
from mytorch.testing import gradcheck
from mytorch.testing import strategies as st

# (our layer, the torch layer's name and arguments)
LAYERS = [
    (nn.ReLU(), "ReLU", {}),
    (nn.Sigmoid(), "Sigmoid", {}),
    (nn.Tanh(), "Tanh", {}),
    (nn.LeakyReLU(), "LeakyReLU", {}),
    (nn.LeakyReLU(0.2), "LeakyReLU", {"negative_slope": 0.2}),
    (nn.Softmax(dim=1), "Softmax", {"dim": 1}),
    (nn.Softmax(dim=0), "Softmax", {"dim": 0}),
    (nn.LogSoftmax(dim=1), "LogSoftmax", {"dim": 1}),
    (nn.LogSoftmax(dim=-1), "LogSoftmax", {"dim": -1}),
    (nn.Identity(), "Identity", {}),
    (nn.Flatten(), "Flatten", {}),
    (nn.Flatten(0, 1), "Flatten", {"start_dim": 0, "end_dim": 1}),
    (nn.GELU(), "GELU", {}),
    (nn.GELU(approximate="tanh"), "GELU", {"approximate": "tanh"}),
    (nn.SiLU(), "SiLU", {}),
    (nn.ELU(), "ELU", {}),
    (nn.ELU(alpha=0.5), "ELU", {"alpha": 0.5}),
    (nn.Softplus(), "Softplus", {}),
    (nn.Softplus(beta=2.0, threshold=1.0), "Softplus", {"beta": 2.0, "threshold": 1.0}),
    (nn.Unflatten(1, (1, -1)), "Unflatten", {"dim": 1, "unflattened_size": (1, -1)}),
]


def _input_with_zeros(shape):
    """Random values with exact zeros and a few ties, where derivatives have kinks."""
    x = np.random.default_rng(3).standard_normal(shape)
    x.flat[::5] = 0.0
    return x


@pytest.mark.parametrize(("ours", "name", "kwargs"), LAYERS, ids=lambda v: repr(v))
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 4)])
def test_layer_matches_torch(torch, compare_layer, ours, name, kwargs, shape):
    theirs = getattr(torch.nn, name)(**kwargs)
    compare_layer(ours, theirs, _input_with_zeros(shape))
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(
    ("ours", "theirs", "kwargs"),
    [
        (F.relu, "relu", {}),
        (F.sigmoid, "sigmoid", {}),
        (F.tanh, "tanh", {}),
        (F.leaky_relu, "leaky_relu", {"negative_slope": 0.3}),
        (F.softmax, "softmax", {"dim": 1}),
        (F.log_softmax, "log_softmax", {"dim": 0}),
        (F.gelu, "gelu", {}),
        (F.gelu, "gelu", {"approximate": "tanh"}),
        (F.silu, "silu", {}),
        (F.elu, "elu", {"alpha": 1.5}),
        (F.softplus, "softplus", {"beta": 0.5, "threshold": 1.0}),
    ],
)
def test_functional_matches_torch(torch, close, ours, theirs, kwargs):
    x = _input_with_zeros((3, 4))
    mine = mytorch.Tensor(x.copy(), requires_grad=True)
    reference = torch.tensor(x, requires_grad=True)
    y_ours = ours(mine, **kwargs)
    y_theirs = getattr(torch.nn.functional, theirs)(reference, **kwargs)
    close(y_ours, y_theirs)
    (y_ours * y_ours).sum().backward()
    (y_theirs * y_theirs).sum().backward()
    close(mine.grad, reference.grad)


@pytest.mark.parametrize(
    "layer",
    [
        nn.Sigmoid(),
        nn.Tanh(),
        nn.Softmax(1),
        nn.LogSoftmax(1),
        nn.GELU(),
        nn.GELU("tanh"),
        nn.SiLU(),
        nn.ELU(),
        nn.Softplus(),
    ],
)
def test_extreme_inputs_stay_finite(layer):
    x = mytorch.tensor([[1000.0, -1000.0, 0.0]], dtype=mytorch.float64, requires_grad=True)
    y = layer(x)
    y.sum().backward()
    assert np.isfinite(y.data).all() and np.isfinite(x.grad.data).all()


def test_softmax_needs_a_dim():
    with pytest.raises(TypeError):
        nn.Softmax()


@pytest.mark.parametrize(
    "fn",
    [
        F.sigmoid,
        F.tanh,
        lambda x: F.softmax(x, dim=-1),
        lambda x: F.log_softmax(x, dim=0),
        lambda x: nn.Flatten(0)(x),
        lambda x: nn.Identity()(x) * 1.0,
        F.gelu,
        lambda x: F.gelu(x, approximate="tanh"),
        F.silu,
        lambda x: F.softplus(x, beta=2.0),
        lambda x: nn.Unflatten(-1, (1, -1))(x),
    ],
    ids=[
        "sigmoid",
        "tanh",
        "softmax",
        "log_softmax",
        "flatten",
        "identity",
        "gelu",
        "gelu_tanh",
        "silu",
        "softplus",
        "unflatten",
    ],
)
@given(x=st.arrays_in(st.shapes(min_dims=1)))
def test_smooth_activations_gradcheck(fn, x):
    assert gradcheck(fn, [x])


@pytest.mark.parametrize(
    "fn",
    [
        F.relu,
        lambda x: F.leaky_relu(x, 0.1),
        lambda x: F.elu(x, 0.7),
        lambda x: F.softplus(x, beta=1.0, threshold=0.0),
    ],
    ids=["relu", "leaky_relu", "elu", "softplus_threshold"],
)
@given(x=st.arrays_in(st.shapes(), away_from=0.0))
def test_kinked_activations_gradcheck(fn, x):
    # Away from the kink at 0, where finite differences would straddle it.
    assert gradcheck(fn, [x])


@pytest.mark.parametrize(
    "fn",
    [F.gelu, lambda x: F.gelu(x, approximate="tanh"), F.silu, F.elu, F.softplus],
    ids=["gelu", "gelu_tanh", "silu", "elu", "softplus"],
)
@given(x=st.arrays_in(st.shapes(min_dims=1, max_dims=2), away_from=0.0))
def test_new_activations_have_correct_second_derivatives(fn, x):
    def gradient(t):
        (grad,) = mytorch.grad((fn(t) * fn(t)).sum(), t, create_graph=True)
        return grad

    assert gradcheck(gradient, [x])


def test_erf_is_accurate_across_the_range():
    import math

    from mytorch.nn.functional.activation import _erf

    x = np.concatenate([np.linspace(-9, 9, 20001), [0.0, -0.0, 1e-300, 2.0, -2.0]])
    expected = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(_erf(x), expected, rtol=0, atol=2e-15)
    assert _erf(np.array([np.inf, -np.inf])).tolist() == [1.0, -1.0]
    assert np.isnan(_erf(np.array([np.nan]))).all()
    assert _erf(np.zeros(3, np.float32)).dtype == np.float32


def test_activations_refuse_bad_options():
    with pytest.raises(ValueError, match=r"gelu: approximate must be 'none' or 'tanh', got 'f"):
        F.gelu(mytorch.zeros(2), approximate="fast")
    with pytest.raises(ValueError, match=r"GELU: approximate must be"):
        nn.GELU("erf")
    with pytest.raises(IndexError, match=r"Unflatten: dim 3 is out of range.*\(2, 4\)"):
        nn.Unflatten(3, (2, 2))(mytorch.zeros(2, 4))


@pytest.mark.parametrize("dtype", [mytorch.float32, mytorch.float64])
@pytest.mark.parametrize("layer", [nn.GELU(), nn.GELU("tanh"), nn.SiLU(), nn.ELU(), nn.Softplus()])
def test_new_activations_keep_the_dtype(layer, dtype):
    x = mytorch.randn(3, 2, dtype=dtype, requires_grad=True)
    y = layer(x)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == dtype
