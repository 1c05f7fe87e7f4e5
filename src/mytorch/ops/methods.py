"""Attach the ops to ``Tensor`` as operators and methods (``x + y``, ``x.exp()``).

``core`` knows no op by name (the layers import downwards only), so this module,
run once when ``mytorch`` is imported, gives ``Tensor`` its arithmetic. The
operators convert a Python number or numpy array operand and return
``NotImplemented`` for anything else, so Python raises its usual ``TypeError``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.device import device
from mytorch.core.tensor import Tensor
from mytorch.ops import (
    arithmetic,
    creation,
    indexing,
    matmul,
    reductions,
    selection,
    shape,
    softmax,
    unary,
)
from mytorch.ops.arithmetic import Add, Div, Mul, Pow, Sub
from mytorch.ops.operands import OPERAND_TYPES, SCALAR_TYPES, apply_binary, as_operand


def _operator(
    function: Any, name: str, symbol: str
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Build ``__op__`` and ``__rop__`` for a binary op."""

    def forward_op(self: Tensor, other: Any) -> Tensor:
        if type(other) is not Tensor:
            if not isinstance(other, OPERAND_TYPES):
                if isinstance(other, (str, bytes)):
                    # Returning NotImplemented would let Python try sequence
                    # repetition ("ab" * 3), which gives a confusing error.
                    raise TypeError(
                        f"unsupported operand type(s) for {symbol}: 'Tensor' and "
                        f"'{type(other).__name__}'"
                    )
                return NotImplemented
            operand = as_operand(other, self, name)
            if operand.data.dtype is not self.data.dtype:
                number = 1 if isinstance(other, SCALAR_TYPES) else -1
                return apply_binary(function, self, operand, number)
            return function.apply(self, operand)
        if other.data.dtype is not self.data.dtype:
            return apply_binary(function, self, other)
        return function.apply(self, other)

    def reflected_op(self: Tensor, other: Any) -> Tensor:
        if not isinstance(other, OPERAND_TYPES):
            return NotImplemented
        operand = as_operand(other, self, name)
        if operand.data.dtype is not self.data.dtype:
            return apply_binary(
                function, operand, self, 0 if isinstance(other, SCALAR_TYPES) else -1
            )
        return function.apply(operand, self)

    return forward_op, reflected_op


def _matmul_operator(self: Tensor, other: Any) -> Tensor:
    if not isinstance(other, (Tensor, np.ndarray)):
        return NotImplemented
    return matmul.matmul(self, as_operand(other, self, "matmul"))


def _rmatmul_operator(self: Tensor, other: Any) -> Tensor:
    if not isinstance(other, np.ndarray):
        return NotImplemented
    return matmul.matmul(as_operand(other, self, "matmul"), self)


def _comparison(ufunc: np.ufunc, name: str) -> Callable[[Tensor, Any], Tensor]:
    def compare(self: Tensor, other: Any) -> Tensor:
        return selection.compare(ufunc, name, self, other)

    compare.__name__ = name
    return compare


def _cast_method(dtype: np.dtype, name: str) -> Callable[[Tensor], Tensor]:
    def cast(self: Tensor) -> Tensor:
        return unary.to(self, dtype)

    cast.__name__ = name
    cast.__doc__ = f"""Return the tensor as {dtype}: ``self.to(mytorch.{dtype})``, as PyTorch's.

    Between float dtypes the result keeps the graph (its gradient flows back in
    ``self``'s dtype); to an integer or bool dtype it is a constant.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tensor([1.5, 2.0]).{name}().dtype
    dtype('{dtype}')
    """
    return cast


_CASTS = {
    "float": dtypes.float32,
    "double": dtypes.float64,
    "half": dtypes.float16,
    "long": dtypes.int64,
    "int": dtypes.int32,
    "short": dtypes.int16,
    "bool": dtypes.bool_,
}

_TYPE_NAMES = {
    dtypes.float32: "FloatTensor",
    dtypes.float64: "DoubleTensor",
    dtypes.float16: "HalfTensor",
    dtypes.int64: "LongTensor",
    dtypes.int32: "IntTensor",
    dtypes.int16: "ShortTensor",
    dtypes.int8: "CharTensor",
    dtypes.uint8: "ByteTensor",
    dtypes.bool_: "BoolTensor",
}


