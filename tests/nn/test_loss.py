"""Loss layers and functions: PyTorch parity, stability, label checks, gradcheck."""

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

REDUCTIONS = ["mean", "sum", "none"]


def _labels(n, classes, seed=0):
    return np.random.default_rng(seed).integers(0, classes, size=n)


def _compare_loss(torch, close, ours, theirs, input, target, target_grad=False):
    """Forward and input gradient (and the target's, for regression losses) against torch."""
    x_ours = mytorch.Tensor(input.copy(), requires_grad=True)
    x_theirs = torch.tensor(input, requires_grad=True)
    t_ours = mytorch.Tensor(target.copy(), requires_grad=target_grad)
    t_theirs = torch.tensor(target, requires_grad=target_grad)
    loss_ours, loss_theirs = ours(x_ours, t_ours), theirs(x_theirs, t_theirs)
    close(loss_ours, loss_theirs, "loss")
    upstream = np.random.default_rng(1).uniform(0.5, 1.5, size=loss_ours.shape)
    loss_ours.backward(mytorch.Tensor(upstream))
    loss_theirs.backward(torch.from_numpy(upstream))
    close(x_ours.grad, x_theirs.grad, "input gradient")
    if target_grad:
        close(t_ours.grad, t_theirs.grad, "target gradient")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6, 4), (5,)], ids=str)
def test_cross_entropy_and_nll_match_torch(torch, close, reduction, shape):
    logits = np.random.default_rng(2).normal(scale=3.0, size=shape)
    labels = _labels(shape[:-1], shape[-1])
    for ours, theirs in [
        (nn.CrossEntropyLoss(reduction=reduction), torch.nn.CrossEntropyLoss(reduction=reduction)),
        (nn.NLLLoss(reduction=reduction), torch.nn.NLLLoss(reduction=reduction)),
    ]:
        _compare_loss(torch, close, ours, theirs, logits, labels)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses_match_torch(torch, close, reduction):
    rng = np.random.default_rng(3)
    x = rng.normal(scale=4.0, size=(5, 3))
    for ours, theirs, target in [
        (
            nn.MSELoss(reduction=reduction),
            torch.nn.MSELoss(reduction=reduction),
            rng.normal(size=(5, 3)),
        ),
        (
            nn.BCEWithLogitsLoss(reduction=reduction),
            torch.nn.BCEWithLogitsLoss(reduction=reduction),
            rng.uniform(size=(5, 3)),
        ),
    ]:
        _compare_loss(torch, close, ours, theirs, x, target, target_grad=True)


def test_bce_with_logits_matches_torch_at_zero_and_extremes(torch, close):
    x = np.array([0.0, 0.0, 1000.0, -1000.0, 40.0, -40.0])
    y = np.array([0.0, 1.0, 0.0, 1.0, 0.3, 0.7])
    for reduction in REDUCTIONS:
        _compare_loss(
            torch,
            close,
            nn.BCEWithLogitsLoss(reduction=reduction),
            torch.nn.BCEWithLogitsLoss(reduction=reduction),
            x,
            y,
        )


