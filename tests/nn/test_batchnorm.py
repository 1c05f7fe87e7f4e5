"""BatchNorm1d and F.batch_norm: PyTorch parity (values, gradients, running statistics)."""

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

SETTINGS = [
    {},
    {"momentum": 0.3, "eps": 1e-3},
    {"momentum": None},
    {"affine": False},
    {"track_running_stats": False},
]


def _batches(shape, steps, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(loc=2.0, scale=3.0, size=shape) for _ in range(steps)]


@pytest.mark.parametrize("kwargs", SETTINGS, ids=str)
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)], ids=str)
def test_training_steps_then_eval_match_torch(torch, compare_layer, kwargs, shape):
    ours = nn.BatchNorm1d(3, dtype=mytorch.float64, **kwargs)
    theirs = torch.nn.BatchNorm1d(3, dtype=torch.float64, **kwargs)
    if ours.affine:
        with mytorch.no_grad():  # parameters away from their (1, 0) start
            ours.weight.copy_([0.5, 2.0, -1.0])
            ours.bias.copy_([0.1, -0.2, 0.3])
    for step, x in enumerate(_batches(shape, steps=5)):
        ours.zero_grad()
        theirs.zero_grad()
        compare_layer(ours, theirs, x, seed=step)  # also compares every buffer
    ours.eval()
    theirs.eval()
    compare_layer(ours, theirs, _batches(shape, steps=1, seed=9)[0])


def test_running_statistics_follow_the_spec():
    bn = nn.BatchNorm1d(2, momentum=0.1, dtype=mytorch.float64)
    x = np.array([[1.0, 10.0], [2.0, 20.0], [6.0, 0.0]])
    bn(mytorch.Tensor(x))
    n = x.shape[0]
    np.testing.assert_allclose(bn.running_mean.data, 0.1 * x.mean(axis=0), rtol=1e-15)
    unbiased = x.var(axis=0) * n / (n - 1)
    np.testing.assert_allclose(bn.running_var.data, 0.9 + 0.1 * unbiased, rtol=1e-15)
    assert bn.num_batches_tracked.item() == 1
    assert bn.num_batches_tracked.dtype == mytorch.int64


def test_training_normalises_with_the_biased_batch_variance():
    x = np.random.default_rng(4).standard_normal((6, 3))
    y = nn.BatchNorm1d(3, eps=0.0, dtype=mytorch.float64)(mytorch.Tensor(x)).data
    np.testing.assert_allclose(y, (x - x.mean(0)) / x.std(0), rtol=1e-12)


def test_eval_uses_running_statistics():
    bn = nn.BatchNorm1d(2, dtype=mytorch.float64).eval()
    with mytorch.no_grad():
        bn.running_mean.copy_([1.0, -1.0])
        bn.running_var.copy_([4.0, 0.25])
    y = bn(mytorch.tensor([[3.0, 0.0]], dtype=mytorch.float64))  # a batch of one is fine here
    np.testing.assert_allclose(y.data, [[2.0 / np.sqrt(4 + 1e-5), 1.0 / np.sqrt(0.25 + 1e-5)]])


def test_running_statistics_stay_out_of_the_graph():
    bn = nn.BatchNorm1d(3)
    versions = (bn.running_mean._version, bn.running_var._version)
    bn(mytorch.randn(4, 3, requires_grad=True)).sum().backward()
    for buffer in bn.buffers():
        assert not buffer.requires_grad and buffer.grad_fn is None
    assert bn.running_mean._version == versions[0] + 1
    assert bn.running_var._version == versions[1] + 1


def test_batch_of_one_in_training_is_refused_and_changes_nothing():
    bn = nn.BatchNorm1d(20)
    before = {name: value.data.copy() for name, value in bn.state_dict().items()}
    with pytest.raises(
        ValueError, match=r"BatchNorm1d\(20.*more than 1 value per channel.*\(1, 20\)"
    ):
        bn(mytorch.randn(1, 20))
    for name, value in bn.state_dict().items():
        assert np.array_equal(value.data, before[name]), name
    with pytest.raises(ValueError, match="batch_norm: expected more than 1 value per channel"):
        F.batch_norm(mytorch.randn(1, 20), None, None, training=True)


