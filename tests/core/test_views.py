"""In-place changes through views of tensors in the graph: the base's history moves on."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mytorch
from mytorch.testing import gradcheck


def _start(lib):
    return lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)


def _write_row(lib):
    a = _start(lib)
    x = a * 1
    x[0].mul_(2)
    x.sum().backward()
    return a.grad


def _view_of_a_view(lib):
    a = _start(lib)
    x = a * 1
    x.view(4)[1:3].mul_(3)
    (x * x).sum().backward()
    return a.grad


def _transposed_with_a_value_that_requires_grad(lib):
    a, w = _start(lib), lib.tensor([1.0, 2.0], requires_grad=True)
    x = a * 1
    x.t()[0].add_(w * w)
    (x**2).sum().backward()
    return a.grad, w.grad


def _other_view_made_before(lib):
    a = _start(lib)
    x = a * 1
    row, column = x[0], x[:, 0]
    row.mul_(2)
    (column * column).sum().backward()  # column[0] was doubled through row
    return a.grad


def _the_changed_view_used_after(lib):
    a = _start(lib)
    x = a * 1
    row = x[0]
    row.mul_(2)
    (row * row).sum().backward()
    return a.grad


def _item_assignment_on_a_view(lib):
    a = _start(lib)
    x = a * 1
    x[0][1] = a[1, 1] * 10  # x[0] is a view: x's own history must see the write
    x.sum().backward()
    return a.grad


def _reshaped(lib):
    a = _start(lib)
    x = a * 1
    x.reshape(4).mul_(lib.arange(4.0))
    x.sum().backward()
    return a.grad


def _twice_through_one_view(lib):
    a = _start(lib)
    x = a * 1
    row = x[0]
    row.mul_(2)
    row.add_(row)
    x.sum().backward()
    return a.grad


def _base_changed_then_a_view_used(lib):
    a = _start(lib)
    x = a * 1
    row, flat = x[0], x.reshape(4)
    x.mul_(3)  # row and flat were made before: their gradients must pass the * 3
    (row * row).sum().backward(retain_graph=True)
    (flat * flat).sum().backward()
    return a.grad


def _base_then_view_changed(lib):
    a = _start(lib)
    x = a * 1
    row = x[0]
    x.mul_(3)
    row.mul_(2)
    x.sum().backward()
    return a.grad


def _constant_base_written_with_a_value_that_requires_grad(lib):
    w = lib.tensor([5.0, 6.0], requires_grad=True)
    x = lib.zeros(3)
    x[:2].copy_(w)
    (x * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
    return w.grad, x.requires_grad


def _second_order_through_a_view(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = a * 1
    x[1:].mul_(a[:2])
    (grad,) = lib.autograd.grad((x**3).sum(), a, create_graph=True)
    grad.sum().backward()
    return grad, a.grad


CASES = [
    _write_row,
    _view_of_a_view,
    _transposed_with_a_value_that_requires_grad,
    _other_view_made_before,
    _the_changed_view_used_after,
    _item_assignment_on_a_view,
    _reshaped,
    _twice_through_one_view,
    _base_changed_then_a_view_used,
    _base_then_view_changed,
    _constant_base_written_with_a_value_that_requires_grad,
    _second_order_through_a_view,
]


def _as_numpy(value):
    if hasattr(value, "detach"):
        return value.detach().numpy()
    return np.asarray(value)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__.strip("_"))
def test_gradients_through_views_changed_in_place_are_torchs(case) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = case(mytorch), case(torch)
    ours, theirs = _as_tuple(ours), _as_tuple(theirs)
    assert len(ours) == len(theirs)
    for mine, expected in zip(ours, theirs):
        np.testing.assert_allclose(_as_numpy(mine), _as_numpy(expected), rtol=1e-6)


def _as_tuple(result):
    return result if isinstance(result, tuple) else (result,)


def test_the_base_and_the_view_show_their_new_history() -> None:
    x = mytorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True) * 1
    row = x[0]
    row.mul_(2)
    assert x.grad_fn.name() == "CopySlicesBackward"  # PyTorch: CopySlices
    assert row.grad_fn.name() == "GetItemBackward"  # made again from the new x
    assert row.tolist() == [2.0, 4.0] and x.tolist() == [[2.0, 4.0], [3.0, 4.0]]
    assert row._version == x._version == 1


@given(
    st.integers(1, 4),
    st.integers(1, 4),
    st.sampled_from(["row", "column", "transposed", "flat", "corner"]),
)
def test_writes_through_views_have_right_gradients_by_finite_differences(
    rows: int, columns: int, view: str
) -> None:
    pick = {
        "row": lambda x: x[rows - 1],
        "column": lambda x: x[:, 0],
        "transposed": lambda x: x.t()[columns - 1],
        "flat": lambda x: x.reshape(-1)[::2],
        "corner": lambda x: x[1:, 1:],
    }[view]

    def f(base, scale):
        x = base * 1.5
        part = pick(x)
        part.mul_(scale)  # the scale is a tensor of the view's shape: broadcast in place
        part.add_(scale * scale)
        return (x * x.exp()).sum()

    base = np.linspace(-1.0, 1.0, rows * columns).reshape(rows, columns)
    shape = pick(mytorch.tensor(base)).shape
    gradcheck(f, [base, np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape)])


def test_a_view_of_a_leaf_is_refused_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib, message in (
        (torch, "a view of a leaf Variable"),
        (mytorch, "mul_: a view of a leaf"),
    ):
        a = lib.ones(2, 2, requires_grad=True)
        with pytest.raises(RuntimeError, match=message):
            a[0].mul_(2)
        with lib.no_grad():
            a[0].mul_(2)  # an optimiser's kind of update
        assert a.tolist() == [[2.0, 2.0], [1.0, 1.0]]


def test_a_view_made_under_no_grad_is_refused_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib in (torch, mytorch):
        x = lib.ones(2, 2, requires_grad=True) * 1
        with lib.no_grad():
            row = x[0]
        with pytest.raises(RuntimeError, match="no_grad"):
            row.mul_(2)
        assert x.tolist() == [[1.0, 1.0], [1.0, 1.0]]  # nothing changed


def test_a_saved_neighbour_view_is_caught_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib in (torch, mytorch):
        x = lib.ones(2, 2, requires_grad=True) * 1
        y = x[1] * x[1]  # saves x[1], which shares x's version counter
        x[0].mul_(2)
        with pytest.raises(RuntimeError, match="modified"):
            y.sum().backward()


def test_views_of_constants_and_under_no_grad_change_no_history() -> None:
    x = mytorch.zeros(2, 3)
    x[0].add_(1)
    x.t()[2].fill_(5)
    assert x.tolist() == [[1.0, 1.0, 5.0], [0.0, 0.0, 5.0]]
    assert x.grad_fn is None and not x.requires_grad
    y = mytorch.ones(2, requires_grad=True) * 1
    view = y[:1]
    with mytorch.no_grad():
        view.mul_(3)
    assert y.grad_fn.name() == "MulBackward" and y.tolist() == [3.0, 1.0]
