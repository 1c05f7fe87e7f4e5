"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``rand``, ``randn``.

Every factory takes ``dtype`` (default: the default float dtype) and
``requires_grad``, as PyTorch's do. Random ones draw from the framework's
generator, which ``mytorch.manual_seed`` seeds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.random import default_generator
from mytorch.core.tensor import Tensor, as_array, shape_str
from mytorch.ops.shape import _sizes

__all__ = [
    "arange",
    "full",
    "ones",
    "ones_like",
    "rand",
    "randn",
    "tensor",
    "zeros",
    "zeros_like",
]


def _make(array: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor(array, requires_grad=requires_grad)


def _shape(op: str, size: tuple[Any, ...]) -> tuple[int, ...]:
    """The requested shape, checked: integer, non-negative sizes."""
    shape = _sizes(op, size)
    if any(n < 0 for n in shape):
        raise ValueError(f"{op}: sizes must be non-negative, got {shape_str(shape)}")
    return shape


def _allocate(op: str, make: Any, shape: tuple[int, ...], *args: Any, **kwargs: Any) -> Any:
    """Call a numpy factory, naming the op and the shape if numpy refuses it."""
    try:
        return make(shape, *args, **kwargs)
    except ValueError as error:
        raise ValueError(
            f"{op}: cannot make a tensor of shape {shape_str(shape)}: {error}"
        ) from error
    except MemoryError as error:
        raise MemoryError(
            f"{op}: cannot make a tensor of shape {shape_str(shape)}: {error}"
        ) from error


def _dtype(dtype: Any) -> np.dtype:
    return dtypes.resolve_dtype(dtype) or dtypes.get_default_dtype()


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Make a tensor from data, always copying it (like ``torch.tensor``).

    Parameters
    ----------
    data : array_like
        Numbers, (nested) lists, a numpy array or a Tensor.
    dtype : dtype, optional
        Python numbers and lists default to float32; numpy arrays keep theirs.
    requires_grad : bool, default False

    Raises
    ------
    TypeError
        For data that is not numeric (strings, objects), or ``requires_grad``
        with a non-float dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tensor([[1, 2], [3, 4]])
    tensor([[1., 2.],
            [3., 4.]])
    >>> mytorch.tensor([1, 2], dtype=mytorch.int64)
    tensor([1, 2])
    """
    array = as_array(data, dtypes.resolve_dtype(dtype))
    return _make(np.array(array, copy=True), requires_grad)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of the given size.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(2, 3).shape
    (2, 3)
    """
    shape = _shape("zeros", size)
    return _make(_allocate("zeros", np.zeros, shape, dtype=_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of the given size.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.ones(2)
    tensor([1., 1.])
    """
    shape = _shape("ones", size)
    return _make(_allocate("ones", np.ones, shape, dtype=_dtype(dtype)), requires_grad)


def full(size: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given size filled with ``fill_value``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.full((2,), 7.0)
    tensor([7., 7.])
    """
    shape = _shape("full", (size,))
    return _make(_allocate("full", np.full, shape, fill_value, dtype=_dtype(dtype)), requires_grad)


def zeros_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and, unless given, the dtype) of ``input``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros_like(mytorch.ones(2, 2)).shape
    (2, 2)
    """
    return _make(np.zeros(input.shape, dtype=dtype or input.dtype), requires_grad)


def ones_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and, unless given, the dtype) of ``input``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.ones_like(mytorch.zeros(2))
    tensor([1., 1.])
    """
    return _make(np.ones(input.shape, dtype=dtype or input.dtype), requires_grad)


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced values in ``[start, end)``.

    As in PyTorch, the result is int64 when all arguments are integers and
    the default float dtype otherwise.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.arange(4)
    tensor([0, 1, 2, 3])
    >>> mytorch.arange(0, 1, 0.25)
    tensor([0.  , 0.25, 0.5 , 0.75])
    """
    if end is None:
        start, end = 0, start
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if integral else dtypes.get_default_dtype()
    return _make(np.arange(start, end, step, dtype=dtypes.resolve_dtype(dtype)), requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples from the standard normal distribution, from the framework's generator.

    Examples
    --------
    >>> import mytorch
    >>> _ = mytorch.manual_seed(0)
    >>> mytorch.randn(2, 3).shape
    (2, 3)
    """
    shape = _shape("randn", size)
    values = default_generator().standard_normal(shape)
    return _make(values.astype(_dtype(dtype)), requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples from the uniform distribution on ``[0, 1)``, from the framework's generator.

    Examples
    --------
    >>> import mytorch
    >>> bool((mytorch.rand(5) < 1).all())
    True
    """
    shape = _shape("rand", size)
    values = default_generator().random(shape)
    return _make(values.astype(_dtype(dtype)), requires_grad)
