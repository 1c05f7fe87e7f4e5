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
from mytorch.ops import arithmetic, indexing, matmul, reductions, selection, shape, softmax, unary
from mytorch.ops.arithmetic import Add, Div, Mul, Pow, Sub
from mytorch.ops.operands import as_operand, is_operand


def _operator(
    function: Any, name: str, symbol: str
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Build ``__op__`` and ``__rop__`` for a binary op."""

    def forward_op(self: Tensor, other: Any) -> Tensor:
        if type(other) is not Tensor:
            if isinstance(other, (str, bytes)):
                # Returning NotImplemented would let Python try sequence
                # repetition ("ab" * 3), which gives a confusing error.
                raise TypeError(
                    f"unsupported operand type(s) for {symbol}: 'Tensor' and "
                    f"'{type(other).__name__}'"
                )
            if not is_operand(other):
                return NotImplemented
            other = as_operand(other, self, name)
        return function.apply(self, other)

    def reflected_op(self: Tensor, other: Any) -> Tensor:
        if not is_operand(other):
            return NotImplemented
        return function.apply(as_operand(other, self, name), self)

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

    Tensor.float = lambda self: unary.to(self, np.float32)
    Tensor.double = lambda self: unary.to(self, np.float64)
    Tensor.all = lambda self: Tensor._wrap(np.all(self.data))
    Tensor.any = lambda self: Tensor._wrap(np.any(self.data))
    # .T reverses all dimensions (as numpy); .mT swaps the last two.
    Tensor.T = property(lambda self: shape.permute(self, *reversed(range(self.ndim))))
    Tensor.mT = property(lambda self: shape.transpose(self, -2, -1))


_attach()
