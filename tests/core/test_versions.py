"""Version counters: an in-place change through any tensor sharing memory is detected."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import mytorch


def test_detach_shares_the_version_counter() -> None:
    w = mytorch.tensor([1.0, 2.0], requires_grad=True)
    a = mytorch.tensor([3.0, 4.0])
    y = (w * a).sum()  # saves a
    a.detach().mul_(10)
    with pytest.raises(RuntimeError, match="modified in place after it was saved"):
        y.backward()
    assert w.grad is None


def test_a_view_made_by_reshape_shares_the_version_counter() -> None:
    x = mytorch.tensor([1.0, 2.0, 3.0, 4.0])
    w = mytorch.tensor(2.0, requires_grad=True)
    y = (x * w).sum()  # saves x
    view = x.reshape(2, 2)
    view.add_(1)
    assert x._version == view._version == 1
    with pytest.raises(RuntimeError, match="MulBackward: a tensor of shape \\(4,\\)"):
        y.backward()


def test_a_copy_made_by_advanced_indexing_does_not_share() -> None:
    x = mytorch.tensor([1.0, 2.0, 3.0])
    picked = x[[0, 1]]
    picked.add_(1)
    assert x._version == 0 and picked._version == 1
    assert x.tolist() == [1.0, 2.0, 3.0]


def test_in_place_on_a_read_only_view_is_refused_clearly() -> None:
    x = mytorch.tensor([1.0, 2.0]).expand(3, 2)
    with pytest.raises(ValueError, match="add_: this tensor's data is read-only"):
        x.add_(1)
    frozen = np.ones(2)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match="fill_: this tensor's data is read-only"):
        mytorch.Tensor(frozen).fill_(0)
    assert (mytorch.Tensor(frozen) + 1).tolist() == [2.0, 2.0]  # out of place is fine


def test_deepcopy_copies_values_but_never_graph_links() -> None:
    w = mytorch.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    twin = copy.deepcopy(w)
    assert twin.grad.tolist() == [2.0, 4.0] and twin.grad is not w.grad
    w.grad = None
    (twin * 3).sum().backward()
    assert w.grad is None  # the copy's gradient went to the copy only
    assert twin.grad.tolist() == [5.0, 7.0]
    restored = pickle.loads(pickle.dumps(twin))
    assert restored.requires_grad and restored.is_leaf and restored.grad_fn is not twin.grad_fn


def test_a_non_leaf_cannot_be_copied() -> None:
    y = mytorch.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only leaf tensors can be copied"):
        copy.deepcopy(y)


def test_a_node_saving_tensors_at_different_versions_checks_each_against_its_own() -> None:
    # b is at version 1 when saved, a has no counter yet: the node keeps (0, 1).
    a = mytorch.tensor([1.0, 2.0], requires_grad=True)
    b = mytorch.tensor([3.0, 4.0], requires_grad=True)
    with mytorch.no_grad():
        b.add_(1)
    y = a * b
    y.sum().backward(retain_graph=True)  # unchanged since saved: no error
    np.testing.assert_array_equal(a.grad.data, [4.0, 5.0])
    with mytorch.no_grad():
        a.add_(1)  # a gets its first counter, at 1
    with pytest.raises(RuntimeError, match=r"MulBackward: .*shape \(2,\).*version 0 then, 1 now"):
        y.sum().backward(retain_graph=True)


def test_a_change_to_a_tensor_saved_at_a_later_version_names_both_versions() -> None:
    a = mytorch.tensor([1.0, 2.0], requires_grad=True)
    b = mytorch.tensor([3.0, 4.0], requires_grad=True)
    with mytorch.no_grad():
        b.add_(1)
    y = (a * b).sum()
    with mytorch.no_grad():
        b.add_(1)
    with pytest.raises(RuntimeError, match=r"version 1 then, 2 now"):
        y.backward()
    assert a.grad is None and b.grad is None  # raised before any leaf changed
