"""Tensor's in-place methods (``add_``, ``+=``, ``zero_``, ...) and its version counter.

``Tensor`` inherits them from ``InPlaceMethods``; they live apart because they
are one idea of their own: changing values that the graph may have saved. Each
change bumps the tensor's version counter, and a node that saved the tensor
compares versions at backward time ("modified in place after it was saved").
Writing into ``.data`` directly bypasses all of this, as in PyTorch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mytorch.core import grad_mode

if TYPE_CHECKING:
    from mytorch.core.tensor import Tensor

__all__ = ["InPlaceMethods"]


class InPlaceMethods:
    """The in-place half of ``Tensor`` (an ``InPlaceMethods`` instance is always a Tensor)."""

    __slots__ = ()

    def _check_inplace(self, op: str) -> None:
        """Refuse in-place changes that would silently corrupt the graph."""
        if self.requires_grad and grad_mode.is_grad_enabled():
            kind = "a leaf that requires grad" if self.is_leaf else "a tensor in the graph"
            raise RuntimeError(
                f"{op}: in-place change of {kind} is not allowed while recording; "
                "wrap it in mytorch.no_grad() or use the out-of-place form"
            )

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

    def fill_(self, value: float) -> Tensor:
        """Fill with ``value`` in place.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.zeros(2).fill_(3)
        tensor([3., 3.])
        """
        self._check_inplace("fill_")
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
        self._check_inplace("copy_")
        self._check_writeable("copy_")
        values = source.data if isinstance(source, InPlaceMethods) else np.asarray(source)
        try:
            if values.shape != self.data.shape:
                values = np.broadcast_to(values, self.data.shape)
            np.copyto(self.data, values, casting="unsafe")
        except ValueError as error:
            raise ValueError(
                f"copy_: cannot copy a source of shape {np.shape(values)} "
                f"into a tensor of shape {self.shape}"
            ) from error
        self._bump_version()
        return self

    def _inplace(self, op: str, ufunc: np.ufunc, other: Any) -> Tensor:
        self._check_inplace(op)
        self._check_writeable(op)
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
                other.data if isinstance(other, InPlaceMethods) else np.asarray(other)
            ) * alpha
        return self._inplace("add_", np.add, other)

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
        return self._inplace("mul_", np.multiply, other)

    def div_(self, other: Any) -> Tensor:
        """Divide by ``other`` in place.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.ones(2).div_(4)
        tensor([0.25, 0.25])
        """
        return self._inplace("div_", np.true_divide, other)

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)


def _fits(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether an operand of ``shape`` broadcasts to exactly ``target``."""
    try:
        return np.broadcast_shapes(target, shape) == target
    except ValueError:
        return False  # the shapes do not broadcast at all
