"""Lifetimes: a graph lives exactly as long as the user needs it, freed by refcounting.

Backward releases what each node saved (tensors and numpy arrays) as soon as it has
run through the node, unless ``retain_graph=True``; and the graph holds no reference
cycle, so dropping the last reference to an output frees every node at once. Every
test here runs with the cyclic garbage collector switched off: whatever it would
have to collect shows up as an object that is still alive.
"""

from __future__ import annotations

import gc
import weakref
from collections import Counter
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
import pytest

import mytorch
from mytorch import nn
from mytorch.core.function import AccumulateGrad, BackwardFunction
from mytorch.data import DataLoader, TensorDataset


@pytest.fixture(autouse=True)
def no_cyclic_gc() -> Iterator[None]:
    """Switch the cyclic garbage collector off for the test, so only refcounting frees."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    yield
    if was_enabled:
        gc.enable()


class Watched(NamedTuple):
    nodes: list[weakref.ref]  # every op node (a leaf's AccumulateGrad lives with the leaf)
    saved: list[weakref.ref]  # the intermediate tensors and numpy arrays the nodes saved
    intermediates: list[weakref.ref]  # every tensor made on the way to the output


def graph_nodes(output: mytorch.Tensor) -> list[Any]:
    """Every node reachable from ``output``, by walking ``next_functions``."""
    seen, stack = {output.grad_fn}, [output.grad_fn]
    while stack:
        for parent in stack.pop().next_functions:
            if parent is not None and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return list(seen)


def watch(
    output: mytorch.Tensor, kept: list[mytorch.Tensor], intermediates: tuple[Any, ...] = ()
) -> Watched:
    """Weak references to ``output``'s graph: its nodes and what they saved, but for
    the tensors in ``kept`` (leaves, inputs and labels the test holds) and their arrays."""
    nodes = [node for node in graph_nodes(output) if isinstance(node, BackwardFunction)]
    saved: list[Any] = []
    for node in nodes:
        saved += [t for t in node.saved_tensors if t is not None]
        # What ops keep on ctx: arrays (ctx.result, ctx.condition) and index tuples.
        for value in vars(node).values():
            items = value if isinstance(value, tuple) else (value,)
            saved += [item for item in items if isinstance(item, np.ndarray)]
    kept_ids = {id(tensor) for tensor in kept} | {id(tensor.data) for tensor in kept}
    saved = [item for item in saved if id(item) not in kept_ids]
    return Watched(*([weakref.ref(x) for x in xs] for xs in (nodes, saved, intermediates)))


def alive(refs: list[weakref.ref]) -> list[Any]:
    return [obj for ref in refs if (obj := ref()) is not None]


def leaves() -> list[mytorch.Tensor]:
    rng = np.random.default_rng(0)
    return [mytorch.tensor(rng.uniform(0.5, 1.5, (3, 4)), requires_grad=True) for _ in range(2)]


def build(a: mytorch.Tensor, b: mytorch.Tensor) -> tuple[mytorch.Tensor, Watched]:
    """A graph of ops that save tensors (mul, exp, matmul, log_softmax, amax) and arrays
    (amax's result, where's condition, an index array), with fan-out and fan-in; only the
    output survives this function."""
    product = a * b
    h = product.exp()
    picked = h[np.array([0, 0, 2])]
    top = picked.amax(dim=0)
    soft, mask = h.log_softmax(dim=-1), h > 2.0
    chosen = mytorch.where(mask, h, soft)
    transposed = b.T
    mixed = (h @ transposed).tanh()
    out = top.sum() + chosen.sum() + mixed.sum()
    intermediates = (product, h, picked, top, soft, mask, chosen, transposed, mixed)
    return out, watch(out, [a, b], intermediates)


def test_backward_frees_saved_tensors_at_once_and_nodes_with_the_output() -> None:
    a, b = leaves()
    out, watched = build(a, b)
    assert len(alive(watched.saved)) >= 8  # the nodes hold what they saved
    assert len(alive(watched.intermediates)) >= 4
    out.backward()
    # Released by backward, though out is still alive.
    assert alive(watched.saved) == [] and alive(watched.intermediates) == []
    assert len(alive(watched.nodes)) == len(watched.nodes)
    del out
    assert alive(watched.nodes) == []
    assert a.grad is not None and b.grad is not None


def test_retain_graph_keeps_saved_tensors_until_the_output_is_dropped() -> None:
    a, b = leaves()
    out, watched = build(a, b)
    out.backward(retain_graph=True)
    assert len(alive(watched.saved)) >= 8
    out.backward()  # the retained graph runs again, then is released
    assert alive(watched.saved) == []
    del out
    assert alive(watched.nodes) == []


def test_a_graph_dropped_without_backward_is_freed_by_refcounting() -> None:
    a, b = leaves()
    out, watched = build(a, b)
    del out
    assert alive(watched.nodes) == [] and alive(watched.saved) == []
    assert alive(watched.intermediates) == []
    assert a.grad is None


def test_gradients_made_with_create_graph_are_freed_with_their_graph() -> None:
    a, b = leaves()
    out, watched = build(a, b)
    grad_a, grad_b = mytorch.grad(out, [a, b], create_graph=True)
    second = watch(grad_a.sum() + grad_b.sum(), [a, b])
    (hessian_a,) = mytorch.grad(grad_a.sum() + grad_b.sum(), [a])
    assert hessian_a.shape == a.shape
    del out, grad_a, grad_b
    assert alive(watched.nodes) == [] and alive(watched.saved) == []
    assert alive(second.nodes) == [] and alive(second.saved) == []


def test_retain_grad_does_not_keep_the_tensor_alive() -> None:
    a, _ = leaves()
    middle = a.exp()
    middle.retain_grad()
    (middle * middle).sum().backward()
    assert middle.grad is not None
    ref = weakref.ref(middle)
    del middle
    assert ref() is None


def test_a_model_step_frees_its_graph_and_the_parameters_sinks() -> None:
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    inputs = mytorch.randn(16, 4)
    labels = mytorch.tensor(np.arange(16) % 3, dtype=mytorch.int64)
    loss = nn.CrossEntropyLoss()(model(inputs), labels)
    watched = watch(loss, [inputs, labels, *model.parameters()])
    sinks = [weakref.ref(n) for n in graph_nodes(loss) if isinstance(n, AccumulateGrad)]
    assert len(sinks) == len(list(model.parameters()))
    assert len(alive(watched.saved)) >= 3  # the fused nodes save few tensors, but some
    loss.backward()
    assert alive(watched.saved) == []
    del loss
    assert alive(watched.nodes) == []
    # Each parameter keeps its sink for the next step; they go with the model.
    assert len(alive(sinks)) == len(sinks)
    del model
    assert alive(sinks) == []


def test_a_leaf_dropped_while_its_graph_lives_is_freed_and_backward_still_runs() -> None:
    kept, dropped = leaves()
    out = (kept + dropped).sum()  # add saves nothing: only the graph refers to dropped
    sink = dropped.grad_fn
    ref = weakref.ref(dropped)
    del dropped
    assert ref() is None and sink.variable is None
    out.backward()  # the dropped leaf's gradient has nowhere to go, and is skipped
    assert np.array_equal(kept.grad.data, np.ones((3, 4)))


def live_counts() -> Counter:
    """The live Tensors (parameters included) and graph nodes, as the collector sees them."""
    counts = Counter()
    for obj in gc.get_objects():
        kind = type(obj)  # not isinstance: that reads __class__, which some objects warn on
        if issubclass(kind, (mytorch.Tensor, BackwardFunction, AccumulateGrad)):
            counts[kind.__name__] += 1
    return counts


def test_a_long_training_loop_keeps_the_number_of_live_objects_constant() -> None:
    mytorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3))
    optimizer = mytorch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    inputs = mytorch.randn(200, 6)
    labels = mytorch.tensor(np.arange(200) % 3, dtype=mytorch.int64)
    loader = DataLoader(TensorDataset(inputs, labels), batch_size=20, shuffle=True)
    counts, losses, step = {}, [], 0
    while step < 1000:  # 10 batches an epoch: steps 100 and 1000 both end an epoch
        for batch, targets in loader:
            optimizer.zero_grad()
            loss = criterion(model(batch), targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            step += 1
            if step in (100, 1000):
                counts[step] = live_counts()
    assert counts[100]["Tensor"] > 0 and counts[100]["Parameter"] >= 6
    assert counts[1000] == counts[100]
    assert losses[-1] < losses[0]  # it trained
