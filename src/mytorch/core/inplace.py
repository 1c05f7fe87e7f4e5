"""Tensor's in-place methods (``add_``, ``+=``, ``zero_``, ...) and its version counter.

``Tensor`` inherits them from ``InPlaceMethods``; they live apart because they
are one idea of their own: changing values that the graph may have saved. Each
change bumps the tensor's version counter, and a node that saved the tensor
compares versions at backward time ("modified in place after it was saved").
A change made through a view moves its base's history on too (see
``mytorch.core.views``). Writing into ``.data`` directly bypasses all of this,
as in PyTorch.
"""

from __future__ import annotations

import operator
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from mytorch.core import capture, grad_mode

if TYPE_CHECKING:
    from mytorch.core.tensor import Tensor

__all__ = ["InPlaceMethods"]


class InPlaceMethods:
    """The in-place half of ``Tensor`` (an ``InPlaceMethods`` instance is always a Tensor)."""

    __slots__ = ()

    def _begin_inplace(self, op: str, other: Any = None) -> bool:
        """Check that an in-place change may be made; return whether to record it.

        As in PyTorch: a leaf that requires grad may be changed only under
        ``no_grad`` (an optimiser's update); a tensor in the graph (or one
        written with a value that requires grad) is changed and the change
        recorded, so its history moves on (see ``_rebase``).
        """
        # A replay would not repeat a change made by the step's own code (one
        # made inside an op or an optimiser's step is that unit's own business).
        capture.escape(f"an in-place {op} on a tensor")
        if not grad_mode._state.enabled:
            return False
        if self.requires_grad:
            if self.is_leaf:
                raise RuntimeError(
                    f"{op}: a leaf Variable that requires grad is being used in an in-place "
                    "operation; wrap the update in mytorch.no_grad() or use the out-of-place form"
                )
            if self._view_of is not None and self._root().is_leaf:
                raise RuntimeError(
                    f"{op}: a view of a leaf Variable that requires grad is being used in an "
                    "in-place operation; wrap the update in mytorch.no_grad() or use the "
                    "out-of-place form"
                )
            return True
        if self._view_of is not None and self._root().requires_grad:
            raise RuntimeError(
                f"{op}: this view does not require grad but its base does (it was made under "
                "no_grad, or before its base joined the graph); changing it in place while "
                "recording is ambiguous, so it is refused, as in PyTorch: make the view and "
                "change it both inside or both outside no_grad"
            )
        return isinstance(other, InPlaceMethods) and other.requires_grad

    def _history_copy(self) -> Tensor:
        """A copy of the values that keeps this tensor's place in the graph.

        A recorded in-place op computes its result from this copy, so that what
        the op saves for backward is not the memory the result is written into.
        """
        copy = self._wrap(self.data.copy())
        copy.requires_grad, copy.is_leaf, copy._node = self.requires_grad, self.is_leaf, self._node
        return copy

    def _rebase(self, result: Tensor, op: str) -> Tensor:
        """Write ``result`` into this tensor and make its node this tensor's history."""
        if result.data.shape != self.data.shape:
            raise ValueError(
                f"{op}: an operand of that shape cannot be applied in place to a tensor of "
                f"shape {self.shape} (the result would have shape {result.shape})"
            )
        if result.data.dtype != self.data.dtype:
            result = result.to(self.data.dtype)  # in place, the tensor keeps its dtype
        root = self
        if self._view_of is not None:
            # The root's history moves on as well: see mytorch.core.views.
            from mytorch.core import views

            root, result = self._root(), views.write_through(self, result)
        np.copyto(root.data, result.data)  # through its memory: views and aliases see it
        root._node = result._node
        root.requires_grad = result.requires_grad
        root.is_leaf = not result.requires_grad
        self._bump_version()
        if root is not self or root._views:
            from mytorch.core import views

            views.rederive_views(root, self)
        return self

    def _record_view(self, view: Tensor, function: type, args: tuple[Any, ...]) -> None:
        """Remember that ``function(self, *args)`` made ``view``, which shares self's memory.

        The two count versions together, and the view keeps how it was made, so
        that an in-place change through it can rewrite its base's history. A
        base in the graph keeps weak references to its views, to make them
        again after its history changes (see ``mytorch.core.views``).
        """
        self._share_version_with(view)
        view._view_of = (self, function, args)
        if self._node is not None and grad_mode._state.enabled:
            if self._views is None:
                self._views = []
            self._views.append(weakref.ref(view))

    def _root(self) -> Tensor:
        """The tensor that owns this view's memory (the end of its chain of bases)."""
        root = self
        while root._view_of is not None:
            root = root._view_of[0]
        return root

    # Version counter: the number of in-place changes made through the library.
    # Tensors that share memory (a tensor, its detach(), its views) share one
    # counter, a one-element list, so a change through any of them is seen by a
    # node that saved another. It is created only when first needed, since most
    # tensors are never changed in place.
    @property
    def _version(self) -> int:
        counter = self._version_counter
        return 0 if counter is None else counter[0]

    def _bump_version(self) -> None:
        """Record an in-place change, so nodes that saved this tensor can notice."""
        if self._version_counter is None:
            self._version_counter = [1]
        else:
            self._version_counter[0] += 1

    def _share_version_with(self, view: Tensor) -> None:
        """Make ``view`` (which shares this tensor's memory) share its version counter."""
        if self._version_counter is None:
            self._version_counter = [0]
        view._version_counter = self._version_counter

    def _check_writeable(self, op: str) -> None:
        if not self.data.flags.writeable:
            raise ValueError(
                f"{op}: this tensor's data is read-only (a broadcast view, or a read-only "
                "numpy array); clone() it first and change the clone"
            )

    def zero_(self) -> Tensor:
        """Fill with zeros in place.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.ones(2).zero_()
        tensor([0., 0.])
        """
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        """Fill with ``value`` (a number or a one-element tensor) in place.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.zeros(2).fill_(3)
        tensor([3., 3.])
        """
        if isinstance(value, InPlaceMethods):
            if value.data.size != 1:
                raise ValueError(
                    f"fill_: the value must be a number or a one-element tensor, got a tensor "
                    f"of shape {value.shape}"
                )
            return self.copy_(value.reshape(()))
        if not isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
            raise TypeError(f"fill_: the value must be a number, got {type(value).__name__}")
        if self._begin_inplace("fill_"):
            self[...] = value  # recorded: the gradient stops here
            return self
        self._check_writeable("fill_")
        self.data[...] = value
        self._bump_version()
        return self

    def copy_(self, source: Any) -> Tensor:
        """Copy ``source`` (broadcast to this tensor's shape) into this tensor in place.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.zeros(2).copy_(mytorch.tensor([1.0, 2.0]))
        tensor([1., 2.])
        """
        values = source.data if isinstance(source, InPlaceMethods) else np.asarray(source)
        if values.shape != self.data.shape and not _fits(values.shape, self.data.shape):
            raise ValueError(
                f"copy_: cannot copy a source of shape {values.shape} "
                f"into a tensor of shape {self.shape}"
            )
        if self._begin_inplace("copy_", source):
            self[...] = source  # recorded: the gradient goes to the source
            return self
        self._check_writeable("copy_")
        np.copyto(self.data, values, casting="unsafe")
        self._bump_version()
        return self

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        """Clamp into ``[min, max]`` in place (see ``mytorch.clamp``).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.tensor([-1.0, 0.5, 2.0]).clamp_(0, 1)
        tensor([0. , 0.5, 1. ])
        """
        recording = self._begin_inplace("clamp_", min) or self._begin_inplace("clamp_", max)
        self._check_writeable("clamp_")
        if recording:
            return self._rebase(self._history_copy().clamp(min, max), "clamp_")
        with grad_mode.no_grad():
            result = self.clamp(min, max)
        np.copyto(self.data, result.data, casting="same_kind")
        self._bump_version()
        return self

    def _inplace(self, op: str, ufunc: np.ufunc, other: Any, python_op: Any) -> Tensor:
        recording = self._begin_inplace(op, other)
        self._check_writeable(op)
        if recording:
            return self._rebase(python_op(self._history_copy(), other), op)
        values = other.data if isinstance(other, InPlaceMethods) else other
        shape = np.shape(values)
        # A number or an operand of this tensor's shape fits (the common cases);
        # anything else must broadcast without changing this tensor's shape.
        if shape != () and shape != self.data.shape and not _fits(shape, self.data.shape):
            raise ValueError(
                f"{op}: an operand of shape {np.shape(values)} cannot be applied in place "
                f"to a tensor of shape {self.shape}"
            )
        ufunc(self.data, values, out=self.data, casting="same_kind")
        self._bump_version()
        return self

    def add_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """Add ``alpha * other`` in place.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.ones(2).add_(mytorch.ones(2), alpha=2)
        tensor([3., 3.])
        """
        if alpha != 1.0:
            other = (
                other * alpha if isinstance(other, InPlaceMethods) else np.asarray(other) * alpha
            )
        return self._inplace("add_", np.add, other, operator.add)

    def sub_(self, other: Any, alpha: float = 1.0) -> Tensor:
        """Subtract ``alpha * other`` in place.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.ones(2).sub_(1)
        tensor([0., 0.])
        """
        return self.add_(other, alpha=-alpha)

    def mul_(self, other: Any) -> Tensor:
        """Multiply by ``other`` in place.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.ones(2).mul_(4)
        tensor([4., 4.])
        """
        return self._inplace("mul_", np.multiply, other, operator.mul)

    def div_(self, other: Any) -> Tensor:
        """Divide by ``other`` in place.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.ones(2).div_(4)
        tensor([0.25, 0.25])
        """
        return self._inplace("div_", np.true_divide, other, operator.truediv)

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)


# Tensors that wrap one numpy array's memory (from_numpy(a) twice, Tensor(a) and a
# view of a) share one counter, found by the array that owns the memory: a change
# through any of them must be seen by a node that saved another, as for views.
_ARRAY_COUNTERS: dict[int, tuple[weakref.ref[np.ndarray], list[int]]] = {}


def array_counter(array: np.ndarray) -> list[int]:
    """The version counter shared by every tensor wrapping ``array``'s memory."""
    owner = array
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    key = id(owner)
    entry = _ARRAY_COUNTERS.get(key)
    if entry is not None and entry[0]() is owner:
        return entry[1]
    counter = [0]
    # The entry goes when the array does (its id may then be reused).
    reference = weakref.ref(owner, lambda _, key=key: _ARRAY_COUNTERS.pop(key, None))
    _ARRAY_COUNTERS[key] = (reference, counter)
    return counter


def _fits(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether an operand of ``shape`` broadcasts to exactly ``target``."""
    try:
        return np.broadcast_shapes(target, shape) == target
    except ValueError:
        return False  # the shapes do not broadcast at all
