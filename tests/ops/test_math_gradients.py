"""Property tests of issue 12's math ops, driven by a catalogue as in test_gradients.py.

Each entry names an op, a function applying it (the ``mytorch.X`` function or
the Tensor method, both are covered), the inputs it is defined for (a
hypothesis strategy of the argument list, values kept away from the op's kinks)
and its numpy reference. Over the whole catalogue:

* the forward values against numpy;
* the gradient against central differences in float64 (``gradcheck``);
* the gradient of the gradient (every backward is written with Tensor ops).

Integer index arrays pass through ``gradcheck`` unperturbed; only float arrays
become tensors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pytest
from by_hand import check_catalogue_entry_by_hand
from hypothesis import given, settings
from hypothesis import strategies as hst
from hypothesis.extra import numpy as hnp

import mytorch
from mytorch.testing import gradcheck
from mytorch.testing import strategies as st


class Op(NamedTuple):
    name: str
    fn: Callable[..., Any]
    domain: Any
    numpy: Callable[..., Any]


def values(shape: Any = None, low: float = -3.0, high: float = 3.0, away_from: Any = None) -> Any:
    return st.arrays_in(st.shapes() if shape is None else shape, low, high, away_from)


def one(**domain: Any) -> Any:
    return hst.tuples(values(**domain)).map(list)


def off_grid(x: np.ndarray, step: float = 0.25) -> np.ndarray:
    """On a grid of ``step``, shifted by half a step: at least step/2 from every grid point."""
    return np.asarray(np.round(x / step) * step + step / 2)


def distinct(x: np.ndarray) -> np.ndarray:
    """No two elements equal: quarters plus a different small fraction each."""
    return np.asarray(
        np.round(x * 4) / 4 + np.arange(x.size).reshape(x.shape) / (4 * (x.size + 1))
    )


def distinct_magnitudes(x: np.ndarray) -> np.ndarray:
    """No two |elements| equal and none 0 (the inf-norm's kinks)."""
    signs = np.where(np.arange(x.size).reshape(x.shape) % 3 == 1, -1.0, 1.0)
    return np.asarray(signs * (1 + np.arange(x.size).reshape(x.shape) / (x.size + 1) + np.abs(x)))


@hst.composite
def one_dim(draw: Any, transform: Callable[[np.ndarray], np.ndarray] = np.asarray, **kw: Any):
    x = transform(draw(values(st.shapes(min_dims=1), **kw)))
    return [x, draw(hst.integers(-x.ndim, x.ndim - 1))]


@hst.composite
def clamp_args(draw: Any) -> list:
    """x and tensor bounds that broadcast with it; never equal to each other (kinks)."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    x_shape, low_shape, high_shape = shapes.input_shapes
    x = off_grid(draw(values(x_shape)))  # odd eighths
    low = np.asarray(np.round(draw(values(low_shape)) * 4) / 4)  # quarters
    high = np.asarray(np.round(draw(values(high_shape)) * 4) / 4 + 1 / 16)
    return [x, low, high]


@hst.composite
def mm_args(draw: Any, batch: bool = False) -> list:
    b, m, k, n = draw(hst.tuples(*[hst.integers(1, 3)] * 4))
    lead = (b,) if batch else ()
    return [draw(values((*lead, m, k))), draw(values((*lead, k, n)))]


EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ij->", [(2, 3)]),
    ("i,j->ij", [(2,), (3,)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("...ij,...jk", [(2, 2, 3), (3, 2)]),
    ("iij->j", [(2, 2, 3)]),
    ("i,i,i->", [(3,), (3,), (3,)]),
]


@hst.composite
def einsum_args(draw: Any) -> list:
    equation, shapes = draw(hst.sampled_from(EINSUMS))
    return [equation, *[draw(values(shape)) for shape in shapes]]


@hst.composite
def reduce_one(draw: Any, transform: Callable[[np.ndarray], np.ndarray] = np.asarray) -> list:
    """``[x, dim, keepdim]`` with dim None or one axis."""
    x = transform(draw(values()))
    dim = hst.none() if x.ndim == 0 else hst.none() | hst.integers(-x.ndim, x.ndim - 1)
    return [x, draw(dim), draw(hst.booleans())]


@hst.composite
def dims(draw: Any, ndim: int) -> Any:
    if ndim == 0:
        return None
    several = hst.lists(hst.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)
    return draw(hst.none() | hst.integers(-ndim, ndim - 1) | several.map(tuple))


@hst.composite
def std_args(draw: Any) -> list:
    """Shapes with every side >= 2 and distinct values: a positive spread everywhere."""
    x = distinct(draw(values(st.shapes(min_dims=1, min_side=2, max_side=3))))
    return [x, draw(dims(x.ndim)), draw(hst.booleans()), draw(hst.integers(0, 1))]


@hst.composite
def norm_args(draw: Any) -> list:
    p = draw(hst.sampled_from([2, 1, float("inf"), "fro"]))
    x = draw(values(away_from=0.0))
    if p == float("inf"):
        x = distinct_magnitudes(x)
    return [x, p, draw(dims(x.ndim)), draw(hst.booleans())]


def np_norm(x: np.ndarray, p: Any, dim: Any, keepdim: bool) -> np.ndarray:
    a = np.abs(x)
    if p == 1:
        return a.sum(axis=dim, keepdims=keepdim)
    if p == float("inf"):
        return a.max(axis=dim, keepdims=keepdim)
    return np.sqrt((a * a).sum(axis=dim, keepdims=keepdim))


@hst.composite
def sort_args(draw: Any) -> list:
    x, dim = draw(one_dim(distinct))
    return [x, dim, draw(hst.booleans())]


@hst.composite
def topk_args(draw: Any) -> list:
    x, dim = draw(one_dim(distinct))
    return [x, dim, draw(hst.integers(0, x.shape[dim])), draw(hst.booleans())]


def np_topk(x: np.ndarray, dim: int, k: int, largest: bool) -> np.ndarray:
    ordered = np.sort(x, axis=dim)
    ordered = np.flip(ordered, dim) if largest else ordered
    return np.take(ordered, np.arange(k), axis=dim)


@hst.composite
def gather_args(draw: Any) -> list:
    x, dim = draw(one_dim())
    axis = dim % x.ndim
    shape = [draw(hst.integers(1, size)) for size in x.shape]
    shape[axis] = draw(hst.integers(1, 4))
    index = draw(hnp.arrays(np.int64, tuple(shape), elements=hst.integers(0, x.shape[axis] - 1)))
    return [x, dim, index]


def np_gather(x: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    cut = tuple(
        slice(0, n) if d != dim % x.ndim else slice(None) for d, n in enumerate(index.shape)
    )
    return np.take_along_axis(x[cut], index, axis=dim)


@hst.composite
def scatter_args(draw: Any) -> list:
    x, dim, index = draw(gather_args())
    return [x, dim, index, draw(values(index.shape))]


def np_scatter_add(x: np.ndarray, dim: int, index: np.ndarray, src: np.ndarray) -> np.ndarray:
    out = x.copy()
    positions = list(np.indices(index.shape, sparse=True))
    positions[dim % x.ndim] = index
    np.add.at(out, tuple(positions), src)
    return out


@hst.composite
def index_args(draw: Any) -> list:
    x, dim = draw(one_dim())
    picks = draw(hnp.arrays(np.int64, draw(hst.integers(0, 4)), elements=hst.integers(0, 9)))
    return [x, dim, picks % x.shape[dim]]


@hst.composite
def index_add_args(draw: Any) -> list:
    x, dim, picks = draw(index_args())
    shape = list(x.shape)
    shape[dim] = picks.size
    return [x, dim, picks, draw(values(tuple(shape))), draw(hst.sampled_from([1.0, -2.0]))]


def np_index_add(x, dim, picks, source, alpha):
    out = np.moveaxis(x.copy(), dim, 0)
    np.add.at(out, picks, np.moveaxis(source, dim, 0) * alpha)
    return np.moveaxis(out, 0, dim)


@hst.composite
def mask_args(draw: Any) -> list:
    x = draw(values())
    mask_shape = draw(hst.sampled_from([x.shape, x.shape[1:], ()]))
    return [x, draw(hnp.arrays(np.bool_, mask_shape)), draw(values(()))]


@hst.composite
def split_args(draw: Any) -> list:
    x, dim = draw(one_dim())
    size = x.shape[dim]
    sections = draw(hst.integers(1, size) | hst.just(None))
    if sections is None:  # sizes that add up to the dimension's size
        cuts = sorted(draw(hst.lists(hst.integers(0, size), max_size=3)))
        sections = [b - a for a, b in zip([0, *cuts], [*cuts, size], strict=True)]
    return [x, sections, dim]


def np_split(x: np.ndarray, sections: Any, dim: int) -> np.ndarray:
    size = x.shape[dim]
    if isinstance(sections, int):
        sections = [min(sections, size - start) for start in range(0, size, sections)]
    cuts = np.cumsum(sections)[:-1]
    return np.concatenate([p.reshape(-1) for p in np.split(x, cuts, axis=dim)])


def flat(pieces: tuple[mytorch.Tensor, ...]) -> mytorch.Tensor:
    return mytorch.cat([piece.reshape(-1) for piece in pieces])


@hst.composite
def repeat_args(draw: Any) -> list:
    x = draw(values(st.shapes(max_dims=2, max_side=3)))
    extra = draw(hst.integers(0, 1))
    return [x, tuple(draw(hst.lists(hst.integers(0, 2), min_size=x.ndim + extra, max_size=3)))]


@hst.composite
def tri_args(draw: Any) -> list:
    return [draw(values(st.shapes(min_dims=2))), draw(hst.integers(-3, 3))]


@hst.composite
def remainder_args(draw: Any) -> list:
    a_shape, b_shape = draw(st.broadcastable_pair())
    a = off_grid(draw(values(a_shape)))  # odd eighths: a / b is never whole
    b = draw(hnp.arrays(np.float64, b_shape, elements=hst.sampled_from([1.0, 2.0, -1.0, -2.0])))
    return [a, b]


SMOOTH = [
    ("sin", {}, np.sin),
    ("cos", {}, np.cos),
    ("tan", {"low": -1.2, "high": 1.2}, np.tan),
    ("log1p", {"low": -0.9, "high": 3.0}, np.log1p),
    ("expm1", {}, np.expm1),
    ("log2", {"low": 0.1, "high": 3.0}, np.log2),
    ("log10", {"low": 0.1, "high": 3.0}, np.log10),
]

CATALOGUE = [
    *[Op(name, getattr(mytorch, name), one(**domain), ref) for name, domain, ref in SMOOTH],
    *[
        Op(f".{name}()", lambda x, name=name: getattr(x, name)(), one(**domain), ref)
        for name, domain, ref in SMOOTH
    ],
    Op("floor", mytorch.floor, one().map(lambda a: [off_grid(a[0], 1.0)]), np.floor),
    Op("ceil", lambda x: x.ceil(), one().map(lambda a: [off_grid(a[0], 1.0)]), np.ceil),
    Op("round", mytorch.round, one().map(lambda a: [np.asarray(np.round(a[0]))]), np.round),
    Op(
        "round(decimals=1)",
        lambda x: x.round(decimals=1),
        one().map(lambda a: [np.asarray(np.round(a[0], 1) + 0.02)]),
        lambda x: np.round(x, 1),
    ),
    Op("sign", mytorch.sign, one(away_from=0.0), np.sign),
    Op(
        "clamp(tensor bounds)",
        lambda x, lo, hi: mytorch.clamp(x, min=lo, max=hi),
        clamp_args(),
        lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi),
    ),
    Op(
        "clip(min=tensor)",
        lambda x, lo, hi: x.clip(min=lo),
        clamp_args(),
        lambda x, lo, hi: np.maximum(x, lo),
    ),
    Op("mm", mytorch.mm, mm_args(), np.matmul),
    Op("bmm", lambda a, b: a.bmm(b), mm_args(batch=True), np.matmul),
    Op(
        "dot",
        mytorch.dot,
        hst.integers(1, 4).flatmap(lambda n: hst.tuples(values((n,)), values((n,))).map(list)),
        np.dot,
    ),
    Op("einsum", mytorch.einsum, einsum_args(), np.einsum),
    Op(
        "prod (zeros likely)",
        lambda x, d, k: x.prod(d, k) if d is not None else x.prod(),
        reduce_one(lambda x: np.asarray(np.round(x))),
        lambda x, d, k: np.prod(x, axis=d, keepdims=k and d is not None),
    ),
    Op("cumsum", mytorch.cumsum, one_dim(), lambda x, d: np.cumsum(x, axis=d)),
    Op(
        "std",
        lambda x, d, k, c: mytorch.std(x, d, keepdim=k, correction=c),
        std_args(),
        lambda x, d, k, c: np.std(x, axis=d, keepdims=k, ddof=c),
    ),
    Op("norm", lambda x, p, d, k: x.norm(p, d, k), norm_args(), np_norm),
    Op(
        "sort values",
        lambda x, d, desc: mytorch.sort(x, d, desc).values,
        sort_args(),
        lambda x, d, desc: np.flip(np.sort(x, axis=d), d) if desc else np.sort(x, axis=d),
    ),
    Op(
        "topk values",
        lambda x, d, k, big: x.topk(k, d, big)[0],
        topk_args(),
        lambda x, d, k, big: np_topk(x, d, k, big),
    ),
    Op("gather", mytorch.gather, gather_args(), np_gather),
    Op("scatter_add", mytorch.scatter_add, scatter_args(), np_scatter_add),
    Op(
        "index_select",
        lambda x, d, i: x.index_select(d, i),
        index_args(),
        lambda x, d, i: np.take(x, i, axis=d),
    ),
    Op(
        "index_add",
        lambda x, d, i, s, a: x.index_add(d, i, s, alpha=a),
        index_add_args(),
        np_index_add,
    ),
    Op(
        "masked_fill",
        lambda x, m, v: x.masked_fill(m, v),
        mask_args(),
        lambda x, m, v: np.where(m, v, x),
    ),
    Op("split", lambda x, s, d: flat(mytorch.split(x, s, d)), split_args(), np_split),
    Op(
        "chunk",
        lambda x, d: flat(x.chunk(2, d)),
        one_dim(),
        lambda x, d: np_split(x, -(-x.shape[d] // 2), d),
    ),
    Op("repeat", lambda x, r: x.repeat(*r), repeat_args(), lambda x, r: np.tile(x, r)),
    Op("tile", lambda x, r: mytorch.tile(x, r[1:]), repeat_args(), lambda x, r: np.tile(x, r[1:])),
    Op("flip", lambda x, d: mytorch.flip(x, [d]), one_dim(), lambda x, d: np.flip(x, d)),
    Op("tril", lambda x, k: mytorch.tril(x, k), tri_args(), lambda x, k: np.tril(x, k)),
    Op("triu", lambda x, k: x.triu(diagonal=k), tri_args(), lambda x, k: np.triu(x, k)),
    Op("a % b", lambda a, b: a % b, remainder_args(), np.remainder),
    Op("remainder(a, b)", mytorch.remainder, remainder_args(), np.remainder),
]


def as_tensors(args: list[Any]) -> list[Any]:
    return [
        mytorch.tensor(a) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in args
    ]


def first_gradient(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``'s vector-Jacobian product (with ``create_graph=True``), to differentiate again."""

    def vjp(*args: Any) -> mytorch.Tensor:
        output = fn(*args)
        inputs = [a for a in args if isinstance(a, mytorch.Tensor) and a.requires_grad]
        direction = np.linspace(0.5, 1.5, output.data.size).reshape(output.shape)
        grads = mytorch.grad(
            output, inputs, mytorch.tensor(direction), create_graph=True, allow_unused=True
        )
        used = [g.reshape(-1) for g in grads if g is not None]
        return mytorch.cat(used) if used else mytorch.zeros(1, dtype=mytorch.float64)

    return vjp


def op_id(op: Op) -> str:
    return op.name


@pytest.mark.parametrize("op", CATALOGUE, ids=op_id)
@given(data=hst.data())
def test_forward_matches_numpy(op: Op, data: Any) -> None:
    args = data.draw(op.domain, label="args")
    expected = op.numpy(*args)
    result = op.fn(*as_tensors(args))
    assert isinstance(result, mytorch.Tensor)
    assert result.dtype == np.float64
    assert result.shape == np.shape(expected)
    np.testing.assert_allclose(result.data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("op", CATALOGUE, ids=op_id)
@given(data=hst.data())
def test_gradient_matches_finite_differences(op: Op, data: Any) -> None:
    assert gradcheck(op.fn, data.draw(op.domain, label="args"))


@pytest.mark.parametrize("op", CATALOGUE, ids=op_id)
@settings(max_examples=max(5, settings.default.max_examples // 3))
@given(data=hst.data())
def test_second_derivative_matches_finite_differences(op: Op, data: Any) -> None:
    assert gradcheck(first_gradient(op.fn), data.draw(op.domain, label="args"))


@pytest.mark.parametrize("op", CATALOGUE, ids=op_id)
@settings(max_examples=max(5, settings.default.max_examples // 3))
@given(data=hst.data())
def test_forward_and_backward_called_by_hand_match_apply(op: Op, data: Any) -> None:
    """Every op the catalogue reaches, called as the assignment's tests call it."""
    check_catalogue_entry_by_hand(op.fn, data.draw(op.domain, label="args"))
