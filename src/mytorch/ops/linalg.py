"""Linear algebra: mm, bmm, dot (checked forms of matmul), einsum, and vector norms.

``mm``, ``bmm`` and ``dot`` only check their operands' shapes, as PyTorch does,
and hand on to ``matmul``, whose backward they share. ``einsum`` has one backward
for every equation: the gradient of an operand is the einsum of the output's
gradient with the other operands, into that operand's subscripts.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mytorch.core.function import BackwardFunction, Function
from mytorch.core.tensor import Tensor, shape_str
from mytorch.ops.broadcast import unbroadcast
from mytorch.ops.matmul import matmul
from mytorch.ops.reductions import Dims, reduction_axes, spread

__all__ = ["bmm", "dot", "einsum", "mm", "norm"]

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Product of two matrices (2-D tensors): ``(n, m) @ (m, p) -> (n, p)``.

    Raises
    ------
    ValueError
        If an operand is not 2-D or the inner sizes differ.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.mm(mytorch.ones(2, 3), mytorch.ones(3, 4)).shape
    (2, 4)
    """
    _check_ndim("mm", (input, mat2), 2, "matrices")
    return matmul(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product of 3-D tensors: ``(b, n, m) @ (b, m, p) -> (b, n, p)``.

    Unlike ``matmul``, the batch sizes must be equal (no broadcasting).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.bmm(mytorch.ones(5, 2, 3), mytorch.ones(5, 3, 4)).shape
    (5, 2, 4)
    """
    _check_ndim("bmm", (input, mat2), 3, "batches of matrices")
    if input.shape[0] != mat2.shape[0]:
        raise ValueError(
            f"bmm: batch sizes differ: shapes {shape_str(input.shape)} and {shape_str(mat2.shape)}"
        )
    return matmul(input, mat2)


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """Inner product of two 1-D tensors of the same length, as a 0-d tensor.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.dot(mytorch.tensor([1.0, 2.0]), mytorch.tensor([3.0, 4.0]))
    tensor(11.)
    """
    _check_ndim("dot", (input, tensor), 1, "1-D tensors")
    if input.shape != tensor.shape:
        raise ValueError(
            f"dot: lengths differ: shapes {shape_str(input.shape)} and {shape_str(tensor.shape)}"
        )
    return matmul(input, tensor)


def _check_ndim(op: str, operands: tuple[Any, ...], ndim: int, what: str) -> None:
    for operand in operands:
        if not isinstance(operand, Tensor):
            raise TypeError(f"{op}: expected Tensors, got {type(operand).__name__}")
    if any(operand.ndim != ndim for operand in operands):
        shapes = " and ".join(shape_str(operand.shape) for operand in operands)
        raise ValueError(f"{op}: expects {what} ({ndim}-D), got shapes {shapes}")


# ------------------------------------------------------------------ einsum
class Einsum(Function):
    @staticmethod
    def forward(
        ctx: BackwardFunction, inputs: tuple[str, ...], output: str, *operands: Tensor
    ) -> np.ndarray:
        ctx.save_for_backward(*operands)
        ctx.subscripts = inputs, output
        return np.asarray(np.einsum(f"{','.join(inputs)}->{output}", *[o.data for o in operands]))

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor | None, ...]:
        operands = ctx.saved_tensors
        inputs, output = ctx.subscripts
        grads: list[Tensor | None] = [None, None]
        for k, need in enumerate(ctx.needs_input_grad[2:]):
            grads.append(_einsum_grad(grad, output, inputs, operands, k) if need else None)
        return tuple(grads)


def _einsum_grad(
    grad: Tensor, output: str, inputs: tuple[str, ...], operands: tuple[Tensor, ...], k: int
) -> Tensor:
    """Gradient of operand ``k``: contract the output's gradient with the other operands."""
    target = inputs[k]
    others = [i for i in range(len(inputs)) if i != k]
    known = set(output).union(*(inputs[i] for i in others))
    letters = "".join(dict.fromkeys(target))  # once each, in order: "iij" -> "ij"
    reached = "".join(c for c in letters if c in known)
    result = Einsum.apply(
        (output, *(inputs[i] for i in others)), reached, grad, *[operands[i] for i in others]
    )
    sizes = dict(zip(target, operands[k].shape, strict=True))
    # A letter only this operand has was summed in forward: its gradient is the
    # same for every position along it, so broadcast along it.
    if reached != letters:
        kept = [sizes[c] if c in reached else 1 for c in letters]
        result = result.reshape(*kept).expand(*[sizes[c] for c in letters])
    if letters != target:  # a repeated letter ("ii"): the gradient lives on the diagonal
        result = DiagonalEmbed.apply(result, letters, target, operands[k].shape)
    # Ellipsis axes of size 1 broadcast in forward: sum their gradient back.
    return unbroadcast(result, operands[k].shape)


class DiagonalEmbed(Function):
    """Zeros of ``shape`` with ``values`` on the diagonal that ``full`` describes ("ii")."""

    @staticmethod
    def forward(
        ctx: BackwardFunction, values: Tensor, letters: str, full: str, shape: tuple[int, ...]
    ) -> np.ndarray:
        ctx.subscripts = letters, full
        out = np.zeros(shape, dtype=values.dtype)
        # einsum's "ii->i" is a writable view of the diagonal.
        np.einsum(f"{full}->{letters}", out)[...] = values.data
        return out

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None, None]:
        letters, full = ctx.subscripts
        return Einsum.apply((full,), letters, grad), None, None, None


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum products of elements named by subscripts, as ``numpy.einsum`` (and PyTorch).

    Supports any number of operands, ``...`` for leading dimensions, repeated
    subscripts (``"ii->i"``, a diagonal) and an implicit output (no ``->``).
    Operands may be passed as separate arguments or as one list.

    Raises
    ------
    ValueError
        If the equation does not fit the operands' shapes.

    Examples
    --------
    >>> import mytorch
    >>> a = mytorch.ones(2, 3)
    >>> b = mytorch.ones(3, 4)
    >>> mytorch.einsum("ij,jk->ik", a, b).shape
    (2, 4)
    >>> mytorch.einsum("ii", mytorch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor(5.)
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a str, got {type(equation).__name__}")
    if not operands or not all(isinstance(o, Tensor) for o in operands):
        raise TypeError("einsum: expected one or more Tensors after the equation")
    inputs, output = _parse_einsum(equation.replace(" ", ""), operands)
    return Einsum.apply(inputs, output, *operands)


def _parse_einsum(equation: str, operands: tuple[Tensor, ...]) -> tuple[tuple[str, ...], str]:
    """Split the equation and write every ``...`` out as letters of its own."""
    left, arrow, output = equation.partition("->")
    inputs = left.split(",")
    if len(inputs) != len(operands):
        raise ValueError(
            f"einsum: the equation {equation!r} names {len(inputs)} operands, got {len(operands)}"
        )
    free = [c for c in _LETTERS if c not in equation]
    ellipsis_ndim = 0
    for term, operand in zip(inputs, operands, strict=True):
        named = len(term.replace("...", ""))
        if "..." in term and operand.ndim >= named:
            ellipsis_ndim = max(ellipsis_ndim, operand.ndim - named)
        elif named != operand.ndim:
            raise ValueError(
                f"einsum: subscripts {term!r} name {named} dimensions, but the operand has "
                f"shape {shape_str(operand.shape)}"
            )
    spelled = "".join(free[:ellipsis_ndim])  # ellipsis axes, right-aligned as in broadcasting
    inputs = [
        term.replace("...", spelled[ellipsis_ndim - (op.ndim - len(term) + 3) :])
        for term, op in zip(inputs, operands, strict=True)
    ]
    if not arrow:  # implicit output: the letters used once, sorted, after the ellipsis
        counts = "".join(inputs)
        output = spelled + "".join(
            sorted(c for c in set(counts) if counts.count(c) == 1 and c not in spelled)
        )
    else:
        output = output.replace("...", spelled)
    bad = [c for c in "".join(inputs) + output if not c.isalpha()]
    if bad:
        raise ValueError(f"einsum: invalid subscript {bad[0]!r} in {equation!r}")
    return tuple(inputs), output


# -------------------------------------------------------------------- norm
class VectorNorm(Function):
    @staticmethod
    def forward(
        ctx: BackwardFunction, x: Tensor, p: float, axes: Any, keepdim: bool
    ) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.p, ctx.axes = p, axes
        return _norm(x.data, p, axes, keepdim)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None, None, None]:
        (x,) = ctx.saved_tensors
        p, axes = ctx.p, ctx.axes
        grad = spread(grad, x.shape, axes)
        if p == 1:  # |x|' = sign(x), which is 0 at 0 (as PyTorch)
            return grad * Tensor._wrap(np.sign(x.data)), None, None, None
        if math.isinf(p):
            # Split evenly among the elements of largest magnitude, as amax does.
            magnitude = np.abs(x.data)
            chosen = magnitude == _norm(x.data, p, axes, True)
            share = np.sign(x.data) * chosen / np.sum(chosen, axis=axes, keepdims=True)
            return grad * Tensor._wrap(share.astype(grad.dtype)), None, None, None
        # p = 2: d|x|/dx = x / |x|, and 0 where |x| = 0 (PyTorch's choice at the kink).
        total = VectorNorm.apply(x, p, axes, True)
        zero = total.data == 0
        safe = total + Tensor._wrap(zero.astype(total.dtype))  # 1 where the norm is 0
        return x * (grad / safe) * Tensor._wrap(~zero), None, None, None


