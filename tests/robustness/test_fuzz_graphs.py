"""Fuzzed computation graphs: random programs over the whole op catalogue.

A program is 1 to 4 float64 leaves of broadcast-compatible shapes and 1 to 24 steps;
each step applies one op of CATALOGUE to earlier nodes (leaves or results), so nodes
are reused by several ops (fan-out) and ops join several nodes (fan-in). Its objective
is a random-weighted sum of every node no step consumed, so every leaf reaches it.

An op is applied only where it is smooth under a finite-difference step: operands of
log, sqrt, division and fractional powers at least 0.3, of exp at most 3, of abs, relu,
clamp, maximum/minimum and amax/amin at least MARGIN from the kink or tie, and every
value bounded by BOUND (a step with no operand that fits becomes ``tanh``). Then
central differences in float64 are accurate to about 1e-9, well within the 1e-6
asked for, and each program checks

* every leaf's gradient (``backward``) against central differences of the objective;
* the Hessian-vector product from ``create_graph=True`` (the gradient of
  ``grad . v``) against central differences of the gradient along ``v``;
* with PyTorch installed, every node's value, gradient and Hessian-vector product
  against PyTorch's on the same program, to 1e-10.

Both oracles run on the same programs: with the "ci" profile's ``derandomize``, the
examples depend only on the test function, which the two parametrisations share.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as hst
from hypothesis.extra import numpy as hnp

import mytorch

MARGIN, BOUND, EPS = 0.05, 20.0, 1e-6
MAX_STEPS = 24
# Programs per run and oracle: a multiple of the profile's budget ("ci": 30 -> 600).
GRAPHS = 20 * settings().max_examples


class Step(NamedTuple):
    op: str
    inputs: tuple[int, ...]  # indices of earlier nodes
    params: Any


class Program(NamedTuple):
    leaves: list[np.ndarray]
    steps: list[Step]
    sinks: list[int]  # the nodes no step consumed
    weights: list[np.ndarray]  # the objective is sum(sum(node * weight) for each sink)


class Op(NamedTuple):
    # pick(draw, values, first) -> (inputs, params), or None where the op does not fit.
    pick: Callable[..., tuple[tuple[int, ...], Any] | None]
    apply: Callable[..., Any]  # apply(backend, params, *tensors)


# ------------------------------------------------------------ smoothness rules
def positive(a: np.ndarray) -> bool:
    return bool(np.all(a >= 0.3))


def off_kink(a: np.ndarray, at: float = 0.0) -> bool:
    return bool(np.all(np.abs(a - at) >= MARGIN))


def broadcasts(a: np.ndarray, b: np.ndarray) -> bool:
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        return False
    return True


def clear_extremum(a: np.ndarray, axes: tuple[int, ...], largest: bool) -> bool:
    """Whether every slice over ``axes`` has one extreme element, MARGIN ahead of the next."""
    rest = [axis for axis in range(a.ndim) if axis not in axes]
    rows = np.sort(a.transpose(*rest, *axes).reshape(-1, int(np.prod([a.shape[i] for i in axes]))))
    if rows.shape[1] < 2:
        return True
    gaps = rows[:, -1] - rows[:, -2] if largest else rows[:, 1] - rows[:, 0]
    return bool(np.all(gaps >= MARGIN))


# ------------------------------------------------------------------ op kinds
def preferred(first: int, count: int) -> list[int]:
    """Node indices to try as first operand: ``first``, then the newest nodes."""
    return [first, *(i for i in reversed(range(count)) if i != first)]


def unary(apply: Callable[..., Any], ok: Callable[[np.ndarray], bool] = lambda a: True) -> Op:
    def pick(draw, values, first):
        fitting = [i for i in preferred(first, len(values)) if ok(values[i])]
        return ((fitting[0],), None) if fitting else None

    return Op(pick, lambda B, p, x: apply(x))


def binary(apply: Callable[..., Any], fits: Callable[..., bool] = lambda a, b: True) -> Op:
    def pick(draw, values, first):
        for i in preferred(first, len(values)):
            a = values[i]
            partners = [j for j, b in enumerate(values) if broadcasts(a, b) and fits(a, b)]
            if partners:
                return (i, draw(hst.sampled_from(partners))), None
        return None

    return Op(pick, lambda B, p, a, b: apply(a, b))


def with_params(draw_params: Callable[..., Any], apply: Callable[..., Any]) -> Op:
    """A unary op whose parameters ``draw_params(draw, value)`` draws (None: no fit)."""

    def pick(draw, values, first):
        for i in preferred(first, len(values))[:3]:
            params = draw_params(draw, values[i])
            if params is not None:
                return (i,), params
        return None

    return Op(pick, lambda B, p, x: apply(B, x, p))


def dims(draw, a: np.ndarray, min_count: int = 1) -> tuple[int, ...] | None:
    """A non-empty set of a's dimensions, some written negatively (0-d: dim 0 or -1)."""
    if a.ndim == 0:
        return (draw(hst.sampled_from([0, -1])),) if min_count == 1 else None
    chosen = draw(hst.lists(hst.integers(0, a.ndim - 1), min_size=1, max_size=a.ndim, unique=True))
    if int(np.prod([a.shape[d] for d in chosen])) < min_count:
        return None
    return tuple(d - a.ndim if draw(hst.booleans()) else d for d in chosen)


def reduction(name: str, ok: Callable[..., bool] = lambda a, axes: True, count: int = 1) -> Op:
    def draw_params(draw, a):
        chosen = dims(draw, a, count)
        if chosen is None or not ok(a, tuple(d % max(a.ndim, 1) for d in chosen) * (a.ndim > 0)):
            return None
        return (chosen if len(chosen) > 1 else chosen[0], draw(hst.booleans()))

    return with_params(draw_params, lambda B, x, p: getattr(x, name)(dim=p[0], keepdim=p[1]))


def one_dim(draw, a: np.ndarray, extra: int = 0) -> int | None:
    size = a.ndim + extra
    return draw(hst.integers(-size, size - 1)) if size > 0 else None


def reshape_params(draw, a: np.ndarray) -> tuple[int, ...]:
    n = a.size
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    shapes = [(n,), (1, n), a.shape[::-1], (-1,)] + [(d, -1) for d in divisors]
    shapes += [(d, 1, n // d) for d in divisors]
    return draw(hst.sampled_from(shapes))


def permute_params(draw, a: np.ndarray) -> list[int] | None:
    return draw(hst.permutations(range(a.ndim))) if a.ndim >= 2 else None


def squeeze_params(draw, a: np.ndarray) -> int | None:
    ones = [d for d, size in enumerate(a.shape) if size == 1]
    return draw(hst.sampled_from(ones)) - draw(hst.sampled_from([0, a.ndim])) if ones else None


def flatten_params(draw, a: np.ndarray) -> tuple[int, int] | None:
    if a.ndim == 0:
        return None
    start = draw(hst.integers(0, a.ndim - 1))
    return start, draw(hst.integers(start, a.ndim - 1)) - draw(hst.sampled_from([0, a.ndim]))


def expand_params(draw, a: np.ndarray) -> tuple[int, ...]:
    sizes = tuple(draw(hst.sampled_from([2, 3])) if s == 1 else -1 for s in a.shape)
    return (2, *sizes) if draw(hst.booleans()) or not sizes else sizes


def positions(draw, size: int, count: int | None = None) -> np.ndarray:
    """Indices into an axis of ``size``, repeats likely: 1 to 5 of them, or ``count``."""
    low, high = (1, 5) if count is None else (count, count)
    return np.array(draw(hst.lists(hst.integers(0, size - 1), min_size=low, max_size=high)))


def index_params(draw, a: np.ndarray) -> tuple[Any, ...] | None:
    """Basic (a slice, an int) or advanced (arrays with repeated indices) indices."""
    if a.ndim == 0:
        return None
    kind = draw(hst.sampled_from(["slice", "int", "rows", "columns", "pairs"]))
    if kind == "slice":
        return (slice(draw(hst.integers(0, a.shape[0] - 1)), None, draw(hst.integers(1, 2))),)
    if kind == "int":
        return (draw(hst.integers(-a.shape[0], a.shape[0] - 1)),)
    if kind == "columns" and a.ndim >= 2:
        return (slice(None), positions(draw, a.shape[1]))
    rows = positions(draw, a.shape[0])
    if kind == "pairs" and a.ndim >= 2:
        return rows, positions(draw, a.shape[1], len(rows))
    return (rows,)


def clamp_params(draw, a: np.ndarray) -> tuple[float, float] | None:
    low = draw(hst.sampled_from([-1.0, -0.5, 0.0]))
    high = low + draw(hst.sampled_from([0.5, 1.0, 2.0]))
    return (low, high) if off_kink(a, low) and off_kink(a, high) else None


def pow_params(draw, a: np.ndarray) -> float:
    return draw(hst.sampled_from([0.5, 1.5, -1.0, 2.0] if positive(a) else [2.0, 3.0]))


def scalar_params(draw, a: np.ndarray) -> tuple[str, float] | None:
    form, c = draw(hst.sampled_from(["x*c", "x+c", "c-x", "x/c", "c/x"])), 1.5
    return None if form == "c/x" and not positive(a) else (form, c)


SCALAR_FORMS = {
    "x*c": lambda x, c: x * c,
    "x+c": lambda x, c: x + c,
    "c-x": lambda x, c: c - x,
    "x/c": lambda x, c: x / c,
    "c/x": lambda x, c: c / x,
}


def joined(stack: bool) -> Op:
    """cat (same shape but along dim) or stack (same shape) of 2 or 3 nodes, repeats allowed."""

    def pick(draw, values, first):
        a = values[first]
        if not stack and a.ndim == 0:
            return None
        dim = one_dim(draw, a, extra=1 if stack else 0)
        axis = dim % (a.ndim + stack)

        def fits(b):
            if stack or b.ndim != a.ndim:
                return b.shape == a.shape
            return all(s == t for i, (s, t) in enumerate(zip(a.shape, b.shape)) if i != axis)

        others = [j for j, b in enumerate(values) if fits(b)]
        rest = draw(hst.lists(hst.sampled_from(others), min_size=1, max_size=2))
        return (first, *rest), dim

    def apply(B, dim, *tensors):
        return (B.stack if stack else B.cat)(list(tensors), dim)

    return Op(pick, apply)


def matmul_fits(a: np.ndarray, b: np.ndarray) -> bool:
    try:  # numpy's own rules, on zeros of the same shapes
        np.matmul(np.zeros(a.shape), np.zeros(b.shape))
    except ValueError:
        return False
    return a.ndim > 0 and b.ndim > 0


def matmul() -> Op:
    def pick(draw, values, first):
        partners = [j for j, b in enumerate(values) if matmul_fits(values[first], b)]
        return ((first, draw(hst.sampled_from(partners))), None) if partners else None

    return Op(pick, lambda B, p, a, b: a @ b)


def where() -> Op:
    def pick(draw, values, first):
        a = values[first]
        j = draw(hst.sampled_from([j for j, b in enumerate(values) if broadcasts(a, b)]))
        shape = np.broadcast_shapes(a.shape, values[j].shape)
        return (first, j), draw(hnp.arrays(np.bool_, shape))

    return Op(pick, lambda B, mask, a, b: B.where(B.const(mask), a, b))


CATALOGUE: dict[str, Op] = {
    "neg": unary(lambda x: -x),
    "exp": unary(lambda x: x.exp(), lambda a: bool(np.all(a <= 3))),
    "log": unary(lambda x: x.log(), positive),
    "sqrt": unary(lambda x: x.sqrt(), positive),
    "tanh": unary(lambda x: x.tanh()),
    "sigmoid": unary(lambda x: x.sigmoid()),
    "abs": unary(lambda x: x.abs(), off_kink),
    "relu": unary(lambda x: x.relu(), off_kink),
    "square": unary(lambda x: x * x),  # one node, consumed twice by one op
    "clone": unary(lambda x: x.clone()),
    "pow": with_params(pow_params, lambda B, x, p: x**p),
    "scalar": with_params(scalar_params, lambda B, x, p: SCALAR_FORMS[p[0]](x, p[1])),
    "clamp": with_params(clamp_params, lambda B, x, p: x.clamp(*p)),
    "add": binary(lambda a, b: a + b),
    "sub": binary(lambda a, b: a - b),
    "mul": binary(lambda a, b: a * b),
    "div": binary(lambda a, b: a / b, lambda a, b: positive(b)),
    "maximum": binary(lambda a, b: a.maximum(b), lambda a, b: off_kink(a - b)),
    "minimum": binary(lambda a, b: a.minimum(b), lambda a, b: off_kink(a - b)),
    "where": where(),
    "matmul": matmul(),
    "sum": reduction("sum"),
    "mean": reduction("mean"),
    "var": reduction("var", count=2),  # the unbiased variance needs two values
    "logsumexp": reduction("logsumexp"),
    "amax": reduction("amax", lambda a, axes: clear_extremum(a, axes, largest=True)),
    "amin": reduction("amin", lambda a, axes: clear_extremum(a, axes, largest=False)),
    "softmax": with_params(one_dim, lambda B, x, d: x.softmax(d)),
    "log_softmax": with_params(one_dim, lambda B, x, d: x.log_softmax(d)),
    "reshape": with_params(reshape_params, lambda B, x, shape: x.reshape(shape)),
    "permute": with_params(permute_params, lambda B, x, order: x.permute(*order)),
    "transpose": with_params(
        lambda draw, a: (one_dim(draw, a), one_dim(draw, a)) if a.ndim else None,
        lambda B, x, p: x.transpose(*p),
    ),
    "unsqueeze": with_params(
        lambda draw, a: one_dim(draw, a, extra=1), lambda B, x, d: x.unsqueeze(d)
    ),
    "squeeze": with_params(squeeze_params, lambda B, x, d: x.squeeze(d)),
    "expand": with_params(expand_params, lambda B, x, sizes: x.expand(*sizes)),
    "flatten": with_params(flatten_params, lambda B, x, p: x.flatten(*p)),
    "index": with_params(index_params, lambda B, x, index: B.index(x, index)),
    "cat": joined(stack=False),
    "stack": joined(stack=True),
}
NAMES = sorted(CATALOGUE)


# ------------------------------------------------------------------ programs
class MyTorchBackend:
    cat, stack, where, grad = mytorch.cat, mytorch.stack, mytorch.where, mytorch.grad

    @staticmethod
    def leaf(array: np.ndarray) -> mytorch.Tensor:
        return mytorch.tensor(array, requires_grad=True)

    @staticmethod
    def const(array: Any) -> mytorch.Tensor:
        return mytorch.Tensor(np.asarray(array))

    @staticmethod
    def index(x: Any, index: tuple[Any, ...]) -> Any:
        return x[index]

    @staticmethod
    def numpy(tensor: mytorch.Tensor) -> np.ndarray:
        return tensor.detach().numpy()


def torch_backend() -> Any:
    torch = pytest.importorskip("torch")

    class TorchBackend:
        cat, stack, where, grad = torch.cat, torch.stack, torch.where, torch.autograd.grad
        const = torch.as_tensor

        @staticmethod
        def leaf(array: np.ndarray) -> Any:
            return torch.tensor(array, dtype=torch.float64, requires_grad=True)

        @staticmethod
        def index(x: Any, index: tuple[Any, ...]) -> Any:
            return x[tuple(torch.as_tensor(i) if isinstance(i, np.ndarray) else i for i in index)]

        @staticmethod
        def numpy(tensor: Any) -> np.ndarray:
            # clone() makes torch's lazy zero tensors (ZeroTensor, without storage) ordinary
            # ones: numpy(force=True) on a 0-d ZeroTensor can crash torch 2.13 (segfault).
            return tensor.detach().clone().numpy()

    return TorchBackend


@hst.composite
def programs(draw: Any) -> Program:
    count = draw(hst.integers(1, 4))
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=count, max_dims=3, max_side=4))
    rng = np.random.default_rng(draw(hst.integers(0, 2**32 - 1)))
    # Some leaves positive, in the domain of log, sqrt and division.
    bounds = [draw(hst.sampled_from([(-1.5, 1.5), (0.3, 2.0)])) for _ in range(count)]
    leaves = [np.asarray(rng.uniform(*b, shape)) for b, shape in zip(bounds, shapes.input_shapes)]
    values, steps = list(leaves), []
    for _ in range(rng.integers(1, MAX_STEPS + 1)):
        # From the program's generator: hypothesis favours the first items of a list.
        name = NAMES[rng.integers(len(NAMES))]
        # Mostly the newest node, so that chains grow deep.
        first = len(values) - 1 if rng.random() < 0.7 else int(rng.integers(len(values)))
        picked = CATALOGUE[name].pick(draw, values, first)
        value = None if picked is None else evaluate(name, picked, values)
        if value is None or not np.all(np.abs(value) <= BOUND):
            event(f"{name} did not fit: tanh instead")
            name, picked = "tanh", ((first,), None)
            value = evaluate(name, picked, values)
        steps.append(Step(name, *picked))
        values.append(value)
    consumed = {i for step in steps for i in step.inputs}
    sinks = [i for i in range(len(values)) if i not in consumed]
    weights = [np.asarray(rng.uniform(-1, 1, values[i].shape)) for i in sinks]
    return Program(leaves, steps, sinks, weights)


