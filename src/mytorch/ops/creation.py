"""Making tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``empty``, ``eye``, ranges, ...

Every factory takes ``dtype``, ``device`` (the CPU only: see
``mytorch.device``) and ``requires_grad``, as PyTorch's do. The random ones
are in ``mytorch.ops.random``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.device import check_device
from mytorch.core.tensor import Tensor, as_array, shape_str
from mytorch.ops.shape import _sizes

__all__ = [
    "as_tensor",
    "empty",
    "empty_like",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "ones",
    "ones_like",
    "tensor",
    "zeros",
    "zeros_like",
]


def _make(array: np.ndarray, requires_grad: bool, device: Any = None) -> Tensor:
    """Wrap a fresh array (no other tensor shares its memory, so no version counter yet)."""
    check_device(device)
    tensor = Tensor._wrap(array)
    if requires_grad is not False:
        tensor.requires_grad_(requires_grad)  # checks it is a bool, and a float dtype
    return tensor


def _shape(op: str, size: tuple[Any, ...]) -> tuple[int, ...]:
    """The requested shape, checked: integer, non-negative sizes."""
    if any(isinstance(n, (bool, np.bool_)) for n in size):
        # zeros(True) would be a tensor of shape (1,): surely not what was meant.
        raise TypeError(f"{op}: sizes must be integers, not bools, got {size!r}")
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


def tensor(
    data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Make a tensor from data, always copying it (like ``torch.tensor``).

    Parameters
    ----------
    data : array_like
        Numbers, (nested) lists, a numpy array or a Tensor.
    dtype : dtype, optional
        By default as PyTorch: Python floats give the default float dtype
        (float32), ints int64, bools bool; numpy arrays keep theirs.
    device : str or device, optional
        Only the CPU (see ``mytorch.device``).
    requires_grad : bool, default False

    Raises
    ------
    TypeError
        For data that is not numeric (strings, objects), or ``requires_grad``
        with a non-float dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    tensor([[1., 2.],
            [3., 4.]])
    >>> mytorch.tensor([1, 2])
    tensor([1, 2])
    >>> mytorch.tensor([1, 2], dtype=mytorch.float32)
    tensor([1., 2.])
    """
    array = as_array(data, dtypes.resolve_dtype(dtype))
    return _make(np.array(array, copy=True), requires_grad, device)


