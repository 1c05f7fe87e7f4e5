"""``gradcheck``: compare autograd's gradients with central finite differences.

For every element ``x_i`` of every input, the numerical derivative of a scalar
summary of the output is ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``; its
error is of order ``eps**2``, which in float64 with ``eps = 1e-6`` leaves about
eight good digits. The summary is ``sum(output * w)`` with a fixed random ``w``,
so every output element counts and a wrong sign in one cannot cancel another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mytorch.core.engine import grad as autograd_grad
from mytorch.core.tensor import Tensor

__all__ = ["GradcheckError", "gradcheck"]


class GradcheckError(AssertionError):
    """Raised by ``gradcheck`` when an analytical gradient disagrees with the numerical one.

    A subclass of ``AssertionError``, so a failed check reads as a failed test.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.testing import gradcheck
    >>> def broken(x):  # rebuilding the tensor from .data cuts the graph
    ...     return mytorch.tensor(x.data * 2).sum()
    >>> gradcheck(broken, [mytorch.tensor([1.0, 2.0])])
    Traceback (most recent call last):
        ...
    mytorch.testing.gradcheck.GradcheckError: gradcheck: input 0, element (0,): analytical ...
    """


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central differences.

    Every input that is a floating-point Tensor or array is converted to a
    float64 leaf that requires grad; anything else is passed through as it is.

    Parameters
    ----------
    fn : callable
        Takes the inputs and returns a Tensor.
    inputs : sequence
        Tensors or arrays (checked) and other arguments (passed through).
    eps : float, default 1e-6
        The finite-difference step.
    atol, rtol : float
        An element passes when ``|analytical - numerical| <= atol + rtol * |numerical|``.

    Returns
    -------
    bool
        True when every gradient element agrees.

    Raises
    ------
    GradcheckError
        Naming the input, the worst element's index, and both values.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.testing import gradcheck
    >>> gradcheck(lambda x: (x * x).sum(), [mytorch.tensor([1.0, 2.0])])
    True
    """
    args = [_as_checked(value) for value in inputs]
    checked = [i for i, arg in enumerate(args) if isinstance(arg, Tensor) and arg.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no floating-point tensor among the inputs")
    output = fn(*args)
    if not isinstance(output, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(output).__name__}")
    weights = np.random.default_rng(0).uniform(0.5, 1.5, size=output.shape)
    if not output.requires_grad:
        analytical = [np.zeros_like(args[i].data) for i in checked]
    else:
        try:
            grads = autograd_grad(
                output,
                [args[i] for i in checked],
                grad_outputs=Tensor(weights.astype(output.dtype)),
                allow_unused=True,
            )
        except RuntimeError as error:  # e.g. a backward that returns the wrong shape
            raise GradcheckError(f"gradcheck: {error}") from error
        analytical = [
            np.zeros_like(args[i].data) if g is None else g.data for i, g in zip(checked, grads)
        ]

    def summary() -> float:
        # Not under no_grad: fn may itself call mytorch.grad (to check second derivatives).
        return float(np.sum(fn(*args).data.astype(np.float64) * weights))

    for position, index in enumerate(checked):
        data = args[index].data
        numerical = np.zeros_like(data)
        for element in np.ndindex(data.shape):
            original = data[element]
            data[element] = original + eps
            plus = summary()
            data[element] = original - eps
            minus = summary()
            data[element] = original
            numerical[element] = (plus - minus) / (2 * eps)
        _compare(index, analytical[position], numerical, atol, rtol)
    return True


def _as_checked(value: Any) -> Any:
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return Tensor(np.array(value, dtype=np.float64), requires_grad=True)
    return value


def _compare(
    index: int, analytical: np.ndarray, numerical: np.ndarray, atol: float, rtol: float
) -> None:
    if analytical.shape != numerical.shape:
        raise GradcheckError(
            f"gradcheck: input {index}: the gradient has shape {analytical.shape}, "
            f"but the input has shape {numerical.shape}"
        )
    excess = np.abs(analytical - numerical) - (atol + rtol * np.abs(numerical))
    excess = np.where(np.isnan(excess), np.inf, excess)
    if excess.size and np.max(excess) > 0:
        worst = np.unravel_index(int(np.argmax(excess)), excess.shape)
        raise GradcheckError(
            f"gradcheck: input {index}, element {tuple(int(i) for i in worst)}: "
            f"analytical gradient {float(analytical[worst])!r} "
            f"but numerical {float(numerical[worst])!r} "
            f"(atol={atol}, rtol={rtol})"
        )
