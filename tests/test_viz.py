"""mytorch.viz: the graph as DOT and Mermaid text, traces, caps, and rendering with Graphviz."""

from __future__ import annotations

import shutil
import sys

import numpy as np
import pytest

import mytorch
from mytorch import nn, viz
from mytorch.core.function import Function


def guide_example():
    """The autograd guide's graph: e = (a * b + a + c) + 3, traced."""
    a = mytorch.tensor(1.0, requires_grad=True)
    b = mytorch.tensor(2.0)
    c = mytorch.tensor(3.0, requires_grad=True)
    with viz.trace() as recorded:
        d = a * b + a
        e = (d + c) + 3
    return e, {"a": a, "c": c}, recorded


GUIDE_DOT = """\
digraph mytorch {
    node [shape=box, fontname="Helvetica", fontsize=10];
    n0 [label="AddBackward\\n() float32", style=filled, fillcolor="#c8e6c9"];
    c0 [label="constant\\n() float32", shape=ellipse, style=dashed];
    n1 [label="AddBackward\\n() float32"];
    n2 [label="AddBackward\\n() float32"];
    n3 [label="c\\n() float32\\ngrad norm 1", shape=ellipse, style=filled, fillcolor="#bbdefb"];
    n4 [label="MulBackward\\n() float32"];
    c1 [label="constant\\n() float32", shape=ellipse, style=dashed];
    n5 [label="a\\n() float32\\ngrad norm 3", shape=ellipse, style=filled, fillcolor="#bbdefb"];
    n1 -> n0;
    c0 -> n0;
    n2 -> n1;
    n3 -> n1;
    n4 -> n2;
    n5 -> n2;
    n5 -> n4;
    c1 -> n4;
}"""


def test_the_guide_example_in_dot_after_backward():
    e, names, recorded = guide_example()
    e.backward()
    assert viz.to_dot(e, params=names, trace=recorded) == GUIDE_DOT


def test_the_guide_example_in_mermaid_before_backward():
    e, names, recorded = guide_example()
    lines = viz.to_mermaid(e, params=names, trace=recorded).splitlines()
    assert lines[:9] == [
        "flowchart TB",
        '    n0["AddBackward<br/>() float32"]:::output',
        '    c0(["constant<br/>() float32"]):::constant',
        '    n1["AddBackward<br/>() float32"]',
        '    n2["AddBackward<br/>() float32"]',
        '    n3(["c<br/>() float32"]):::leaf',  # no gradient yet
        '    n4["MulBackward<br/>() float32"]',
        '    c1(["constant<br/>() float32"]):::constant',
        '    n5(["a<br/>() float32"]):::leaf',
    ]
    assert lines[9:17] == [
        "    n1 --> n0",
        "    c0 --> n0",
        "    n2 --> n1",
        "    n3 --> n1",
        "    n4 --> n2",
        "    n5 --> n2",
        "    n5 --> n4",
        "    c1 --> n4",
    ]


def test_every_leaf_and_op_is_one_node_and_a_shared_leaf_is_drawn_once():
    e, names, recorded = guide_example()
    dot = viz.to_dot(e, params=names, trace=recorded)
    assert dot.count('label="a\\n') == 1
    assert dot.count("AddBackward") == 3 and dot.count("MulBackward") == 1


def test_the_gradient_norm_is_the_norm_of_the_leafs_grad():
    w = mytorch.randn(3, 4, requires_grad=True)
    (w * w).sum().backward()
    expected = np.linalg.norm(2 * w.detach().numpy().astype(np.float64))
    assert f"grad norm {expected:.4g}" in viz.to_dot(w * 1.0, params={"w": w})


def test_without_a_trace_only_outputs_and_leaves_have_shapes_and_none_is_drawn_as_none():
    x = mytorch.ones(2, 3, requires_grad=True)
    y = (x * 2).sum(dim=0)
    dot = viz.to_dot(y)
    assert 'n0 [label="SumBackward\\n(3,) float32"' in dot
    assert 'n1 [label="MulBackward"];' in dot  # not an output: its shape is unknown
    assert 'label="leaf\\n(2, 3) float32"' in dot
    # SumBackward's (node, None, None): the dim and keepdim arguments; MulBackward's None: 2
    assert dot.count('[label="None"') == 3


def test_a_trace_tells_constants_from_plain_arguments():
    x = mytorch.ones(2, 3, requires_grad=True)
    with viz.trace() as recorded:
        y = (x * mytorch.full((3,), 2.0)).sum(dim=0)
    dot = viz.to_dot(y, trace=recorded)
    assert 'n1 [label="MulBackward\\n(2, 3) float32"];' in dot
    assert dot.count("constant") == 1  # the (3,) factor; dim and keepdim are not drawn
    assert 'label="constant\\n(3,) float32"' in dot


def test_show_saved_lists_saved_shapes_then_says_backward_freed_them():
    a = mytorch.ones(2, 3, requires_grad=True)
    b = mytorch.ones(3, 4, requires_grad=True)
    y = (a @ b).exp().sum()
    dot = viz.to_dot(y, show_saved=True)
    assert "MatMulBackward\\nsaved: (2, 3), (3, 4)" in dot
    y.backward()
    assert "MatMulBackward\\nsaved: freed by backward" in viz.to_dot(y, show_saved=True)


def test_several_outputs_share_one_picture():
    x = mytorch.ones(2, requires_grad=True)
    shared = x * 2
    dot = viz.to_dot([shared.exp(), shared.sum()], params={"x": x})
    assert dot.count("MulBackward") == 1
    assert dot.count('fillcolor="#c8e6c9"') == 2  # both outputs marked


