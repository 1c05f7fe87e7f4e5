"""Adadelta: steps whose size is the ratio of two running RMS, so the lr is almost unitless."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mytorch.core.grad_mode import no_grad
from mytorch.core.tensor import Tensor
from mytorch.optim.optimizer import Optimizer, ParamsT, check_flag, check_number
from mytorch.optim.state_dict import Entry

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012, arXiv:1212.5701), as ``torch.optim.Adadelta``.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        The tensors to optimise, or parameter groups (see ``Optimizer``).
    lr : float, default 1.0
        The learning rate :math:`\gamma`, a factor on the step (the paper has none).
    rho : float, default 0.9
        :math:`\rho`, the decay rate of both running averages, in [0, 1].
    eps : float, default 1e-6
        :math:`\epsilon`, added inside both square roots: it sets the size of
        the first steps, when the average of past updates is still zero.
    weight_decay : float, default 0
        The L2 penalty :math:`\lambda`, added to the gradient as :math:`\lambda\theta`.
    maximize : bool, default False
        Maximise the objective: step along the gradient (keyword only).

    Raises
    ------
    ValueError
        If ``lr``, ``eps`` or ``weight_decay`` is negative, or ``rho`` is outside [0, 1].

    Notes
    -----
    With gradient :math:`g_t` (negated with ``maximize``, plus :math:`\lambda\theta_{t-1}`) and
    :math:`v_0 = u_0 = 0`:

    .. math::

        v_t &= \rho v_{t-1} + (1 - \rho) g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        u_t &= \rho u_{t-1} + (1 - \rho) \Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \gamma \Delta_t

    The step is the gradient rescaled by the ratio of the RMS of past updates to
    the RMS of past gradients, so it has the parameters' units. State per
    parameter: ``"step"`` (an int), ``"square_avg"`` (:math:`v`) and
    ``"acc_delta"`` (:math:`u`).

    Examples
    --------
    >>> import mytorch
    >>> w = mytorch.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = mytorch.optim.Adadelta([w])
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> [round(v, 6) for v in w.tolist()]  # the first step is sqrt(eps / (1 - rho)) per weight
    [0.996838, -1.996838]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = type(self).__name__
        check_number(name, "learning rate", group["lr"], 0.0)
        check_number(name, "rho", group["rho"], 0.0)
        if group["rho"] > 1.0:
            raise ValueError(f"{name}: invalid rho {group['rho']!r}; it must be in [0.0, 1.0]")
        check_number(name, "epsilon", group["eps"], 0.0)
        check_number(name, "weight_decay", group["weight_decay"], 0.0)
        check_flag(name, "maximize", group["maximize"])

    def _state_entries(self, group: dict[str, Any]) -> dict[str, Entry]:
        # Both averages are of squares, and a step takes their square roots.
        return {
            "step": Entry("count"),
            "square_avg": Entry("nonnegative"),
            "acc_delta": Entry("nonnegative"),
        }

    @no_grad()
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
        >>> opt = mytorch.optim.Adadelta([w])
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> sorted(opt.state[w])
        ['acc_delta', 'square_avg', 'step']
        """
        loss = self._evaluate(closure)
        for group, param in self._params_to_update():
            lr, rho, eps, weight_decay = (
                group["lr"],
                group["rho"],
                group["eps"],
                group["weight_decay"],
            )
            grad = -param.grad.data if group["maximize"] else param.grad.data
            state = self.state.setdefault(param, {})
            if not state:
                state["step"] = 0
                state["square_avg"] = Tensor._wrap(np.zeros_like(param.data))
                state["acc_delta"] = Tensor._wrap(np.zeros_like(param.data))
            state["step"] += 1
            if weight_decay != 0:
                grad = grad + weight_decay * param.data
            square_avg, acc_delta = state["square_avg"].data, state["acc_delta"].data
            square_avg *= rho
            square_avg += (1 - rho) * grad * grad
            delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
            acc_delta *= rho
            acc_delta += (1 - rho) * delta * delta
            param.data -= lr * delta
            param._bump_version()
        return loss
