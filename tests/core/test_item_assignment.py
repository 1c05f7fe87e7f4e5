"""Item assignment, in-place ops, .data updates and hooks: as PyTorch, checked against it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mytorch
from mytorch.testing import gradcheck


def _both(build):
    """Run ``build(lib)`` with mytorch and with torch; return both results."""
    torch = pytest.importorskip("torch")
    return build(mytorch), build(torch)


def _assert_same(ours, theirs) -> None:
    np.testing.assert_allclose(np.asarray(ours.data), theirs.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "write",
    [
        lambda lib, t: t.__setitem__(0, 5.0),
        lambda lib, t: t.__setitem__((slice(None), slice(1, None)), lib.ones(2)),
        lambda lib, t: t.__setitem__(t > 2, 0),
        lambda lib, t: t.__setitem__((1, 2), lib.tensor(7.0)),
        lambda lib, t: t.__setitem__(lib.tensor([0, 1]), lib.tensor([[9.0], [8.0]])),
        lambda lib, t: t.__setitem__(Ellipsis, 1),
    ],
)
def test_item_assignment_on_constants_matches_torch(write) -> None:
    def build(lib):
        t = lib.arange(6.0).reshape(2, 3)
        write(lib, t)
        return t

    ours, theirs = _both(build)
    _assert_same(ours, theirs)


@pytest.mark.parametrize(
    "write",
    [
        lambda lib, y, v: y.__setitem__(0, v * 3),
        lambda lib, y, v: y.__setitem__((slice(None), slice(1, None)), v),
        lambda lib, y, v: y.__setitem__(y > 2, 0),
        lambda lib, y, v: y.add_(v),
        lambda lib, y, v: y.mul_(v),
        lambda lib, y, v: y.sub_(v, alpha=2),
        lambda lib, y, v: y.div_(2),
        lambda lib, y, v: y.clamp_(1, 4),
        lambda lib, y, v: y.fill_(3),
        lambda lib, y, v: y.zero_(),
        lambda lib, y, v: y.copy_(v),
        lambda lib, y, v: y.__iadd__(1),
    ],
)
def test_recorded_in_place_writes_give_torchs_gradients(write) -> None:
    def build(lib):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        v = lib.tensor(2.0, requires_grad=True)
        y = x * x
        write(lib, y, v)
        (y * lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()
        return y, x.grad, v.grad

    ours, theirs = _both(build)
    _assert_same(ours[0], theirs[0])
    _assert_same(ours[1], theirs[1])
    if theirs[2] is None:
        assert ours[2] is None
    else:
        _assert_same(ours[2], theirs[2])


def test_writing_a_value_that_requires_grad_into_a_constant_records_it() -> None:
    def build(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        buffer = lib.zeros(3)
        buffer[1:] = x * 2
        buffer += x.sum()
        (buffer * buffer).sum().backward()
        return buffer, x.grad

    ours, theirs = _both(build)
    _assert_same(ours[0], theirs[0])
    _assert_same(ours[1], theirs[1])


@given(st.integers(0, 3), st.floats(-3, 3))
def test_set_item_gradient_is_right_by_finite_differences(position: int, scale: float) -> None:
    def f(x, v):
        y = x * 1.5
        y[position] = v * scale
        return (y * y).sum()

    gradcheck(f, [np.linspace(-1.0, 1.0, 4), np.array(0.7)])


@pytest.mark.parametrize(
    "write",
    [
        lambda w: w.add_(1),
        lambda w: w.__setitem__(0, 1.0),
        lambda w: w.fill_(0),
        lambda w: w.zero_(),
        lambda w: w.clamp_(0, 1),
        lambda w: w.copy_(mytorch.ones(2)),
    ],
)
def test_a_leaf_that_requires_grad_is_refused_and_unchanged(write) -> None:
    w = mytorch.tensor([2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        write(w)
    assert w.tolist() == [2.0, 3.0] and w._version == 0
    with mytorch.no_grad():
        write(w)  # allowed: an optimiser's update
    assert w._version >= 1


def test_torch_refuses_the_leaf_too() -> None:
    torch = pytest.importorskip("torch")
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w.add_(1)


def test_an_in_place_write_after_a_save_is_caught_as_in_torch() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y * y
    y[0] = 5.0
    with pytest.raises(RuntimeError, match=r"MulBackward: .* modified in place"):
        z.sum().backward()


def test_grad_masking_inside_a_custom_backward() -> None:
    class ClampedRelu(mytorch.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return np.maximum(x.data, 0)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            grad = grad.clone()
            grad[x < 0] = 0  # as PyTorch's tutorial writes it
            return grad

    x = mytorch.tensor([-1.0, 2.0], requires_grad=True)
    ClampedRelu.apply(x).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0]


def test_setitem_bad_index_or_shape_names_the_op_and_shapes() -> None:
    t = mytorch.zeros(2, 3)
    with pytest.raises(ValueError, match=r"setitem: .*\(4,\) into a tensor of shape \(2, 3\)"):
        t[0] = mytorch.ones(4)
    with pytest.raises(IndexError, match=r"setitem: .*shape"):
        t[5] = 1.0
    assert (t.data == 0).all() and t._version == 0


def test_hand_written_sgd_through_data_matches_torch() -> None:
    def build(lib):
        w = lib.tensor([1.0, -2.0], requires_grad=True)
        for _ in range(3):
            loss = ((w * lib.tensor([3.0, 4.0])) ** 2).sum()
            loss.backward()
            w.data -= 0.01 * w.grad
            w.data += 0.001 * w.grad
            w.grad.zero_()
        return w

    ours, theirs = _both(build)
    assert isinstance(ours.data, np.ndarray)
    _assert_same(ours, theirs)


def test_assigning_a_tensor_to_data_stores_its_array_as_torch() -> None:
    def build(lib):
        w = lib.tensor([1.0, -2.0], requires_grad=True)
        for _ in range(3):
            ((w * lib.tensor([3.0, 4.0])) ** 2).sum().backward()
            w.data = w - 0.01 * w.grad  # recorded, but only the values are kept
            w.data = w.data + 0.001 * w.grad  # a Tensor again (array + tensor)
            w.grad = None
        return w

    ours, theirs = _both(build)
    assert isinstance(ours.data, np.ndarray)
    assert ours.requires_grad and ours.is_leaf
    _assert_same(ours, theirs)


def test_data_of_a_zero_dim_tensor_stays_an_array_after_numpy_arithmetic() -> None:
    w = mytorch.tensor(2.0, requires_grad=True)
    w.data = w.data * 3  # numpy returns a scalar, not a 0-d array
    assert type(w.data) is np.ndarray and w.data.shape == () and w.item() == 6.0


def test_assigning_something_else_to_data_is_refused_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for value in ([1.0, 2.0], 3.0, "x", None):
        ours, theirs = mytorch.ones(2), torch.ones(2)
        with pytest.raises(TypeError) as expected:
            theirs.data = value
        with pytest.raises(TypeError, match=r"data: expected a Tensor or a numpy.ndarray, got"):
            ours.data = value
        assert "tensor" in str(expected.value).lower()
        assert (ours.data == 1).all()
    ours, theirs = mytorch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError):
        theirs.data = torch.tensor([1, 2])
    with pytest.raises(RuntimeError, match=r"data: .*floating-point data, got dtype int64"):
        ours.data = mytorch.tensor([1, 2])
    assert ours.dtype == mytorch.float32


def test_data_may_change_shape_and_dtype_as_torch() -> None:
    def build(lib):
        w = lib.ones(2, requires_grad=True)
        w.data = lib.zeros(3, dtype=lib.float64)
        c = lib.ones(2)
        c.data = lib.tensor([4, 5])
        return w, c

    (w, c), (tw, tc) = _both(build)
    assert w.shape == tuple(tw.shape) and w.dtype == mytorch.float64 and w.requires_grad
    assert c.tolist() == tc.tolist() and c.dtype == mytorch.int64


def test_hooks_match_torch_on_leaves_and_non_leaves() -> None:
    def build(lib):
        seen = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g: seen.append(g.tolist()))
        y = x * 3
        handle = y.register_hook(lambda g: g * 2)
        y.retain_grad()
        y.sum().backward()
        handle.remove()
        (x * 3).sum().backward()
        return x.grad, y.grad, seen

    ours, theirs = _both(build)
    _assert_same(ours[0], theirs[0])
    _assert_same(ours[1], theirs[1])
    assert ours[2] == theirs[2]


@pytest.mark.parametrize(
    "wrt", [lambda x, y: [x], lambda x, y: [y], lambda x, y: [x, y], lambda x, y: [y, x]]
)
def test_hooks_run_for_the_inputs_of_grad_as_torch(wrt) -> None:
    def build(lib):
        seen = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g: seen.append(("x", g.tolist())) or g * 2)
        y = x * 3
        y.register_hook(lambda g: seen.append(("y", g.tolist())) or g * 10)
        grads = lib.autograd.grad((y * y).sum(), wrt(x, y))
        return [grad.tolist() for grad in grads], seen, x.grad

    (ours, ours_seen, ours_grad), (theirs, theirs_seen, theirs_grad) = _both(build)
    assert ours == theirs and ours_seen == theirs_seen
    assert ours_grad is None and theirs_grad is None


def test_hooks_of_grad_inputs_see_the_summed_gradient_once_per_pass() -> None:
    def build(lib):
        calls = []
        x = lib.tensor(2.0, requires_grad=True)
        y = x * x
        y.register_hook(lambda g: calls.append(g.item()))
        out = y * 3 + y.exp()  # two paths into y
        (gy,) = lib.autograd.grad(out, y, create_graph=True)
        (gx,) = lib.autograd.grad(gy, x)
        return calls, gy.item(), gx.item()

    ours, theirs = _both(build)
    assert ours[0][0] == pytest.approx(3 + np.exp(4.0))  # both paths, summed, in one call
    assert ours[0] == pytest.approx(theirs[0])  # the second grad() passes y's node again
    assert ours[1:] == pytest.approx(theirs[1:])


def test_hook_errors() -> None:
    with pytest.raises(RuntimeError, match="register_hook: cannot register a hook on a tensor"):
        mytorch.ones(2).register_hook(print)
    x = mytorch.ones(2, requires_grad=True)
    x.register_hook(lambda g: mytorch.ones(3))
    with pytest.raises(RuntimeError, match=r"hook changed the gradient's shape from \(2,\)"):
        (x * 2).sum().backward()


def test_new_methods_fill_and_clamp_match_torch() -> None:
    def build(lib):
        base = lib.tensor([1, 2])
        floats = lib.tensor([-1.0, 0.5, 2.0], dtype=lib.float64)
        return [
            base.new_zeros(2, 3),
            base.new_ones((2,)),
            base.new_full((2,), 7),
            base.new_tensor([1.5, 2.5]),
            floats.new_zeros(2),
            floats.new_tensor([1, 2]),
            floats.clone().clamp_(0, 1),
            floats.clone().clamp_(min=0),
            floats.clone().fill_(4),
            floats.clone().zero_(),
        ]

    for ours, theirs in zip(*_both(build)):
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        _assert_same(ours, theirs)
