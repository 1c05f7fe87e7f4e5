"""Hostile and bad input to tensors and ops: one table, one test.

Each case builds what it needs and makes one bad call, which must raise the exception
type given, with a message naming the op and the offending shape or value (a regex),
and must change nothing (see ``refused`` in conftest.py): every tensor keeps its data,
grad, version and flags. Cases that fail today are xfail (strict), with the reason.
``test_hostile_training.py`` and ``test_hostile_files.py`` hold the other tables.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hostile_tables import Case, leaf, nothing, params

import mytorch


def read_only(*shape: int) -> np.ndarray:
    array = np.ones(shape)
    array.flags.writeable = False
    return array


CASES = [
    # Tensors: dtypes and sizes.
    Case(
        "Tensor: object array",
        nothing,
        lambda: mytorch.Tensor(np.array([object()])),
        TypeError,
        r"Tensor: cannot hold data of dtype object",
    ),
    Case(
        "tensor: strings",
        nothing,
        lambda: mytorch.tensor(["1", "2"]),
        TypeError,
        r"cannot hold data of dtype <U1",
    ),
    Case(
        "tensor: integers requiring grad",
        nothing,
        lambda: mytorch.tensor([1, 2], dtype=mytorch.int64, requires_grad=True),
        TypeError,
        r"only floating-point tensors can require gradients, got dtype int64",
    ),
    Case(
        "zeros: 10**15 elements",
        nothing,
        lambda: mytorch.zeros(10**15),
        MemoryError,
        r"Unable to allocate .* shape \(1000000000000000,\)",
    ),
    Case(
        "ones: 10**8 x 10**8",
        nothing,
        lambda: mytorch.ones(10**8, 10**8),
        MemoryError,
        r"Unable to allocate .* shape \(100000000, 100000000\)",
    ),
    Case(
        "randn: 10**15 elements",
        nothing,
        lambda: mytorch.randn(10**15),
        MemoryError,
        r"Unable to allocate .* shape \(1000000000000000,\)",
    ),
    Case(
        "zeros: 10**20 elements",
        nothing,
        lambda: mytorch.zeros(10**20),
        ValueError,
        r"zeros.*100000000000000000000",
    ),
    Case(
        "zeros: a negative size",
        nothing,
        lambda: mytorch.zeros(2, -1),
        ValueError,
        r"zeros.*-1",
    ),
    Case(
        "zeros: a fractional size",
        nothing,
        lambda: mytorch.zeros(2.5),
        TypeError,
        r"zeros.*2\.5",
    ),
    # Ops: shapes, operands, dimensions, indices.
    Case(
        "add: shapes",
        lambda: [leaf(2, 3), leaf(4)],
        lambda a, b: a + b,
        ValueError,
        r"add.*\(2, 3\).*\(4,\)",
    ),
    Case(
        "mul: a string operand",
        lambda: [leaf(2, 3)],
        lambda a: a * "x",
        TypeError,
        r"unsupported operand type\(s\) for \*: .Tensor. and .str.",
    ),
    Case(
        "mul: None",
        lambda: [leaf(2, 3)],
        lambda a: mytorch.mul(a, None),
        TypeError,
        r"mul: unsupported operand type 'NoneType'.*\(2, 3\)",
    ),
    Case(
        "div: an object array",
        lambda: [leaf(2)],
        lambda a: a / np.array([object()]),
        TypeError,
        r"dtype object",
    ),
    Case(
        "matmul: inner sizes",
        lambda: [leaf(2, 3), leaf(2, 3)],
        lambda a, b: a @ b,
        ValueError,
        r"matmul: shapes \(2, 3\) and \(2, 3\) do not fit",
    ),
    Case(
        "matmul: a 0-d operand",
        lambda: [leaf(), leaf(2, 3)],
        lambda a, b: a @ b,
        ValueError,
        r"matmul: .*at least 1 dimension.*\(\) and \(2, 3\)",
    ),
    Case(
        "reshape: element count",
        lambda: [leaf(2, 3)],
        lambda a: a.reshape(4, 2),
        ValueError,
        r"reshape: .*\(2, 3\).*\(4, 2\)",
    ),
    Case(
        "reshape: a huge size",
        lambda: [leaf(2, 3)],
        lambda a: a.reshape(10**12, -1),
        ValueError,
        r"reshape: .*\(2, 3\).*1000000000000",
    ),
    Case(
        "permute: not a permutation",
        lambda: [leaf(2, 3)],
        lambda a: a.permute(0, 0),
        ValueError,
        r"permute: \(0, 0\) is not a permutation.*\(2, 3\)",
    ),
    Case(
        "transpose: dimension",
        lambda: [leaf(2, 3)],
        lambda a: a.transpose(0, 5),
        IndexError,
        r"transpose: dimension 5 is out of range .* 2 dimensions",
    ),
    Case(
        "sum: dimension",
        lambda: [leaf(2, 3)],
        lambda a: a.sum(dim=2),
        IndexError,
        r"sum: dimension 2 is out of range",
    ),
    Case(
        "logsumexp: repeated dimension",
        lambda: [leaf(2, 3)],
        lambda a: a.logsumexp(dim=(0, 0)),
        ValueError,
        r"logsumexp: dimension repeated",
    ),
    Case(
        "softmax: dimension",
        lambda: [leaf(2, 3)],
        lambda a: a.softmax(dim=3),
        IndexError,
        r"softmax: dimension 3 is out of range",
    ),
    Case(
        "getitem: an index",
        lambda: [leaf(3)],
        lambda a: a[5],
        IndexError,
        r"getitem: index 5 is out of bounds .*\(3,\)",
    ),
    Case(
        "getitem: a repeated advanced index",
        lambda: [leaf(3)],
        lambda a: a[np.array([0, 0, 7])],
        IndexError,
        r"getitem: index 7 is out of bounds",
    ),
    Case(
        "getitem: a float index",
        lambda: [leaf(3)],
        lambda a: a[1.5],
        IndexError,
        r"getitem: only integers.*\(3,\)",
    ),
    Case(
        "cat: shapes",
        lambda: [leaf(2, 3), leaf(2, 4)],
        lambda a, b: mytorch.cat([a, b]),
        ValueError,
        r"cat: .*\(2, 3\), \(2, 4\)",
    ),
    Case(
        "stack: shapes",
        lambda: [leaf(2), leaf(3)],
        lambda a, b: mytorch.stack([a, b]),
        ValueError,
        r"stack: .*\(2,\), \(3,\)",
    ),
    Case(
        "expand: a size",
        lambda: [leaf(2, 3)],
        lambda a: a.expand(4, 3),
        ValueError,
        r"expand: .*\(2, 3\).*\(4, 3\)",
    ),
    Case(
        "where: a float condition",
        lambda: [leaf(2)],
        lambda a: mytorch.where(mytorch.ones(2), a, a),
        TypeError,
        r"where: condition must be a bool tensor, got dtype float32",
    ),
    Case(
        "mul_: a larger operand",
        lambda: [mytorch.ones(3), mytorch.ones(2, 3)],
        lambda a, b: a.mul_(b),
        ValueError,
        r"mul_: .*\(2, 3\).*\(3,\)",
    ),
    Case(
        "add_: a leaf requiring grad",
        lambda: [leaf(2)],
        lambda a: a.add_(1),
        RuntimeError,
        r"add_: a leaf Variable that requires grad is being used in an in-place",
    ),
    Case(
        "add_: read-only numpy data",
        lambda: [(array := read_only(3)), mytorch.Tensor(array)],  # the array is watched too
        lambda array, t: t.add_(1),
        ValueError,
        r"add_: .*read-only",
    ),
    Case(
        "fill_: read-only numpy data",
        lambda: [mytorch.Tensor(read_only(3))],
        lambda t: t.fill_(0),
        ValueError,
        r"fill_: .*read-only",
    ),
    Case(
        "item: many elements",
        lambda: [leaf(2, 3)],
        lambda a: a.item(),
        ValueError,
        r"item: only one-element tensors .*\(2, 3\)",
    ),
    Case(
        "grad: an input that does not require grad",
        lambda: [leaf(2), mytorch.ones(2)],
        lambda a, b: mytorch.grad((a * b).sum(), [b]),
        RuntimeError,
        r"grad: input 0 does not require grad",
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_to_ops_is_refused_clearly_and_changes_nothing(
    case: Case, refused: Callable[..., None]
) -> None:
    refused(case.call, case.build(), case.error, case.match)
