"""Property tests of every differentiable op, driven by one catalogue.

Each catalogue entry names an op, a function applying it, and the inputs it is
defined for (a hypothesis strategy of the argument list: random shapes including
0-d and size-1 axes, broadcast pairs, values kept inside the op's domain and away
from its kinks). Three tests run over the whole catalogue:

* the forward values against numpy;
* the gradient against central differences (``gradcheck`` in float64);
* the gradient of the gradient: every backward formula is written with Tensor
  ops, so with ``create_graph=True`` a gradient can be differentiated again.

A fourth test compares a few gradients with PyTorch's, where it is installed.
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


class Fixed(NamedTuple):
    """A numpy operand held still: gradcheck perturbs only bare float arrays."""

    array: np.ndarray


class Op(NamedTuple):
    name: str
    fn: Callable[..., Any]  # applied to Tensors (and to pass-through arguments)
    domain: Any  # a strategy of the argument list
    numpy: Callable[..., Any] | None = None  # the numpy reference; None: fn works on arrays


# ------------------------------------------------------------------ domains
def values(shape: Any = None, low: float = -3.0, high: float = 3.0, away_from: Any = None) -> Any:
    return st.arrays_in(st.shapes() if shape is None else shape, low, high, away_from)


def one(**domain: Any) -> Any:
    """One array: ``[x]``."""
    return hst.tuples(values(**domain)).map(list)


def two(a: dict[str, Any] | None = None, b: dict[str, Any] | None = None) -> Any:
    """Two arrays of broadcastable shapes: ``[a, b]``."""
    return (
        st.broadcastable_pair()
        .flatmap(
            lambda pair: hst.tuples(values(pair[0], **(a or {})), values(pair[1], **(b or {})))
        )
        .map(list)
    )


def with_scalar(arrays: Any, low: float = -3.0, high: float = 3.0) -> Any:
    """``[x, s]`` with a Python float ``s`` (passed through gradcheck unchanged)."""
    return hst.tuples(arrays, hst.floats(low, high)).map(lambda t: [*t[0], t[1]])


def second_fixed(args: list[Any]) -> list[Any]:
    return [args[0], Fixed(args[1])]


def first_fixed(args: list[Any]) -> list[Any]:
    return [Fixed(args[0]), args[1]]


def quarters(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.round(x * 4) / 4)  # asarray: numpy gives 0-d results as scalars


def off_quarters(x: np.ndarray) -> np.ndarray:
    """An eighth off the quarter grid: at least 1/8 away from every quarter."""
    return np.asarray(quarters(x) + 0.125)


def no_ties(args: list[np.ndarray]) -> list[np.ndarray]:
    """maximum/minimum have a kink where a == b: a on quarters, b off them."""
    a, b = args
    return [quarters(a), off_quarters(b)]


def off_bounds(args: list[np.ndarray]) -> list[np.ndarray]:
    """clip has kinks at its bounds (integers here): keep x off the quarters."""
    return [off_quarters(args[0])]


def distinct(x: np.ndarray) -> np.ndarray:
    """No two elements equal (amax's kink): quarters plus a different fraction each."""
    return np.asarray(quarters(x) + np.arange(x.size).reshape(x.shape) / (4 * (x.size + 1)))


def dims(ndim: int) -> Any:
    """A reduction's dim: None, one axis (maybe negative), or several distinct axes."""
    if ndim == 0:
        return hst.none()
    several = hst.lists(hst.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)
    return hst.none() | hst.integers(-ndim, ndim - 1) | several.map(tuple)


@hst.composite
def reduce_args(draw: Any, transform: Callable[[np.ndarray], np.ndarray] = np.asarray) -> list:
    x = transform(draw(values()))
    return [x, draw(dims(x.ndim)), draw(hst.booleans())]


@hst.composite
def one_dim_args(draw: Any, transform: Callable[[np.ndarray], np.ndarray] = np.asarray) -> list:
    """``[x, dim, keepdim]`` with one dim, as max(dim)/softmax take (x at least 1-D)."""
    x = transform(draw(values(st.shapes(min_dims=1))))
    return [x, draw(hst.integers(-x.ndim, x.ndim - 1)), draw(hst.booleans())]


@hst.composite
def var_args(draw: Any) -> list:
    x, dim, keepdim = draw(reduce_args())
    axes = range(x.ndim) if dim is None else np.atleast_1d(dim)
    count = int(np.prod([x.shape[axis] for axis in axes]))
    # correction 1 divides by count - 1: it needs at least two elements.
    correction = draw(hst.integers(0, 1)) if count >= 2 else 0
    return [x, dim, keepdim, correction]


@hst.composite
def matmul_args(draw: Any) -> list:
    """1-D, 2-D and batched operands whose batch axes broadcast."""
    batch_a, batch_b = draw(st.broadcastable_pair(max_dims=2, max_side=3))
    m, k, n = draw(hst.tuples(*[hst.integers(1, 4)] * 3))
    a_shape = (k,) if draw(hst.booleans()) else (*batch_a, m, k)
    b_shape = (k,) if draw(hst.booleans()) else (*batch_b, k, n)
    return [draw(values(a_shape)), draw(values(b_shape))]


@hst.composite
def where_args(draw: Any) -> list:
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=4))
    condition_shape, a_shape, b_shape = shapes.input_shapes
    condition = draw(hnp.arrays(np.bool_, condition_shape))
    return [condition, draw(values(a_shape)), draw(values(b_shape))]


