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
