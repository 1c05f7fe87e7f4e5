"""Embedding and LayerNorm: PyTorch parity, padding_idx, gradcheck, state_dict keys."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hst

import mytorch
import mytorch.nn.functional as F
from mytorch import nn
from mytorch.testing import gradcheck
from mytorch.testing import strategies as st


def test_embedding_matches_torch_and_padding_row_gets_no_gradient(torch, close):
    ours = nn.Embedding(6, 3, padding_idx=2, dtype=mytorch.float64)
    theirs = torch.nn.Embedding(6, 3, padding_idx=2, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.data.copy()))
    assert ours.weight.data[2].tolist() == [0.0, 0.0, 0.0]
    indices = np.array([[0, 2, 5], [2, 2, 1]])
    y_ours = ours(mytorch.tensor(indices, dtype=mytorch.int64))
    y_theirs = theirs(torch.from_numpy(indices))
    close(y_ours, y_theirs)
    upstream = np.random.default_rng(0).standard_normal(y_ours.shape)
    y_ours.backward(mytorch.Tensor(upstream))
    y_theirs.backward(torch.from_numpy(upstream))
    close(ours.weight.grad, theirs.weight.grad)
    assert not ours.weight.grad.data[2].any()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)


def test_embedding_gradient_adds_repeated_indices_and_ignores_later_index_changes():
    weight = mytorch.zeros(3, 2, dtype=mytorch.float64, requires_grad=True)
    indices = mytorch.tensor([1, 1, 0], dtype=mytorch.int64)
    out = F.embedding(indices, weight)
    indices.data[:] = 2  # the lookup kept its own copy of the indices
    out.sum().backward()
    np.testing.assert_array_equal(weight.grad.data, [[1.0, 1.0], [2.0, 2.0], [0.0, 0.0]])


@given(
    shape=st.shapes(min_dims=0, max_dims=2, max_side=3),
    rows=hst.integers(1, 4),
    padding=hst.booleans(),
    data=hst.data(),
)
def test_embedding_gradcheck(shape, rows, padding, data):
    weight = data.draw(st.arrays_in((rows, 2)))
    indices = np.asarray(
        data.draw(
            hst.lists(
                hst.integers(0, rows - 1),
                min_size=int(np.prod(shape)),
                max_size=int(np.prod(shape)),
            )
        )
    ).reshape(shape)
    assert gradcheck(lambda w: F.embedding(indices, w), [weight])
    if padding:  # the same gradient, but none for the padding row
        w = mytorch.Tensor(weight, requires_grad=True)
        (F.embedding(indices, w) * 2.0).sum().backward()
        padded = mytorch.Tensor(weight, requires_grad=True)
        (F.embedding(indices, padded, padding_idx=0) * 2.0).sum().backward()
        expected = w.grad.data.copy()
        expected[0] = 0
        np.testing.assert_array_equal(padded.grad.data, expected)


def test_embedding_refuses_bad_indices():
    table = nn.Embedding(3, 2)
    with pytest.raises(IndexError, match=r"embedding: indices must be in \[0, 3\).*got \[3, -1\]"):
        table(mytorch.tensor([0, 3, -1], dtype=mytorch.int64))
    with pytest.raises(TypeError, match=r"embedding: indices must be of an integer dtype"):
        table(mytorch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"Embedding: padding_idx must be within"):
        nn.Embedding(3, 2, padding_idx=3)
    assert table.weight.grad is None


@pytest.mark.parametrize(
    ("shape", "normalized", "options"),
    [
        ((4, 5), (5,), {}),
        ((2, 3, 4), (3, 4), {}),
        ((3, 4), (4,), {"elementwise_affine": False}),
        ((3, 4), (4,), {"bias": False}),
        ((2, 4), (4,), {"eps": 0.1}),
    ],
    ids=str,
)
def test_layer_norm_matches_torch(torch, compare_layer, shape, normalized, options):
    ours = nn.LayerNorm(normalized, dtype=mytorch.float64, **options)
    theirs = torch.nn.LayerNorm(normalized, dtype=torch.float64, **options)
    if ours.weight is not None:  # not all ones and zeros, so a swapped role is caught
        ours.weight.data[...] = np.random.default_rng(1).uniform(0.5, 1.5, normalized)
    if ours.bias is not None:
        ours.bias.data[...] = np.random.default_rng(2).normal(size=normalized)
    compare_layer(ours, theirs, np.random.default_rng(0).normal(size=shape) * 3)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("affine", [False, True])
@given(data=hst.data(), shape=st.shapes(min_dims=1, max_dims=3, min_side=2))
def test_layer_norm_gradcheck(affine, data, shape):
    x = data.draw(st.arrays_in(shape))
    normalized = shape[-1:]
    w = data.draw(st.arrays_in(normalized, low=0.5, high=1.5))
    b = data.draw(st.arrays_in(normalized))
    if affine:
        assert gradcheck(lambda a, c, d: F.layer_norm(a, normalized, c, d, eps=0.1), [x, w, b])
    else:
        assert gradcheck(lambda a: F.layer_norm(a, normalized, eps=0.1), [x])


def test_layer_norm_takes_an_empty_batch_and_refuses_a_wrong_shape(torch):
    y = nn.LayerNorm(3)(mytorch.zeros(0, 3))
    assert y.shape == tuple(torch.nn.LayerNorm(3)(torch.zeros(0, 3)).shape) == (0, 3)
    with pytest.raises(ValueError, match=r"layer_norm: input of shape \(2, 4\) does not end"):
        nn.LayerNorm(3)(mytorch.zeros(2, 4))