def zeros(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of zeros of the given size.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(2, 3).shape
    (2, 3)
    """
    shape = _shape("zeros", size)
    return _make(_allocate("zeros", np.zeros, shape, dtype=_dtype(dtype)), requires_grad, device)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of the given size.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.ones(2)
    tensor([1., 1.])
    """
    shape = _shape("ones", size)
    return _make(_allocate("ones", np.ones, shape, dtype=_dtype(dtype)), requires_grad, device)


def full(
    size: Any,
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of the given size filled with ``fill_value``.

    Without ``dtype`` the dtype follows the value, as in PyTorch: a bool gives
    bool, an int int64, a float the default float dtype.

    Raises
    ------
    TypeError
        If ``fill_value`` is not a number (None, a string, ...).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.full((2,), 7.0)
    tensor([7., 7.])
    >>> mytorch.full((2,), 7).dtype
    dtype('int64')
    """
    shape = _shape("full", (size,))
    fill, dtype = _fill("full", fill_value, dtype)
    return _make(_allocate("full", np.full, shape, fill, dtype=dtype), requires_grad, device)


def _fill(op: str, value: Any, dtype: Any) -> tuple[Any, np.dtype]:
    """Check a fill value; return it and the dtype to fill in (given, or inferred)."""
    if isinstance(value, Tensor):
        if value.data.size != 1:
            raise ValueError(
                f"{op}: fill_value must be a number, got a tensor of shape {value.shape}"
            )
        value = value.item()
    if not isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        raise TypeError(f"{op}: fill_value must be a number, got {type(value).__name__}")
    resolved = dtypes.resolve_dtype(dtype)
    if resolved is None:
        resolved = as_array(value).dtype
        if resolved.kind in "iu":
            resolved = dtypes.int64
    return value, resolved


def empty(
    *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of the given size whose values are not set (numpy's ``empty``).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.empty(2, 3).shape
    (2, 3)
    """
    shape = _shape("empty", size)
    return _make(_allocate("empty", np.empty, shape, dtype=_dtype(dtype)), requires_grad, device)


def eye(
    n: int,
    m: int | None = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A 2-D tensor of ``n`` rows (and ``m`` columns, default ``n``), ones on the diagonal.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    shape = _shape("eye", (n,) if m is None else (n, m))
    rows, columns = shape[0], shape[-1]
    return _make(np.eye(rows, columns, dtype=_dtype(dtype)), requires_grad, device)


def _like(
    op: str, input: Tensor, make: Any, dtype: Any, device: Any, requires_grad: bool, *args: Any
) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    resolved = dtypes.resolve_dtype(dtype) or input.dtype
    return _make(make(input.shape, *args, dtype=resolved), requires_grad, device)


def zeros_like(
    input: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Zeros with the shape (and, unless given, the dtype) of ``input``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros_like(mytorch.ones(2, 2)).shape
    (2, 2)
    """
    return _like("zeros_like", input, np.zeros, dtype, device, requires_grad)


def ones_like(
    input: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Ones with the shape (and, unless given, the dtype) of ``input``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.ones_like(mytorch.zeros(2))
    tensor([1., 1.])
    """
    return _like("ones_like", input, np.ones, dtype, device, requires_grad)


def empty_like(
    input: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor with the shape (and, unless given, the dtype) of ``input``, values not set.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.empty_like(mytorch.zeros(2, 3)).shape
    (2, 3)
    """
    return _like("empty_like", input, np.empty, dtype, device, requires_grad)


def full_like(
    input: Tensor,
    fill_value: Any,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``fill_value`` in the shape (and, unless given, the dtype) of ``input``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.full_like(mytorch.zeros(2), 3)
    tensor([3., 3.])
    """
    fill, _ = _fill("full_like", fill_value, dtype)
    return _like("full_like", input, np.full, dtype, device, requires_grad, fill)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares ``array``'s memory and dtype (no copy), as ``torch.from_numpy``.

    Changes through either are seen by the other. As in PyTorch, a change made
    through numpy is not seen by autograd's checks; one made through the tensor
    is, and every tensor wrapping the same array (or a view of it) shares one
    version counter, so a change through any of them is caught by a graph that
    saved another.

    Raises
    ------
    TypeError
        If ``array`` is not a numpy array of numbers or bools.

    Examples
    --------
    >>> import numpy as np
    >>> import mytorch
    >>> a = np.array([1.0, 2.0])
    >>> t = mytorch.from_numpy(a)
    >>> t.add_(1)
    tensor([2., 3.], dtype=float64)
    >>> a
    array([2., 3.])
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor(array)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory where it can, as ``torch.as_tensor``.

    A Tensor of the requested dtype is returned as is; a numpy array of that
    dtype is wrapped without a copy (see ``from_numpy``); anything else is
    converted as ``tensor`` does.

    Examples
    --------
    >>> import numpy as np
    >>> import mytorch
    >>> a = np.zeros(2, dtype=np.float32)
    >>> mytorch.as_tensor(a).data is a
    True
    >>> mytorch.as_tensor([1, 2]).dtype
    dtype('int64')
    """
    check_device(device)
    resolved = dtypes.resolve_dtype(dtype)
    if isinstance(data, Tensor):
        return data if resolved is None else data.to(resolved)
    if isinstance(data, np.ndarray) and (resolved is None or resolved == data.dtype):
        return Tensor(data)
    return Tensor(as_array(data, resolved))