@hst.composite
def axis_pair_args(draw: Any) -> list:
    x = draw(values(st.shapes(min_dims=1)))
    axis = hst.integers(-x.ndim, x.ndim - 1)
    return [x, draw(axis), draw(axis)]


@hst.composite
def permute_args(draw: Any) -> list:
    x = draw(values())
    return [x, tuple(draw(hst.permutations(range(x.ndim))))]


@hst.composite
def flatten_args(draw: Any) -> list:
    x = draw(values(st.shapes(min_dims=1)))
    start, end = sorted(draw(hst.lists(hst.integers(0, x.ndim - 1), min_size=2, max_size=2)))
    # Negative dims count from the end.
    return [x, start - x.ndim * draw(hst.booleans()), end - x.ndim * draw(hst.booleans())]


@hst.composite
def unsqueeze_args(draw: Any) -> list:
    x = draw(values())
    return [x, draw(hst.integers(-x.ndim - 1, x.ndim))]


@hst.composite
def expand_args(draw: Any) -> list:
    shape, other = draw(st.broadcastable_pair())
    return [draw(values(shape)), np.broadcast_shapes(shape, other)]


@hst.composite
def basic_index_args(draw: Any) -> list:
    x = draw(values())
    return [x, draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True))]


@hst.composite
def advanced_index_args(draw: Any) -> list:
    """Integer-array indices, which may pick an element several times."""
    x = draw(values(st.shapes(min_dims=1)))
    return [x, draw(hnp.integer_array_indices(x.shape))]


@hst.composite
def mixed_index_args(draw: Any) -> list:
    """A slice, then an integer array: ``x[:, [2, 0, 2]]``."""
    x = draw(values(st.shapes(min_dims=2)))
    picks = draw(hnp.arrays(np.intp, hst.integers(1, 5), elements=hst.integers(0, x.shape[1] - 1)))
    return [x, (slice(None), picks)]


@hst.composite
def mask_args(draw: Any) -> list:
    x = draw(values())
    return [x, draw(hnp.arrays(np.bool_, x.shape))]


@hst.composite
def cat_args(draw: Any) -> list:
    """Two or three arrays equal in shape except along ``dim``, then ``dim``."""
    shape = list(draw(st.shapes(min_dims=1)))
    axis = draw(hst.integers(0, len(shape) - 1))
    arrays = []
    for size in draw(hst.lists(hst.integers(1, 3), min_size=2, max_size=3)):
        shape[axis] = size
        arrays.append(draw(values(tuple(shape))))
    return [*arrays, axis - len(shape) * draw(hst.booleans())]


@hst.composite
def stack_args(draw: Any) -> list:
    shape = draw(st.shapes())
    arrays = draw(hst.lists(values(shape), min_size=2, max_size=3))
    return [*arrays, draw(hst.integers(-len(shape) - 1, len(shape)))]


