"""Matrix product: 1-D, 2-D and batched N-D with broadcast batch axes.

Backward works on the 2-D-or-more form: a 1-D left operand is treated as a row
``(1, k)`` and a 1-D right operand as a column ``(k, 1)``, as numpy does. Then
``grad_a = grad @ b^T`` and ``grad_b = a^T @ grad``, and batch axes that
broadcasting added are summed away by ``unbroadcast``.
"""

from __future__ import annotations

import numpy as np

from mytorch.core import dtypes
from mytorch.core.function import BackwardFunction, Function
from mytorch.core.grad_mode import is_grad_enabled
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.broadcast import unbroadcast

__all__ = ["matmul", "product"]


class MatMul(Function):
    fresh_grads = True  # each gradient is a new product (or a sum or reshape of one)

    @staticmethod
    def forward(ctx: BackwardFunction, a: Tensor, b: Tensor) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return product(a.data, b.data)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        x, y = a.data, b.data
        if (
            not is_grad_enabled()
            and x.ndim == y.ndim >= 2
            and (x.ndim == 2 or x.shape[:-2] == y.shape[:-2])  # 2-D: no batch axes to compare
        ):
            # Not recorded (no create_graph) and nothing to unbroadcast: the two
            # products straight on the arrays, with no op dispatch. The transposed
            # views are the ones .mT makes, and forward's product() is used, so
            # numpy computes the same bits as the recorded formula below.
            return (
                Tensor._wrap(product(grad.data, y.swapaxes(-1, -2))) if need_a else None,
                Tensor._wrap(product(x.swapaxes(-1, -2), grad.data)) if need_b else None,
            )
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        # Restore the axes numpy dropped: b's column first, so that a 1-D @ 1-D
        # result (0-d) becomes (1,) and then the (1, 1) of a row times a column.
        if b.ndim == 1:
            grad = grad.unsqueeze(-1)
        if a.ndim == 1:
            grad = grad.unsqueeze(-2)
        grad_a = grad_b = None
        if need_a:
            grad_a = unbroadcast(grad @ b2.mT, a2.shape).reshape(a.shape)
        if need_b:
            grad_b = unbroadcast(a2.mT @ grad, b2.shape).reshape(b.shape)
        return grad_a, grad_b


def product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` on arrays, as every matrix product in MyTorch computes it.

    Small operands of at most 2 dimensions go to ``np.dot``: the same BLAS
    call as ``np.matmul`` without the ufunc's dispatch, 0.3 to 0.5 us less per
    product (a fifth of a small one). Large ones go to ``np.matmul``, which
    costs the same there and, unlike ``np.dot``, makes no contiguous copy of an
    operand BLAS cannot read directly (a broadcast gradient, a strided view);
    so do batched ones, which ``np.matmul`` multiplies with BLAS and ``np.dot``
    would not. The two can round a matrix-vector product of a strided array
    differently in the last bit, so a formula computed twice (recorded, and on
    arrays) calls this function both ways, and gets the same bits.
    """
    if a.ndim <= 2 and b.ndim <= 2 and a.size + b.size <= _DOT_LIMIT:
        return np.dot(a, b)
    return np.matmul(a, b)


# Elements in both operands up to which product() uses np.dot (at most 1 MB of float32).
_DOT_LIMIT = 2**18


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product of two tensors, as ``numpy.matmul`` (``input @ other``).

    Raises
    ------
    ValueError
        If the inner dimensions differ or an operand is 0-d.
    RuntimeError
        If the operands' dtypes differ (as in PyTorch).

    Examples
    --------
    >>> import mytorch
    >>> a = mytorch.ones(2, 3)
    >>> b = mytorch.ones(3, 4)
    >>> (a @ b).shape
    (2, 4)
    """
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(
            f"matmul: expected two Tensors, got {type(input).__name__} and {type(other).__name__}"
        )
    # The checks read the arrays: their ndim and shape are C attributes, the
    # Tensor's are Python properties (~0.3 us less per product).
    x, y = input.data, other.data
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"matmul: both operands need at least 1 dimension, got shapes "
            f"{shape_str(input.shape)} and {shape_str(other.shape)}"
        )
    if x.dtype is not y.dtype and not dtypes.same_type(x.dtype, y.dtype):
        # As PyTorch: no silent promotion (a float64 batch into a float32 model).
        raise RuntimeError(
            f"matmul: both operands must have the same dtype, got {input.dtype} and "
            f"{other.dtype}; convert one with .to(dtype)"
        )
    inner_a = x.shape[-1]
    inner_b = y.shape[0] if y.ndim == 1 else y.shape[-2]
    if inner_a != inner_b:
        raise ValueError(
            f"matmul: shapes {shape_str(input.shape)} and {shape_str(other.shape)} do not "
            f"fit: {inner_a} columns against {inner_b} rows"
        )
    return MatMul.apply(input, other)
