"""Gradient clipping: scale all gradients down to a maximum total norm, or clamp each value.

Both work in place on ``param.grad`` and, as every update here, check first and
then write: a non-finite norm with ``error_if_nonfinite=True`` changes no
gradient.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from mytorch.core.capture import effect
from mytorch.core.grad_mode import no_grad
from mytorch.core.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _as_list(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    # A list, not the caller's iterator (model.parameters()): a compiled step's
    # replay makes the same call again (see ``mytorch.core.capture.effect``).
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _grads(parameters: list[Tensor]) -> list[Tensor]:
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Scale the gradients in place so that their total norm is at most ``max_norm``.

    The total norm is that of all gradients together, as if concatenated into
    one vector (``norm_type`` ``inf`` is the largest absolute value). Each
    gradient is multiplied by ``min(1, max_norm / (total + 1e-6))``, as PyTorch does.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        Those without a gradient are skipped.
    max_norm : float
    norm_type : float, default 2.0
        The p of the p-norm; ``float('inf')`` for the max norm.
    error_if_nonfinite : bool, default False
        Raise, changing nothing, if the total norm is nan or infinite.

    Returns
    -------
    Tensor
        The total norm before clipping, 0-d (0 when no parameter has a gradient).

    Raises
    ------
    RuntimeError
        If ``error_if_nonfinite`` and the total norm is nan or infinite.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> w = nn.Parameter(mytorch.zeros(2))
    >>> w.grad = mytorch.tensor([3.0, 4.0])
    >>> nn.utils.clip_grad_norm_([w], max_norm=1.0)
    tensor(5.)
    >>> [round(value, 4) for value in w.grad.tolist()]
    [0.6, 0.8]
    """
    return _clip_grad_norm(_as_list(parameters), max_norm, norm_type, error_if_nonfinite)


@effect
def _clip_grad_norm(
    parameters: list[Tensor], max_norm: float, norm_type: float, error_if_nonfinite: bool
) -> Tensor:
    grads = _grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return Tensor(np.zeros((), dtype=np.float32))
    dtype = grads[0].dtype
    if norm_type == math.inf:
        norms = [np.max(np.abs(g.data), initial=0.0) for g in grads]
        total = np.max(norms)
    else:
        norms = [np.sum(np.abs(g.data.astype(np.float64)) ** norm_type) for g in grads]
        total = np.sum(norms) ** (1.0 / norm_type)
    total = np.asarray(total, dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
            f"{float(total)}, so they cannot be clipped (nothing was changed); set "
            "error_if_nonfinite=False to scale them by the non-finite norm anyway"
        )
    scale = min(1.0, max_norm / (float(total) + 1e-6)) if np.isfinite(total) else max_norm / total
    # A non-finite norm scales by 0 or nan, as PyTorch (inf * 0 is nan: no warning wanted).
    with no_grad(), np.errstate(invalid="ignore"):
        for grad in grads:
            grad.mul_(float(scale))
    return Tensor(total)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``, in place.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> w = nn.Parameter(mytorch.zeros(3))
    >>> w.grad = mytorch.tensor([-5.0, 0.5, 5.0])
    >>> nn.utils.clip_grad_value_([w], clip_value=1.0)
    >>> w.grad
    tensor([-1. ,  0.5,  1. ])
    """
    _clip_grad_value(_as_list(parameters), clip_value)


@effect
def _clip_grad_value(parameters: list[Tensor], clip_value: float) -> None:
    clip_value = float(clip_value)
    with no_grad():
        for grad in _grads(parameters):
            grad.copy_(np.clip(grad.data, -clip_value, clip_value))
