"""In-place changes through a view: how the change reaches the history of the view's base.

A view (``x[0]``, ``x.reshape(4)``, ``x.T``: the result of an op with
``returns_view`` that shares its input's memory) changed in place changes its
base's values too. As in PyTorch, when the change is recorded the base's history
moves on with its values:

* the root (the tensor that owns the memory, itself no view) becomes
  ``CopySlices(old root, new view values)``, whose backward sends the gradient
  of the view's elements to the new values and the rest to the old root;
* every view of the root, the changed one included, is made again from the new
  root (its values are unchanged, its ``grad_fn`` is new), so that gradients
  through any of them see the change. A view made before the change and used
  after it would otherwise send its gradient past the change.

``Tensor._record_view`` (called by ``Function.apply`` for every view) keeps what
this needs: each view's base and the op that made it (``_view_of``), and, on a
base in the graph, weak references to its views (``_views``).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from mytorch.core import grad_mode
from mytorch.core.function import Function
from mytorch.core.node import BackwardFunction
from mytorch.core.tensor import Tensor

__all__ = ["CopySlices", "rederive_views", "write_through"]


class CopySlices(Function):
    """``base`` with the elements at flat ``positions`` replaced by ``values``.

    The new history of a tensor changed in place through one of its views
    (PyTorch's node of the same name).
    """

    @staticmethod
    def forward(
        ctx: BackwardFunction, base: Tensor, values: Tensor, positions: np.ndarray
    ) -> np.ndarray:
        ctx.positions = positions
        out = base.data.copy()
        np.put(out, positions, values.data)  # both in C order: element i goes to positions[i]
        return out

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, Tensor, None]:
        # The replaced elements' gradient goes to the new values, not to the old base.
        kept = np.ones(grad.shape, dtype=grad.dtype)
        np.put(kept, ctx.positions, 0)
        return grad * Tensor._wrap(kept), grad.reshape(-1)[ctx.positions], None


def write_through(view: Tensor, values: Tensor) -> Tensor:
    """The root of ``view`` as it is once ``values`` is written into ``view``, recorded."""
    ops = []
    root = view
    while root._view_of is not None:
        root, function, args = root._view_of
        ops.append((function, args))
    return CopySlices.apply(root._history_copy(), values, _positions(root, ops[::-1]))


def rederive_views(root: Tensor, changed: Tensor) -> None:
    """Make every live view of ``root`` again from its base, root first, after a change."""
    view = changed
    while view._view_of is not None:  # a view of a root that was not in the graph
        base = view._view_of[0]
        if base._views is None:
            base._views = []
        if all(ref() is not view for ref in base._views):
            base._views.append(weakref.ref(view))
        view = base
    bases = [root]
    while bases:
        base = bases.pop()
        views = [view for view in (ref() for ref in base._views or ()) if view is not None]
        base._views = [weakref.ref(view) for view in views]  # the dead ones dropped
        for view in views:
            _, function, args = view._view_of
            made = function.apply(base, *args)
            view._node = made._node
            view.requires_grad, view.is_leaf = made.requires_grad, made.is_leaf
            bases.append(view)


def _positions(root: Tensor, ops: list[tuple[Any, tuple[Any, ...]]]) -> np.ndarray:
    """For each element of the view that ``ops`` make from ``root``: its flat index in root.

    The ops are run on the indices ``0 .. root.numel() - 1`` laid out in root's
    shape, so every view op (and any chain of them) is handled alike.
    """
    made = Tensor._wrap(np.arange(root.data.size).reshape(root.data.shape))
    with grad_mode.no_grad():
        for function, args in ops:
            made = function.apply(made, *args)
    return made.data
