"""Shape ops: reshape/view, permute/transpose/.T, flatten, squeeze/unsqueeze, expand."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch


def test_reshape_accepts_sizes_as_arguments_or_one_sequence() -> None:
    x = mytorch.arange(6)
    assert x.reshape(2, 3).shape == (2, 3)
    assert x.reshape((3, 2)).shape == (3, 2)
    assert x.view([-1, 1]).shape == (6, 1)
    assert mytorch.reshape(x, np.array([1, 6])).shape == (1, 6)
    assert x.reshape(6) is x  # nothing to do: the tensor itself


def test_reshape_errors() -> None:
    x = mytorch.ones(2, 3, requires_grad=True)
    with pytest.raises(
        ValueError,
        match=r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into \(4, 2\)",
    ):
        x.reshape(4, 2)
    with pytest.raises(TypeError, match=r"reshape: sizes must be integers, got \('a',\)"):
        x.reshape("a")
    assert x.shape == (2, 3)


def test_permute_transpose_and_the_t_properties() -> None:
    x = mytorch.zeros(2, 3, 4)
    assert x.permute(2, 0, 1).shape == (4, 2, 3)
    assert mytorch.permute(x, (-1, 0, 1)).shape == (4, 2, 3)
    assert x.transpose(0, -1).shape == (4, 3, 2)
    assert mytorch.transpose(x, 1, 1).shape == (2, 3, 4)
    assert x.T.shape == (4, 3, 2) and x.mT.shape == (2, 4, 3)
    assert mytorch.tensor(1.0).T.shape == ()


def test_permute_gradient_is_permuted_back() -> None:
    x = mytorch.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    weights = mytorch.tensor(np.arange(6.0).reshape(3, 2))
    (x.T * weights).sum().backward()
    np.testing.assert_array_equal(x.grad.data, weights.data.T)


def test_permute_errors() -> None:
    x = mytorch.zeros(2, 3)
    with pytest.raises(
        ValueError, match=r"permute: \(0, 0\) is not a permutation of the 2 dimensions"
    ):
        x.permute(0, 0)
    with pytest.raises(
        IndexError, match="permute: dimension 2 is out of range for a tensor with 2"
    ):
        x.permute(0, 2)
    with pytest.raises(IndexError, match="transpose: dimension -3 is out of range"):
        x.transpose(-3, 0)


def test_flatten() -> None:
    x = mytorch.zeros(2, 3, 4, 5)
    assert x.flatten().shape == (120,)
    assert x.flatten(1).shape == (2, 60)
    assert mytorch.flatten(x, 1, 2).shape == (2, 12, 5)
    assert x.flatten(-2, -1).shape == (2, 3, 20)
    assert mytorch.tensor(1.0).flatten().shape == (1,)
    with pytest.raises(ValueError, match="flatten: start_dim 2 comes after end_dim 1"):
        x.flatten(2, 1)
    with pytest.raises(IndexError, match="flatten: dimension 4 is out of range"):
        x.flatten(4)


def test_squeeze_and_unsqueeze() -> None:
    x = mytorch.zeros(1, 3, 1)
    assert x.squeeze().shape == (3,)
    assert x.squeeze(0).shape == (3, 1)
    assert x.squeeze(1).shape == (1, 3, 1)  # size 3: left alone, as in PyTorch
    assert mytorch.squeeze(x, (0, -1)).shape == (3,)
    assert mytorch.tensor(1.0).squeeze(0).shape == ()
    assert x.unsqueeze(0).shape == (1, 1, 3, 1)
    assert x.unsqueeze(-1).shape == (1, 3, 1, 1)
    assert mytorch.unsqueeze(x, 3).shape == (1, 3, 1, 1)
    with pytest.raises(
        IndexError, match="squeeze: dimension 3 is out of range for a tensor with 3"
    ):
        x.squeeze(3)
    with pytest.raises(
        IndexError, match="unsqueeze: dimension 4 is out of range for a tensor with 3"
    ):
        x.unsqueeze(4)


def test_expand_and_broadcast_to() -> None:
    x = mytorch.tensor([[1.0], [2.0]], requires_grad=True)
    y = x.expand(-1, 3)
    np.testing.assert_array_equal(y.data, [[1.0] * 3, [2.0] * 3])
    assert x.expand(4, 2, 3).shape == (4, 2, 3)
    assert mytorch.expand(x, 2, 1) is x
    z = mytorch.broadcast_to(x, (2, 2, 4))
    (y.sum() + z.sum()).backward()
    np.testing.assert_array_equal(x.grad.data, [[3.0 + 8.0], [3.0 + 8.0]])


@pytest.mark.parametrize("shape", [(3, 3), (3,), (-1, 2, 1)])
def test_broadcast_to_a_shape_that_does_not_fit(shape) -> None:
    x = mytorch.ones(2, 1)
    with pytest.raises(
        ValueError, match=r"broadcast_to: cannot broadcast a tensor of shape \(2, 1\) to"
    ):
        x.broadcast_to(shape)
