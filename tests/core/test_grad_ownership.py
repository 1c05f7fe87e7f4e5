"""Gradients the engine owns become ``.grad`` without a copy; every other one is copied.

A leaf's ``.grad`` is later written in place (the next backward's accumulation, an
optimiser), so it must never share memory with anything else: another leaf's
``.grad``, a saved tensor, the seed, a retained gradient, or a hook's argument.
"""

from __future__ import annotations

import sys
from typing import ClassVar
from unittest import mock

import numpy as np
import pytest
from by_hand import all_functions
from hypothesis import given, settings
from hypothesis import strategies as st

import mytorch
import mytorch.nn.functional as F
from mytorch import Function, Tensor

matmul_module = sys.modules["mytorch.ops.matmul"]  # the module: mytorch.ops.matmul is the function


class Returned(Function):
    """Identity whose backward returns a new array and remembers it (to observe a copy)."""

    fresh_grads = True
    arrays: ClassVar[list[np.ndarray]] = []

    @staticmethod
    def forward(ctx, x):
        return x.data.copy()

    @staticmethod
    def backward(ctx, grad):
        array = grad.data * 1.0
        Returned.arrays.append(array)
        return Tensor._wrap(array)


def leaf(*shape: int, dtype=np.float64) -> Tensor:
    rng = np.random.default_rng(sum(shape))
    return mytorch.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)


def assert_private(grads: list[np.ndarray], others: list[np.ndarray]) -> None:
    """No .grad shares memory with another .grad or with any of ``others``."""
    for index, grad in enumerate(grads):
        for other in grads[index + 1 :] + others:
            assert not np.shares_memory(grad, other)


def test_a_fresh_gradient_is_handed_over_without_a_copy() -> None:
    Returned.arrays.clear()
    x = leaf(3)
    Returned.apply(x).sum().backward()
    assert x.grad.data is Returned.arrays[0]
    np.testing.assert_array_equal(x.grad.data, np.ones(3))


def test_a_second_backward_accumulates_in_place_into_the_handed_over_array() -> None:
    Returned.arrays.clear()
    x = leaf(3)
    Returned.apply(x).sum().backward()
    first = x.grad.data
    Returned.apply(x).sum().backward()
    assert x.grad.data is first
    np.testing.assert_array_equal(first, [2.0, 2.0, 2.0])
    assert not np.shares_memory(first, Returned.arrays[1])


def test_a_gradient_of_another_dtype_is_cast_into_a_new_array() -> None:
    Returned.arrays.clear()
    x = leaf(3, dtype=np.float32)
    Returned.apply(x).sum().backward(mytorch.tensor(1.0, dtype=mytorch.float64))
    assert x.grad.dtype == mytorch.float32
    assert not np.shares_memory(x.grad.data, Returned.arrays[0])


def test_a_leaf_hook_makes_the_gradient_shared_so_it_is_copied() -> None:
    Returned.arrays.clear()
    x = leaf(3)
    seen = []
    x.register_hook(seen.append)  # keeps the gradient it is shown
    Returned.apply(x).sum().backward()
    Returned.apply(x).sum().backward()  # accumulates in place into x.grad
    np.testing.assert_array_equal(seen[0].data, np.ones(3))
    assert not np.shares_memory(x.grad.data, seen[0].data)


def test_the_engines_own_sum_is_owned() -> None:
    Returned.arrays.clear()
    x = leaf(3)
    (Returned.apply(x) + Returned.apply(x)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0, 2.0])
    assert_private([x.grad.data], Returned.arrays)


def test_add_sends_one_gradient_to_both_inputs_and_each_leaf_gets_its_own_copy() -> None:
    a, b, c = leaf(2, 3), leaf(2, 3), leaf(2, 3)
    # Mul's gradient grad * c is a new array, and Add passes it on to a and b.
    ((a + b) * c).sum().backward()
    assert_private([a.grad.data, b.grad.data, c.grad.data], [a.data, b.data, c.data])
    a.grad.data += 1  # a change to one .grad shows up nowhere else
    np.testing.assert_array_equal(b.grad.data, c.data)


