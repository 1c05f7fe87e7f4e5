"""RMSprop: steps divided by a running root mean square of the gradient."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mytorch.core.grad_mode import no_grad
from mytorch.core.tensor import Tensor
from mytorch.optim.optimizer import Optimizer, ParamsT, check_flag, check_number
from mytorch.optim.state_dict import Entry

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e; centred form of Graves, 2013), as ``torch.optim.RMSprop``.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        The tensors to optimise, or parameter groups (see ``Optimizer``).
    lr : float, default 1e-2
        The learning rate :math:`\gamma`.
    alpha : float, default 0.99
        The smoothing constant :math:`\alpha` of the running square.
    eps : float, default 1e-8
        :math:`\epsilon`, added to the denominator so that it is never zero.
    weight_decay : float, default 0
        The L2 penalty :math:`\lambda`.
    momentum : float, default 0
        The momentum factor :math:`\mu`.
    centered : bool, default False
        Divide by the running *variance* of the gradient (the square minus the
        squared running mean) instead of its running square.
    maximize : bool, default False
        Maximise the objective instead (keyword only).

    Raises
    ------
    ValueError
        If ``lr``, ``alpha``, ``eps``, ``weight_decay`` or ``momentum`` is negative.

    Notes
    -----
    At each step, with gradient :math:`g_t` and :math:`v_0 = \bar g_0 = b_0 = 0`:

    .. math::

        g_t &\leftarrow -g_t \quad\text{(only with maximize)} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        \bar g_t &= \alpha \bar g_{t-1} + (1 - \alpha) g_t, \quad
            \tilde v_t = v_t - \bar g_t^2 \quad\text{(centred; else } \tilde v_t = v_t) \\
        b_t &= \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon), \quad
            \theta_t = \theta_{t-1} - \gamma b_t \quad\text{(if } \mu > 0) \\
        \theta_t &= \theta_{t-1} - \gamma\, g_t / (\sqrt{\tilde v_t} + \epsilon)
            \quad\text{(if } \mu = 0)

    State per parameter: ``"step"``, ``"square_avg"`` (:math:`v`), and
    ``"momentum_buffer"`` (:math:`b`) and ``"grad_avg"`` (:math:`\bar g`) when
    momentum or centring use them.

    Examples
    --------
    >>> import mytorch
    >>> w = mytorch.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = mytorch.optim.RMSprop([w], lr=0.01)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> [round(v, 4) for v in w.tolist()]  # the first step moves each weight by lr / sqrt(0.01)
    [0.9, -1.9]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for key, what in (
            ("lr", "learning rate"),
            ("alpha", "alpha"),
            ("eps", "epsilon"),
            ("weight_decay", "weight_decay"),
            ("momentum", "momentum"),
        ):
            check_number("RMSprop", what, group[key], 0.0)
        check_flag("RMSprop", "centered", group["centered"])
        check_flag("RMSprop", "maximize", group["maximize"])

    def _state_entries(self, group: dict[str, Any]) -> dict[str, Entry]:
        entries = {"step": Entry("count"), "square_avg": Entry("nonnegative")}
        if group["momentum"] > 0:
            entries["momentum_buffer"] = Entry("array")
        if group["centered"]:
            entries["grad_avg"] = Entry("array")
        return entries

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
        >>> opt = mytorch.optim.RMSprop([w], momentum=0.9, centered=True)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> sorted(opt.state[w])
        ['grad_avg', 'momentum_buffer', 'square_avg', 'step']
        """
        loss = self._evaluate(closure)
        for group, param in self._params_to_update():
            alpha, momentum, weight_decay = (
                group["alpha"],
                group["momentum"],
                group["weight_decay"],
            )
            grad = -param.grad.data if group["maximize"] else param.grad.data
            state = self.state.setdefault(param, {})
            if not state:
                state["step"] = 0
                state["square_avg"] = Tensor._wrap(np.zeros_like(param.data))
                if momentum > 0:
                    state["momentum_buffer"] = Tensor._wrap(np.zeros_like(param.data))
                if group["centered"]:
                    state["grad_avg"] = Tensor._wrap(np.zeros_like(param.data))
            state["step"] += 1
            if weight_decay != 0:
                grad = grad + weight_decay * param.data
            square_avg = state["square_avg"].data
            square_avg *= alpha
            square_avg += (1 - alpha) * grad * grad
            if group["centered"]:
                grad_avg = state["grad_avg"].data
                grad_avg += (1 - alpha) * (grad - grad_avg)
                avg = np.sqrt(square_avg - grad_avg * grad_avg)
            else:
                avg = np.sqrt(square_avg)
            avg += group["eps"]
            if momentum > 0:
                buffer = state["momentum_buffer"].data
                buffer *= momentum
                buffer += grad / avg
                param.data -= group["lr"] * buffer
            else:
                param.data -= group["lr"] * (grad / avg)
            param._bump_version()
        return loss
