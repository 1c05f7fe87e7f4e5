"""The graph as DOT or Mermaid text, and as an image through Graphviz."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from mytorch.core.tensor import Tensor
from mytorch.viz.graph import describe
from mytorch.viz.tracing import Trace

__all__ = ["render", "to_dot", "to_mermaid"]

_DOT_STYLE = {
    "op": "",
    "output": ', style=filled, fillcolor="#c8e6c9"',
    "leaf": ', shape=ellipse, style=filled, fillcolor="#bbdefb"',
    "constant": ", shape=ellipse, style=dashed",
    "module": ", shape=box3d",
    "more": ", shape=note",
}
_MERMAID_SHAPE = {
    "op": ('["', '"]'),
    "output": ('["', '"]'),
    "leaf": ('(["', '"])'),
    "constant": ('(["', '"])'),
    "module": ('[["', '"]]'),
    "more": ('>"', '"]'),
}


def to_dot(
    outputs: Tensor | Sequence[Tensor],
    params: dict[str, Tensor] | None = None,
    trace: Trace | None = None,
    show_saved: bool = False,
    collapse_modules: bool = False,
    max_nodes: int = 1000,
) -> str:
    """Describe the graph behind ``outputs`` as Graphviz DOT text.

    Parameters
    ----------
    outputs : Tensor or sequence of Tensor
        Where the picture starts (usually the loss); each must have a ``grad_fn``.
    params : dict of str to Tensor, optional
        Names for leaves, as ``dict(model.named_parameters())`` (torchviz's argument).
    trace : Trace, optional
        What ``trace()`` recorded while the forward pass ran: it gives every op its
        output shape and dtype, tells constants from plain arguments, and names the
        traced modules' parameters. Without it, only the outputs and leaves show shapes,
        and every ``None`` parent is drawn as a constant.
    show_saved : bool, default False
        Add the shapes of the tensors each op saved for backward (``-`` for a slot it
        did not save; nothing once a backward has freed them).
    collapse_modules : bool, default False
        With a trace of modules: draw each child of a traced module (``0: Linear``) as one
        box instead of its ops.
    max_nodes : int, default 1000
        Draw at most this many nodes; one more node says how many were left out.

    Returns
    -------
    str
        A ``digraph``: ops are boxes (the outputs filled green), leaves blue ellipses
        with their gradient norm once they have a gradient, constants dashed ellipses.

    Raises
    ------
    ValueError
        If an output has no graph, or ``max_nodes`` is below 1.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import viz
    >>> x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    >>> with viz.trace() as recorded:  # optional: gives every op its shape
    ...     y = (x * 3).sum()
    >>> print(viz.to_dot(y, params={"x": x}, trace=recorded))
    digraph mytorch {
        node [shape=box, fontname="Helvetica", fontsize=10];
        n0 [label="SumBackward\\n() float32", style=filled, fillcolor="#c8e6c9"];
        n1 [label="MulBackward\\n(2,) float32"];
        c0 [label="constant\\n() float32", shape=ellipse, style=dashed];
        n2 [label="x\\n(2,) float32", shape=ellipse, style=filled, fillcolor="#bbdefb"];
        n1 -> n0;
        n2 -> n1;
        c0 -> n1;
    }
    """
    graph = describe(outputs, params, trace, show_saved, collapse_modules, max_nodes)
    lines = ["digraph mytorch {", '    node [shape=box, fontname="Helvetica", fontsize=10];']
    for node in graph.nodes:
        label = "\\n".join(_dot_escape(line) for line in node.lines)
        lines.append(f'    {node.key} [label="{label}"{_DOT_STYLE[node.kind]}];')
    lines.extend(f"    {parent} -> {child};" for parent, child in graph.edges)
    lines.append("}")
    return "\n".join(lines)


def to_mermaid(
    outputs: Tensor | Sequence[Tensor],
    params: dict[str, Tensor] | None = None,
    trace: Trace | None = None,
    show_saved: bool = False,
    collapse_modules: bool = False,
    max_nodes: int = 1000,
) -> str:
    """Describe the graph behind ``outputs`` as a Mermaid flowchart.

    The parameters are ``to_dot``'s. Mermaid draws in a web browser (GitHub, many
    documentation tools, https://mermaid.live), so no program needs installing.

    Returns
    -------
    str
        A ``flowchart TB``: ops are rectangles (the outputs in green), leaves blue
        stadiums, constants dashed stadiums, module boxes double-sided rectangles.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import viz
    >>> x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x.exp().sum()
    >>> y.backward()
    >>> print(viz.to_mermaid(y, params={"x": x}))
    flowchart TB
        n0["SumBackward<br/>() float32"]:::output
        c0(["None"]):::constant
        c1(["None"]):::constant
        n1["ExpBackward"]
        n2(["x<br/>(2,) float32<br/>grad norm 7.873"]):::leaf
        n1 --> n0
        c0 --> n0
        c1 --> n0
        n2 --> n1
        classDef output fill:#c8e6c9
        classDef leaf fill:#bbdefb
        classDef constant stroke-dasharray:4

    Without a trace, the two ``None`` parents of ``SumBackward`` (its ``dim`` and
    ``keepdim`` arguments) cannot be told from constant tensors; ``trace()`` can.
    """
    graph = describe(outputs, params, trace, show_saved, collapse_modules, max_nodes)
    lines = ["flowchart TB"]
    for node in graph.nodes:
        label = "<br/>".join(_mermaid_escape(line) for line in node.lines)
        start, end = _MERMAID_SHAPE[node.kind]
        style = f":::{node.kind}" if node.kind in ("output", "leaf", "constant") else ""
        lines.append(f"    {node.key}{start}{label}{end}{style}")
    lines.extend(f"    {parent} --> {child}" for parent, child in graph.edges)
    lines += [
        "    classDef output fill:#c8e6c9",
        "    classDef leaf fill:#bbdefb",
        "    classDef constant stroke-dasharray:4",
    ]
    return "\n".join(lines)


def render(
    outputs: Tensor | Sequence[Tensor],
    filename: str | os.PathLike[str],
    format: str = "svg",  # graphviz's own name for it
    **options: Any,
) -> str:
    """Draw the graph to an image file with Graphviz; return the file's path.

    Needs the ``graphviz`` Python package (``pip install "mytorch-autograd[viz]"``) and
    Graphviz's ``dot`` program (``apt-get install graphviz``, ``brew install graphviz``,
    or https://graphviz.org/download/).

    Parameters
    ----------
    outputs : Tensor or sequence of Tensor
        As in ``to_dot``.
    filename : str or os.PathLike
        The path without the format's suffix: ``"graph"`` writes ``graph.svg``.
    format : str, default "svg"
        Any format ``dot`` writes: ``"svg"``, ``"png"``, ``"pdf"``, ...
    **options
        Passed on to ``to_dot`` (``params``, ``trace``, ``show_saved``, ...).

    Raises
    ------
    ImportError
        If the ``graphviz`` package is missing.
    RuntimeError
        If Graphviz's ``dot`` program is not installed.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import viz
    >>> x = mytorch.tensor(2.0, requires_grad=True)
    >>> viz.render(x * x, "square", format="png")  # doctest: +SKIP
    'square.png'
    """
    dot = to_dot(outputs, **options)
    try:
        import graphviz
    except ImportError as error:
        raise ImportError(
            "viz.render needs the graphviz package and Graphviz's dot program: "
            'pip install "mytorch-autograd[viz]" and install Graphviz '
            "(https://graphviz.org/download/); to_dot and to_mermaid need neither"
        ) from error
    try:
        image = graphviz.Source(dot).pipe(format=format)
    except graphviz.ExecutableNotFound as error:
        raise RuntimeError(
            "viz.render: Graphviz's dot program was not found on PATH; install Graphviz "
            "(apt-get install graphviz, brew install graphviz, or "
            "https://graphviz.org/download/); to_dot and to_mermaid need no program"
        ) from error
    path = f"{filename}.{format}"
    with open(path, "wb") as file:  # only once dot has succeeded: no half-written file
        file.write(image)
    return path


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _mermaid_escape(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
