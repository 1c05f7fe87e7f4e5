"""CyclicLR: the rate goes up and down between two bounds, batch after batch (Smith, 2017)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from mytorch.optim.one_cycle_lr import _per_group
from mytorch.optim.optimizer import Optimizer, check_number
from mytorch.optim.scheduler_base import (
    LRScheduler,
    check_epoch,
    check_positive_int,
    check_resumable,
)

__all__ = ["CyclicLR"]

#: The built-in modes: the amplitude's scale as a function of x, and what x counts.
_MODES: dict[str, tuple[Callable[[float, float], float], str]] = {
    "triangular": (lambda gamma, x: 1.0, "cycle"),
    "triangular2": (lambda gamma, x: 1 / (2.0 ** (x - 1)), "cycle"),
    "exp_range": (lambda gamma, x: gamma**x, "iterations"),
}


class CyclicLR(LRScheduler):
    r"""Cycle the rate between ``base_lr`` and ``max_lr``, stepping after every batch.

    Cyclical learning rates (Smith, 2017, arXiv:1506.01186). Each cycle climbs
    from ``base_lr`` to ``max_lr`` in ``step_size_up`` steps and comes back
    down in ``step_size_down``; the mode scales the amplitude from cycle to
    cycle. The momentum (SGD's ``momentum``, Adam's ``beta1``) cycles the
    other way, between ``max_momentum`` and ``base_momentum``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule. The groups' rates are set to ``base_lr``.
    base_lr, max_lr : float or list of float
        The bounds of the cycle, or one per group.
    step_size_up : int, default 2000
        The number of steps from ``base_lr`` up to ``max_lr``.
    step_size_down : int, optional
        The number of steps back down (``step_size_up`` by default).
    mode : {"triangular", "triangular2", "exp_range"}, default "triangular"
        The amplitude stays (``triangular``), halves every cycle
        (``triangular2``), or shrinks by ``gamma`` every step (``exp_range``).
        Ignored when ``scale_fn`` is given.
    gamma : float, default 1.0
        The factor of ``exp_range``.
    scale_fn : callable, optional
        Your own scale of the amplitude, a function of the cycle (from 1) or of
        the step, as ``scale_mode`` says. It is code, not state: ``state_dict``
        leaves it out.
    scale_mode : {"cycle", "iterations"}, default "cycle"
        What ``scale_fn`` is a function of.
    cycle_momentum : bool, default True
        Cycle the momentum too.
    base_momentum, max_momentum : float or list of float, default 0.8, 0.9
        The momentum at the peak rate and at the bottom.
    last_epoch : int, default -1
        The step to resume from (see ``LRScheduler``); -1 starts the cycle.

    Raises
    ------
    ValueError
        If a bound, a step size, ``mode`` or ``scale_mode`` is invalid, or the
        momentum is cycled for an optimiser that has none. Nothing is changed
        then.

    Notes
    -----
    With :math:`c = \lfloor 1 + t / (u + d) \rfloor` the cycle and
    :math:`x = 1 + t / (u + d) - c` the position in it, the rate is
    :math:`b + (m - b) \, h(x) \, s`, where :math:`h` rises from 0 to 1 over the
    first :math:`u / (u + d)` of the cycle and falls back, and :math:`s` is the
    mode's scale.

    Examples
    --------
    >>> import mytorch
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    >>> scheduler = mytorch.optim.lr_scheduler.CyclicLR(
    ...     opt, base_lr=0.1, max_lr=0.5, step_size_up=2, mode="triangular2"
    ... )
    >>> rates = []
    >>> for batch in range(9):
    ...     rates.append(round(scheduler.get_last_lr()[0], 6))
    ...     opt.step()  # a real loop trains one batch here
    ...     scheduler.step()
    >>> rates  # the second cycle's amplitude is half the first's
    [0.1, 0.3, 0.5, 0.3, 0.1, 0.2, 0.3, 0.2, 0.1]
    """

    _not_saved = ("optimizer", "_scale_fn_custom")

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        name = "CyclicLR"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name}: expected an Optimizer, got {type(optimizer).__name__}")
        check_epoch(name, last_epoch)
        groups = optimizer.param_groups
        base_lrs = _per_group(name, "base_lr", base_lr, len(groups))
        max_lrs = _per_group(name, "max_lr", max_lr, len(groups))
        check_positive_int(name, "step_size_up", step_size_up)
        if step_size_down is not None:
            check_positive_int(name, "step_size_down", step_size_down)
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"{name}: scale_fn must be callable, got {scale_fn!r}")
        self._scale_fn_custom = scale_fn  # before the checks: with it, any mode will do
        if scale_fn is None and mode in _MODES:
            scale_mode = _MODES[mode][1]
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        options = {
            "total_size": up + down,
            "step_ratio": up / (up + down),
            "mode": mode,
            "gamma": gamma,
            "scale_mode": scale_mode,
            "cycle_momentum": cycle_momentum,
            "use_beta1": "betas" in optimizer.defaults,
        }
        self._check_options(options, name)
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    f"{name}: cycle_momentum needs an optimiser with momentum or betas; "
                    f"{type(optimizer).__name__} has neither (pass cycle_momentum=False)"
                )
            base_momenta = _per_group(name, "base_momentum", base_momentum, len(groups))
            max_momenta = _per_group(name, "max_momentum", max_momentum, len(groups))
        else:
            base_momenta = max_momenta = []
        check_resumable(name, optimizer, last_epoch)  # before the writes below
        # Everything is checked: now write into the groups, as PyTorch does.
        self.__dict__.update(options)
        self.max_lrs = max_lrs
        self.base_momentums, self.max_momentums = base_momenta, max_momenta
        if last_epoch == -1:
            for index, group in enumerate(groups):
                group["lr"] = base_lrs[index]
                if cycle_momentum:
                    group["max_momentum"] = max_momenta[index]
                    group["base_momentum"] = base_momenta[index]
                    self._set_momentum(group, max_momenta[index])
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _check_options(self, options: dict[str, Any], where: str) -> None:
        check_number(where, "total_size", options["total_size"], 2.0)
        check_number(where, "step_ratio", options["step_ratio"], 0.0, 1.0)
        if options["mode"] not in _MODES and self._scale_fn_custom is None:
            raise ValueError(
                f"{where}: mode must be one of {sorted(_MODES)}, got {options['mode']!r}"
            )
        check_number(where, "gamma", options["gamma"], 0.0)
        if options["scale_mode"] not in ("cycle", "iterations"):
            raise ValueError(
                f"{where}: scale_mode must be 'cycle' or 'iterations', "
                f"got {options['scale_mode']!r}"
            )
        for key in ("cycle_momentum", "use_beta1"):
            if not isinstance(options[key], bool):
                raise ValueError(f"{where}: {key} must be a bool, got {options[key]!r}")

    def scale_fn(self, x: float) -> float:
        """Return the amplitude's scale at ``x`` (a cycle number, or a step).

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
        >>> scheduler = mytorch.optim.lr_scheduler.CyclicLR(
        ...     opt, 0.1, 0.5, mode="triangular2", cycle_momentum=False
        ... )
        >>> scheduler.scale_fn(3)  # the third cycle: a quarter of the first's amplitude
        0.25
        """
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        return _MODES[self.mode][0](self.gamma, x)

    def get_lr(self) -> list[float]:
        """Return each group's rate at step ``last_epoch`` (and set its momentum).

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
        >>> scheduler = mytorch.optim.lr_scheduler.CyclicLR(
        ...     opt, base_lr=0.1, max_lr=0.3, step_size_up=2, cycle_momentum=False
        ... )
        >>> scheduler.step()  # calls get_lr() for step 1: half way up
        >>> round(scheduler.get_last_lr()[0], 6)
        0.2
        """
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        # The triangle's height: up over the first step_ratio of the cycle, then down.
        up = x <= self.step_ratio
        height = x / self.step_ratio if up else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        rates = [
            base_lr + (max_lr - base_lr) * height * scale
            for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)
        ]
        if self.cycle_momentum:
            momenta = zip(self.base_momentums, self.max_momentums)
            for group, (base, top) in zip(self.optimizer.param_groups, momenta):
                self._set_momentum(group, top - (top - base) * height * scale)
        return rates

    def _set_momentum(self, group: dict[str, Any], momentum: float) -> None:
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum
