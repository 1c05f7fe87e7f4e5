"""BatchNorm2d and Dropout2d: the per-channel layers of convolutional networks."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
import mytorch.nn.functional as F
from mytorch import nn
from mytorch.testing import gradcheck

SETTINGS = [{}, {"momentum": None}, {"affine": False}, {"track_running_stats": False}]


@pytest.mark.parametrize("kwargs", SETTINGS, ids=str)
def test_batchnorm2d_training_steps_then_eval_match_torch(torch, compare_layer, kwargs) -> None:
    ours = nn.BatchNorm2d(3, dtype=mytorch.float64, **kwargs)
    theirs = torch.nn.BatchNorm2d(3, dtype=torch.float64, **kwargs)
    if ours.affine:
        with mytorch.no_grad():
            ours.weight.copy_([0.5, 2.0, -1.0])
            ours.bias.copy_([0.1, -0.2, 0.3])
    rng = np.random.default_rng(0)
    for step in range(4):
        ours.zero_grad()
        theirs.zero_grad()
        compare_layer(ours, theirs, rng.normal(2.0, 3.0, size=(4, 3, 5, 2)), seed=step)
    ours.eval()
    theirs.eval()
    compare_layer(ours, theirs, rng.normal(size=(2, 3, 5, 2)))
    assert ours.num_batches_tracked is None or ours.num_batches_tracked.item() == 4


def test_batchnorm2d_statistics_are_per_channel_over_n_h_w() -> None:
    x = np.random.default_rng(0).normal(size=(3, 2, 4, 5))
    bn = nn.BatchNorm2d(2, eps=0.0, dtype=mytorch.float64)
    y = bn(mytorch.tensor(x)).data
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1.0, rtol=1e-12)
    count = 3 * 4 * 5
    unbiased = x.var(axis=(0, 2, 3)) * count / (count - 1)
    np.testing.assert_allclose(bn.running_var.data, 0.9 + 0.1 * unbiased, rtol=1e-12)


def test_batchnorm2d_second_derivative() -> None:
    x = np.random.default_rng(0).normal(size=(2, 2, 2, 3))

    def grad_of_square(t):
        out = F.batch_norm(t, None, None, training=True)
        (grad,) = mytorch.grad((out * out * t).sum(), [t], create_graph=True)
        return grad

    assert gradcheck(grad_of_square, [x])


def test_batchnorm2d_wrong_shapes() -> None:
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3.*\(N, 3, H, W\).*got \(4, 3\)"):
        nn.BatchNorm2d(3)(mytorch.randn(4, 3))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3.*got \(4, 3, 2, 2\)"):
        nn.BatchNorm1d(3)(mytorch.randn(4, 3, 2, 2))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm2d(3)(mytorch.randn(1, 3, 1, 1))


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout2d_zeroes_whole_channels_with_probability_p(p) -> None:
    mytorch.manual_seed(0)
    x = mytorch.ones(50, 40, 3, 2, requires_grad=True)
    y = nn.Dropout2d(p)(x)
    per_map = y.data.reshape(50, 40, -1)
    assert (per_map.min(axis=-1) == per_map.max(axis=-1)).all()  # whole maps only
    assert set(np.unique(per_map)) <= {0.0, np.float32(1 / (1 - p))}
    assert abs((per_map[..., 0] == 0).mean() - p) < 0.05
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, y.data)  # the gradient is the scaled mask


def test_dropout2d_eval_identity_and_bad_input() -> None:
    x = mytorch.ones(2, 3, 4, 4)
    assert nn.Dropout2d().eval()(x) is x
    assert F.dropout2d(x, 0.0) is x
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout2d(1.5)
    with pytest.raises(ValueError, match=r"dropout2d: .*got \(3, 4\)"):
        F.dropout2d(mytorch.ones(3, 4))
    assert repr(nn.Dropout2d(0.25)) == "Dropout2d(p=0.25)"