# ------------------------------------------------------- numpy references
def np_log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


def np_flatten(x: np.ndarray, start: int, end: int) -> np.ndarray:
    start, end = start % x.ndim, end % x.ndim
    return x.reshape(*x.shape[:start], -1, *x.shape[end + 1 :])


def np_squeeze(x: np.ndarray, dim: int) -> np.ndarray:
    return x.squeeze(axis=dim) if x.shape[dim] == 1 else x


POSITIVE = {"low": 0.5, "high": 3.0}
NONZERO = {"away_from": 0.0}
DENOMINATOR = {"low": -3.0, "high": 3.0, "away_from": 0.0}

CATALOGUE = [
    # arithmetic: tensor with tensor, broadcasting
    Op("add", lambda a, b: a + b, two()),
    Op("sub", lambda a, b: a - b, two()),
    Op("mul", lambda a, b: a * b, two()),
    Op("truediv", lambda a, b: a / b, two(b={**DENOMINATOR})),
    Op("neg", lambda x: -x, one()),
    Op("pow tensor exponent", lambda a, b: a**b, two(a=POSITIVE, b={"low": -2, "high": 2})),
    Op("pow float exponent", lambda x, e: x**e, with_scalar(one(**POSITIVE), -2.0, 3.0)),
    Op(
        "pow int exponent",
        lambda x, n: x**n,
        hst.tuples(one(**NONZERO), hst.integers(0, 3)).map(lambda t: [*t[0], t[1]]),
    ),
    # reversed operands and function forms, with Python scalars
    Op("scalar + x", lambda x, s: s + x, with_scalar(one())),
    Op("scalar - x", lambda x, s: s - x, with_scalar(one())),
    Op("scalar * x", lambda x, s: s * x, with_scalar(one())),
    Op("scalar / x", lambda x, s: s / x, with_scalar(one(**DENOMINATOR))),
    Op("x / scalar", lambda x, s: x / s, with_scalar(one(), 0.5, 3.0)),
    Op("x - scalar", lambda x, s: x - s, with_scalar(one())),
    Op("scalar ** x", lambda x, s: s**x, with_scalar(one(), 0.5, 3.0)),
    Op("add(scalar, x)", lambda x, s: mytorch.add(s, x), with_scalar(one()), lambda x, s: s + x),
    Op("sub(scalar, x)", lambda x, s: mytorch.sub(s, x), with_scalar(one()), lambda x, s: s - x),
    Op("mul(x, scalar)", lambda x, s: mytorch.mul(x, s), with_scalar(one()), lambda x, s: x * s),
    Op(
        "div(scalar, x)",
        lambda x, s: mytorch.div(s, x),
        with_scalar(one(**DENOMINATOR)),
        lambda x, s: s / x,
    ),
    Op(
        "pow(scalar, x)",
        lambda x, s: mytorch.pow(s, x),
        with_scalar(one(), 0.5, 3.0),
        lambda x, s: s**x,
    ),
    Op("neg(x)", mytorch.neg, one(), np.negative),
    # ... and with numpy arrays on either side
    Op("x + array", lambda x, n: x + n.array, two().map(second_fixed)),
    Op("array + x", lambda x, n: n.array + x, two().map(second_fixed)),
    Op("array - x", lambda x, n: n.array - x, two().map(second_fixed)),
    Op("array * x", lambda x, n: n.array * x, two().map(second_fixed)),
    Op("array / x", lambda x, n: n.array / x, two(a=DENOMINATOR).map(second_fixed)),
    Op("x / array", lambda x, n: x / n.array, two(b=DENOMINATOR).map(second_fixed)),
    Op("array ** x", lambda x, n: n.array**x, two(b=POSITIVE).map(second_fixed)),
    # matmul
    Op("matmul", lambda a, b: a @ b, matmul_args()),
    Op("matmul()", lambda a, b: mytorch.matmul(a, b), matmul_args(), np.matmul),
    Op("array @ x", lambda n, x: n.array @ x, matmul_args().map(first_fixed)),
    Op("x @ array", lambda x, n: x @ n.array, matmul_args().map(second_fixed)),
    # unary
    Op("exp", mytorch.exp, one(), np.exp),
    Op("log", mytorch.log, one(low=0.1, high=3.0), np.log),
    Op("sqrt", mytorch.sqrt, one(low=0.1, high=3.0), np.sqrt),
    Op("abs", mytorch.abs, one(**NONZERO), np.abs),
    Op("abs()", lambda x: abs(x), one(**NONZERO)),
    Op("tanh", mytorch.tanh, one(), np.tanh),
    Op("sigmoid", mytorch.sigmoid, one(low=-8, high=8), lambda x: 1 / (1 + np.exp(-x))),
    Op("relu", mytorch.relu, one(**NONZERO), lambda x: np.maximum(x, 0)),
    Op("clone", mytorch.clone, one(), np.copy),
    # selection
    Op("maximum", mytorch.maximum, two().map(no_ties), np.maximum),
    Op("minimum", mytorch.minimum, two().map(no_ties), np.minimum),
    Op(
        "maximum(x, scalar)",
        lambda x: mytorch.maximum(x, 0.0),
        one(**NONZERO),
        lambda x: np.maximum(x, 0.0),
    ),
    Op(
        "clip",
        lambda x: mytorch.clip(x, -1, 1),
        one().map(off_bounds),
        lambda x: np.clip(x, -1, 1),
    ),
    Op(
        "clamp(min)", lambda x: x.clamp(min=-1), one().map(off_bounds), lambda x: np.maximum(x, -1)
    ),
    Op("clip(max)", lambda x: x.clip(max=1), one().map(off_bounds), lambda x: np.minimum(x, 1)),
    Op("where", mytorch.where, where_args(), np.where),
    Op(
        "where(c, x, scalar)",
        lambda c, x: mytorch.where(c, x, 0.5),
        where_args().map(lambda a: a[:2]),
        lambda c, x: np.where(c, x, 0.5),
    ),
    # reductions
    Op(
        "sum",
        lambda x, dim, keep: x.sum(dim=dim, keepdim=keep),
        reduce_args(),
        lambda x, dim, keep: x.sum(axis=dim, keepdims=keep),
    ),
    Op(
        "sum(axis, keepdims)",
        lambda x, dim, keep: mytorch.sum(x, axis=dim, keepdims=keep),
        reduce_args(),
        lambda x, dim, keep: x.sum(axis=dim, keepdims=keep),
    ),
    Op(
        "mean",
        lambda x, dim, keep: x.mean(dim, keep),
        reduce_args(),
        lambda x, dim, keep: x.mean(axis=dim, keepdims=keep),
    ),
    Op(
        "var",
        lambda x, dim, keep, corr: x.var(dim, keepdim=keep, correction=corr),
        var_args(),
        lambda x, dim, keep, corr: x.var(axis=dim, keepdims=keep, ddof=corr),
    ),
    Op(
        "amax",
        lambda x, dim, keep: x.amax(dim, keep),
        reduce_args(distinct),
        lambda x, dim, keep: x.max(axis=dim, keepdims=keep),
    ),
    Op(
        "amin",
        lambda x, dim, keep: mytorch.amin(x, dim, keep),
        reduce_args(distinct),
        lambda x, dim, keep: x.min(axis=dim, keepdims=keep),
    ),
    Op("max()", lambda x: x.max(), one().map(lambda a: [distinct(a[0])]), np.max),
    Op("min()", lambda x: mytorch.min(x), one().map(lambda a: [distinct(a[0])]), np.min),
    Op(
        "max(dim).values",
        lambda x, dim, keep: x.max(dim, keep).values,
        one_dim_args(distinct),
        lambda x, dim, keep: x.max(axis=dim, keepdims=keep),
    ),
    Op(
        "min(dim).values",
        lambda x, dim, keep: x.min(dim=dim, keepdim=keep)[0],
        one_dim_args(distinct),
        lambda x, dim, keep: x.min(axis=dim, keepdims=keep),
    ),
    Op(
        "logsumexp",
        lambda x, dim, keep: x.logsumexp(dim, keep),
        reduce_args(),
        lambda x, dim, keep: np.log(np.exp(x).sum(axis=dim, keepdims=keep)),
    ),
    # softmax
    Op(
        "softmax",
        lambda x, dim, _: x.softmax(dim),
        one_dim_args(),
        lambda x, dim, _: np.exp(np_log_softmax(x, dim)),
    ),
    Op(
        "log_softmax",
        lambda x, dim, _: mytorch.log_softmax(x, dim=dim),
        one_dim_args(),
        lambda x, dim, _: np_log_softmax(x, dim),
    ),
    # shape
    Op("reshape", lambda x: x.reshape(*reversed(x.shape), 1), one()),
    Op("view(-1)", lambda x: x.view(-1), one(), lambda x: x.reshape(-1)),
    Op("reshape()", lambda x: mytorch.reshape(x, (1, -1)), one(), lambda x: x.reshape(1, -1)),
    Op("transpose", lambda x, i, j: x.transpose(i, j), axis_pair_args(), np.swapaxes),
    Op("permute", lambda x, dims: x.permute(*dims), permute_args(), np.transpose),
    Op("permute()", lambda x, dims: mytorch.permute(x, dims), permute_args(), np.transpose),
    Op(".T", lambda x: x.T, one()),
    Op(".mT", lambda x: x.mT, one(shape=st.shapes(min_dims=2)), lambda x: x.swapaxes(-1, -2)),
    Op("flatten", lambda x, start, end: x.flatten(start, end), flatten_args(), np_flatten),
    Op("flatten()", lambda x: mytorch.flatten(x), one(), lambda x: x.reshape(-1)),
    Op("squeeze()", lambda x: x.squeeze(), one()),
    Op(
        "squeeze(dim)",
        lambda x, d, _: x.squeeze(d),
        one_dim_args(),
        lambda x, d, _: np_squeeze(x, d),
    ),
    Op("unsqueeze", lambda x, dim: x.unsqueeze(dim), unsqueeze_args(), np.expand_dims),
    Op("expand", lambda x, shape: x.expand(*shape), expand_args(), np.broadcast_to),
    Op("broadcast_to", mytorch.broadcast_to, expand_args(), np.broadcast_to),
    # indexing and joining
    Op("getitem basic", lambda x, index: x[index], basic_index_args()),
    Op("getitem integer arrays", lambda x, index: x[index], advanced_index_args()),
    Op("getitem slice and array", lambda x, index: x[index], mixed_index_args()),
    Op("getitem bool mask", lambda x, mask: x[mask], mask_args()),
    Op(
        "cat",
        lambda *args: mytorch.cat(args[:-1], dim=args[-1]),
        cat_args(),
        lambda *args: np.concatenate(args[:-1], axis=args[-1]),
    ),
    Op(
        "stack",
        lambda *args: mytorch.stack(args[:-1], dim=args[-1]),
        stack_args(),
        lambda *args: np.stack(args[:-1], axis=args[-1]),
    ),
]