def evaluate(name: str, picked: tuple[tuple[int, ...], Any], values: list[np.ndarray]) -> Any:
    inputs, params = picked
    tensors = [mytorch.Tensor(values[i]) for i in inputs]
    return CATALOGUE[name].apply(MyTorchBackend, params, *tensors).data


def run(program: Program, B: Any, leaves: list[Any]) -> tuple[list[Any], Any]:
    """Every node of ``program`` and its objective, computed with backend ``B``."""
    nodes = list(leaves)
    for step in program.steps:
        nodes.append(CATALOGUE[step.op].apply(B, step.params, *(nodes[i] for i in step.inputs)))
    total = 0
    for index, weight in zip(program.sinks, program.weights):
        total = total + (nodes[index] * B.const(weight)).sum()
    return nodes, total


def as_arrays(B: Any, tensors: Any, like: list[np.ndarray]) -> list[np.ndarray]:
    """The tensors as arrays; None (no gradient) as zeros like the matching array."""
    return [np.zeros_like(a) if t is None else B.numpy(t) for t, a in zip(tensors, like)]


def gradients(program: Program, B: Any, at: list[np.ndarray]) -> tuple[list[Any], list[Any]]:
    """Every node's value, and every leaf's gradient from ``backward`` at ``at``."""
    leaves = [B.leaf(a) for a in at]
    nodes, total = run(program, B, leaves)
    total.backward()
    return [B.numpy(node) for node in nodes], as_arrays(B, [leaf.grad for leaf in leaves], at)


