"""Random tensors: ``rand``, ``randn``, ``randint``, ``randperm``, ``*_like``, ``multinomial``.

Each draws from the framework's generator (seeded by ``mytorch.manual_seed``),
or from the ``generator=`` given (a ``mytorch.Generator``), as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.random import generator_of
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.creation import _dtype, _make, _shape

__all__ = ["multinomial", "rand", "rand_like", "randint", "randn", "randn_like", "randperm"]


def randn(
    *size: Any,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples from the standard normal distribution.

    Examples
    --------
    >>> import mytorch
    >>> _ = mytorch.manual_seed(0)
    >>> mytorch.randn(2, 3).shape
    (2, 3)
    """
    shape = _shape("randn", size)
    values = generator_of(generator, "randn").standard_normal(shape)
    return _make(values.astype(_dtype(dtype)), requires_grad, device)


def rand(
    *size: Any,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples from the uniform distribution on ``[0, 1)``.

    Examples
    --------
    >>> import mytorch
    >>> bool((mytorch.rand(5) < 1).all())
    True
    """
    shape = _shape("rand", size)
    values = generator_of(generator, "rand").random(shape)
    return _make(values.astype(_dtype(dtype)), requires_grad, device)


def _like_shape(op: str, input: Any) -> tuple[tuple[int, ...], np.dtype]:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating-point tensor, got dtype {input.dtype}")
    return input.shape, input.dtype


def rand_like(
    input: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Uniform samples on ``[0, 1)`` in the shape (and dtype) of ``input``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.rand_like(mytorch.zeros(2, 3)).shape
    (2, 3)
    """
    shape, own = _like_shape("rand_like", input)
    return rand(*shape, dtype=dtype or own, device=device, requires_grad=requires_grad)


def randn_like(
    input: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples in the shape (and dtype) of ``input``.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.randn_like(mytorch.zeros(2, 3)).dtype
    dtype('float32')
    """
    shape, own = _like_shape("randn_like", input)
    return randn(*shape, dtype=dtype or own, device=device, requires_grad=requires_grad)


def randint(
    *args: Any,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Random integers in ``[low, high)``: ``randint(high, size)`` or ``randint(low, high, size)``.

    The result is int64 unless ``dtype`` says otherwise, as in PyTorch.

    Raises
    ------
    ValueError
        If ``low >= high``.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.randint(3, 10, (5,))
    >>> x.dtype, bool((x >= 3).all() and (x < 10).all())
    (dtype('int64'), True)
    """
    if size is None and args:
        args, size = args[:-1], args[-1]
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    for bound in (low, high):
        if not isinstance(bound, (int, np.integer)) or isinstance(bound, bool):
            raise TypeError(f"randint: low and high must be integers, got {low!r} and {high!r}")
    if low >= high:
        raise ValueError(f"randint: low must be less than high, got low={low}, high={high}")
    shape = _shape("randint", (size,))
    values = generator_of(generator, "randint").integers(low, high, shape)
    resolved = dtypes.resolve_dtype(dtype) or dtypes.int64
    return _make(values.astype(resolved), requires_grad, device)


def randperm(
    n: int,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A random permutation of ``0, ..., n - 1`` (int64 by default).

    Examples
    --------
    >>> import mytorch
    >>> sorted(mytorch.randperm(4).tolist())
    [0, 1, 2, 3]
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"randperm: n must be a non-negative integer, got {n!r}")
    values = generator_of(generator, "randperm").permutation(int(n))
    resolved = dtypes.resolve_dtype(dtype) or dtypes.int64
    return _make(values.astype(resolved), requires_grad, device)


def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, generator: Any = None
) -> Tensor:
    """Draw indices from the categories weighted by each row of ``input`` (int64).

    ``input`` is 1-D (one distribution) or 2-D (one per row); the weights need
    not sum to one. Without replacement an index is drawn at most once per row.

    Raises
    ------
    ValueError
        For negative, infinite or NaN weights, a row of all zeros, or more samples
        than non-zero weights without replacement.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.multinomial(mytorch.tensor([0.0, 1.0, 0.0]), 2, replacement=True)
    tensor([1, 1])
    """
    if not isinstance(input, Tensor) or input.ndim not in (1, 2):
        shape = shape_str(input.shape) if isinstance(input, Tensor) else type(input).__name__
        raise ValueError(f"multinomial: input must be a 1-D or 2-D tensor, got {shape}")
    if not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
        raise ValueError(
            f"multinomial: num_samples must be a positive integer, got {num_samples!r}"
        )
    weights = np.atleast_2d(input.data).astype(np.float64)
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("multinomial: weights must be finite and non-negative")
    totals = weights.sum(axis=1, keepdims=True)
    if (totals == 0).any():
        raise ValueError("multinomial: each row of weights must have a positive sum")
    if not replacement and (np.count_nonzero(weights, axis=1) < num_samples).any():
        raise ValueError(
            f"multinomial: cannot draw {num_samples} samples without replacement from a row "
            f"with fewer non-zero weights (input of shape {shape_str(input.shape)})"
        )
    rng = generator_of(generator, "multinomial")
    rows = [
        rng.choice(len(row), size=int(num_samples), replace=bool(replacement), p=row)
        for row in weights / totals
    ]
    out = np.stack(rows).astype(np.int64)
    return Tensor._wrap(out if input.ndim == 2 else out[0])