@pytest.mark.parametrize("scale", [1000.0, -1000.0])
def test_cross_entropy_is_finite_for_huge_logits(torch, close, scale):
    logits = np.array([[1.0, 0.0, -1.0], [0.5, 0.5, -2.0], [-1.0, 3.0, 0.0]]) * scale
    labels = np.array([0, 1, 2])
    x = mytorch.Tensor(logits.copy(), requires_grad=True)
    loss = F.cross_entropy(x, mytorch.Tensor(labels))
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(x.grad.data).all()
    _compare_loss(torch, close, nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), logits, labels)


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    logits = np.random.default_rng(4).standard_normal((4, 3))
    labels = np.array([2, 0, 1, 2])
    x = mytorch.Tensor(logits.copy(), requires_grad=True)
    F.cross_entropy(x, mytorch.Tensor(labels)).backward()
    softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(x.grad.data, (softmax - np.eye(3)[labels]) / 4, rtol=1e-12)


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss], ids=["cross_entropy", "nll_loss"])
def test_labels_are_checked(fn):
    name = fn.__name__
    x = mytorch.randn(4, 3)
    with pytest.raises(
        TypeError,
        match=f"{name}: labels must be class indices of an integer dtype, got dtype float32",
    ):
        fn(x, mytorch.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(TypeError, match=r"float64 \(with NaN values\)"):
        fn(x, mytorch.tensor([0.0, np.nan, 2.0, 1.0], dtype=mytorch.float64))
    with pytest.raises(TypeError, match="got dtype bool"):
        fn(x, mytorch.tensor([True, False, True, False]))
    with pytest.raises(
        ValueError,
        match=r"labels must be in \[0, 3\) for 3 classes, got \[3, -1\] at position\(s\) \[1, 3\]",
    ):
        fn(x, mytorch.tensor([0, 3, 2, -1], dtype=mytorch.int64))
    with pytest.raises(
        ValueError, match=r"scores of shape \(4, 3\) need labels of shape \(4,\), got \(3,\)"
    ):
        fn(x, mytorch.tensor([0, 1, 2], dtype=mytorch.int64))
    with pytest.raises(ValueError, match=r"scores of shape \(2, 2, 2\) need labels of shape"):
        fn(mytorch.randn(2, 2, 2), mytorch.zeros(2, dtype=mytorch.int64))
    with pytest.raises(ValueError, match=r"scores of shape \(C,\), \(N, C\) or \(N, C, d1, ...\)"):
        fn(mytorch.tensor(1.0), mytorch.tensor(0))
    with pytest.raises(TypeError, match="labels must be a Tensor, got list"):
        fn(x, [0, 1, 2, 1])
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        fn(x, mytorch.zeros(4, dtype=mytorch.int64), reduction="avg")


def test_bad_label_does_not_wrap_around():
    # numpy would read label -1 as the last class; the check must come first.
    with pytest.raises(ValueError, match="got \\[-1\\]"):
        nn.CrossEntropyLoss()(mytorch.randn(1, 3), mytorch.tensor([-1], dtype=mytorch.int64))


def test_regression_losses_refuse_different_shapes():
    with pytest.raises(
        ValueError, match=r"mse_loss: target of shape \(4,\) must have the input's shape \(4, 1\)"
    ):
        nn.MSELoss()(mytorch.randn(4, 1), mytorch.randn(4))
    with pytest.raises(ValueError, match="binary_cross_entropy_with_logits: target of shape"):
        nn.BCEWithLogitsLoss()(mytorch.randn(3), mytorch.randn(3, 1))


@pytest.mark.parametrize(
    "layer", [nn.CrossEntropyLoss, nn.NLLLoss, nn.MSELoss, nn.BCEWithLogitsLoss]
)
def test_bad_reduction_is_refused_at_construction(layer):
    with pytest.raises(ValueError, match=f"{layer.__name__}: reduction must be"):
        layer(reduction="avg")
    assert repr(layer()) == f"{layer.__name__}()"


def test_integer_targets_work_for_bce():
    x = mytorch.tensor([0.5, -0.5], dtype=mytorch.float64)
    loss = F.binary_cross_entropy_with_logits(x, mytorch.tensor([1, 0], dtype=mytorch.int64))
    assert loss.dtype == mytorch.float64


logits_and_labels = hst.tuples(hst.integers(1, 4), hst.integers(1, 4)).flatmap(
    lambda nc: hst.tuples(
        st.arrays_in(nc, low=-5, high=5),
        hst.lists(hst.integers(0, nc[1] - 1), min_size=nc[0], max_size=nc[0]).map(np.array),
    )
)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(case=logits_and_labels)
def test_cross_entropy_gradcheck(reduction, case):
    logits, labels = case
    assert gradcheck(lambda x: F.cross_entropy(x, labels, reduction=reduction), [logits])
    assert gradcheck(lambda x: F.nll_loss(x, labels, reduction=reduction), [logits])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(data=hst.data(), shape=st.shapes(max_dims=2))
def test_regression_losses_gradcheck(reduction, data, shape):
    x = data.draw(st.arrays_in(shape, low=-5, high=5))
    y = data.draw(st.arrays_in(shape, low=0, high=1))
    assert gradcheck(lambda a, b: F.mse_loss(a, b, reduction), [x, y])
    # BCE's kinks at 0 cancel (max and |x| both bend there), so no margin is needed.
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction), [x, y])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_has_correct_second_derivatives(reduction) -> None:
    labels = mytorch.tensor([0, 2, 1, 2], dtype=mytorch.int64)

    def gradient(logits):
        loss = F.cross_entropy(logits, labels, reduction=reduction)
        (grad,) = mytorch.grad((loss * loss).sum(), logits, create_graph=True)
        return grad

    assert gradcheck(gradient, [np.random.default_rng(1).normal(size=(4, 3))])
