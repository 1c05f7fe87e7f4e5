"""Stochastic gradient descent, with momentum, dampening, Nesterov, weight decay, maximize."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mytorch.core.tensor import Tensor
from mytorch.optim.optimizer import Optimizer, ParamsT, check_flag, check_number
from mytorch.optim.state_dict import Entry

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        The tensors to optimise, or parameter groups (see ``Optimizer``).
    lr : float, default 1e-3
        The learning rate :math:`\gamma` (PyTorch 2's and the assignment's default).
    momentum : float, default 0
        The momentum factor :math:`\mu`.
    dampening : float, default 0
        The dampening :math:`\tau` of the momentum.
    weight_decay : float, default 0
        The L2 penalty :math:`\lambda`.
    nesterov : bool, default False
        Use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    maximize : bool, default False
        Maximise the objective: step along the gradient instead of against it
        (keyword only).

    Raises
    ------
    ValueError
        If ``lr``, ``momentum``, ``dampening`` or ``weight_decay`` is negative, or
        ``nesterov`` is asked for without momentum or with dampening.

    Notes
    -----
    At step :math:`t`, for each parameter :math:`\theta` whose gradient is
    :math:`g_t = \nabla_\theta f(\theta_{t-1})`:

    .. math::

        g_t &\leftarrow -g_t \quad\text{(only with maximize)} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        b_t &= \begin{cases} g_t & t = 1 \\
                             \mu b_{t-1} + (1 - \tau) g_t & t > 1 \end{cases} \\
        g_t &\leftarrow \begin{cases} g_t + \mu b_t & \text{Nesterov} \\
                                      b_t & \text{otherwise} \end{cases} \\
        \theta_t &= \theta_{t-1} - \gamma g_t

    The weight-decay line is skipped when :math:`\lambda = 0`, and the momentum
    lines when :math:`\mu = 0`. This is PyTorch's momentum *buffer* :math:`b`. For a
    constant learning rate and no dampening it gives exactly the parameters of
    the textbook velocity form :math:`v_t = \mu v_{t-1} - \gamma g_t`,
    :math:`\theta_t = \theta_{t-1} + v_t` (with :math:`v_0 = 0`), since
    :math:`v_t = -\gamma b_t`. The buffer is kept in ``state[p]["momentum_buffer"]``.

    Examples
    --------
    >>> import mytorch
    >>> w = mytorch.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = mytorch.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> w
    tensor([ 0.46, -0.92], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_number("SGD", "learning rate", group["lr"], 0.0)
        check_number("SGD", "momentum", group["momentum"], 0.0)
        check_number("SGD", "dampening", group["dampening"], 0.0)
        check_number("SGD", "weight_decay", group["weight_decay"], 0.0)
        check_flag("SGD", "nesterov", group["nesterov"])
        check_flag("SGD", "maximize", group["maximize"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"SGD: Nesterov momentum needs momentum > 0 and dampening == 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def _state_entries(self, group: dict[str, Any]) -> dict[str, Entry]:
        # Plain SGD keeps no state; a momentum buffer appears at the first step.
        return {"momentum_buffer": Entry("array", required=False)}

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one step on every parameter that has a gradient.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss (see ``Optimizer.step``).

        Returns
        -------
        The closure's loss, or None.

        Examples
        --------
        >>> import mytorch
        >>> w = mytorch.tensor([2.0], requires_grad=True)
        >>> opt = mytorch.optim.SGD([w], lr=0.25)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([1.], requires_grad=True)
        """
        loss = self._evaluate(closure)
        # All numpy, on the arrays behind .grad and .data: nothing here is recorded,
        # so no no_grad() is needed, and each parameter changes in place.
        for group, params in self._groups_to_update():
            lr = group["lr"]
            plain = not (group["momentum"] or group["weight_decay"] or group["maximize"])
            for param in params:
                grad = param._grad._data
                if not plain:
                    grad = self._direction(group, param, grad)
                weights = param._data
                weights -= lr * grad
                param._bump_version()
        return loss

    def _direction(self, group: dict[str, Any], param: Tensor, grad: np.ndarray) -> np.ndarray:
        """The step's direction for ``param`` with maximize, weight decay and momentum."""
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param._data
        if momentum != 0:
            state = self.state.setdefault(param, {})
            if "momentum_buffer" in state:
                buffer = state["momentum_buffer"].data
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            else:
                # The first buffer is the gradient itself, undamped.
                buffer = grad.copy()
                state["momentum_buffer"] = Tensor._wrap(buffer)
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        return grad