def hessian_vector(program: Program, B: Any, direction: list[np.ndarray]) -> list[np.ndarray]:
    """The gradient of ``sum(grad_i . direction_i)``, through ``create_graph=True``."""
    leaves = [B.leaf(a) for a in program.leaves]
    _, total = run(program, B, leaves)
    grads = B.grad(total, leaves, create_graph=True, allow_unused=True)
    dot = None
    for grad, v in zip(grads, direction):
        if grad is not None and grad.requires_grad:  # else the gradient is constant here
            term = (grad * B.const(v)).sum()
            dot = term if dot is None else dot + term
    if dot is None:
        return [np.zeros_like(a) for a in program.leaves]
    return as_arrays(B, B.grad(dot, leaves, allow_unused=True), program.leaves)


def numerical_gradients(program: Program) -> list[np.ndarray]:
    """Central differences of the objective, one leaf element at a time."""
    arrays = [a.copy() for a in program.leaves]

    def objective() -> float:
        with mytorch.no_grad():
            return run(program, MyTorchBackend, [mytorch.Tensor(a) for a in arrays])[1].item()

    result = []
    for array in arrays:
        grad = np.zeros_like(array)
        for i in np.ndindex(array.shape):
            start = array[i]
            array[i] = start + EPS
            plus = objective()
            array[i] = start - EPS
            minus = objective()
            array[i] = start
            grad[i] = (plus - minus) / (2 * EPS)
        result.append(grad)
    return result


