"""Tensor's autograd methods: ``backward()``, ``grad_fn``, ``register_hook()``, ...

``Tensor`` inherits them from ``GraphMethods``; they live apart because they are
one idea of their own: a tensor's place in the graph. They start a backward
pass from a tensor, give a leaf its ``AccumulateGrad`` node, put hooks on the
node that makes a tensor's gradient, and switch ``requires_grad`` on a leaf.
(``detach()`` stays in ``mytorch.core.tensor``: it makes a plain ``Tensor``.)
The graph itself (the nodes and the engine that walks them) is in
``mytorch.core.node`` and ``mytorch.core.engine``, imported where used: both are
built on ``Tensor``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mytorch.core.hooks import RemovableHandle
    from mytorch.core.node import AccumulateGrad, BackwardFunction
    from mytorch.core.tensor import Tensor

__all__ = ["GraphMethods"]

# The dtype kinds that may require grad (floating point and complex), as in PyTorch.
_FLOAT_KINDS = "fc"

# mytorch.core.engine, bound by the first backward(): the engine is built on
# Tensor, so this module cannot import it at its top.
_engine: ModuleType | None = None


class GraphMethods:
    """The autograd half of ``Tensor`` (a ``GraphMethods`` instance is always a Tensor)."""

    __slots__ = ()

    @property
    def grad_fn(self) -> BackwardFunction | AccumulateGrad | None:
        """The node that created this tensor, or a leaf's gradient sink.

        For a tensor made by an op that records gradients, the op's
        ``BackwardFunction``; for a leaf that requires grad, its ``AccumulateGrad``
        node; for a constant, None. (PyTorch returns None for every leaf.)

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor(2.0, requires_grad=True)
        >>> (a * a).grad_fn, a.grad_fn, mytorch.tensor(1.0).grad_fn
        (<MulBackward>, <AccumulateGrad>, None)
        """
        if self._node is not None:
            return self._node
        if self.requires_grad:
            return self._grad_accumulator()
        return None

    def _grad_accumulator(self) -> AccumulateGrad:
        """Return this leaf's ``AccumulateGrad`` node, creating it on first use.

        The tensor keeps its node for life, so that every op it enters reuses
        one node instead of making its own. The node points back at the tensor
        only weakly: a strong reference both ways would be a reference cycle,
        which only the cyclic garbage collector could free.
        """
        if self._accumulator is None:
            from mytorch.core.node import AccumulateGrad

            self._accumulator = AccumulateGrad(self)
        return self._accumulator

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool = False,
        create_graph: bool = False,
    ) -> None:
        """Compute the gradient of this tensor with respect to the graph's leaves.

        Gradients are added into the ``.grad`` of every leaf that requires grad.

        Parameters
        ----------
        gradient : array_like or Tensor, optional
            The gradient of some final quantity with respect to this tensor, of
            this tensor's shape. By default a tensor of ones of that shape: the
            gradient of a tensor with respect to itself, as in the assignment
            MyTorch grew out of. On a non-scalar this gives what PyTorch's
            ``t.sum().backward()`` gives (PyTorch itself refuses it).
        retain_graph : bool, default False
            Keep the graph's saved tensors so that backward can run through it
            again. By default they are released as soon as each node has run.
        create_graph : bool, default False
            Record the backward pass itself, so that the gradients can be
            differentiated again (higher-order derivatives).

        Raises
        ------
        RuntimeError
            If this tensor does not require grad, if ``gradient`` has the wrong
            shape, or if the graph was released.

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.tensor(3.0, requires_grad=True)
        >>> (x ** 2).backward()
        >>> x.grad
        tensor(6.)

        On a non-scalar, the default gradient is ones of its shape:

        >>> w = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> (w * w).backward()  # the same as (w * w).sum().backward()
        >>> w.grad
        tensor([2., 4.])
        """
        global _engine
        if _engine is None:  # bound once: an import statement costs ~0.3 us per backward
            from mytorch.core import engine as _engine

        if create_graph:
            warnings.warn(
                "backward: create_graph=True makes a reference cycle between each leaf and "
                "its .grad (the gradient's graph holds the tensors it saved, the leaf among "
                "them), which only Python's cyclic garbage collector frees; as PyTorch "
                "recommends, use mytorch.grad(..., create_graph=True) instead, or set the "
                "leaves' .grad to None when done",
                UserWarning,
                stacklevel=2,
            )
        _engine.backward([self], [gradient], retain_graph=retain_graph, create_graph=create_graph)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor during backward.

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.tensor(2.0, requires_grad=True)
        >>> y = x * 3
        >>> y.retain_grad()
        >>> (y * y).backward()
        >>> y.grad
        tensor(12.)
        """
        if not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")
        if self._node is not None:
            self._node.retain_grad_of(self)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` with this tensor's gradient whenever backward computes it.

        The hook may return a new gradient (of the same shape) to use instead,
        or None to keep it. On a leaf the hook runs before the gradient is added
        into ``.grad``; on a non-leaf, before it flows on into the graph. It runs
        for the inputs of :func:`mytorch.grad` too, as PyTorch's do.

        Returns
        -------
        RemovableHandle
            ``handle.remove()`` unregisters the hook.

        Raises
        ------
        RuntimeError
            If this tensor does not require grad.

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> y = x * 3
        >>> handle = y.register_hook(lambda grad: grad * 2)
        >>> y.sum().backward()
        >>> x.grad
        tensor([6., 6.])
        """
        from mytorch.core.hooks import add_hook

        if not self.requires_grad:
            raise RuntimeError(
                "register_hook: cannot register a hook on a tensor that doesn't require gradient"
            )
        node = self._node if self._node is not None else self._grad_accumulator()
        node._hooks, handle = add_hook(node._hooks, hook)
        return handle

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place on a leaf and return the tensor.

        On a parameter, ``requires_grad_(False)`` freezes it, as in PyTorch: it
        stays a parameter (``is_parameter`` is still True, ``state_dict`` keeps
        it), but backward gives it no gradient, so optimisers skip it;
        ``requires_grad_(True)`` unfreezes it.

        Raises
        ------
        RuntimeError
            If the tensor is not a leaf.
        TypeError
            If asked to require grad on a non-float tensor.

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.zeros(2).requires_grad_()
        >>> x.requires_grad
        True
        >>> w = mytorch.Tensor([1.0], is_parameter=True).requires_grad_(False)
        >>> w.requires_grad, w.is_parameter
        (False, True)
        """
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_: can only change requires_grad of a leaf tensor; "
                "use detach() to get a leaf from a non-leaf"
            )
        if type(requires_grad) is not bool and not isinstance(requires_grad, np.bool_):
            raise TypeError(
                f"requires_grad_: requires_grad must be a bool, got {type(requires_grad).__name__}"
            )
        if requires_grad:
            _check_can_require_grad(self.data.dtype, "requires_grad_")
        self.requires_grad = bool(requires_grad)
        return self


def _check_can_require_grad(dtype: np.dtype, op: str) -> None:
    if dtype.kind not in _FLOAT_KINDS:
        raise TypeError(
            f"{op}: only floating-point tensors can require gradients, got dtype {dtype}"
        )
