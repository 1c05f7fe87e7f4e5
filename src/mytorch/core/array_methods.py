"""Tensor's read-only, array-like half: ``shape``, ``dtype``, ``item()``, ``numpy()``, ...

``Tensor`` inherits these from ``ArrayMethods``. They only look at ``.data``, the
numpy array a tensor wraps, and have nothing to do with the graph, so they live
apart from the autograd state in ``mytorch.core.tensor``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from mytorch.core import capture, dtypes
from mytorch.core.device import _CPU, device

__all__ = ["ArrayMethods", "as_array"]


def as_array(data: Any, dtype: np.dtype | None = None) -> np.ndarray:
    """Convert user data to an ndarray following MyTorch's dtype rules.

    As in PyTorch: Python floats (and lists holding any) become the default float
    dtype, Python ints int64, Python bools bool; numpy arrays keep their dtype
    (and are not copied).
    """
    if isinstance(data, ArrayMethods):
        data = data.data
    if isinstance(data, np.ndarray):
        array = data
    elif isinstance(data, np.generic):
        array = np.asarray(data)
    else:
        array = np.asarray(data)
        if array.dtype.kind == "f" and dtype is None:
            array = array.astype(dtypes.get_default_dtype(), copy=False)
    if array.dtype.kind in "OSUVMm":
        raise TypeError(
            f"Tensor: cannot hold data of dtype {array.dtype} (from {type(data).__name__}); "
            "use numbers, bools or numeric numpy arrays"
        )
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    return array


class ArrayMethods:
    """The array-like half of ``Tensor`` (an ``ArrayMethods`` instance is always a Tensor)."""

    __slots__ = ()

    # The shape, dtype and ndim properties read ``_data``, the slot behind
    # Tensor's ``.data`` property, directly: they are read on every op's path.
    data: np.ndarray
    _data: np.ndarray
    requires_grad: bool

    @property
    def shape(self) -> tuple[int, ...]:
        """The size of each dimension, as a tuple.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.zeros(2, 3).shape
        (2, 3)
        """
        return self._data.shape

    @property
    def dtype(self) -> np.dtype:
        """The element dtype (a numpy dtype such as ``mytorch.float32``).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.tensor([1.0, 2.0]).dtype
        dtype('float32')
        """
        return self._data.dtype

    @property
    def device(self) -> device:
        """The device the tensor is on: always the CPU (``mytorch.device("cpu")``).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.zeros(2).device
        device(type='cpu')
        """
        return _CPU

    @property
    def ndim(self) -> int:
        """The number of dimensions.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.zeros(2, 3).ndim
        2
        """
        return self._data.ndim

    def dim(self) -> int:
        """Return the number of dimensions (PyTorch's name for ``ndim``).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.zeros(2, 3).dim()
        2
        """
        return self.data.ndim

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        """Return the shape (a tuple, as ``shape``), or the size of dimension ``dim``.

        Raises
        ------
        IndexError
            If ``dim`` is out of range (negative dims count from the end).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.zeros(2, 3).size()
        (2, 3)
        >>> mytorch.zeros(2, 3).size(-1)
        3
        """
        shape = self.data.shape
        if dim is None:
            return shape
        if not -len(shape) <= dim < len(shape):
            raise IndexError(
                f"size: dimension {dim} is out of range for a tensor with {len(shape)} dimensions"
            )
        return shape[dim]

    def numel(self) -> int:
        """Return the number of elements.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.zeros(2, 3).numel()
        6
        """
        return self.data.size

    def numpy(self) -> np.ndarray:
        """Return the data as a numpy array (shared, not copied).

        Raises
        ------
        RuntimeError
            If the tensor requires grad (call ``detach()`` first, as in PyTorch).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.ones(2).numpy()
        array([1., 1.], dtype=float32)
        """
        capture.escape(".numpy()")
        if self.requires_grad:
            raise RuntimeError(
                "numpy: can't call numpy() on a tensor that requires grad; "
                "use tensor.detach().numpy()"
            )
        return self.data

    def item(self) -> float | int | bool:
        """Return the value of a one-element tensor as a Python number.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.tensor(2.5).item()
        2.5
        """
        capture.escape(".item()")
        if self.data.size != 1:
            raise ValueError(
                f"item: only one-element tensors can be converted to a Python number, "
                f"got shape {self.shape}"
            )
        return self.data.item()

    def tolist(self) -> Any:
        """Return the data as (nested) Python lists of numbers.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.tensor([1.0, 2.0]).tolist()
        [1.0, 2.0]
        """
        capture.escape(".tolist()")
        return self.data.tolist()

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Iterator[Any]:
        # Without it Python iterates by indexing until IndexError, so a 0-d
        # tensor would silently iterate as empty (PyTorch raises).
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self.data)))  # type: ignore[index]

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """numpy's hook for ``array OP tensor``: use Tensor's own operators.

        ``array * tensor`` gives a Tensor (via the reflected operator), not an
        object array of Tensors. An in-place numpy op into an array, such as
        ``p.data -= lr * p.grad`` (PyTorch's hand-written SGD), computes on the
        arrays and leaves autograd out, as writing into ``.data`` always does.
        """
        out = kwargs.get("out")
        if out is not None:
            if method == "__call__" and all(type(o) is np.ndarray for o in out):
                arrays = [x.data if isinstance(x, ArrayMethods) else x for x in inputs]
                return ufunc(*arrays, **kwargs)
            return NotImplemented
        if method == "__call__" and not kwargs and len(inputs) == 2 and inputs[1] is self:
            name = _REFLECTED.get(ufunc.__name__)
            operator = getattr(self, name, None) if name else None
            if operator is not None:
                return operator(inputs[0])
        return NotImplemented

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        capture.escape("a conversion to a numpy array")
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __bool__(self) -> bool:
        capture.escape("bool(tensor), as in `if tensor:`")
        if self.data.size != 1:
            raise RuntimeError(
                f"bool: the truth value of a tensor of shape {self.shape} is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only one-element integer tensors can be used as an index")
        capture.escape("a tensor used as a Python index")
        return int(self.data.item())


# ``array OP tensor`` is ``tensor.__rOP__(array)``; comparisons swap sides.
_REFLECTED = {
    "add": "__radd__",
    "subtract": "__rsub__",
    "multiply": "__rmul__",
    "divide": "__rtruediv__",
    "true_divide": "__rtruediv__",
    "power": "__rpow__",
    "matmul": "__rmatmul__",
    "floor_divide": "__rfloordiv__",
    "remainder": "__rmod__",
    "bitwise_and": "__rand__",
    "bitwise_or": "__ror__",
    "bitwise_xor": "__rxor__",
    "less": "__gt__",
    "less_equal": "__ge__",
    "greater": "__lt__",
    "greater_equal": "__le__",
    "equal": "__eq__",
    "not_equal": "__ne__",
}