def _type(self: Tensor, dtype: Any = None) -> Tensor | str:
    """Return the type's name (no argument), or the tensor cast to ``dtype``.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0])
    >>> x.type()
    'mytorch.FloatTensor'
    >>> x.type(mytorch.int64)
    tensor([1])
    """
    if dtype is None:
        return "mytorch." + _TYPE_NAMES.get(self.dtype, f"Tensor[{self.dtype}]")
    return unary.to(self, dtype)


def _is_floating_point(self: Tensor) -> bool:
    """Return whether the tensor's dtype is a floating-point dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tensor([1.0]).is_floating_point(), mytorch.tensor([1]).is_floating_point()
    (True, False)
    """
    return self.data.dtype.kind == "f"


def _new_zeros(self: Tensor, *size: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
    """Zeros of ``size``, by default of this tensor's dtype (as PyTorch's ``new_zeros``).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tensor([1, 2]).new_zeros(3)
    tensor([0, 0, 0])
    """
    return creation.zeros(*size, dtype=dtype or self.dtype, **kwargs)


def _new_ones(self: Tensor, *size: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
    """Ones of ``size``, by default of this tensor's dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(1, dtype=mytorch.float64).new_ones(2)
    tensor([1., 1.], dtype=float64)
    """
    return creation.ones(*size, dtype=dtype or self.dtype, **kwargs)


def _new_empty(self: Tensor, *size: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
    """A tensor of ``size`` with values not set, by default of this tensor's dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(1).new_empty(2, 3).shape
    (2, 3)
    """
    return creation.empty(*size, dtype=dtype or self.dtype, **kwargs)


def _new_full(
    self: Tensor, size: Any, fill_value: Any, dtype: Any = None, **kwargs: Any
) -> Tensor:
    """``fill_value`` in ``size``, by default of this tensor's dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(1).new_full((2,), 7)
    tensor([7., 7.])
    """
    return creation.full(size, fill_value, dtype=dtype or self.dtype, **kwargs)


def _new_tensor(self: Tensor, data: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
    """A copy of ``data`` as a new tensor, by default of this tensor's dtype.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(1, dtype=mytorch.float64).new_tensor([1, 2])
    tensor([1., 2.], dtype=float64)
    """
    return creation.tensor(data, dtype=dtype or self.dtype, **kwargs)


def _cpu(self: Tensor) -> Tensor:
    """Return the tensor itself: it is on the CPU already, the only device MyTorch has.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.ones(2)
    >>> x.cpu() is x
    True
    """
    return self


def _cuda(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Refuse: MyTorch runs on the CPU only (see ``mytorch.device``).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.ones(2).cuda()
    Traceback (most recent call last):
        ...
    RuntimeError: device: MyTorch runs on the CPU only (numpy), so device 'cuda' is ...
    """
    device("cuda")
    return self


def _all(self: Tensor) -> Tensor:
    """Return whether every element is true (nonzero), as a 0-d boolean tensor.

    Not differentiable: the result never requires grad.

    Returns
    -------
    Tensor
        A 0-d tensor of dtype bool.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0, 0.0, 2.0])
    >>> x.all()
    tensor(False)
    >>> (x >= 0).all()
    tensor(True)
    """
    return Tensor._wrap(np.all(self.data))


def _any(self: Tensor) -> Tensor:
    """Return whether any element is true (nonzero), as a 0-d boolean tensor.

    Not differentiable: the result never requires grad.

    Returns
    -------
    Tensor
        A 0-d tensor of dtype bool.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0, 0.0, 2.0])
    >>> x.any()
    tensor(True)
    >>> (x < 0).any()
    tensor(False)
    """
    return Tensor._wrap(np.any(self.data))


def _reversed_dims(self: Tensor) -> Tensor:
    """The tensor with all its dimensions reversed (as numpy's ``.T``).

    For a matrix this is the transpose; for a 3-d tensor of shape (a, b, c) the
    result has shape (c, b, a). Use ``mT`` to transpose only the last two
    dimensions of a batch of matrices.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> x.T
    tensor([[1., 4.],
            [2., 5.],
            [3., 6.]])
    >>> mytorch.zeros(2, 3, 4).T.shape
    (4, 3, 2)
    """
    return shape.permute(self, *reversed(range(self.ndim)))


def _matrix_transpose(self: Tensor) -> Tensor:
    """The tensor with its last two dimensions swapped (a batch of transposed matrices).

    Raises
    ------
    IndexError
        If the tensor has fewer than two dimensions.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.zeros(5, 2, 3).mT.shape
    (5, 3, 2)
    """
    return shape.transpose(self, -2, -1)


def _attach() -> None:
    for name, function, symbol in [
        ("add", Add, "+"),
        ("sub", Sub, "-"),
        ("mul", Mul, "*"),
        ("truediv", Div, "/"),
        ("pow", Pow, "**"),
    ]:
        forward_op, reflected_op = _operator(function, name, symbol)
        setattr(Tensor, f"__{name}__", forward_op)
        setattr(Tensor, f"__r{name}__", reflected_op)
    Tensor.__matmul__ = _matmul_operator
    Tensor.__rmatmul__ = _rmatmul_operator
    Tensor.__neg__ = arithmetic.neg
    Tensor.__abs__ = unary.abs
    Tensor.__getitem__ = indexing.getitem
    Tensor.__setitem__ = indexing.setitem
    for name, ufunc in [
        ("lt", np.less),
        ("le", np.less_equal),
        ("gt", np.greater),
        ("ge", np.greater_equal),
        ("eq", np.equal),
        ("ne", np.not_equal),
    ]:
        setattr(Tensor, f"__{name}__", _comparison(ufunc, name))

    methods = {
        "add": arithmetic.add,
        "sub": arithmetic.sub,
        "mul": arithmetic.mul,
        "div": arithmetic.div,
        "neg": arithmetic.neg,
        "pow": arithmetic.pow,
        "matmul": matmul.matmul,
        "exp": unary.exp,
        "log": unary.log,
        "sqrt": unary.sqrt,
        "abs": unary.abs,
        "tanh": unary.tanh,
        "sigmoid": unary.sigmoid,
        "relu": unary.relu,
        "to": unary.to,
        "clone": unary.clone,
        "maximum": selection.maximum,
        "minimum": selection.minimum,
        "clip": selection.clip,
        "clamp": selection.clip,
        "sum": reductions.sum,
        "mean": reductions.mean,
        "var": reductions.var,
        "max": reductions.max,
        "min": reductions.min,
        "amax": reductions.amax,
        "amin": reductions.amin,
        "argmax": reductions.argmax,
        "argmin": reductions.argmin,
        "logsumexp": reductions.logsumexp,
        "softmax": softmax.softmax,
        "log_softmax": softmax.log_softmax,
        "reshape": shape.reshape,
        "view": shape.reshape,
        "permute": shape.permute,
        "transpose": shape.transpose,
        "flatten": shape.flatten,
        "squeeze": shape.squeeze,
        "unsqueeze": shape.unsqueeze,
        "expand": shape.expand,
        "broadcast_to": shape.broadcast_to,
    }
    for name, function in methods.items():
        setattr(Tensor, name, function)

    for name, dtype in _CASTS.items():
        setattr(Tensor, name, _cast_method(dtype, name))
    Tensor.type = _type
    Tensor.is_floating_point = _is_floating_point
    Tensor.cpu = _cpu
    Tensor.new_zeros = _new_zeros
    Tensor.new_ones = _new_ones
    Tensor.new_empty = _new_empty
    Tensor.new_full = _new_full
    Tensor.new_tensor = _new_tensor
    Tensor.cuda = _cuda
    Tensor.all = _all
    Tensor.any = _any
    # .T reverses all dimensions (as numpy); .mT swaps the last two.
    Tensor.T = property(_reversed_dims)
    Tensor.mT = property(_matrix_transpose)


_attach()