def test_wrong_input_shape_names_layer_and_shapes():
    bn = nn.BatchNorm1d(20)
    with pytest.raises(ValueError, match=r"BatchNorm1d\(20.*\(N, 20\).*got \(4, 3\)"):
        bn(mytorch.randn(4, 3))
    with pytest.raises(ValueError, match=r"got \(4,\)"):
        bn(mytorch.randn(4))
    with pytest.raises(ValueError, match=r"batch_norm: input of shape \(4, 3\) has 3 channels"):
        F.batch_norm(mytorch.randn(4, 3), mytorch.zeros(2), mytorch.ones(2))
    with pytest.raises(ValueError, match="needs running statistics"):
        F.batch_norm(mytorch.randn(4, 3), None, None, training=False)


@pytest.mark.parametrize("bad", [0, 2.0, True])
def test_bad_feature_counts_are_refused(bad):
    with pytest.raises(ValueError, match="num_features must be a positive integer"):
        nn.BatchNorm1d(bad)


def test_registration_and_repr(torch):
    bn = nn.BatchNorm1d(5)
    assert [name for name, _ in bn.named_parameters()] == ["weight", "bias"]
    assert list(bn.state_dict()) == list(torch.nn.BatchNorm1d(5).state_dict())
    assert np.array_equal(bn.weight.data, np.ones(5))
    assert np.array_equal(bn.bias.data, np.zeros(5))
    # torch 2.13 also prints its newer ``bias=`` switch, which MyTorch does not have.
    assert (
        repr(bn)
        == "BatchNorm1d(5, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
    )
    plain = nn.BatchNorm1d(5, affine=False, track_running_stats=False)
    assert list(plain.parameters()) == [] and list(plain.buffers()) == []


@pytest.mark.parametrize("training", [True, False])
def test_functional_batch_norm_matches_torch(torch, close, training):
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((5, 4)), rng.standard_normal(4), rng.standard_normal(4)
    mean, var = rng.standard_normal(4), rng.uniform(0.5, 2, 4)
    ours = [mytorch.Tensor(a.copy(), requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    stats_ours = [mytorch.Tensor(mean.copy()), mytorch.Tensor(var.copy())]
    stats_theirs = [torch.tensor(mean), torch.tensor(var)]
    y_ours = F.batch_norm(ours[0], *stats_ours, ours[1], ours[2], training, 0.2, 1e-4)
    y_theirs = torch.nn.functional.batch_norm(
        theirs[0], *stats_theirs, theirs[1], theirs[2], training, 0.2, 1e-4
    )
    close(y_ours, y_theirs)
    (y_ours * y_ours).sum().backward()
    (y_theirs * y_theirs).sum().backward()
    for mine, reference in zip([*ours, *stats_ours], [*theirs, *stats_theirs]):
        close(
            mine.grad if mine.requires_grad else mine,
            reference.grad if reference.requires_grad else reference,
        )


@given(
    shape=hst.tuples(hst.integers(2, 4), hst.integers(1, 3), hst.integers(1, 2)).map(
        lambda s: s if s[2] > 1 else s[:2]
    ),
    data=hst.data(),
)
def test_batch_norm_training_gradcheck(shape, data):
    # Spread-out values keep the batch variance away from 0, where 1/sqrt blows up.
    x = data.draw(st.arrays_in(shape, low=-3, high=3).filter(lambda a: a.std(axis=0).min() > 0.3))
    w = data.draw(st.arrays_in((shape[1],)))
    b = data.draw(st.arrays_in((shape[1],)))
    assert gradcheck(lambda *t: F.batch_norm(t[0], None, None, t[1], t[2], True), [x, w, b])


@given(x=st.arrays_in((3, 2)), w=st.arrays_in((2,)), b=st.arrays_in((2,)))
def test_batch_norm_eval_gradcheck(x, w, b):
    mean, var = mytorch.tensor([0.5, -0.5]), mytorch.tensor([2.0, 0.5])
    assert gradcheck(lambda *t: F.batch_norm(t[0], mean, var, t[1], t[2], False), [x, w, b])


def test_training_batch_norm_has_correct_second_derivatives() -> None:
    # The fused node's backward is built from Tensor ops, so create_graph works.
    def gradient_of_cube(x, weight, bias):
        y = F.batch_norm(x, None, None, weight, bias, training=True)
        (grad_x,) = mytorch.grad((y * y * y).sum(), x, create_graph=True)
        return grad_x

    rng = np.random.default_rng(0)
    inputs = [rng.normal(size=(6, 3)), rng.uniform(0.5, 1.5, 3), rng.normal(size=3)]
    assert gradcheck(gradient_of_cube, inputs)