def model_and_loss():
    mytorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    criterion = nn.CrossEntropyLoss()
    with viz.trace(model, criterion) as recorded:
        loss = criterion(
            model(mytorch.ones(5, 3)), mytorch.tensor([0, 1, 0, 1, 1], dtype=mytorch.int64)
        )
    return model, loss, recorded


def test_a_trace_of_modules_names_parameters_and_collapses_each_child_into_one_box():
    _, loss, recorded = model_and_loss()
    full = viz.to_dot(loss, trace=recorded)
    assert 'label="0.weight\\n(4, 3) float32"' in full
    assert 'label="LinearBackward\\n(5, 4) float32"' in full
    boxes = viz.to_dot(loss, trace=recorded, collapse_modules=True)
    for title in ("0: Linear\\n(5, 4)", "1: BatchNorm1d\\n(5, 4)", "2: ReLU\\n(5, 4)"):
        assert f'label="{title} float32", shape=box3d' in boxes
    assert 'label="3: Linear\\n(5, 2) float32", shape=box3d' in boxes
    assert 'label="CrossEntropyLoss\\n() float32", shape=box3d' in boxes
    assert "Backward" not in boxes  # every op is inside a box
    assert 'label="3.bias\\n(2,) float32"' in boxes  # parameters stay visible


def test_a_trace_puts_everything_back_even_after_an_error():
    model = nn.Sequential(nn.Linear(3, 2))
    original_apply, original_pair = Function.__dict__["apply"], Function.__dict__["_apply_pair"]
    with pytest.raises(ValueError), viz.trace(model):
        assert Function.__dict__["apply"] is not original_apply
        assert Function.__dict__["_apply_pair"] is not original_pair
        assert "forward" in vars(model[0])
        model(mytorch.ones(4, 5))  # wrong width: the forward fails
    assert Function.__dict__["apply"] is original_apply  # no cost once the trace is over
    assert Function.__dict__["_apply_pair"] is original_pair
    assert "forward" not in vars(model) and "forward" not in vars(model[0])


def test_a_trace_records_nothing_outside_it_and_holds_no_graph_alive():
    x = mytorch.ones(2, requires_grad=True)
    with viz.trace() as recorded:
        inside = x * 2
    outside = inside + 1
    assert len(recorded) == 1
    assert recorded.get(outside.grad_fn) is None
    del inside, outside
    assert len(recorded) == 0


def test_a_100000_op_chain_is_described_without_recursion():
    x = mytorch.ones(2, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0001
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # any recursion over the chain would fail at once
    try:
        capped = viz.to_mermaid(y, max_nodes=100)
        whole = viz.to_dot(y, max_nodes=200_000)
    finally:
        sys.setrecursionlimit(limit)
    assert 'more>"99,901 more nodes not drawn (max_nodes=100)"]' in capped
    assert "more --> n99" in capped
    assert whole.count("MulBackward") == 100_000 and "more" not in whole


def test_labels_are_escaped():
    x = mytorch.ones(2, requires_grad=True)
    name = 'say "hi" <b>'
    assert 'label="say \\"hi\\" <b>' in viz.to_dot(x * 2, params={name: x})
    assert '(["say #quot;hi#quot; #lt;b#gt;<br/>' in viz.to_mermaid(x * 2, params={name: x})


@pytest.mark.parametrize(
    ("outputs", "options", "error", "message"),
    [
        (mytorch.ones(2), {}, ValueError, "viz: a tensor of shape (2,) has no graph (it does"),
        ([3.0], {}, TypeError, "viz: expected Tensors, got float"),
        (None, {"max_nodes": 0}, ValueError, "viz: max_nodes must be at least 1, got 0"),
        (None, {"collapse_modules": True}, ValueError, "viz: collapse_modules needs to know"),
    ],
)
def test_bad_input_is_refused_clearly(outputs, options, error, message):
    if outputs is None:
        outputs = mytorch.ones(2, requires_grad=True) * 2
    with pytest.raises(error) as raised:
        viz.to_dot(outputs, **options)
    assert str(raised.value).startswith(message)


def test_mytorch_viz_loads_lazily():
    assert mytorch.viz is viz


# ---------------------------------------------------------------------------- rendering


def dot_is_installed():
    try:
        import graphviz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


@pytest.mark.skipif(not dot_is_installed(), reason="needs the graphviz package and dot")
@pytest.mark.parametrize(("format", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG")])
def test_render_writes_an_image(tmp_path, format, magic):
    e, names, recorded = guide_example()
    e.backward()
    path = viz.render(e, str(tmp_path / "graph"), format=format, params=names, trace=recorded)
    assert path == str(tmp_path / f"graph.{format}")
    assert (tmp_path / f"graph.{format}").read_bytes().startswith(magic)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"graph.{format}"]


def test_render_without_the_graphviz_package_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    x = mytorch.ones(2, requires_grad=True)
    with pytest.raises(ImportError, match=r'pip install "mytorch-autograd\[viz\]"'):
        viz.render(x * 2, str(tmp_path / "graph"))
    assert list(tmp_path.iterdir()) == []


def test_render_without_dot_names_the_program(monkeypatch, tmp_path):
    pytest.importorskip("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    x = mytorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Graphviz's dot program was not found"):
        viz.render(x * 2, str(tmp_path / "graph"))
    assert list(tmp_path.iterdir()) == []


def test_params_name_constants_too_under_a_trace():
    x = mytorch.ones(2, requires_grad=True)
    scale = mytorch.full((2,), 3.0)
    with viz.trace() as recorded:
        y = x * scale
    dot = viz.to_dot(y, params={"x": x, "scale": scale}, trace=recorded)
    assert 'label="scale (constant)\\n(2,) float32"' in dot
    assert 'label="constant\\n(2,) float32"' in viz.to_dot(y, trace=recorded)  # unnamed
