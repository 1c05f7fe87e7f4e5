"""A leaf's node: ``AccumulateGrad``, the sink that adds gradients into ``.grad``.

The other node kind, ``BackwardFunction``, is in ``node.py``; ``accumulate_into``
is the one place where a gradient is added into a tensor's ``.grad`` (the engine
uses it for retained gradients too, and ``mytorch.compile``'s replay for leaves).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np

from mytorch.core import capture
from mytorch.core.hooks import run_hooks
from mytorch.core.tensor import Tensor, shape_str

_capturing = capture.capturing  # how many threads mytorch.compile is capturing in

__all__ = ["AccumulateGrad", "accumulate_into"]


class AccumulateGrad:
    """The gradient sink of a leaf that requires grad.

    Applying it adds the incoming gradient into the leaf's ``.grad`` (a fresh
    buffer the first time, then in place), so gradients from several backward
    calls add up until ``zero_grad`` clears them. The leaf keeps its sink for
    life; the sink refers back to the leaf only weakly (no reference cycle),
    so a graph does not keep alive a leaf that nothing else holds: the
    gradient of such a leaf could never be read.

    Examples
    --------
    >>> import mytorch
    >>> w = mytorch.tensor([1.0, 2.0], requires_grad=True)
    >>> w.grad_fn
    <AccumulateGrad>
    >>> w.grad_fn.variable is w
    True
    """

    __slots__ = ("__weakref__", "_hooks", "_variable")

    next_functions: tuple[()] = ()

    def __init__(self, variable: Tensor) -> None:
        self._variable = weakref.ref(variable)
        self._hooks: dict[int, Callable[[Tensor], Tensor | None]] | None = None

    @property
    def variable(self) -> Tensor | None:
        """The leaf this node accumulates into, or None once that tensor is gone.

        Examples
        --------
        >>> import mytorch
        >>> w = mytorch.tensor(1.0, requires_grad=True)
        >>> w.grad_fn.variable is w
        True
        """
        return self._variable()

    def name(self) -> str:
        """Return ``'AccumulateGrad'``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.tensor(1.0, requires_grad=True).grad_fn.name()
        'AccumulateGrad'
        """
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"

    def apply(self, grad: Tensor, create_graph: bool, owned: bool = False) -> None:
        """Add ``grad`` into ``variable.grad``.

        Parameters
        ----------
        grad : Tensor
            A gradient of the leaf's shape.
        create_graph : bool
            If True, the addition is recorded so the gradient can be
            differentiated again; otherwise it is done on plain arrays.
        owned : bool, default False
            True if nothing else holds ``grad``'s array (the engine says so for
            the gradients it owns): it may then become ``.grad`` without a copy.

        Raises
        ------
        RuntimeError
            If ``grad``'s shape differs from the leaf's.

        Examples
        --------
        >>> import mytorch
        >>> w = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> w.grad_fn.apply(mytorch.tensor([0.5, 0.5]), create_graph=False)
        >>> w.grad_fn.apply(mytorch.tensor([0.5, 0.5]), create_graph=False)
        >>> w.grad
        tensor([1., 1.])
        """
        variable = self._variable()
        if variable is None:
            return  # the leaf is gone, and its gradient with it
        if _capturing.threads:
            recorder = capture.listening()
            if recorder is not None:
                return recorder.record_leaf(self, grad, create_graph, owned)
        if self._hooks:
            grad = run_hooks(self._hooks, grad, "AccumulateGrad")
            owned = False  # a hook may have kept the gradient, or returned its own
        if grad.data.shape != variable.data.shape:
            raise RuntimeError(
                f"AccumulateGrad: got a gradient of shape {shape_str(grad.shape)} for a leaf "
                f"of shape {shape_str(variable.shape)}"
            )
        accumulate_into(variable, grad, create_graph, owned)


def accumulate_into(tensor: Tensor, grad: Tensor, create_graph: bool, owned: bool = False) -> None:
    """Add ``grad`` into ``tensor.grad``, cast to the tensor's dtype.

    It writes the ``_grad`` slot directly: the caller checked the shape, and the
    dtype is made the tensor's here, which is all the ``grad`` setter checks.
    With ``owned`` (nothing else holds ``grad``'s array), a first gradient of
    the tensor's dtype that is not a view is kept as it is, without a copy.
    """
    current = tensor._grad
    if create_graph:
        # Keep the gradient's own graph so it can be differentiated again.
        if grad.dtype != tensor.dtype:
            grad = grad.to(tensor.dtype)
        # A fresh tensor: the same gradient object may reach other leaves too, and
        # two leaves sharing one .grad would see each other's in-place changes.
        tensor._grad = grad.clone() if current is None else current + grad
        return
    # The arrays behind .data, read from their slots: this runs for every leaf on
    # every backward (and every replayed one).
    array, dtype = grad._data, tensor._data.dtype
    if owned and current is None and array.dtype is dtype and array.base is None:
        # Handed over: no one else can see this array (a view's memory would belong
        # to another), so writing into it later (the next backward's accumulation,
        # an optimiser) changes only .grad.
        tensor._grad = Tensor._wrap(array)
    elif current is None or current.requires_grad:
        # A fresh buffer: the incoming array may be shared with other gradients.
        fresh = array.astype(dtype)  # a copy, as np.array(copy=True) but faster
        tensor._grad = Tensor._wrap(fresh if current is None else fresh + current._data)
    else:
        np.add(current._data, array, out=current._data, casting="unsafe")
