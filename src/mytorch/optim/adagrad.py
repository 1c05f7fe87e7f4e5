"""Adagrad: per-coordinate steps divided by the root of the sum of all squared gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mytorch.core.grad_mode import no_grad
from mytorch.core.tensor import Tensor
from mytorch.optim.optimizer import Optimizer, ParamsT, check_flag, check_number
from mytorch.optim.state_dict import Entry

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan and Singer, 2011), as ``torch.optim.Adagrad``.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        The tensors to optimise, or parameter groups (see ``Optimizer``).
    lr : float, default 1e-2
        The learning rate :math:`\gamma`.
    lr_decay : float, default 0
        The decay :math:`\eta` of the learning rate with the step count.
    weight_decay : float, default 0
        The L2 penalty :math:`\lambda`.
    initial_accumulator_value : float, default 0
        The starting value :math:`s_0` of every coordinate's sum of squares.
    eps : float, default 1e-10
        :math:`\epsilon`, added to the denominator so that it is never zero.
    maximize : bool, default False
        Maximise the objective instead (keyword only).

    Raises
    ------
    ValueError
        If any of the numbers is negative.

    Notes
    -----
    At step :math:`t` (counted per parameter, from 1), with gradient :math:`g_t`:

    .. math::

        g_t &\leftarrow -g_t \quad\text{(only with maximize)} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        \tilde\gamma_t &= \gamma / (1 + (t - 1)\,\eta) \\
        s_t &= s_{t-1} + g_t^2 \\
        \theta_t &= \theta_{t-1} - \tilde\gamma_t\, g_t / (\sqrt{s_t} + \epsilon)

    Coordinates that have seen large gradients take small steps. State per
    parameter: ``"step"`` and ``"sum"`` (:math:`s`). Unlike PyTorch, which fills
    the state at construction, the state of a parameter is made at its first
    step; the steps are the same.

    Examples
    --------
    >>> import mytorch
    >>> w = mytorch.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = mytorch.optim.Adagrad([w], lr=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> [round(v, 6) for v in w.tolist()]  # the first step moves each weight by lr
    [0.5, -1.5]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "eps": eps,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for key, what in (
            ("lr", "learning rate"),
            ("lr_decay", "lr_decay"),
            ("weight_decay", "weight_decay"),
            ("initial_accumulator_value", "initial_accumulator_value"),
            ("eps", "epsilon"),
        ):
            check_number("Adagrad", what, group[key], 0.0)
        check_flag("Adagrad", "maximize", group["maximize"])

    def _state_entries(self, group: dict[str, Any]) -> dict[str, Entry]:
        return {"step": Entry("count"), "sum": Entry("nonnegative")}

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
        >>> opt = mytorch.optim.Adagrad([w], initial_accumulator_value=0.5)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> opt.state[w]["sum"]  # 0.5 + 4 ** 2
        tensor([16.5])
        """
        loss = self._evaluate(closure)
        for group, param in self._params_to_update():
            grad = -param.grad.data if group["maximize"] else param.grad.data
            state = self.state.setdefault(param, {})
            if not state:
                state["step"] = 0
                start = group["initial_accumulator_value"]
                state["sum"] = Tensor._wrap(np.full_like(param.data, start))
            state["step"] += 1
            if group["weight_decay"] != 0:
                grad = grad + group["weight_decay"] * param.data
            lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
            total = state["sum"].data
            total += grad * grad
            param.data -= lr * (grad / (np.sqrt(total) + group["eps"]))
            param._bump_version()
        return loss
