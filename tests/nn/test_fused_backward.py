"""The fused ops' two backward paths: numpy (the usual one) and Tensor ops (create_graph).

linear, training batch_norm and cross_entropy compute their gradients with numpy
unless ``create_graph=True``, when the same formulas run as recorded Tensor ops.
Finite differences check each path elsewhere (gradcheck for the first, second
derivatives for the other); here the two must agree with each other.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hst

import mytorch
import mytorch.nn.functional as F
from mytorch.testing import gradcheck
from mytorch.testing import strategies as st


def both_paths(fn, arrays, dtype=np.float64):
    """Gradients of ``sum(fn(*inputs) * weights)`` from the numpy and the recorded backward."""
    results = []
    for create_graph in (False, True):
        inputs = [mytorch.Tensor(a.astype(dtype), requires_grad=True) for a in arrays]
        out = fn(*inputs)
        # Uneven weights, so that a gradient summed over the wrong axis is caught.
        weights = np.linspace(0.5, 1.5, out.data.size, dtype=dtype).reshape(out.shape)
        grads = mytorch.grad(
            (out * mytorch.Tensor(weights)).sum(), inputs, create_graph=create_graph
        )
        results.append(grads)
    return results


def assert_paths_agree(fn, arrays, dtype=np.float64, rtol=1e-12):
    fast, recorded = both_paths(fn, arrays, dtype)
    for mine, reference in zip(fast, recorded):
        assert mine.dtype == reference.dtype == dtype
        assert not mine.requires_grad
        np.testing.assert_allclose(mine.data, reference.data, rtol=rtol, atol=rtol)


@given(
    batch=st.shapes(min_dims=0, max_dims=2, max_side=3),
    sizes=hst.tuples(hst.integers(1, 4), hst.integers(1, 4)),
    bias=hst.booleans(),
    data=hst.data(),
)
def test_linear_paths_agree(batch, sizes, bias, data):
    in_features, out_features = sizes
    arrays = [
        data.draw(st.arrays_in((*batch, in_features))),
        data.draw(st.arrays_in((out_features, in_features))),
    ]
    if bias:
        arrays.append(data.draw(st.arrays_in((out_features,))))
    assert_paths_agree(F.linear, arrays)


@given(
    shape=hst.sampled_from([(4, 3), (3, 2, 4), (2, 1)]),
    affine=hst.booleans(),
    data=hst.data(),
)
def test_batch_norm_paths_agree(shape, affine, data):
    x = data.draw(st.arrays_in(shape, low=-3, high=3).filter(lambda a: a.std(axis=0).min() > 0.3))
    arrays = [x]
    if affine:
        arrays += [data.draw(st.arrays_in((shape[1],))), data.draw(st.arrays_in((shape[1],)))]

    def normalise(x, weight=None, bias=None):
        return F.batch_norm(x, None, None, weight, bias, training=True)

    assert_paths_agree(normalise, arrays, rtol=1e-10)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@given(rows=hst.integers(1, 5), classes=hst.integers(1, 5), data=hst.data())
def test_cross_entropy_paths_agree(reduction, rows, classes, data):
    logits = data.draw(st.arrays_in((rows, classes), low=-50, high=50))
    labels = mytorch.tensor(
        data.draw(hst.lists(hst.integers(0, classes - 1), min_size=rows, max_size=rows)),
        dtype=mytorch.int64,
    )
    assert_paths_agree(lambda z: F.cross_entropy(z, labels, reduction=reduction), [logits])


def test_float32_gradients_stay_float32():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(5, 4)), rng.normal(size=(3, 4)), rng.normal(size=3)
    assert_paths_agree(F.linear, [x, w, b], dtype=np.float32, rtol=1e-5)
    bn_inputs = [rng.normal(size=(6, 3)), rng.normal(size=3), rng.normal(size=3)]
    assert_paths_agree(
        lambda *t: F.batch_norm(t[0], None, None, t[1], t[2], training=True),
        bn_inputs,
        dtype=np.float32,
        rtol=1e-5,
    )
    labels = mytorch.tensor([0, 2, 1, 2, 0], dtype=mytorch.int64)
    assert_paths_agree(
        lambda z: F.cross_entropy(z, labels), [rng.normal(size=(5, 3))], np.float32, 1e-5
    )


def test_linear_has_correct_second_derivatives():
    def gradient_of_cube(x, weight, bias):
        y = F.linear(x, weight, bias)
        return mytorch.grad((y * y * y).sum(), [x, weight], create_graph=True)[0]

    rng = np.random.default_rng(0)
    assert gradcheck(
        gradient_of_cube, [rng.normal(size=(3, 4)), rng.normal(size=(2, 4)), rng.normal(size=2)]
    )
