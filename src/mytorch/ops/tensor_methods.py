"""Tensor methods with no function form of their own: t, view_as, expand_as, contiguous, ...

``methods.py`` attaches them to ``Tensor``; each is a one-line use of an op.
Also here: the small predicates ``is_tensor``, ``numel``, ``allclose`` and
``equal``, which look at tensors without making new ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops import shape

__all__ = ["allclose", "equal", "is_tensor", "numel"]


def t(self: Tensor) -> Tensor:
    """Transpose a matrix; a 0-d or 1-D tensor comes back as it is.

    Raises
    ------
    ValueError
        For a tensor of more than 2 dimensions (use ``transpose`` or ``mT``).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tensor([[1.0, 2.0]]).t()
    tensor([[1.],
            [2.]])
    """
    if self.ndim > 2:
        raise ValueError(
            f"t: expects a tensor with at most 2 dimensions, got shape {shape_str(self.shape)}"
        )
    return shape.transpose(self, 0, 1) if self.ndim == 2 else self


def view_as(self: Tensor, other: Tensor) -> Tensor:
    """``self.view(other.shape)``: the same elements in ``other``'s shape.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.arange(6.0).view_as(mytorch.zeros(2, 3)).shape
    (2, 3)
    """
    return shape.reshape(self, _shape_of("view_as", other))


def reshape_as(self: Tensor, other: Tensor) -> Tensor:
    """``self.reshape(other.shape)``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.arange(6.0).reshape_as(mytorch.zeros(3, 2)).shape
    (3, 2)
    """
    return shape.reshape(self, _shape_of("reshape_as", other))


def expand_as(self: Tensor, other: Tensor) -> Tensor:
    """``self.expand(other.shape)``: broadcast to ``other``'s shape (a view).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tensor([1.0, 2.0]).expand_as(mytorch.zeros(3, 2)).shape
    (3, 2)
    """
    return shape.expand(self, _shape_of("expand_as", other))


def _shape_of(op: str, other: Any) -> tuple[int, ...]:
    if not isinstance(other, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(other).__name__}")
    return other.shape


def contiguous(self: Tensor) -> Tensor:
    """Return ``self``: numpy handles any memory layout, so there is nothing to do.

    Kept so that PyTorch code calling ``x.contiguous().view(...)`` runs unchanged.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.zeros(2, 3)
    >>> x.t().contiguous().shape
    (3, 2)
    """
    return self


def nelement(self: Tensor) -> int:
    """The number of elements (another name for ``numel()``).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(2, 3).nelement()
    6
    """
    return self.data.size


def element_size(self: Tensor) -> int:
    """The size of one element in bytes (4 for float32).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(2).element_size()
    4
    """
    return self.data.itemsize


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a MyTorch ``Tensor`` (or a subclass, such as a Parameter).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.is_tensor(mytorch.zeros(1)), mytorch.is_tensor([1.0])
    (True, False)
    """
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """The number of elements of ``input``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.numel(mytorch.zeros(2, 3))
    6
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"numel: expected a Tensor, got {type(input).__name__}")
    return input.data.size


def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether ``|input - other| <= atol + rtol * |other|`` everywhere (broadcasting).

    Raises
    ------
    ValueError
        If the shapes do not broadcast.
    TypeError
        If the dtypes differ, as in PyTorch.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.allclose(mytorch.tensor([1.0, 2.0]), mytorch.tensor([1.0, 2.0 + 1e-9]))
    True
    """
    a, b = _arrays("allclose", input, other)
    if a.dtype != b.dtype:  # as PyTorch: compare like with like
        raise TypeError(f"allclose: dtypes differ: {a.dtype} and {b.dtype}")
    try:
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError as error:
        raise ValueError(
            f"allclose: shapes {shape_str(a.shape)} and {shape_str(b.shape)} do not broadcast"
        ) from error


def equal(input: Tensor, other: Tensor) -> bool:
    """Whether the two tensors have the same shape and the same elements.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.equal(mytorch.tensor([1.0, 2.0]), mytorch.tensor([1.0, 2.0]))
    True
    >>> mytorch.equal(mytorch.tensor([1.0]), mytorch.tensor([1.0, 1.0]))
    False
    """
    a, b = _arrays("equal", input, other)
    return bool(np.array_equal(a, b))


def _arrays(op: str, input: Any, other: Any) -> tuple[np.ndarray, np.ndarray]:
    for value in (input, other):
        if not isinstance(value, Tensor):
            raise TypeError(f"{op}: expected two Tensors, got {type(value).__name__}")
    return input.data, other.data