def numerical_hessian_vector(program: Program, direction: list[np.ndarray]) -> list[np.ndarray]:
    """Central differences of the gradient along ``direction``."""
    plus = gradients(
        program, MyTorchBackend, [a + EPS * v for a, v in zip(program.leaves, direction)]
    )[1]
    minus = gradients(
        program, MyTorchBackend, [a - EPS * v for a, v in zip(program.leaves, direction)]
    )[1]
    return [(p - m) / (2 * EPS) for p, m in zip(plus, minus)]


def assert_close(actual: list[Any], expected: list[Any], what: str, tolerance: float) -> None:
    for index, (a, e) in enumerate(zip(actual, expected)):
        np.testing.assert_allclose(a, e, rtol=tolerance, atol=tolerance, err_msg=f"{what} {index}")


@pytest.mark.parametrize("oracle", ["central_differences", "pytorch"])
def test_fuzzed_graphs(oracle: str) -> None:
    torch_B = torch_backend() if oracle == "pytorch" else None
    used: Counter[str] = Counter()

    @settings(max_examples=GRAPHS, suppress_health_check=[HealthCheck.too_slow])
    @given(programs(), hst.integers(0, 2**32 - 1))
    def check(program: Program, seed: int) -> None:
        used.update(step.op for step in program.steps)
        rng = np.random.default_rng(seed)
        direction = [np.asarray(rng.uniform(-1, 1, a.shape)) for a in program.leaves]
        values, grads = gradients(program, MyTorchBackend, program.leaves)
        hv = hessian_vector(program, MyTorchBackend, direction)
        if torch_B is None:
            assert_close(grads, numerical_gradients(program), "gradient of leaf", 1e-6)
            assert_close(hv, numerical_hessian_vector(program, direction), "Hv of leaf", 1e-6)
        else:
            torch_values, torch_grads = gradients(program, torch_B, program.leaves)
            assert_close(values, torch_values, "value of node", 1e-10)
            assert_close(grads, torch_grads, "gradient of leaf", 1e-10)
            assert_close(hv, hessian_vector(program, torch_B, direction), "Hv of leaf", 1e-10)

    check()
    # Every op of the catalogue was fuzzed at least once.
    assert sorted(used) == NAMES, f"ops never drawn: {sorted(set(NAMES) - set(used))}"
