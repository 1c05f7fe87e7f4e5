"""Issue 12's math against PyTorch itself: values, dtypes, gradients and error types.

Every case is one function written the same for both libraries (``lib`` is
``torch`` or ``mytorch``), run on the same numpy arrays. Float inputs require
grad, and the gradients of a weighted sum of the output are compared too.
Skipped where torch is not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import mytorch

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(12)
M = RNG.normal(size=(3, 4))
HALVES = np.array([[-1.5, -0.5, 0.0, 0.5], [1.5, 2.5, -2.5, 1.0], [0.0, 0.0, 3.0, -1.0]])
ZEROS = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 1.0], [1.0, 2.0, 3.0]])
TIES = np.array([[1.0, 3.0, 3.0, 1.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 5.0, 4.0, 5.0]])
INTS = np.array([[7, -7, 0], [3, 4, -2]])
BOOLS = np.array([[True, False, True], [False, False, True]])
IDX = np.array([[0, 0, 3], [2, 1, 1], [3, 3, 0]])
VEC = np.array([2, 0, 2])

# (name, function of (lib, *tensors), input arrays)
CASES: list[tuple[str, Callable[..., Any], list[np.ndarray]]] = [
    *[
        (name, lambda lib, x, name=name: getattr(lib, name)(x), [M * 0.9])
        for name in ["sin", "cos", "tan", "expm1"]
    ],
    *[
        (name, lambda lib, x, name=name: getattr(x, name)(), [np.abs(M) + 0.1])
        for name in ["log1p", "log2", "log10"]
    ],
    *[
        (f"{name} of int64", lambda lib, x, name=name: getattr(lib, name)(x), [INTS])
        for name in ["sin", "cos", "expm1", "floor", "ceil", "round", "sign"]
    ],
    ("sign of bool", lambda lib, x: lib.sign(x), [BOOLS]),
    ("floor at halves", lambda lib, x: lib.floor(x), [HALVES]),
    ("ceil at halves", lambda lib, x: x.ceil(), [HALVES]),
    ("round halves to even", lambda lib, x: lib.round(x), [HALVES]),
    ("round(decimals=2)", lambda lib, x: x.round(decimals=2), [M]),
    ("round(decimals=-1)", lambda lib, x: lib.round(x * 100, decimals=-1), [M]),
    ("sign", lambda lib, x: x.sign(), [HALVES]),
    (
        "isnan/isinf/isfinite",
        lambda lib, x: lib.stack([lib.isnan(x), x.isinf(), x.isfinite()]),
        [np.array([1.0, np.nan, np.inf, -np.inf])],
    ),
    (
        "clamp tensor bounds at ties",
        lambda lib, x, lo, hi: lib.clamp(x, lo, hi),
        [HALVES, HALVES[:, :1].copy(), np.full(4, 0.5)],
    ),
    (
        "clamp min > max",
        lambda lib, x, lo, hi: x.clamp(min=lo, max=hi),
        [M, np.full((3, 1), 1.0), np.full(4, -1.0)],
    ),
    ("clamp broadcasts the input", lambda lib, x, lo: lib.clamp(x, min=lo), [M[0], M]),
    ("clip(max=tensor)", lambda lib, x, hi: x.clip(max=hi), [M, M[1]]),
    ("mm", lambda lib, a, b: lib.mm(a, b), [M, M.T.copy()]),
    ("Tensor.mm", lambda lib, a, b: a.mm(b), [M.T.copy(), M]),
    (
        "bmm",
        lambda lib, a, b: lib.bmm(a, b),
        [RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 4, 2))],
    ),
    ("dot", lambda lib, a, b: lib.dot(a, b), [M[0], M[1]]),
    ("einsum trace", lambda lib, a: lib.einsum("ii", a), [M[:, :3].copy()]),
    (
        "einsum batch",
        lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b),
        [RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 4, 2))],
    ),
    ("einsum list form", lambda lib, a, b: lib.einsum("i,j", [a, b]), [M[0], M[1]]),
    (
        "einsum ellipsis",
        lambda lib, a, b: lib.einsum("...ij,...j->...i", a, b),
        [RNG.normal(size=(2, 3, 4)), M[0]],
    ),
    ("prod with zeros", lambda lib, x: lib.prod(x), [ZEROS]),
    ("prod(dim) with zeros", lambda lib, x: x.prod(1), [ZEROS]),
    ("prod(dim, keepdim)", lambda lib, x: x.prod(0, keepdim=True), [M]),
    ("prod of int64", lambda lib, x: lib.prod(x, 1), [INTS]),
    ("prod of bool", lambda lib, x: x.prod(), [BOOLS]),
    ("cumsum", lambda lib, x: lib.cumsum(x, dim=1), [M]),
    ("cumsum of bool", lambda lib, x: x.cumsum(0), [BOOLS]),
    ("cumsum of int64", lambda lib, x: x.cumsum(-1), [INTS]),
    ("std", lambda lib, x: x.std(), [M]),
    ("std(dim, unbiased=False)", lambda lib, x: lib.std(x, 1, unbiased=False), [M]),
    ("std(correction=0, keepdim)", lambda lib, x: x.std(0, correction=0, keepdim=True), [M]),
    ("norm", lambda lib, x: lib.norm(x), [M]),
    ("norm at 0", lambda lib, x: x.norm(dim=1), [ZEROS * np.array([[0.0], [1.0], [1.0]])]),
    ("norm p=1 at 0", lambda lib, x: x.norm(p=1, dim=0), [ZEROS]),
    ("norm p=inf with ties", lambda lib, x: lib.norm(x, p=float("inf"), dim=1), [TIES]),
    ("norm fro keepdim", lambda lib, x: x.norm("fro", dim=(0, 1), keepdim=True), [M]),
    ("all/any", lambda lib, x: lib.stack([lib.all(x, 1), x.any(1), x.all(0)[:2]]), [BOOLS]),
    ("all of floats", lambda lib, x: lib.stack([x.all(), lib.any(x)]), [ZEROS]),
    ("any(keepdim)", lambda lib, x: lib.any(x, 0, keepdim=True), [INTS]),
    ("sort stable", lambda lib, x: lib.sort(x, dim=1, stable=True).values, [TIES]),
    ("sort indices", lambda lib, x: lib.sort(x, dim=1, stable=True).indices, [TIES]),
    ("sort descending", lambda lib, x: x.sort(dim=1, descending=True, stable=True)[0], [TIES]),
    (
        "sort descending indices",
        lambda lib, x: x.sort(dim=0, descending=True, stable=True)[1],
        [TIES],
    ),
    (
        "sort with nan",
        lambda lib, x: lib.sort(x, stable=True, descending=True).indices,
        [np.array([1.0, np.nan, 3.0, 1.0])],
    ),
    ("argsort", lambda lib, x: lib.argsort(x, dim=0, stable=True), [TIES]),
    ("argsort descending", lambda lib, x: x.argsort(descending=True, stable=True), [TIES]),
    ("topk", lambda lib, x: x.topk(2).values, [M]),
    ("topk indices", lambda lib, x: lib.topk(x, 2, dim=0).indices, [M]),
    ("topk smallest", lambda lib, x: lib.topk(x, 3, largest=False)[0], [M]),
    ("gather", lambda lib, x, i: lib.gather(x, 1, i), [M, IDX]),
    ("gather smaller index", lambda lib, x, i: x.gather(0, i[:2, :2]), [M, IDX % 3]),
    ("scatter_add", lambda lib, x, s, i: lib.scatter_add(x, 1, i, s), [M, M[:, :3].copy(), IDX]),
    (
        "Tensor.scatter_add",
        lambda lib, x, s, i: x.scatter_add(0, i % 3, s),
        [M, M[:, :3].copy(), IDX],
    ),
    ("index_select", lambda lib, x, i: lib.index_select(x, 1, i), [M, VEC]),
    ("index_add", lambda lib, x, s, i: lib.index_add(x, 0, i, s), [M, M.copy(), VEC]),
    (
        "index_add alpha",
        lambda lib, x, s, i: x.index_add(1, i, s, alpha=-2.0),
        [M, M[:, :3].copy(), VEC],
    ),
    ("masked_fill", lambda lib, x, m: x.masked_fill(m, -1.0), [M[:2, :3].copy(), BOOLS]),
    (
        "masked_fill tensor value",
        lambda lib, x, v, m: lib.masked_fill(x, m, v),
        [M[:2, :3].copy(), np.array(2.0), BOOLS[0]],
    ),
    ("chunk", lambda lib, x: lib.cat([p.reshape(-1) for p in lib.chunk(x, 3, dim=1)]), [M]),
    ("chunk count", lambda lib, x: lib.tensor(float(len(x.chunk(4)))), [np.zeros(5)]),
    (
        "split int",
        lambda lib, x: lib.cat([p.reshape(-1) * (i + 1) for i, p in enumerate(x.split(3, 1))]),
        [M],
    ),
    (
        "split sizes",
        lambda lib, x: lib.cat(
            [p.reshape(-1) * (i + 1) for i, p in enumerate(lib.split(x, [1, 2]))]
        ),
        [M],
    ),
    ("repeat", lambda lib, x: x.repeat(2, 1, 3), [M]),
    ("tile", lambda lib, x: lib.tile(x, (2,)), [M]),
    ("Tensor.tile", lambda lib, x: x.tile(2, 1, 1), [M]),
    ("flip", lambda lib, x: lib.flip(x, [0, 1]), [M]),
    ("Tensor.flip", lambda lib, x: x.flip(1), [M]),
    ("flip(dims=)", lambda lib, x: lib.flip(x, dims=(0,)), [M]),
    ("tril", lambda lib, x: lib.tril(x), [M]),
    (
        "tril(diagonal=-1) batched",
        lambda lib, x: x.tril(diagonal=-1),
        [RNG.normal(size=(2, 3, 3))],
    ),
    ("triu(1)", lambda lib, x: lib.triu(x, 1), [M]),
    ("t()", lambda lib, x: x.t(), [M]),
    ("t() of 1-D", lambda lib, x: x.t(), [M[0]]),
    (
        "view_as / reshape_as",
        lambda lib, x, y: x.view_as(y) + x.reshape_as(y),
        [M, M.reshape(6, 2)],
    ),
    ("expand_as", lambda lib, x, y: x.expand_as(y), [M[:1], M]),
    ("contiguous", lambda lib, x: x.t().contiguous().view(-1), [M]),
    (
        "eq/ne/lt/le/gt/ge",
        lambda lib, a, b: lib.stack([a.eq(b), a.ne(b), a.lt(b), a.le(b), a.gt(b), a.ge(b)]),
        [TIES, TIES[::-1].copy()],
    ),
    (
        "floor divide floats",
        lambda lib, a, b: a.detach() // b.detach(),
        [HALVES, np.array([2.0, -2.0, 0.5, 3.0])],
    ),
    ("floor divide ints", lambda lib, a: a // 2, [INTS]),
    ("floor divide reflected", lambda lib, a: 7 // (a + 10), [INTS]),
    ("remainder floats", lambda lib, a, b: a % b, [HALVES, np.array([2.0, -2.0, 0.75, 3.0])]),
    ("remainder ints", lambda lib, a: a % 3, [INTS]),
    ("remainder negative divisor", lambda lib, a: lib.remainder(a, -3), [INTS]),
    ("reflected remainder", lambda lib, a: 7.5 % a.detach(), [np.abs(M) + 0.5]),
    ("bitwise ints", lambda lib, a: lib.stack([a & 6, a | 1, a ^ 5, ~a, 3 & a]), [INTS]),
    (
        "bitwise bools",
        lambda lib, a, b: lib.stack([a & b, a | b, a ^ b, ~a, a & True]),
        [BOOLS, BOOLS[::-1].copy()],
    ),
    (
        "bitwise functions",
        lambda lib, a, b: lib.bitwise_xor(lib.bitwise_and(a, b), lib.bitwise_not(b)),
        [INTS, INTS[::-1].copy()],
    ),
]


def run(lib: Any, fn: Callable[..., Any], arrays: list[np.ndarray]) -> tuple[Any, list]:
    inputs = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    output = fn(lib, *inputs)
    grads = []
    if output.requires_grad:
        weights = lib.tensor(np.linspace(0.5, 1.5, output.numel()).reshape(tuple(output.shape)))
        (output * weights).sum().backward()
        grads = [t.grad.numpy() if t.grad is not None else None for t in inputs if t.requires_grad]
    return output, grads


def dtype_name(dtype: Any) -> str:
    return str(dtype).replace("torch.", "")


@pytest.mark.parametrize(("name", "fn", "arrays"), CASES, ids=[case[0] for case in CASES])
def test_matches_pytorch(name: str, fn: Callable[..., Any], arrays: list[np.ndarray]) -> None:
    theirs, their_grads = run(torch, fn, arrays)
    ours, our_grads = run(mytorch, fn, arrays)
    assert isinstance(ours, mytorch.Tensor)
    assert ours.shape == tuple(theirs.shape)
    assert dtype_name(ours.dtype) == dtype_name(theirs.dtype)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6, atol=1e-12)
    assert ours.requires_grad == theirs.requires_grad
    assert len(our_grads) == len(their_grads)
    for mine, expected in zip(our_grads, their_grads, strict=True):
        if expected is None:
            assert mine is None or not np.any(mine)
        else:
            np.testing.assert_allclose(mine, expected, rtol=1e-10, atol=1e-12)


def test_int_input_to_a_float_function_gives_the_default_float_dtype() -> None:
    ints = mytorch.tensor(INTS)
    assert mytorch.sin(ints).dtype == mytorch.get_default_dtype()
    mytorch.set_default_dtype(mytorch.float64)
    try:
        assert abs(ints).log1p().dtype == np.float64
    finally:
        mytorch.set_default_dtype(mytorch.float32)


# (name, call on (lib), the error types: ours, theirs)
ERRORS = [
    ("& on floats", lambda lib: lib.tensor(M) & lib.tensor(M), NotImplementedError),
    ("| with a float scalar", lambda lib: lib.tensor(INTS) | 1.5, NotImplementedError),
    ("~ on floats", lambda lib: ~lib.tensor(M), TypeError),
    ("// of bools", lambda lib: lib.tensor(BOOLS) // lib.tensor(BOOLS), NotImplementedError),
    ("integer // 0", lambda lib: lib.tensor(INTS) // 0, (ZeroDivisionError, RuntimeError)),
    ("sum(dim=1.5)", lambda lib: lib.tensor(M).sum(dim=1.5), TypeError),
    ("max(dim=0) of (0, 3)", lambda lib: lib.zeros(0, 3).max(dim=0), IndexError),
    ("argmax(dim=0) of (0, 3)", lambda lib: lib.zeros(0, 3).argmax(dim=0), IndexError),
    ("size(5)", lambda lib: lib.zeros(2, 3).size(5), IndexError),
    ("clamp with no bounds", lambda lib: lib.clamp(lib.tensor(M)), (ValueError, RuntimeError)),
    ("std of int64", lambda lib: lib.tensor(INTS).std(), (TypeError, RuntimeError)),
    ("norm of int64", lambda lib: lib.tensor(INTS).norm(), (TypeError, RuntimeError)),
    (
        "allclose float32/float64",
        lambda lib: lib.allclose(lib.zeros(2), lib.zeros(2, dtype=lib.float64)),
        (TypeError, RuntimeError),
    ),
]


@pytest.mark.parametrize(("name", "call", "error"), ERRORS, ids=[case[0] for case in ERRORS])
def test_error_types_match_pytorch(name: str, call: Callable[..., Any], error: Any) -> None:
    with pytest.raises(error):
        call(torch)
    with pytest.raises(error):
        call(mytorch)


@pytest.mark.parametrize(("shape", "dim"), [((3, 0), 1), ((0, 3), 0), ((0, 3), 1), ((2, 0, 3), 1)])
def test_softmax_family_over_empty_dims_matches_pytorch(shape: tuple[int, ...], dim: int) -> None:
    for name in ["softmax", "log_softmax", "logsumexp"]:
        theirs = getattr(torch, name)(torch.zeros(shape, requires_grad=True), dim)
        x = mytorch.zeros(*shape, requires_grad=True)
        ours = getattr(mytorch, name)(x, dim)
        assert ours.shape == tuple(theirs.shape), name
        np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
        ours.sum().backward()
        assert x.grad.shape == shape


def test_max_along_the_full_dim_of_an_empty_tensor_matches_pytorch() -> None:
    theirs = torch.zeros(0, 3).max(dim=1)
    x = mytorch.zeros(0, 3, requires_grad=True)
    ours = x.max(dim=1)
    assert ours.values.shape == tuple(theirs.values.shape) == (0,)
    assert ours.indices.dtype == np.int64
    ours.values.sum().backward()
    assert x.grad.shape == (0, 3)
    assert mytorch.zeros(3, 0).min(dim=0).values.shape == (0,)
