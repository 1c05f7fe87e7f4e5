"""Adam and AdamW: steps scaled by running estimates of the gradient's first two moments."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from mytorch.core.grad_mode import no_grad
from mytorch.core.tensor import Tensor
from mytorch.optim.optimizer import Optimizer, ParamsT, check_flag, check_number
from mytorch.optim.state_dict import Entry

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (Kingma and Ba, 2015, arXiv:1412.6980), as ``torch.optim.Adam``.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        The tensors to optimise, or parameter groups (see ``Optimizer``).
    lr : float, default 1e-3
        The learning rate :math:`\gamma`.
    betas : tuple of two floats, default (0.9, 0.999)
        The decay rates :math:`\beta_1, \beta_2` of the moment estimates, in [0, 1).
    eps : float, default 1e-8
        :math:`\epsilon`, added to the denominator so that it is never zero.
    weight_decay : float, default 0
        The weight decay :math:`\lambda`: an L2 penalty added to the gradient or,
        with ``decoupled_weight_decay``, a shrinking of the weights (AdamW).
    amsgrad : bool, default False
        Divide by the largest :math:`\hat v` seen so far instead of the current
        one (AMSGrad, Reddi et al., 2018), so the step size never grows.
    maximize : bool, default False
        Maximise the objective instead (keyword only).
    decoupled_weight_decay : bool, default False
        Shrink the weights directly instead of adding :math:`\lambda\theta` to the
        gradient (keyword only; ``AdamW`` sets it).

    Raises
    ------
    ValueError
        If ``lr``, ``eps`` or ``weight_decay`` is negative, or a beta is outside [0, 1).

    Notes
    -----
    At step :math:`t` (counted per parameter), with gradient
    :math:`g_t = \nabla_\theta f(\theta_{t-1})` and :math:`m_0 = v_0 = 0`:

    .. math::

        g_t &\leftarrow -g_t \quad\text{(only with maximize)} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1}
            \quad\text{or, decoupled,}\quad
            \theta_{t-1} \leftarrow (1 - \gamma\lambda)\, \theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad \hat v_t = v_t / (1 - \beta_2^t) \\
        v^{max}_t &= \max(v^{max}_{t-1}, v_t)
            \quad\text{(AMSGrad only; it then replaces } v_t \text{ below)} \\
        \theta_t &= \theta_{t-1} - \gamma\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    The division by :math:`1 - \beta^t` corrects the estimates' bias towards their
    zero start. State per parameter: ``"step"`` (an int), ``"exp_avg"``
    (:math:`m`), ``"exp_avg_sq"`` (:math:`v`) and, with AMSGrad,
    ``"max_exp_avg_sq"`` (:math:`v^{max}`).

    Examples
    --------
    >>> import mytorch
    >>> w = mytorch.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = mytorch.optim.Adam([w], lr=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> [round(v, 5) for v in w.tolist()]  # the first step moves each weight by about lr
    [0.5, -1.5]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = type(self).__name__
        check_number(name, "learning rate", group["lr"], 0.0)
        check_number(name, "epsilon", group["eps"], 0.0)
        check_number(name, "weight_decay", group["weight_decay"], 0.0)
        for flag in ("amsgrad", "maximize", "decoupled_weight_decay"):
            check_flag(name, flag, group[flag])
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        check_number(name, "beta1 (betas[0])", betas[0], 0.0, 1.0)
        check_number(name, "beta2 (betas[1])", betas[1], 0.0, 1.0)

    def _state_entries(self, group: dict[str, Any]) -> dict[str, Entry]:
        entries = {
            "step": Entry("count"),
            "exp_avg": Entry("array"),
            "exp_avg_sq": Entry("nonnegative"),
        }
        if group["amsgrad"]:
            entries["max_exp_avg_sq"] = Entry("nonnegative")
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
        >>> opt = mytorch.optim.Adam([w], lr=0.5)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> opt.state[w]["step"]
        1
        """
        loss = self._evaluate(closure)
        for group, param in self._params_to_update():
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            grad = -param.grad.data if group["maximize"] else param.grad.data
            state = self.state.setdefault(param, {})
            if not state:
                state["step"] = 0
                state["exp_avg"] = Tensor._wrap(np.zeros_like(param.data))
                state["exp_avg_sq"] = Tensor._wrap(np.zeros_like(param.data))
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = Tensor._wrap(np.zeros_like(param.data))
            state["step"] += 1
            step = state["step"]
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:
                    weights = param.data  # the array, changed in place (no .data setter)
                    weights *= 1 - lr * weight_decay
                else:
                    grad = grad + weight_decay * param.data
            exp_avg, exp_avg_sq = state["exp_avg"].data, state["exp_avg_sq"].data
            exp_avg += (1 - beta1) * (grad - exp_avg)
            exp_avg_sq *= beta2
            exp_avg_sq += (1 - beta2) * grad * grad
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            if group["amsgrad"]:
                exp_avg_sq = state["max_exp_avg_sq"].data
                np.maximum(exp_avg_sq, state["exp_avg_sq"].data, out=exp_avg_sq)
            denom = np.sqrt(exp_avg_sq) / math.sqrt(bias_correction2) + eps
            weights = param.data  # the array, changed in place (no .data setter)
            weights -= (lr / bias_correction1) * exp_avg / denom
            param._bump_version()
        return loss


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov and Hutter, 2019), as ``torch.optim.AdamW``.

    The same as ``Adam(..., decoupled_weight_decay=True)``: each step first shrinks
    the weights, :math:`\theta \leftarrow (1 - \gamma\lambda)\,\theta`, instead of
    adding :math:`\lambda\theta` to the gradient, so the decay is not rescaled by
    the adaptive denominator. See ``Adam`` for the rest of the update.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        The tensors to optimise, or parameter groups (see ``Optimizer``).
    lr : float, default 1e-3
        The learning rate :math:`\gamma`.
    betas : tuple of two floats, default (0.9, 0.999)
        The decay rates of the moment estimates, in [0, 1).
    eps : float, default 1e-8
        Added to the denominator so that it is never zero.
    weight_decay : float, default 1e-2
        The decoupled weight decay :math:`\lambda`.
    amsgrad : bool, default False
        Use AMSGrad's running maximum of :math:`\hat v` (see ``Adam``).
    maximize : bool, default False
        Maximise the objective instead (keyword only).

    Examples
    --------
    >>> import mytorch
    >>> w = mytorch.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = mytorch.optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w  # shrunk by 1 - 0.1 * 0.5, then moved by lr against the gradient
    tensor([ 0.85, -1.8 ], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            maximize=maximize,
            decoupled_weight_decay=True,
        )
