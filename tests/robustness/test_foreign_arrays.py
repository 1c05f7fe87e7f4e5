"""numpy arrays as users hand them in: read-only, strided, Fortran-ordered, big-endian.

``Tensor(array)`` wraps an array without copying it (as ``torch.from_numpy``), so
these arrive as they are. The behaviour we chose: every out-of-place op, and
backward, works on them and gives the values and gradients of a plain C-ordered
copy, leaving the array as it was; in-place ops write through to the array where
numpy can (into a strided view's base, as numpy does), and refuse a read-only one
with an error naming the op (see the tables in ``test_hostile_input.py``);
``mytorch.tensor(array)`` copies, so its result is always writable.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import mytorch

BASE = np.linspace(-1.0, 1.2, 24).reshape(4, 6)


def read_only() -> np.ndarray:
    array = BASE.copy()
    array.flags.writeable = False
    return array


def strided() -> np.ndarray:
    padded = np.zeros((8, 12))
    padded[::2, 1::2] = BASE
    return padded[::2, 1::2]


KINDS: dict[str, Callable[[], np.ndarray]] = {
    "read-only": read_only,
    "strided view": strided,
    "transposed view": lambda: BASE.T.copy().T,
    "Fortran order": lambda: np.asfortranarray(BASE),
    "big-endian": lambda: BASE.astype(">f8"),
    "broadcast view": lambda: np.broadcast_to(BASE[0], (4, 6)),
}


def compute(x: mytorch.Tensor) -> mytorch.Tensor:
    """Elementwise, reduction, matmul, indexing, shape and softmax ops on one input."""
    rows = x[np.array([0, 0, 3])] * x[1:3].sum(dim=0)
    return (
        (x.exp() * x).sum(dim=1).logsumexp(dim=0)
        + (x @ x.T).tanh().mean()
        + rows.sum()
        + x.T.reshape(-1).log_softmax(dim=0)[5]
        + x.maximum(x * 0.5).var()
    )


@pytest.mark.parametrize("kind", KINDS)
def test_out_of_place_ops_and_backward_work_and_leave_the_array_alone(kind: str) -> None:
    array = KINDS[kind]()
    before = array.copy()
    x = mytorch.Tensor(array, requires_grad=True)
    out = compute(x)
    out.backward()
    plain = mytorch.tensor(np.ascontiguousarray(array, dtype=np.float64), requires_grad=True)
    expected = compute(plain)
    expected.backward()
    np.testing.assert_allclose(out.item(), expected.item(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, plain.grad.data, rtol=1e-12, atol=1e-12)
    assert x.grad.shape == array.shape and x.grad.dtype == array.dtype
    np.testing.assert_array_equal(array, before)


def test_in_place_ops_write_through_a_strided_view_into_its_base() -> None:
    padded = np.zeros((4, 6))
    t = mytorch.Tensor(padded[:, ::2])
    t.add_(1).mul_(3)
    np.testing.assert_array_equal(padded[:, ::2], 3.0)
    np.testing.assert_array_equal(padded[:, 1::2], 0.0)
    assert t._version == 2


def test_tensor_copies_a_read_only_array_into_a_writable_one() -> None:
    array = read_only()
    t = mytorch.tensor(array)
    t.fill_(0)
    np.testing.assert_array_equal(array, BASE)
    assert t.data.flags.writeable and t._version == 1
