"""Pictures of the autograd graph: DOT and Mermaid text, and images through Graphviz.

``to_dot`` and ``to_mermaid`` describe the graph behind one or more tensors: one node per
op (its ``grad_fn``) and per leaf (its ``AccumulateGrad``), edges in the direction the
data flowed (from inputs to the op that used them), and after a backward each leaf's
gradient norm. ``render`` draws the DOT text to SVG or PNG with the ``graphviz`` package
(``pip install "mytorch-autograd[viz]"``), which runs Graphviz's ``dot`` program.

What a node knows
-----------------
A node keeps its parents (``next_functions``) and a leaf's node its tensor, but an op's
node keeps no reference to its output (that would be a reference cycle). So, from the
graph alone, the output shape and dtype are known for the tensors the picture starts at
and for the leaves; the other ops show their name only, and a ``None`` parent may be a
constant tensor or a plain argument such as a ``dim``. For the full picture, run the
forward pass inside ``trace()``: while it is active, every op made records its output's
shape and dtype, its inputs' kinds (so constants are told apart from arguments) and the
module it ran in. ``trace`` swaps ``Function.apply`` (and the traced modules' ``forward``)
for recording versions on entry and puts the originals back on exit, so when no trace is
active the library runs exactly as if this module did not exist. The swap is process-wide:
do not trace while other threads record ops you do not want in the picture.

The graph is walked with an explicit queue (no recursion), so a chain of any depth works; beyond
``max_nodes`` nodes the rest is summarised in one node.
"""

from mytorch.viz.formats import render, to_dot, to_mermaid
from mytorch.viz.tracing import Trace, trace

__all__ = ["Trace", "render", "to_dot", "to_mermaid", "trace"]
