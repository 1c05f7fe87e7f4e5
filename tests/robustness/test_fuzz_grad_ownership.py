"""Fuzzed graphs: no leaf's ``.grad`` ever shares memory with anything else.

The engine hands the gradients it owns to ``.grad`` without a copy (see
``mytorch.core.engine``). On the random programs of ``test_fuzz_graphs`` (fan-out,
fan-in, views, broadcasting, the whole op catalogue), with retained intermediate
gradients and leaf hooks drawn at random, every ``.grad`` must be private: no two
share memory, none shares memory with a node's value (what ops save for
backward), and a second backward adds exactly the same gradients again in place.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst
from test_fuzz_graphs import CATALOGUE, GRAPHS, MyTorchBackend, Program, programs

import mytorch


def run_on(program: Program, leaves: list, retained: set[int]) -> tuple[list, mytorch.Tensor]:
    """The program's nodes and objective on ``leaves``, retaining the nodes in ``retained``."""
    nodes = list(leaves)
    for step in program.steps:
        node = CATALOGUE[step.op].apply(
            MyTorchBackend, step.params, *(nodes[i] for i in step.inputs)
        )
        if len(nodes) in retained and node.requires_grad:
            node.retain_grad()
        nodes.append(node)
    total = 0
    for index, weight in zip(program.sinks, program.weights):
        total = total + (nodes[index] * MyTorchBackend.const(weight)).sum()
    return nodes, total


@settings(max_examples=GRAPHS, suppress_health_check=[HealthCheck.too_slow])
@given(programs(), hst.sets(hst.integers(0, 30)), hst.sets(hst.integers(0, 3)))
def test_every_grad_is_private_and_accumulates_exactly(
    program: Program, retained: set[int], hooked: set[int]
) -> None:
    leaves = [MyTorchBackend.leaf(a) for a in program.leaves]
    seen: list[mytorch.Tensor] = []
    for index in hooked & set(range(len(leaves))):
        leaves[index].register_hook(seen.append)  # keeps every gradient it is shown
    nodes, total = run_on(program, leaves, retained)
    total.backward()
    # Some ops return their input itself (flatten(0, 0), transpose(0, 0)): one tensor each.
    nodes = list({id(node): node for node in nodes}.values())
    grads = {i: node.grad.data for i, node in enumerate(nodes) if node.grad is not None}
    for i, grad in grads.items():
        for j, node in enumerate(nodes):
            assert not np.shares_memory(grad, node.data), f"node {i}'s .grad and node {j}"
            if j != i and j in grads:
                assert not np.shares_memory(grad, grads[j]), f".grad of nodes {i} and {j}"
        for g in seen:
            assert not np.shares_memory(grad, g.data), f"node {i}'s .grad and a hook's gradient"

    # A second backward adds the same gradients in place: an alias of a .grad
    # (another .grad, a hook's gradient) would change too.
    first = [leaf.grad.data.copy() for leaf in leaves]
    seen_before = [g.data.copy() for g in seen]
    run_on(program, leaves, set())[1].backward()
    for leaf, grad in zip(leaves, first):
        np.testing.assert_array_equal(leaf.grad.data, grad + grad)
    for g, before in zip(seen, seen_before):
        np.testing.assert_array_equal(g.data, before)
