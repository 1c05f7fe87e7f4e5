"""Reductions: dim/axis arguments, ties, var's correction, argmax/argmin, logsumexp."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch

X = np.array([[1.0, 5.0, 2.0], [7.0, 2.0, 7.0]])


def test_dim_keepdim_and_axis_keepdims_are_the_same() -> None:
    x = mytorch.tensor(X)
    for name in ["sum", "mean", "var", "amax", "amin"]:
        via_dim = getattr(x, name)(dim=1, keepdim=True)
        via_axis = getattr(x, name)(axis=1, keepdims=True)
        assert via_dim.shape == (2, 1), name
        np.testing.assert_array_equal(via_dim.data, via_axis.data, err_msg=name)
    np.testing.assert_array_equal(x.sum(dim=(0, 1)).data, X.sum())
    np.testing.assert_array_equal(mytorch.sum(x, -1).data, X.sum(axis=-1))


def test_passing_both_dim_and_axis_is_refused() -> None:
    with pytest.raises(TypeError, match="sum: pass dim or axis, not both"):
        mytorch.tensor(X).sum(dim=0, axis=0)


def test_a_repeated_dim_is_refused() -> None:
    with pytest.raises(ValueError, match=r"mean: dimension repeated in \(1, -1\)"):
        mytorch.tensor(X).mean(dim=(1, -1))


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp"])
def test_a_0d_tensor_accepts_dim_0_and_reduces_nothing(name: str) -> None:
    x = mytorch.tensor(3.0, requires_grad=True)
    y = getattr(x, name)(dim=0)
    assert y.shape == () and y.item() == 3.0
    y.backward()
    assert x.grad.item() == 1.0


@pytest.mark.parametrize(
    ("reduce", "expected"),
    [
        (lambda x: x.amax(), [[0, 0, 0], [0.5, 0, 0.5]]),
        (lambda x: x.amax(dim=1), [[0, 1, 0], [0.5, 0, 0.5]]),
        (lambda x: x.max(dim=1).values, [[0, 1, 0], [0.5, 0, 0.5]]),
        (lambda x: mytorch.max(x), [[0, 0, 0], [0.5, 0, 0.5]]),
        (lambda x: x.amin(dim=0), [[1, 0, 1], [0, 1, 0]]),
        (lambda x: mytorch.min(x, dim=1)[0], [[1, 0, 0], [0, 1, 0]]),
    ],
)
def test_tied_extremes_share_the_gradient_evenly(reduce, expected) -> None:
    x = mytorch.tensor(X, requires_grad=True)
    reduce(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, expected)


def test_three_way_tie_splits_in_thirds() -> None:
    x = mytorch.tensor([2.0, 2.0, 1.0, 2.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad.data, [1 / 3, 1 / 3, 0, 1 / 3])


def test_max_and_min_along_a_dim_give_values_and_indices() -> None:
    x = mytorch.tensor(X)
    values, indices = x.max(dim=1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    result = x.min(dim=0, keepdim=True)
    assert result.values.tolist() == [[1.0, 2.0, 2.0]] and result.indices.tolist() == [[0, 1, 0]]
    assert result.indices.dtype == np.int64


def test_argmax_and_argmin() -> None:
    x = mytorch.tensor(X, requires_grad=True)
    assert mytorch.argmax(x).item() == 3  # of the flattened tensor, first of ties
    assert x.argmin().item() == 0
    assert x.argmax(dim=1).tolist() == [1, 0]
    assert x.argmin(dim=-1, keepdim=True).tolist() == [[0], [1]]
    assert x.argmax(keepdim=True).shape == (1, 1)
    assert not x.argmax().requires_grad
    assert mytorch.tensor(5.0).argmax(dim=0).item() == 0
    with pytest.raises(ValueError, match=r"argmax: cannot take argmax of an empty tensor"):
        mytorch.zeros(0).argmax()


def test_var_correction_and_unbiased() -> None:
    x = mytorch.tensor(X)
    np.testing.assert_allclose(x.var().data, X.var(ddof=1), rtol=1e-12)
    np.testing.assert_allclose(x.var(unbiased=True).data, X.var(ddof=1), rtol=1e-12)
    np.testing.assert_allclose(x.var(unbiased=False).data, X.var(ddof=0), rtol=1e-12)
    np.testing.assert_allclose(x.var(dim=1, correction=0).data, X.var(axis=1), rtol=1e-12)
    np.testing.assert_allclose(x.var(dim=1, correction=2).data, X.var(axis=1, ddof=2), rtol=1e-12)
    np.testing.assert_allclose(mytorch.var(x, 1, True).data, X.var(axis=1, ddof=1), rtol=1e-12)
    with pytest.raises(TypeError, match="var: pass unbiased or correction, not both"):
        x.var(unbiased=False, correction=0)


def test_mean_of_an_empty_tensor_is_refused() -> None:
    with pytest.raises(
        ValueError, match=r"mean: cannot average an empty tensor of shape \(0, 2\)"
    ):
        mytorch.zeros(0, 2).mean()


def test_integer_reductions() -> None:
    x = mytorch.arange(6).reshape(2, 3)
    assert x.sum().item() == 15 and x.sum().dtype == np.int64
    assert x.amax(dim=0).tolist() == [3, 4, 5]


def test_logsumexp_is_stable_and_its_gradient_is_softmax() -> None:
    x = mytorch.tensor(
        [[1000.0, 1000.0], [-1000.0, 0.0]], dtype=mytorch.float64, requires_grad=True
    )
    y = x.logsumexp(dim=1)
    np.testing.assert_allclose(y.data, [1000 + np.log(2), 0.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [[0.5, 0.5], [0.0, 1.0]])
    assert mytorch.logsumexp(x, dim=(0, 1), keepdim=True).shape == (1, 1)


def test_logsumexp_of_minus_infinity_with_a_finite_value() -> None:
    x = mytorch.tensor([-np.inf, 0.0], requires_grad=True)
    y = x.logsumexp(dim=0)
    assert y.item() == 0.0
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0])


@pytest.mark.parametrize(
    "reduce",
    [
        lambda x: x.sum(dim=2),
        lambda x: x.mean(dim=-3),
        lambda x: x.var(dim=(0, 5)),
        lambda x: x.amax(dim=2),
        lambda x: x.max(dim=2),
        lambda x: x.argmin(dim=-3),
        lambda x: x.logsumexp(dim=7),
    ],
)
def test_out_of_range_dims_name_the_op_and_the_dimensions(reduce) -> None:
    x = mytorch.tensor(X, requires_grad=True)
    with pytest.raises(
        IndexError, match=r"^\w+: dimension -?\d is out of range for a tensor with 2"
    ):
        reduce(x)
    assert x.grad is None


@pytest.mark.parametrize("shape", [(4, 5), (3,), (0, 4), (2, 0, 3), (2, 1, 3)])
@pytest.mark.parametrize("dim", [None, 0, -1])
def test_a_reductions_backward_is_the_read_only_broadcast_of_its_gradient(shape, dim) -> None:
    # Without create_graph the backward of sum and mean builds its view on the arrays;
    # it must be np.broadcast_to's view (shape, strides, values, read-only), as the
    # recorded ops give.
    from mytorch.ops.reductions import spread

    x = mytorch.tensor(np.ones(shape), requires_grad=True)
    y = x.sum() if dim is None else x.sum(dim=dim)
    grad = mytorch.tensor(np.arange(y.numel(), dtype=np.float64).reshape(y.shape) + 0.5)
    axes = None if dim is None else (dim % len(shape),)
    with mytorch.no_grad():
        fast = spread(grad, x.shape, axes).data
    recorded = spread(grad, x.shape, axes).data
    kept = tuple(1 if axes is None or axis in axes else size for axis, size in enumerate(shape))
    expected = np.broadcast_to(grad.data.reshape(kept), shape)
    for result in (fast, recorded):
        assert result.shape == expected.shape and result.strides == expected.strides
        np.testing.assert_array_equal(result, expected)
        assert not result.flags.writeable
