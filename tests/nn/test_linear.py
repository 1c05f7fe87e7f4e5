"""Linear and F.linear: PyTorch parity, initialisation, bad input, gradcheck."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hst

import mytorch
import mytorch.nn.functional as F
from mytorch import nn
from mytorch.testing import gradcheck
from mytorch.testing import strategies as st


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("input_shape", [(5, 3), (3,), (2, 4, 3)])
def test_linear_matches_torch(torch, compare_layer, bias, input_shape):
    ours = nn.Linear(3, 4, bias=bias, dtype=mytorch.float64)
    theirs = torch.nn.Linear(3, 4, bias=bias, dtype=torch.float64)
    x = np.random.default_rng(1).standard_normal(input_shape)
    compare_layer(ours, theirs, x)


def test_functional_linear_matches_torch(torch, close):
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((6, 3)), rng.standard_normal((2, 3)), rng.standard_normal(2)
    ours = [mytorch.Tensor(a.copy(), requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    F.linear(*ours).sum().backward()
    torch.nn.functional.linear(*theirs).sum().backward()
    for mine, reference in zip(ours, theirs):
        close(mine.grad, reference.grad)


def test_default_init_is_uniform_within_one_over_sqrt_fan_in():
    _ = mytorch.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for param in (layer.weight, layer.bias):
        values = param.data
        assert np.abs(values).max() <= bound
        # A uniform on (-b, b) has standard deviation b / sqrt(3).
        assert abs(values.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert np.abs(layer.weight.data).max() > 0.99 * bound
    assert layer.weight.dtype == mytorch.float32


def test_same_seed_gives_bit_identical_init():
    _ = mytorch.manual_seed(123)
    first = nn.Sequential(nn.Linear(5, 4), nn.Linear(4, 2))
    _ = mytorch.manual_seed(123)
    second = nn.Sequential(nn.Linear(5, 4), nn.Linear(4, 2))
    for a, b in zip(first.parameters(), second.parameters()):
        assert np.array_equal(a.data, b.data)
    _ = mytorch.manual_seed(124)
    third = nn.Sequential(nn.Linear(5, 4), nn.Linear(4, 2))
    assert not np.array_equal(first[0].weight.data, third[0].weight.data)


def test_parameters_and_repr():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=False)"


def test_wrong_feature_count_names_layer_and_shapes():
    layer = nn.Linear(784, 20)
    with pytest.raises(ValueError, match=r"Linear\(in_features=784.*784.*\(100, 785\)"):
        layer(mytorch.zeros(100, 785))
    with pytest.raises(ValueError, match="last dimension"):
        layer(mytorch.tensor(1.0))


def test_functional_linear_errors():
    with pytest.raises(ValueError, match=r"linear: input of shape \(2, 5\).*\(4, 3\)"):
        F.linear(mytorch.zeros(2, 5), mytorch.zeros(4, 3))
    with pytest.raises(ValueError, match="weight must have shape"):
        F.linear(mytorch.zeros(2, 3), mytorch.zeros(3))


@pytest.mark.parametrize("bad", [-1, 2.5, True])
def test_bad_sizes_are_refused(bad):
    with pytest.raises(ValueError, match="in_features must be a non-negative integer"):
        nn.Linear(bad, 2)


@given(
    batch=st.shapes(min_dims=0, max_dims=2, max_side=3),
    sizes=hst.tuples(hst.integers(1, 4), hst.integers(1, 4)),
    data=hst.data(),
)
def test_linear_gradcheck(batch, sizes, data):
    in_features, out_features = sizes
    x = data.draw(st.arrays_in((*batch, in_features)))
    w = data.draw(st.arrays_in((out_features, in_features)))
    b = data.draw(st.arrays_in((out_features,)))
    assert gradcheck(F.linear, [x, w, b])


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors:UserWarning")  # torch's
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize(
    ("sizes", "shape"),
    [((0, 3), (2, 0)), ((3, 0), (2, 3)), ((3, 2), (0, 3)), ((0, 0), (0, 0)), ((3, 2), (2, 0, 3))],
    ids=str,
)
def test_empty_dimensions_give_torchs_gradients(torch, create_graph, sizes, shape):
    ours = mytorch.nn.Linear(*sizes)
    theirs = torch.nn.Linear(*sizes)
    x_ours = mytorch.ones(*shape, requires_grad=True)
    x_theirs = torch.ones(*shape, requires_grad=True)
    ours_grads = mytorch.grad(
        ours(x_ours).sum(), [x_ours, ours.weight, ours.bias], create_graph=create_graph
    )
    theirs_grads = torch.autograd.grad(
        theirs(x_theirs).sum(), [x_theirs, theirs.weight, theirs.bias]
    )
    for mine, reference in zip(ours_grads, theirs_grads):
        assert mine.shape == tuple(reference.shape)
        np.testing.assert_array_equal(mine.data, reference.numpy())