def _norm(data: np.ndarray, p: float, axes: Any, keepdim: bool) -> np.ndarray:
    magnitude = np.abs(data)
    if p == 1:
        return np.sum(magnitude, axis=axes, keepdims=keepdim)
    if math.isinf(p):
        if magnitude.size == 0:
            return np.zeros(np.sum(magnitude, axis=axes, keepdims=keepdim).shape, data.dtype)
        return np.max(magnitude, axis=axes, keepdims=keepdim)
    return np.sqrt(np.sum(magnitude * magnitude, axis=axes, keepdims=keepdim))


def norm(input: Tensor, p: Any = "fro", dim: Dims = None, keepdim: bool = False) -> Tensor:
    """Vector norm of ``input`` over ``dim`` (all elements by default).

    Parameters
    ----------
    p : 2, 1, inf or "fro", default "fro"
        ``2`` and ``"fro"`` are the Euclidean norm ``sqrt(sum(x**2))``, ``1`` is
        ``sum(|x|)`` and ``inf`` is ``max(|x|)``.
    dim : int or tuple of int, optional
    keepdim : bool, default False

    The gradient at a zero norm is 0, as in PyTorch; for ``inf`` it is split
    among tied largest elements.

    Raises
    ------
    ValueError
        For another ``p``.
    TypeError
        For an integer or bool tensor (as PyTorch).

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([[3.0, -4.0], [0.0, 1.0]])
    >>> mytorch.norm(x[0])
    tensor(5.)
    >>> x.norm(p=1, dim=1)
    tensor([7., 1.])
    >>> x.norm(p=float("inf"))
    tensor(4.)
    """
    if p == "fro" or p is None:
        p = 2
    if isinstance(p, str) or p not in (1, 2, math.inf):
        raise ValueError(f"norm: p must be 2, 1, inf or 'fro', got {p!r}")
    if input.data.dtype.kind not in "fc":
        raise TypeError(f"norm: expected a floating-point tensor, got dtype {input.dtype}")
    axes, keepdim = reduction_axes("norm", input.ndim, dim, keepdim, None, None)
    return VectorNorm.apply(input, float(p), axes, keepdim)