def as_tensors(args: list[Any]) -> list[Any]:
    return [
        mytorch.tensor(a) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in args
    ]


def first_gradient(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``'s vector-Jacobian product, as a function of the same arguments.

    Computed with ``create_graph=True``, so gradcheck can differentiate it again.
    """

    def vjp(*args: Any) -> mytorch.Tensor:
        output = fn(*args)
        inputs = [a for a in args if isinstance(a, mytorch.Tensor) and a.requires_grad]
        direction = np.linspace(0.5, 1.5, output.data.size).reshape(output.shape)
        grads = mytorch.grad(
            output, inputs, mytorch.tensor(direction), create_graph=True, allow_unused=True
        )
        return mytorch.cat([g.reshape(-1) for g in grads if g is not None])

    return vjp


def op_id(op: Op) -> str:
    return op.name


@pytest.mark.parametrize("op", CATALOGUE, ids=op_id)
@given(data=hst.data())
def test_forward_matches_numpy(op: Op, data: Any) -> None:
    args = data.draw(op.domain, label="args")
    expected = (op.numpy or op.fn)(*args)
    result = op.fn(*as_tensors(args))
    assert isinstance(result, mytorch.Tensor)
    assert result.dtype == np.float64
    assert result.shape == np.shape(expected)
    np.testing.assert_allclose(result.data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("op", CATALOGUE, ids=op_id)
@given(data=hst.data())
def test_gradient_matches_finite_differences(op: Op, data: Any) -> None:
    assert gradcheck(op.fn, data.draw(op.domain, label="args"))


# Each example differentiates twice; fewer examples keep the suite fast.
@pytest.mark.parametrize("op", CATALOGUE, ids=op_id)
@settings(max_examples=max(5, settings.default.max_examples // 3))
@given(data=hst.data())
def test_second_derivative_matches_finite_differences(op: Op, data: Any) -> None:
    assert gradcheck(first_gradient(op.fn), data.draw(op.domain, label="args"))


# ------------------------------------------------------------ PyTorch oracle
RNG = np.random.default_rng(0)
TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 5.0, 4.0, 5.0]])
AT_KINKS = np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 2.0])

# (name, function of (library, *tensors) written the same for both, input arrays)
TORCH_CASES = [
    ("log_softmax", lambda lib, x: x.log_softmax(dim=1), [RNG.normal(size=(3, 4)) * 10]),
    ("var", lambda lib, x: x.var(dim=0), [RNG.normal(size=(3, 4))]),
    ("var(correction=0)", lambda lib, x: x.var(dim=1, correction=0), [RNG.normal(size=(3, 4))]),
    ("amax with ties", lambda lib, x: x.amax(dim=1), [TIES]),
    ("amin of all, with ties", lambda lib, x: x.amin(), [np.abs(TIES)]),
    ("maximum with ties", lambda lib, a, b: lib.maximum(a, b), [TIES, TIES[::-1].copy()]),
    (
        "batched matmul",
        lambda lib, a, b: a @ b,
        [RNG.normal(size=s) for s in [(2, 1, 3, 4), (5, 4, 2)]],
    ),
    ("vector @ vector", lambda lib, a, b: a @ b, [RNG.normal(size=4), RNG.normal(size=4)]),
    ("repeated indices", lambda lib, x: x[[0, 0, 2], 1:], [RNG.normal(size=(3, 3))]),
    ("pow", lambda lib, a, b: a**b, [RNG.uniform(0.5, 2, size=(2, 3)), RNG.normal(size=3)]),
    ("clamp at its bounds", lambda lib, x: x.clamp(-1.0, 1.0), [AT_KINKS]),
    ("relu at 0", lambda lib, x: lib.relu(x), [AT_KINKS]),
    ("abs at 0", lambda lib, x: lib.abs(x), [AT_KINKS]),
    ("logsumexp", lambda lib, x: x.logsumexp(dim=0), [RNG.normal(size=(3, 2)) * 100]),
    ("sigmoid", lambda lib, x: lib.sigmoid(x), [RNG.normal(size=5) * 20]),
]


def library_gradients(lib: Any, fn: Callable[..., Any], arrays: list[np.ndarray]) -> list:
    inputs = [lib.tensor(array, requires_grad=True) for array in arrays]
    output = fn(lib, *inputs)
    weights = np.linspace(0.5, 1.5, output.numel()).reshape(tuple(output.shape))
    (output * lib.tensor(weights)).sum().backward()
    return [t.grad.numpy() for t in inputs]


@pytest.mark.parametrize(("name", "fn", "arrays"), TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_gradient_matches_pytorch(name: str, fn: Callable[..., Any], arrays: list) -> None:
    torch = pytest.importorskip("torch")
    expected = library_gradients(torch, fn, arrays)
    for ours, theirs in zip(library_gradients(mytorch, fn, arrays), expected, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------ called by hand
@pytest.mark.parametrize("op", CATALOGUE, ids=op_id)
@settings(max_examples=max(5, settings.default.max_examples // 3))
@given(data=hst.data())
def test_forward_and_backward_called_by_hand_match_apply(op: Op, data: Any) -> None:
    """Every op the catalogue reaches, called as the assignment's tests call it."""
    check_catalogue_entry_by_hand(op.fn, data.draw(op.domain, label="args"))
