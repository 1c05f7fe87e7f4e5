"""Bad input: a specific exception whose message names the op and the shapes or
values, raised before anything changes, so every tensor involved is left as it was.

Each case builds fresh tensors and returns them with the call that must fail;
the tensors are snapshotted (data, grad, version, autograd state) before the call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pytest

import mytorch
from mytorch import Tensor


class Case(NamedTuple):
    name: str
    build: Callable[[], tuple[list[Tensor], Callable[[], Any]]]
    error: type[Exception]
    fragments: tuple[str, ...]  # each must appear in the message


def leaf(*shape: int) -> Tensor:
    return mytorch.ones(*shape, requires_grad=True)


def add_mismatch():
    a, b = leaf(2, 3), leaf(4)
    return [a, b], lambda: a + b


def add_in_place_mismatch():
    a, b = mytorch.ones(2, 3), mytorch.ones(4)
    return [a, b], lambda: a.add_(b)


def matmul_mismatch():
    a, b = leaf(2, 3), leaf(4, 2)
    return [a, b], lambda: a @ b


def batched_matmul_mismatch():
    a, b = leaf(2, 2, 3), leaf(3, 3, 2)
    return [a, b], lambda: a @ b


def grad_non_scalar():
    # backward() seeds ones on any shape (the assignment's rule); grad() keeps PyTorch's.
    a = leaf(2, 3)
    y = a * 2
    return [a, y], lambda: mytorch.grad(y, a)


def backward_wrong_gradient_shape():
    a = leaf(2, 3)
    y = a * 2
    return [a, y], lambda: y.backward(mytorch.ones(3, 2))


def backward_of_a_constant():
    a = mytorch.ones(2)
    return [a], lambda: (a * 2).sum().backward()


def backward_twice():
    # A second backward through a released graph, reached through one of two
    # branches: the other branch's leaf w must not be touched either.
    a, w = leaf(2), leaf(2)
    y = a * a
    y.sum().backward()
    z = (y * 3).sum() + (w * 5).sum()
    return [a, w, y], lambda: z.backward()


def requires_grad_on_integers():
    t = mytorch.arange(3)
    return [t], lambda: t.requires_grad_()


def integer_tensor_requiring_grad():
    return [], lambda: mytorch.Tensor(np.arange(3), requires_grad=True)


def unsupported_operand(op: Callable[[Tensor], Any]):
    def build():
        a = leaf(2, 3)
        return [a], lambda: op(a)

    return build


def out_of_range(op: Callable[[Tensor], Any]):
    def build():
        a = leaf(2, 3)
        return [a], lambda: op(a)

    return build


def reshape_mismatch():
    a = leaf(2, 3)
    return [a], lambda: a.reshape(4, 2)


def cat_mismatch():
    a, b = leaf(2, 3), leaf(2, 4)
    return [a, b], lambda: mytorch.cat([a, b])


def in_place_on_a_leaf_requiring_grad():
    a = leaf(2)
    return [a], lambda: a.mul_(2)


CASES = [
    Case("add: shapes", add_mismatch, ValueError, ("add", "(2, 3)", "(4,)")),
    Case("add_: shapes", add_in_place_mismatch, ValueError, ("add_", "(4,)", "(2, 3)")),
    Case("matmul: inner sizes", matmul_mismatch, ValueError, ("matmul", "(2, 3)", "(4, 2)")),
    Case(
        "matmul: batch axes",
        batched_matmul_mismatch,
        ValueError,
        ("matmul", "(2, 2, 3)", "(3, 3, 2)"),
    ),
    Case(
        "grad: non-scalar without grad_outputs",
        grad_non_scalar,
        RuntimeError,
        ("grad", "one-element", "(2, 3)", "grad_outputs="),
    ),
    Case(
        "backward: gradient of the wrong shape",
        backward_wrong_gradient_shape,
        RuntimeError,
        ("backward", "(3, 2)", "(2, 3)"),
    ),
    Case(
        "backward: of a constant",
        backward_of_a_constant,
        RuntimeError,
        ("backward", "does not require grad"),
    ),
    Case(
        "backward: twice through a released graph",
        backward_twice,
        RuntimeError,
        ("MulBackward", "second time", "retain_graph=True"),
    ),
    Case(
        "requires_grad_: integer tensor",
        requires_grad_on_integers,
        TypeError,
        ("requires_grad_", "int64"),
    ),
    Case(
        "Tensor: integer tensor requiring grad",
        integer_tensor_requiring_grad,
        TypeError,
        ("Tensor", "floating-point", "int64"),
    ),
    Case(
        "tensor + str",
        unsupported_operand(lambda a: a + "a"),
        TypeError,
        ("+", "'Tensor'", "'str'"),
    ),
    Case(
        "str - tensor",
        unsupported_operand(lambda a: "a" - a),
        TypeError,
        ("-", "'str'", "'Tensor'"),
    ),
    Case(
        "add(tensor, None)",
        unsupported_operand(lambda a: mytorch.add(a, None)),
        TypeError,
        ("add", "'NoneType'", "(2, 3)"),
    ),
    Case(
        "tensor @ list",
        unsupported_operand(lambda a: a @ [1.0, 2.0, 3.0]),
        TypeError,
        ("@", "'list'"),
    ),
    Case(
        "getitem: index out of range",
        out_of_range(lambda a: a[2]),
        IndexError,
        ("getitem", "index 2", "(2, 3)"),
    ),
    Case("reshape: sizes", reshape_mismatch, ValueError, ("reshape", "(2, 3)", "(4, 2)")),
    Case("cat: shapes", cat_mismatch, ValueError, ("cat", "(2, 3)", "(2, 4)")),
    Case(
        "mul_: leaf requiring grad",
        in_place_on_a_leaf_requiring_grad,
        RuntimeError,
        ("mul_", "leaf Variable that requires grad", "no_grad"),
    ),
    *[
        Case(f"{name}: dim out of range", out_of_range(op), IndexError, (name, str(dim), "range"))
        for name, dim, op in [
            ("sum", 2, lambda a: a.sum(dim=2)),
            ("mean", -3, lambda a: a.mean(axis=-3)),
            ("amax", 5, lambda a: a.amax(dim=(0, 5))),
            ("argmax", 2, lambda a: a.argmax(dim=2)),
            ("softmax", 2, lambda a: a.softmax(dim=2)),
            ("log_softmax", -3, lambda a: a.log_softmax(dim=-3)),
            ("transpose", 2, lambda a: a.transpose(0, 2)),
            ("permute", 2, lambda a: a.permute(2, 0)),
            ("squeeze", 2, lambda a: a.squeeze(2)),
            ("unsqueeze", 3, lambda a: a.unsqueeze(3)),
            ("flatten", 2, lambda a: a.flatten(0, 2)),
            ("cat", 2, lambda a: mytorch.cat([a, a], dim=2)),
            ("stack", 3, lambda a: mytorch.stack([a, a], dim=3)),
        ]
    ],
]


def snapshot(tensor: Tensor) -> tuple:
    grad = None if tensor.grad is None else tensor.grad.data.copy()
    state = (tensor.requires_grad, tensor.is_leaf, tensor._node, tensor._version, tensor.dtype)
    return tensor.data.copy(), grad, state


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_bad_input_raises_a_clear_error_and_changes_nothing(case: Case) -> None:
    tensors, call = case.build()
    before = [snapshot(t) for t in tensors]
    with pytest.raises(case.error) as info:
        call()
    message = str(info.value)
    for fragment in case.fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    for tensor, (data, grad, state) in zip(tensors, before, strict=True):
        after_data, after_grad, after_state = snapshot(tensor)
        np.testing.assert_array_equal(after_data, data)
        assert (after_grad is None) == (grad is None)
        if grad is not None:
            np.testing.assert_array_equal(after_grad, grad)
        assert after_state == state