def test_a_custom_op_returning_its_saved_tensor_does_not_alias_grad() -> None:
    class Leak(Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(y)
            return x.data + y.data

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return y, y  # the same tensor, for both inputs

    x, y = leaf(3), leaf(3)
    Leak.apply(x, y).sum().backward()
    assert_private([x.grad.data, y.grad.data], [y.data, x.data])


def test_matmul_gradients_are_private_and_accumulate_exactly() -> None:
    a, b = leaf(4, 5), leaf(5, 3)
    (a @ b).sum().backward()
    first_a, first_b = a.grad.data.copy(), b.grad.data.copy()
    assert_private([a.grad.data, b.grad.data], [a.data, b.data])
    (a @ b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, first_a + first_a)
    np.testing.assert_array_equal(b.grad.data, first_b + first_b)


def test_matmul_of_a_leaf_with_itself_gives_the_sum_of_both_gradients() -> None:
    a = leaf(3, 3)
    (a @ a).sum().backward()
    ones = np.ones((3, 3))
    np.testing.assert_allclose(a.grad.data, ones @ a.data.T + a.data.T @ ones)
    assert not np.shares_memory(a.grad.data, a.data)


def test_retained_intermediate_and_leaf_gradients_are_private() -> None:
    x, w = leaf(2, 4), leaf(4, 3)
    hidden = x @ w
    hidden.retain_grad()
    out = hidden.relu() + hidden
    out.sum().backward()
    grads = [x.grad.data, w.grad.data, hidden.grad.data]
    assert_private(grads, [x.data, w.data, hidden.data])


@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradients_are_private(bias: bool) -> None:
    x, w = leaf(5, 4), leaf(3, 4)
    b = leaf(3) if bias else None
    F.linear(x, w, b).sum().backward()
    leaves = [x, w] + ([b] if bias else [])
    assert_private([t.grad.data for t in leaves], [t.data for t in leaves])


def stored_as(rng: np.random.Generator, shape: tuple[int, ...], dtype, layout: str) -> Tensor:
    """A leaf of ``shape`` whose array is C-ordered, a transposed view, or every other
    element of a larger array along its first axis, its last, or both."""
    if layout == "transposed":
        return Tensor(rng.standard_normal(shape[::-1]).astype(dtype).T, requires_grad=True)
    last = len(shape) - 1
    strided = {"C": (), "first": (0,), "last": (last,), "both": (0, last)}[layout]
    steps = [2 if axis in strided else 1 for axis in range(len(shape))]
    array = rng.standard_normal([n * step for n, step in zip(shape, steps)]).astype(dtype)
    array = array[tuple(slice(None, None, step) for step in steps)]
    assert array.shape == shape
    return Tensor(array, requires_grad=True)


LAYOUTS = st.sampled_from(["C", "transposed", "last", "first", "both"])


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([np.float32, np.float64]),
    st.tuples(st.integers(1, 7), st.integers(1, 7), st.integers(1, 7)),
    st.sampled_from([(), (2,)]),  # batch axes of a
    st.integers(0, 2),  # a is 1-D, 2-D or batched
    st.integers(0, 1),  # b is 1-D or 2-D
    LAYOUTS,
    LAYOUTS,
    st.integers(0, 2**32 - 1),
)
def test_matmul_and_linear_plain_gradients_equal_the_recorded_ones_bit_for_bit(
    dtype, sizes, batch, a_kind, b_kind, a_layout, b_layout, seed
) -> None:
    # The plain backward computes on arrays, the recorded one with Tensor ops: the same
    # products, so the same bits, for any shapes and layouts (numpy's matrix-vector
    # products of strided arrays are where np.dot and np.matmul could part), whether
    # product() picks np.dot (small operands) or np.matmul (large ones: limit 0 here).
    for limit in (matmul_module._DOT_LIMIT, 0):
        with mock.patch.object(matmul_module, "_DOT_LIMIT", limit):
            check_plain_equals_recorded(
                dtype, sizes, batch, a_kind, b_kind, a_layout, b_layout, seed
            )


def check_plain_equals_recorded(
    dtype, sizes, batch, a_kind, b_kind, a_layout, b_layout, seed
) -> None:
    rng = np.random.default_rng(seed)
    m, k, n = sizes
    a_shape = [(k,), (m, k), (*batch, m, k)][a_kind]
    b_shape = [(k,), (k, n)][b_kind]
    a, b = stored_as(rng, a_shape, dtype, a_layout), stored_as(rng, b_shape, dtype, b_layout)
    w = stored_as(rng, (n, k), dtype, b_layout)
    bias = stored_as(rng, (n,), dtype, "C")
    product, hidden = a @ b, F.linear(a, w, bias)
    loss = (product * Tensor(rng.standard_normal(product.shape).astype(dtype))).sum() + (
        hidden * Tensor(rng.standard_normal(hidden.shape).astype(dtype))
    ).sum()
    leaves = [a, b, w, bias]
    recorded = mytorch.grad(loss, leaves, retain_graph=True, create_graph=True)
    loss.backward()
    for expected, t in zip(recorded, leaves):
        np.testing.assert_array_equal(t.grad.data, expected.data)


