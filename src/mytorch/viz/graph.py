"""The graph behind some tensors as plain nodes and edges, for the text formats to print."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mytorch.core.node import AccumulateGrad, BackwardFunction
from mytorch.core.tensor import Tensor, shape_str
from mytorch.viz.tracing import Trace

__all__: list[str] = []  # used by mytorch.viz.formats; not public


@dataclass
class _Node:
    key: str
    kind: str  # "op", "output", "leaf", "constant", "module", "more"
    lines: list[str]


@dataclass
class _Graph:
    nodes: list[_Node] = field(default_factory=list)
    edges: list[tuple[str, str]] = field(default_factory=list)


def _walk(roots: Sequence[Any], max_nodes: int) -> tuple[list[Any], int]:
    """The nodes reachable from ``roots``, breadth first, and how many there are in all.

    Only the first ``max_nodes`` are returned; the rest are counted, with an explicit
    queue (no recursion), so any depth works.
    """
    seen: set[int] = set()
    kept: list[Any] = []
    queue = list(roots)
    head = 0
    while head < len(queue):
        node = queue[head]
        head += 1
        if id(node) in seen:
            continue
        seen.add(id(node))
        if len(kept) < max_nodes:
            kept.append(node)
        queue.extend(parent for parent in node.next_functions if parent is not None)
        if head > 4096:  # drop the visited prefix so a long walk keeps little memory
            del queue[:head]
            head = 0
    return kept, len(seen)


def describe(
    outputs: Tensor | Sequence[Tensor],
    params: dict[str, Tensor] | None,
    trace: Trace | None,
    show_saved: bool,
    collapse_modules: bool,
    max_nodes: int,
) -> _Graph:
    """The nodes and edges to draw for ``outputs``; the arguments are ``to_dot``'s."""
    tensors = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    roots = []
    for tensor in tensors:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"viz: expected Tensors, got {type(tensor).__name__}")
        if tensor.grad_fn is None:
            raise ValueError(
                f"viz: a tensor of shape {shape_str(tensor.shape)} has no graph "
                "(it does not require grad)"
            )
        roots.append(tensor.grad_fn)
    if max_nodes < 1:
        raise ValueError(f"viz: max_nodes must be at least 1, got {max_nodes}")
    if collapse_modules and (trace is None or not trace.modules):
        raise ValueError(
            "viz: collapse_modules needs to know which module made each op: run the forward "
            "inside viz.trace(model) and pass trace="
        )
    output_info = {id(t.grad_fn): (t.shape, str(t.dtype)) for t in tensors}
    names = {id(tensor): name for name, tensor in (params or {}).items()}
    if trace is not None:
        names = {**trace.parameter_names, **names}

    nodes, total = _walk(roots, max_nodes)
    keys = {id(node): f"n{index}" for index, node in enumerate(nodes)}
    group_of: dict[int, _Node] = {}  # id(node) -> its module's box
    if collapse_modules and trace is not None:
        group_of = _collapse(nodes, keys, trace)
    graph = _Graph()
    drawn: set[str] = set()

    constants = 0
    for node in nodes:
        box = group_of.get(id(node))
        key = keys[id(node)] if box is None else box.key
        if key not in drawn:  # a box is drawn where its first op is met
            drawn.add(key)
            graph.nodes.append(box or _node(node, key, output_info, names, trace, show_saved))
        traced = trace is not None and isinstance(node, BackwardFunction)
        record = trace.get(node) if traced else None
        for index, parent in enumerate(node.next_functions):
            if parent is None:
                if record is not None and record.inputs[index] is None:
                    continue  # a plain argument (a dim, a flag): not part of the graph
                constant = f"c{constants}"
                constants += 1
                lines = _constant_lines(record.inputs[index] if record else None, names)
                graph.nodes.append(_Node(constant, "constant", lines))
                graph.edges.append((constant, key))
            elif id(parent) in keys:
                parent_box = group_of.get(id(parent))
                parent_key = keys[id(parent)] if parent_box is None else parent_box.key
                if parent_key != key:
                    graph.edges.append((parent_key, key))
            else:
                graph.edges.append(("more", key))
    if total > len(nodes):
        more = f"{total - len(nodes):,} more nodes not drawn (max_nodes={max_nodes})"
        graph.nodes.append(_Node("more", "more", [more]))
    graph.edges = list(dict.fromkeys(graph.edges))  # once each, in first-seen order
    return graph


def _node(
    node: Any,
    key: str,
    output_info: dict[int, tuple[tuple[int, ...], str]],
    names: dict[int, str],
    trace: Trace | None,
    show_saved: bool,
) -> _Node:
    if isinstance(node, AccumulateGrad):
        leaf = node.variable
        if leaf is None:
            return _Node(key, "leaf", ["leaf (freed)"])
        lines = [names.get(id(leaf), "leaf"), _shape(leaf.shape, str(leaf.dtype))]
        if leaf.grad is not None:
            norm = float(np.linalg.norm(np.asarray(leaf.grad.data, dtype=np.float64)))
            lines.append(f"grad norm {norm:.4g}")
        return _Node(key, "leaf", lines)
    lines = [node.name()]
    info = output_info.get(id(node))
    record = trace.get(node) if trace is not None else None
    if info is None and record is not None:
        info = (record.shape, record.dtype)
    if info is not None:
        lines.append(_shape(*info))
    if show_saved:
        saved = vars(node).get("_saved", ())  # not saved_tensors: that raises once released
        shapes = ", ".join("-" if t is None else shape_str(t.shape) for t in saved)
        if node._released:
            lines.append("saved: freed by backward")
        else:
            lines.append(f"saved: {shapes}" if saved else "saved: nothing")
    return _Node(key, "output" if id(node) in output_info else "op", lines)


def _constant_lines(argument: Any, names: dict[int, str]) -> list[str]:
    """A constant's label; untraced, None may be a constant or a plain argument: say None."""
    if argument is None:
        return ["None"]
    tensor = argument.tensor()
    name = None if tensor is None else names.get(id(tensor))
    title = "constant" if name is None else f"{name} (constant)"
    return [title, _shape(argument.shape, argument.dtype)]


def _collapse(nodes: list[Any], keys: dict[int, str], trace: Trace) -> dict[int, _Node]:
    """Give every op made inside a traced module's child one shared box."""
    boxes: dict[tuple[str, ...], _Node] = {}
    group_of: dict[int, _Node] = {}
    for node in nodes:
        record = trace.get(node) if isinstance(node, BackwardFunction) else None
        if record is None or not record.scope:
            continue
        scope = record.scope[:2]  # a root module's direct child, or the root itself
        box = boxes.get(scope)
        if box is None:
            kind = trace.module_types.get(scope, scope[-1])
            title = f"{scope[-1]}: {kind}" if len(scope) > 1 else kind
            box = boxes[scope] = _Node(keys[id(node)], "module", [title])
            # Walking from the outputs, a module's first op met is its last: its output.
            box.lines.append(_shape(record.shape, record.dtype))
        group_of[id(node)] = box
    return group_of


def _shape(shape: tuple[int, ...], dtype: str) -> str:
    return f"{shape_str(shape)} {dtype}"
