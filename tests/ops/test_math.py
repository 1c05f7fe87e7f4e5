"""Worked examples of issue 12's math ops: exact values and gradients, computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hst
from hypothesis.extra import numpy as hnp

import mytorch
from mytorch.testing import strategies as st

NEW_FUNCTIONS = [
    "sin",
    "cos",
    "tan",
    "log1p",
    "expm1",
    "log2",
    "log10",
    "floor",
    "ceil",
    "round",
    "sign",
    "clamp",
    "isnan",
    "isinf",
    "isfinite",
    "mm",
    "bmm",
    "dot",
    "einsum",
    "prod",
    "cumsum",
    "std",
    "norm",
    "all",
    "any",
    "sort",
    "argsort",
    "topk",
    "gather",
    "scatter_add",
    "index_add",
    "index_select",
    "masked_fill",
    "chunk",
    "split",
    "repeat",
    "tile",
    "flip",
    "tril",
    "triu",
    "allclose",
    "equal",
    "is_tensor",
    "numel",
    "floor_divide",
    "remainder",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
]
FUNCTIONS_ONLY = {"einsum", "is_tensor"}  # the rest are Tensor methods too
TENSOR_METHODS = [
    "t",
    "mm",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "view_as",
    "reshape_as",
    "expand_as",
    "contiguous",
    "size",
    "dim",
    "nelement",
    "element_size",
    "numel",
    "repeat",
]


@pytest.mark.parametrize("name", NEW_FUNCTIONS)
def test_every_new_name_is_a_function_in_all_and_a_method(name: str) -> None:
    assert callable(getattr(mytorch, name))
    assert name in mytorch.__all__
    assert name in FUNCTIONS_ONLY or callable(getattr(mytorch.Tensor, name))


@pytest.mark.parametrize("name", TENSOR_METHODS)
def test_tensor_methods_exist(name: str) -> None:
    assert callable(getattr(mytorch.Tensor, name))


def x64(*rows: object) -> mytorch.Tensor:
    return mytorch.tensor(np.array(rows, dtype=np.float64), requires_grad=True)


def test_trig_values_and_gradients() -> None:
    x = x64(0.0, math.pi / 4)
    (mytorch.sin(x) + x.cos() + x.tan()).sum().backward()
    expected = [1.0 - 0.0 + 1.0, math.cos(math.pi / 4) - math.sin(math.pi / 4) + 2.0]
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)


def test_logs_and_exponentials() -> None:
    x = x64(1.0, 3.0)
    np.testing.assert_allclose(mytorch.log2(x + 1).data, [1.0, 2.0])
    np.testing.assert_allclose(mytorch.log10(x * 10 / 3 * 3).data, [1.0, math.log10(30)])
    tiny = mytorch.tensor(np.array([1e-12]))
    assert mytorch.log1p(tiny).item() == pytest.approx(1e-12, rel=1e-9)  # log(1 + x) gives 0-ish
    assert mytorch.expm1(tiny).item() == pytest.approx(1e-12, rel=1e-9)
    (mytorch.log1p(x) + mytorch.expm1(x)).sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.5 + math.e, 0.25 + math.exp(3)])


def test_rounding_gives_zero_gradient_and_keeps_integers() -> None:
    x = x64(-1.5, 0.5, 2.5)
    assert mytorch.round(x).tolist() == [-2.0, 0.0, 2.0]  # halves to even
    (x.floor() + x.ceil() + x.round() + x.sign()).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    labels = mytorch.tensor(np.array([3, -1]))
    assert labels.floor().dtype == np.int64 and labels.floor().tolist() == [3, -1]
    assert labels.sign().tolist() == [1, -1]


def test_value_tests() -> None:
    x = mytorch.tensor([0.0, float("nan"), float("inf")])
    assert mytorch.isnan(x).tolist() == [False, True, False]
    assert x.isinf().tolist() == [False, False, True]
    assert x.isfinite().tolist() == [True, False, False]
    assert not x.isnan().requires_grad


def test_clamp_gradient_goes_to_the_chosen_input() -> None:
    x = x64(-2.0, 0.0, 5.0, 1.0)
    low = x64(-1.0, -1.0, -1.0, 2.0)  # the last: low > high, so the result is high
    out = mytorch.clamp(x, min=low, max=1.5)
    assert out.tolist() == [-1.0, 0.0, 1.5, 1.5]
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0, 0.0]
    assert low.grad.tolist() == [1.0, 0.0, 0.0, 0.0]


def test_scalar_clamp_still_works_as_before() -> None:
    x = x64(-2.0, 0.5, 2.0)
    x.clamp(-1, 1).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_prod_gradient_with_one_and_two_zeros() -> None:
    x = x64([2.0, 0.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 3.0])
    x.prod(dim=1).sum().backward()
    assert x.grad.tolist() == [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [6.0, 3.0, 2.0]]


def test_cumsum_gradient_counts_the_later_totals() -> None:
    x = x64(1.0, 2.0, 3.0)
    y = x.cumsum(0)
    assert y.tolist() == [1.0, 3.0, 6.0]
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 2.0, 1.0]


def test_norm_gradient_at_zero_is_zero() -> None:
    x = x64(0.0, 0.0)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    y = x64(3.0, -4.0)
    y.norm().backward()
    np.testing.assert_allclose(y.grad.data, [0.6, -0.8])


def test_einsum_matches_matmul_and_outer_product() -> None:
    a = x64([1.0, 2.0], [3.0, 4.0])
    b = x64(5.0, 6.0)
    assert mytorch.einsum("ij,j->i", a, b).tolist() == [17.0, 39.0]
    assert mytorch.einsum("i,j->ij", b, b).tolist() == [[25.0, 30.0], [30.0, 36.0]]
    mytorch.einsum("ii->", a).backward()
    assert a.grad.tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_sort_is_stable_in_both_directions() -> None:
    x = mytorch.tensor([2.0, 1.0, 2.0, 1.0])
    assert x.sort().indices.tolist() == [1, 3, 0, 2]
    assert x.sort(descending=True).indices.tolist() == [0, 2, 1, 3]
    assert mytorch.argsort(x, descending=True).tolist() == [0, 2, 1, 3]


def test_gather_adds_the_gradients_of_repeated_picks() -> None:
    x = x64([1.0, 2.0, 3.0])
    index = mytorch.tensor(np.array([[2, 2, 0]]))
    picked = x.gather(1, index)
    index.data[...] = 0  # an in-place change to the index must not move the gradient
    picked.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 2.0]]


def test_scatter_add_and_index_add_accumulate() -> None:
    src = x64(1.0, 2.0, 3.0)
    out = mytorch.scatter_add(mytorch.zeros(3, dtype=mytorch.float64), 0, [0, 2, 0], src)
    assert out.tolist() == [4.0, 0.0, 2.0]
    (out * mytorch.tensor(np.array([1.0, 10.0, 100.0]))).sum().backward()
    assert src.grad.tolist() == [1.0, 100.0, 1.0]
    base = mytorch.zeros(2, 2)
    assert base.index_add(1, mytorch.tensor(np.array([1, 1])), mytorch.ones(2, 2)).tolist() == [
        [0.0, 2.0],
        [0.0, 2.0],
    ]


def test_masked_fill_with_a_tensor_value_gets_its_gradient() -> None:
    x = x64(1.0, -2.0, -3.0)
    value = mytorch.tensor(np.array(0.5), requires_grad=True)
    out = x.masked_fill(x < 0, value)
    assert out.tolist() == [1.0, 0.5, 0.5]
    out.sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 0.0]
    assert value.grad.item() == 2.0


def test_split_chunk_pieces_stay_in_the_graph() -> None:
    x = x64(1.0, 2.0, 3.0, 4.0, 5.0)
    first, second, third = x.chunk(3)
    assert [p.tolist() for p in (first, second, third)] == [[1.0, 2.0], [3.0, 4.0], [5.0]]
    (first.sum() + 10 * third.sum()).backward()
    assert x.grad.tolist() == [1.0, 1.0, 0.0, 0.0, 10.0]
    assert [p.shape for p in mytorch.split(x, [4, 1])] == [(4,), (1,)]


def test_repeat_sums_the_gradient_of_the_copies() -> None:
    x = x64(1.0, 2.0)
    y = x.repeat(3, 2)
    assert y.shape == (3, 4)
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]


def test_flip_is_a_copy_not_a_view() -> None:
    x = mytorch.tensor([1.0, 2.0, 3.0])
    y = x.flip(0)
    y.data[0] = 100.0
    assert x.tolist() == [1.0, 2.0, 3.0]


def test_triangles() -> None:
    x = mytorch.ones(3, 3)
    assert mytorch.tril(x, -1).sum().item() == 3.0
    assert x.triu(1).sum().item() == 3.0
    assert (mytorch.tril(x) + mytorch.triu(x, 1)).tolist() == x.tolist()


def test_tensor_methods_of_item_6() -> None:
    x = mytorch.zeros(2, 3)
    assert x.t().shape == (3, 2) and x.mm(x.t()).shape == (2, 2)
    assert x.view_as(mytorch.zeros(3, 2)).shape == (3, 2)
    assert x.reshape_as(mytorch.zeros(6)).shape == (6,)
    assert mytorch.zeros(3, 1).expand_as(mytorch.zeros(3, 4)).shape == (3, 4)
    assert x.contiguous() is x
    assert x.size() == (2, 3) and x.size(-2) == 2 and x.dim() == 2
    assert x.nelement() == x.numel() == mytorch.numel(x) == 6
    assert x.element_size() == 4 and x.double().element_size() == 8
    a, b = mytorch.tensor([1.0, 2.0]), mytorch.tensor([2.0, 2.0])
    assert a.lt(b).tolist() == [True, False] and a.ge(b).tolist() == [False, True]
    assert a.eq(2.0).tolist() == [False, True] and a.ne(b).tolist() == [True, False]


def test_integer_operators() -> None:
    i = mytorch.tensor(np.array([7, -7]))
    assert (i // 2).tolist() == [3, -4] and (i % 3).tolist() == [1, 2]
    assert (i // 2).dtype == np.int64
    assert (i & 3).tolist() == [3, 1] and (i | 8).tolist() == [15, -7]
    assert (i ^ 1).tolist() == [6, -8] and (~i).tolist() == [-8, 6]
    flags = mytorch.tensor([1.0, 2.0, 3.0]) > 1.5
    assert (~flags).tolist() == [True, False, False]
    assert (flags & (mytorch.tensor([1.0, 2.0, 3.0]) < 3)).tolist() == [False, True, False]


def test_remainder_gradient() -> None:
    a, b = x64(7.5, -7.5), x64(2.0, 2.0)
    (a % b).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0]
    assert b.grad.tolist() == [-3.0, 4.0]  # -floor(a / b)


def test_floor_divide_stays_outside_the_graph() -> None:
    a = x64(7.5, -7.5)
    assert not (a // 2).requires_grad


def test_predicates() -> None:
    a = mytorch.tensor([1.0, 2.0])
    assert mytorch.is_tensor(a) and not mytorch.is_tensor(np.zeros(2))
    assert mytorch.equal(a, a.clone()) and not mytorch.equal(a, a + 1)
    assert mytorch.allclose(a, a + 1e-9) and not a.allclose(a + 1e-3)
    assert mytorch.allclose(
        mytorch.tensor([float("nan")]), mytorch.tensor([float("nan")]), equal_nan=True
    )


def test_all_and_any_along_a_dim() -> None:
    x = mytorch.tensor([[1.0, 0.0], [2.0, 3.0]])
    assert x.all(dim=1).tolist() == [False, True]
    assert mytorch.any(x, 0, keepdim=True).tolist() == [[True, True]]
    assert mytorch.all(x).dtype == np.bool_


@given(
    hnp.arrays(np.float64, st.shapes(min_dims=1), elements=hst.sampled_from([0.0, 1.0, 2.0])),
    hst.data(),
)
def test_sort_indices_are_the_stable_order(x: np.ndarray, data: hst.DataObject) -> None:
    dim = data.draw(hst.integers(-x.ndim, x.ndim - 1))
    ascending = mytorch.tensor(x).sort(dim).indices.data
    np.testing.assert_array_equal(ascending, np.argsort(x, axis=dim, kind="stable"))
    descending = mytorch.argsort(mytorch.tensor(x), dim, descending=True).data
    # Stable descending: by value from the largest, ties in their original order.
    np.testing.assert_array_equal(descending, np.argsort(-x, axis=dim, kind="stable"))


@given(hst.integers(0, 12), hst.integers(1, 6))
def test_chunk_sizes_follow_pytorch_rule(size: int, chunks: int) -> None:
    pieces = mytorch.zeros(size).chunk(chunks)
    step = -(-size // chunks) if size else 0
    expected = (
        [min(step, size - start) for start in range(0, size, step)] if size else [0] * chunks
    )
    assert [p.shape[0] for p in pieces] == expected