def test_handed_over_gradients_equal_the_recorded_formula_bit_for_bit() -> None:
    # With create_graph=True the backward formulas run as recorded Tensor ops; a
    # plain backward takes the fast paths (MatMul's, Linear's, ReLU's and the
    # reductions' numpy paths) and hands gradients over. Same bits.
    for dtype in (np.float32, np.float64):
        shapes = [(6, 7), (7, 5), (4, 7), (3, 7), (3,)]
        a, b, x, w, bias = leaves = [leaf(*shape, dtype=dtype) for shape in shapes]
        hidden = F.linear(x, w, bias)
        loss = (a @ b).sum() + hidden.relu().mean(dim=0).sum() + hidden.exp().sum(dim=1).sum()
        recorded = mytorch.grad(loss, leaves, retain_graph=True, create_graph=True)
        loss.backward()
        for expected, t in zip(recorded, leaves):
            assert expected.requires_grad
            np.testing.assert_array_equal(t.grad.data, expected.data)


# For each op of the library that declares fresh_grads: calls that reach every branch of
# its backward (broadcast batch axes, 1-D operands, no bias, leading batch dimensions).
FRESH_CALLS = {
    "MatMul": [
        lambda: (leaf(4, 5), leaf(5, 3)),
        lambda: (leaf(2, 4, 5), leaf(5, 3)),
        lambda: (leaf(5), leaf(5, 3)),
        lambda: (leaf(4, 5), leaf(5)),
        lambda: (leaf(5), leaf(5)),
    ],
    "Linear": [
        lambda: (leaf(4, 5), leaf(3, 5), leaf(3)),
        lambda: (leaf(2, 4, 5), leaf(3, 5), None),
    ],
    # x, weight, bias, running mean and variance, momentum, eps, the batch counter
    "BatchNormTraining": [
        lambda: (leaf(4, 3), leaf(3), leaf(3), None, None, 0.1, 1e-5, None),
        lambda: (leaf(4, 3, 2, 2), leaf(3), leaf(3), None, None, 0.1, 1e-5, None),
        lambda: (leaf(4, 3), None, leaf(3), constant(3), constant(3), None, 1e-5, counter()),
        lambda: (leaf(5, 3, 2), leaf(3), None, None, None, 0.1, 1e-5, None),
    ],
}


def constant(*shape: int) -> Tensor:
    return mytorch.tensor(np.ones(shape))


def counter() -> Tensor:
    return mytorch.tensor(0)


def test_every_op_declaring_fresh_grads_is_checked_here() -> None:
    declared = {f.__name__ for f in all_functions() if f.__dict__.get("fresh_grads")}
    declared.discard("Returned")  # this file's own
    assert declared == set(FRESH_CALLS)


@pytest.mark.parametrize(
    ("name", "make"), [(name, make) for name, makes in FRESH_CALLS.items() for make in makes]
)
def test_an_op_declaring_fresh_grads_returns_new_private_arrays(name, make) -> None:
    (function,) = [
        f for f in all_functions() if f.__name__ == name and f.__dict__.get("fresh_grads")
    ]
    inputs = make()
    out = function.apply(*inputs)
    grad_output = mytorch.tensor(np.ones(out.shape))
    with mytorch.no_grad():  # as the engine runs backward without create_graph
        grads = out.grad_fn.apply(grad_output, retain_graph=False)
    arrays = [g.data for g in grads if g is not None]
    tensors = [t for t in inputs if isinstance(t, Tensor)]
    assert len(arrays) == sum(t.requires_grad for t in tensors)
    # Nor may a gradient be anything the node keeps for backward (BatchNorm's x_hat).
    kept = [value for value in vars(out.grad_fn).values() if isinstance(value, np.ndarray)]
    held = [grad_output.data, out.data, *(t.data for t in tensors), *kept]
    assert_private(arrays, held)
