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

from mytorch.core.tensor import Tensor
from mytorch.ops import (
    arithmetic,
    bitwise,
    conversions,
    creation,
    elementwise,
    indexing,
    linalg,
    matmul,
    products,
    reductions,
    sampling,
    scatter,
    selection,
    shape,
    softmax,
    sorting,
    splitting,
    tensor_methods,
    unary,
)
from mytorch.ops.arithmetic import Add, Div, Mul, Pow, Sub
from mytorch.ops.operands import OPERAND_TYPES, SCALAR_TYPES, apply_binary, as_operand


def _operator(
    function: Any, name: str, symbol: str
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Build ``__op__`` and ``__rop__`` for a binary op.

    They read ``_data``, the slot behind the ``.data`` property: every ``x * y``
    runs them, and the slot is read with no call.
    """

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
            if operand._data.dtype is not self._data.dtype:
                number = 1 if isinstance(other, SCALAR_TYPES) else -1
                return apply_binary(function, self, operand, number)
            return function._apply_pair(self, operand)
        if other._data.dtype is not self._data.dtype:
            return apply_binary(function, self, other)
        return function._apply_pair(self, other)

    def reflected_op(self: Tensor, other: Any) -> Tensor:
        if not isinstance(other, OPERAND_TYPES):
            return NotImplemented
        operand = as_operand(other, self, name)
        if operand._data.dtype is not self._data.dtype:
            return apply_binary(
                function, operand, self, 0 if isinstance(other, SCALAR_TYPES) else -1
            )
        return function._apply_pair(operand, self)

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


def _comparison_method(ufunc: np.ufunc, name: str) -> Callable[[Tensor, Any], Tensor]:
    """``x.eq(y)`` and friends: as the operator, but a bad operand raises at once."""

    def compare(self: Tensor, other: Any) -> Tensor:
        result = selection.compare(ufunc, name, self, other)
        if result is NotImplemented:
            raise TypeError(
                f"{name}: cannot compare a Tensor with {type(other).__name__}; "
                "use a Tensor, a number or a numpy array"
            )
        return result

    compare.__name__ = name
    return compare


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


def _integer_operator(function: Callable[[Any, Any], Tensor], reflected: bool) -> Any:
    def operator(self: Tensor, other: Any) -> Tensor:
        if not isinstance(other, OPERAND_TYPES):
            return NotImplemented
        return function(other, self) if reflected else function(self, other)

    return operator


def _attach_integer_operators() -> None:
    for name, function in [
        ("floordiv", bitwise.floor_divide),
        ("mod", bitwise.remainder),
        ("and", bitwise.bitwise_and),
        ("or", bitwise.bitwise_or),
        ("xor", bitwise.bitwise_xor),
    ]:
        setattr(Tensor, f"__{name}__", _integer_operator(function, reflected=False))
        setattr(Tensor, f"__r{name}__", _integer_operator(function, reflected=True))
    Tensor.__invert__ = bitwise.bitwise_not


# The math of issue 12: functions that are methods too, and methods of Tensor alone.
_MORE_METHODS = {
    **{name: getattr(elementwise, name) for name in elementwise.__all__},
    **{name: getattr(products, name) for name in products.__all__},
    **{name: getattr(scatter, name) for name in scatter.__all__},
    **{name: getattr(sorting, name) for name in sorting.__all__},
    **{name: getattr(splitting, name) for name in splitting.__all__},
    **{name: getattr(bitwise, name) for name in bitwise.__all__},
    "mm": linalg.mm,
    "bmm": linalg.bmm,
    "dot": linalg.dot,
    "norm": linalg.norm,
    "allclose": tensor_methods.allclose,
    "equal": tensor_methods.equal,
    "t": tensor_methods.t,
    "view_as": tensor_methods.view_as,
    "reshape_as": tensor_methods.reshape_as,
    "expand_as": tensor_methods.expand_as,
    "contiguous": tensor_methods.contiguous,
    "nelement": tensor_methods.nelement,
    "element_size": tensor_methods.element_size,
}


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
        setattr(Tensor, name, _comparison_method(ufunc, name))
    _attach_integer_operators()

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
        "logsumexp": softmax.logsumexp,
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
    methods.update(_MORE_METHODS)
    for name, function in methods.items():
        setattr(Tensor, name, function)

    conversions.attach(Tensor)
    # .T reverses all dimensions (as numpy); .mT swaps the last two.
    Tensor.T = property(_reversed_dims)
    Tensor.mT = property(_matrix_transpose)
    # The assignment's static constructors: Tensor.randn(2, 3) is mytorch.randn(2, 3).
    for name, factory in (
        ("randn", sampling.randn),
        ("ones", creation.ones),
        ("zeros", creation.zeros),
    ):
        setattr(Tensor, name, staticmethod(factory))


_attach()
