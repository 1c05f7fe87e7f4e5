"""``Tensor``: construction, autograd attributes, conversion, repr, in-place methods."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch import Tensor


# ------------------------------------------------------------ construction
def test_numpy_data_is_wrapped_without_a_copy() -> None:
    array = np.arange(3.0)
    t = Tensor(array)
    assert t.data is array
    assert mytorch.tensor(array).data is not array  # tensor() always copies


def test_autograd_attributes_default_to_a_constant_leaf() -> None:
    t = Tensor([1.0, 2.0])
    assert t.requires_grad is False and t.is_leaf is True and t.is_parameter is False
    assert t.grad is None and t.grad_fn is None and t._version == 0


def test_a_parameter_requires_grad_and_is_a_leaf() -> None:
    p = Tensor([1.0], is_parameter=True)
    assert p.requires_grad and p.is_leaf and p.is_parameter
    with pytest.raises(ValueError, match="a parameter must be a leaf"):
        Tensor([1.0], is_parameter=True, is_leaf=False)


def test_requires_grad_false_with_is_leaf_false_is_impossible() -> None:
    with pytest.raises(ValueError, match="requires_grad=False with is_leaf=False is impossible"):
        Tensor([1.0], is_leaf=False)


def test_non_numeric_data_is_refused() -> None:
    with pytest.raises(TypeError, match=r"cannot hold data of dtype <U3 .from str"):
        Tensor("abc")
    with pytest.raises(TypeError, match=r"dtype object .from NoneType"):
        mytorch.tensor(None)


def test_integer_tensors_cannot_require_grad() -> None:
    with pytest.raises(TypeError, match=r"Tensor: only floating-point .* got dtype int64"):
        Tensor(np.arange(3), requires_grad=True)
    t = mytorch.arange(3)
    with pytest.raises(TypeError, match=r"requires_grad_: only floating-point .* int64"):
        t.requires_grad_()
    assert not t.requires_grad


# --------------------------------------------------------------- inspection
def test_shape_dtype_ndim_size_numel_len() -> None:
    t = mytorch.zeros(2, 3)
    assert t.shape == (2, 3) and t.ndim == 2 and t.dim() == 2
    assert t.dtype == np.float32 and t.dtype == mytorch.float32
    assert t.size() == (2, 3) and t.size(1) == 3 and t.size(-2) == 2
    assert t.numel() == 6 and len(t) == 2
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(mytorch.tensor(1.0))


def test_item_tolist_and_python_conversions() -> None:
    assert mytorch.tensor(2.5).item() == 2.5
    assert mytorch.tensor([[7.0]]).item() == 7.0
    assert mytorch.tensor([[1.0, 2.0]]).tolist() == [[1.0, 2.0]]
    assert float(mytorch.tensor(1.5)) == 1.5 and int(mytorch.tensor(2.7)) == 2
    assert bool(mytorch.tensor([1.0])) and not bool(mytorch.tensor(0.0))
    assert [10, 20, 30][mytorch.tensor(np.array(2))] == 30
    with pytest.raises(ValueError, match=r"item: only one-element .* got shape \(2,\)"):
        mytorch.ones(2).item()
    with pytest.raises(
        RuntimeError, match=r"truth value of a tensor of shape \(2,\) is ambiguous"
    ):
        bool(mytorch.ones(2))
    with pytest.raises(
        TypeError, match="only one-element integer tensors can be used as an index"
    ):
        [1, 2][mytorch.tensor(1.0)]


def test_numpy_shares_data_and_refuses_tensors_that_require_grad() -> None:
    t = mytorch.ones(2)
    assert t.numpy() is t.data
    x = mytorch.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"numpy: .* requires grad; use tensor.detach\(\).numpy"
    ):
        x.numpy()
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 1.0])


def test_array_protocol() -> None:
    t = mytorch.tensor([1.0, 2.0])
    assert np.asarray(t) is t.data
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    copied = t.__array__(copy=True)
    copied[0] = 5.0
    assert t.data[0] == 1.0


def test_detach_shares_data_but_leaves_the_graph() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None
    d = x.detach()
    assert d.data is x.data


def test_requires_grad_() -> None:
    x = mytorch.zeros(2)
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    y = mytorch.zeros(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"requires_grad_: can only change .* of a leaf"):
        y.requires_grad_(False)
    p = Tensor([1.0], is_parameter=True)
    assert p.requires_grad
    p.requires_grad_(False)  # frozen, as in PyTorch: still a parameter
    assert not p.requires_grad and p.is_parameter and p.is_leaf


def test_repr() -> None:
    assert repr(mytorch.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(mytorch.tensor(3.0, requires_grad=True)) == "tensor(3., requires_grad=True)"
    assert (
        repr(mytorch.tensor([1.0], requires_grad=True) * 2)
        == "tensor([2.], grad_fn=<MulBackward>)"
    )
    assert repr(mytorch.tensor(np.ones(2))) == "tensor([1., 1.], dtype=float64)"
    assert repr(mytorch.arange(3)) == "tensor([0, 1, 2])"
    assert repr(mytorch.tensor([True, False])) == "tensor([ True, False])"
    assert repr(mytorch.zeros(2, 2)) == "tensor([[0., 0.],\n        [0., 0.]])"


def test_tensors_hash_by_identity() -> None:
    a, b = mytorch.ones(1), mytorch.ones(1)
    assert len({a, b, a}) == 2


# ---------------------------------------------------------------- in place
@pytest.mark.parametrize(
    ("method", "args", "expected"),
    [
        ("add_", (mytorch.tensor([1.0, 2.0]),), [3.0, 4.0]),
        ("add_", (np.array([1.0, 2.0]), 3), [5.0, 8.0]),  # alpha
        ("sub_", (1.0,), [1.0, 1.0]),
        ("mul_", (np.array([3.0, 4.0]),), [6.0, 8.0]),
        ("div_", (2,), [1.0, 1.0]),
        ("fill_", (7.0,), [7.0, 7.0]),
        ("zero_", (), [0.0, 0.0]),
        ("copy_", ([5.0, 6.0],), [5.0, 6.0]),
        ("copy_", (mytorch.tensor(9.0),), [9.0, 9.0]),  # broadcast into the tensor
    ],
)
def test_in_place_methods_change_data_and_bump_the_version(method, args, expected) -> None:
    t = mytorch.tensor([2.0, 2.0])
    data = t.data
    assert getattr(t, method)(*args) is t
    np.testing.assert_array_equal(t.data, expected)
    assert t.data is data and t.dtype == np.float32
    assert t._version == 1


def test_augmented_assignment_is_in_place() -> None:
    t = mytorch.ones(2)
    original = t
    t += 1
    t -= 0.5
    t *= 4
    t /= 2
    assert t is original and t._version == 4
    np.testing.assert_array_equal(t.data, [3.0, 3.0])


def test_in_place_change_of_a_leaf_that_requires_grad_is_refused_while_recording() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: a leaf Variable that requires grad is being"):
        x.add_(1)
    y = x * 2
    y.mul_(2)  # a non-leaf: recorded, as in PyTorch (tests/core/test_item_assignment.py)
    assert y.grad_fn.name() == "MulBackward" and y._version == 1
    np.testing.assert_array_equal(x.data, [1.0, 2.0])
    assert x._version == 0
    with mytorch.no_grad():
        x.sub_(1)
    np.testing.assert_array_equal(x.data, [0.0, 1.0])
    assert x._version == 1


@pytest.mark.parametrize("other", [mytorch.ones(3), mytorch.ones(2, 2)])
def test_in_place_with_a_shape_that_does_not_fit_is_refused(other: Tensor) -> None:
    t = mytorch.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"add_: an operand of shape .* in place to a tensor of"):
        t.add_(other)
    np.testing.assert_array_equal(t.data, [1.0, 2.0])
    assert t._version == 0


def test_copy_from_a_shape_that_does_not_fit_is_refused() -> None:
    t = mytorch.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"copy_: cannot copy a source of shape \(3,\) into"):
        t.copy_(mytorch.ones(3))
    np.testing.assert_array_equal(t.data, [1.0, 2.0])
    assert t._version == 0
