"""Elementwise functions of one tensor: exp, log, sqrt, abs, tanh, sigmoid, relu, casts.

Where the derivative is best written with the op's own result (exp, tanh,
sigmoid, sqrt), backward recomputes that result from the saved input instead of
saving the output: a node that held its own output tensor would make a
reference cycle (output -> node -> output) that only the cyclic garbage
collector could free, and the recomputation keeps the formula differentiable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.device import check_device, is_device_name
from mytorch.core.device import device as Device
from mytorch.core.function import BackwardFunction, Function
from mytorch.core.grad_mode import is_grad_enabled
from mytorch.core.tensor import Tensor
from mytorch.ops.arithmetic import Mul

__all__ = ["abs", "clone", "exp", "log", "relu", "sigmoid", "sqrt", "tanh", "to"]


_FLOAT32, _FLOAT64 = dtypes.float32, dtypes.float64


def floating(data: np.ndarray) -> np.ndarray:
    """``data``, or for integer and bool data its cast to the default float dtype.

    Float-valued functions of integers compute in the default float dtype, as in
    PyTorch (numpy would give float64 for int64, and float16 for uint8 images).
    The common dtypes are told apart by identity first: this is every op's path.
    """
    dtype = data.dtype
    if dtype is _FLOAT32 or dtype is _FLOAT64 or dtype.kind in "fc":
        return data
    return data.astype(dtypes.get_default_dtype())


class Exp(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        data = x.data
        return np.exp(data if data.dtype is _FLOAT32 else floating(data))

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * x.exp()


class Log(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        data = x.data
        return np.log(data if data.dtype is _FLOAT32 else floating(data))

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        data = x.data
        return np.sqrt(data if data.dtype is _FLOAT32 else floating(data))

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / (2 * x.sqrt())


class Abs(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.abs(x.data)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        # The sign is a constant: abs has second derivative 0 away from 0.
        return grad * Tensor._wrap(np.sign(x.data).astype(x.dtype))


class Tanh(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        data = x.data
        return np.tanh(data if data.dtype is _FLOAT32 else floating(data))

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        y = x.tanh()
        return grad * (1 - y * y)


class Sigmoid(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        # 1 / (1 + exp(-x)) overflows exp for x < -709; this identity never does.
        data = x.data
        return 0.5 + 0.5 * np.tanh(0.5 * (data if data.dtype is _FLOAT32 else floating(data)))

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        y = x.sigmoid()
        return grad * y * (1 - y)


class ReLU(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.maximum(x.data, 0)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        # Derivative 1 where x > 0, else 0 (at 0 too, as in PyTorch).
        # numpy's float * bool is the float, with no promotion step.
        mask = x.data > 0
        if is_grad_enabled():  # create_graph=True: recorded, as Mul
            return Mul.apply(grad, Tensor._wrap(mask))
        return Tensor._wrap(grad.data * mask)  # Mul's own product, without the dispatch


class Cast(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor, dtype: np.dtype) -> np.ndarray:
        ctx.dtype = x.dtype
        return x.data.astype(dtype)

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> tuple[Tensor, None]:
        return grad.to(ctx.dtype), None


class Clone(Function):
    @staticmethod
    def forward(ctx: BackwardFunction, x: Tensor) -> np.ndarray:
        return x.data.copy()

    @staticmethod
    def backward(ctx: BackwardFunction, grad: Tensor) -> Tensor:
        return grad


def exp(input: Tensor) -> Tensor:
    """Return ``e ** input`` elementwise.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.exp(mytorch.tensor([0.0]))
    tensor([1.])
    """
    return Exp.apply(input)


def log(input: Tensor) -> Tensor:
    """Return the natural logarithm elementwise (domain: positive values).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.log(mytorch.tensor([1.0]))
    tensor([0.])
    """
    return Log.apply(input)


def sqrt(input: Tensor) -> Tensor:
    """Return the square root elementwise (domain: non-negative values).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.sqrt(mytorch.tensor([4.0]))
    tensor([2.])
    """
    return Sqrt.apply(input)


def abs(input: Tensor) -> Tensor:
    """Return the absolute value elementwise; its gradient at 0 is 0, as in PyTorch.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.abs(mytorch.tensor([-2.0, 3.0]))
    tensor([2., 3.])
    """
    return Abs.apply(input)


def tanh(input: Tensor) -> Tensor:
    """Return the hyperbolic tangent elementwise.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.tanh(mytorch.tensor([0.0]))
    tensor([0.])
    """
    return Tanh.apply(input)


def sigmoid(input: Tensor) -> Tensor:
    """Return the logistic sigmoid ``1 / (1 + exp(-input))``, stable for any input.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.sigmoid(mytorch.tensor([0.0, -1000.0]))
    tensor([0.5, 0. ])
    """
    return Sigmoid.apply(input)


def relu(input: Tensor) -> Tensor:
    """Return ``max(input, 0)`` elementwise; the gradient is 1 where input > 0, else 0.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.relu(mytorch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return ReLU.apply(input)


def to(
    input: Tensor,
    *args: Any,
    dtype: Any = None,
    device: Any = None,
    non_blocking: bool = False,
    copy: bool = False,
) -> Tensor:
    """Return ``input`` converted to a dtype (differentiable between float dtypes).

    Takes PyTorch's forms: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``,
    ``to(other_tensor)`` (its dtype) and the keywords ``dtype=``, ``device=``,
    ``copy=``. The only device is the CPU (see ``mytorch.device``); ``to(None)``
    changes nothing. Converting to an integer or bool dtype leaves the graph, as
    in PyTorch.

    Raises
    ------
    RuntimeError
        For a device other than the CPU ("cuda", "mps", ...).
    TypeError
        For an argument that is neither a dtype, a device nor a tensor.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.tensor([1.0])
    >>> x.to(mytorch.float64).dtype
    dtype('float64')
    >>> x.to("cpu", mytorch.float16).dtype
    dtype('float16')
    >>> x.to(mytorch.tensor([1])).dtype
    dtype('int64')
    """
    check_device(device)
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, Device) or is_device_name(arg):
            check_device(arg)
        elif isinstance(arg, bool):
            continue  # PyTorch's positional non_blocking / copy: nothing to do here
        elif arg is not None:
            dtype = arg
    resolved = dtypes.resolve_dtype(dtype)
    if resolved is None or resolved == input.dtype:
        return clone(input) if copy else input
    if resolved.kind not in "fc":
        # Not differentiable (as in PyTorch): the result is a constant.
        return Tensor._wrap(input.data.astype(resolved))
    return Cast.apply(input, resolved)


def clone(input: Tensor) -> Tensor:
    """Return a copy of ``input`` that stays in the graph.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.clone(mytorch.tensor([1.0]))
    tensor([1.])
    """
    return Clone.apply(input)
