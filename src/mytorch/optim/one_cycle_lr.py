"""OneCycleLR: the "1cycle" policy, a warm-up to a peak rate and a long anneal, per batch."""

from __future__ import annotations

import math
import numbers
from typing import Any

from mytorch.optim.optimizer import Optimizer, check_number
from mytorch.optim.scheduler_base import LRScheduler, check_epoch, check_positive_int

__all__ = ["OneCycleLR"]


class OneCycleLR(LRScheduler):
    r"""Raise the rate from ``max_lr / div_factor`` to ``max_lr``, then anneal it far below.

    The 1cycle policy (Smith and Topin, 2017, arXiv:1708.07120). Unlike the
    per-epoch schedules, ``step()`` is called after every *batch*, and at most
    ``total_steps`` times. The momentum (SGD's ``momentum``, or Adam's
    ``beta1``) cycles the other way, between ``max_momentum`` and
    ``base_momentum``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule.
    max_lr : float or list of float
        The peak rate, or one per group.
    total_steps : int, optional
        The number of steps of the cycle; or give ``epochs`` and ``steps_per_epoch``.
    epochs, steps_per_epoch : int, optional
        ``total_steps = epochs * steps_per_epoch`` when ``total_steps`` is not given.
    pct_start : float, default 0.3
        The fraction of the cycle spent raising the rate.
    anneal_strategy : {"cos", "linear"}, default "cos"
        How the rate moves between its phase's ends.
    cycle_momentum : bool, default True
        Cycle the momentum too.
    base_momentum, max_momentum : float or list of float, default 0.85, 0.95
        The momentum at the peak rate and at the ends.
    div_factor : float, default 25
        The starting rate is ``max_lr / div_factor``.
    final_div_factor : float, default 1e4
        The final rate is the starting rate divided by this.
    three_phase : bool, default False
        Come back down to the starting rate symmetrically before the final
        anneal (fast.ai's and the paper's schedule), instead of annealing from
        the peak straight to the end.

    Raises
    ------
    ValueError
        If the number of steps is not given as positive ints, ``pct_start`` is
        outside [0, 1], ``anneal_strategy`` is unknown, a rate or factor is
        invalid, or the momentum is cycled for an optimiser that has none.
        ``step()`` raises ValueError past ``total_steps``.

    Notes
    -----
    Each phase moves the rate (and momentum) from its start to its end value
    over its steps, with the fraction :math:`p` of the phase done:
    ``cos``: :math:`e + (s - e)(1 + \cos \pi p) / 2`; ``linear``:
    :math:`s + (e - s) p`. The two phases (three with ``three_phase``) end at
    steps :math:`\text{pct\_start} \cdot T - 1` (and
    :math:`2\,\text{pct\_start} \cdot T - 2`) and :math:`T - 1`. The groups keep
    ``initial_lr``, ``max_lr`` and ``min_lr`` (and ``max_momentum``,
    ``base_momentum``), as in PyTorch.

    Examples
    --------
    >>> import mytorch
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    >>> scheduler = mytorch.optim.lr_scheduler.OneCycleLR(
    ...     opt, max_lr=1.0, total_steps=5, anneal_strategy="linear", pct_start=0.4
    ... )
    >>> rates = []
    >>> for batch in range(5):
    ...     rates.append(round(scheduler.get_last_lr()[0], 6))
    ...     opt.step()  # a real loop trains one batch here
    ...     scheduler.step()
    >>> rates
    [0.04, 1.0, 0.666668, 0.333336, 4e-06]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        name = "OneCycleLR"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name}: expected an Optimizer, got {type(optimizer).__name__}")
        check_epoch(name, last_epoch)
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError(f"{name}: give total_steps, or epochs and steps_per_epoch")
            check_positive_int(name, "epochs", epochs)
            check_positive_int(name, "steps_per_epoch", steps_per_epoch)
            total_steps = epochs * steps_per_epoch
        options = {
            "total_steps": total_steps,
            "pct_start": pct_start,
            "anneal_strategy": anneal_strategy,
            "cycle_momentum": cycle_momentum,
            "three_phase": three_phase,
            "use_beta1": "betas" in optimizer.defaults,
        }
        self._check_options(options, name)
        groups = optimizer.param_groups
        max_lrs = _per_group(name, "max_lr", max_lr, len(groups))
        check_number(name, "div_factor", div_factor, 0.0)
        check_number(name, "final_div_factor", final_div_factor, 0.0)
        if div_factor == 0 or final_div_factor == 0:
            raise ValueError(f"{name}: div_factor and final_div_factor must be > 0")
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    f"{name}: cycle_momentum needs an optimiser with momentum or betas; "
                    f"{type(optimizer).__name__} has neither (pass cycle_momentum=False)"
                )
            max_momenta = _per_group(name, "max_momentum", max_momentum, len(groups))
            base_momenta = _per_group(name, "base_momentum", base_momentum, len(groups))
        self.__dict__.update(options)
        self.total_steps = int(total_steps)
        if last_epoch != -1:
            super().__init__(optimizer, last_epoch)  # resuming: the groups are the loaded ones
            return
        # Everything is checked: now write into the groups, as PyTorch does.
        for index, group in enumerate(groups):
            group["initial_lr"] = max_lrs[index] / div_factor
            group["max_lr"] = max_lrs[index]
            group["min_lr"] = group["initial_lr"] / final_div_factor
            if cycle_momentum:
                group["max_momentum"], group["base_momentum"] = (
                    max_momenta[index],
                    base_momenta[index],
                )
                self._set_momentum(group, max_momenta[index])
        super().__init__(optimizer)

    def _check_options(self, options: dict[str, Any], where: str) -> None:
        check_positive_int(where, "total_steps", options["total_steps"])
        check_number(where, "pct_start", options["pct_start"], 0.0)
        if options["pct_start"] > 1:
            raise ValueError(f"{where}: pct_start must be in [0, 1], got {options['pct_start']!r}")
        if options["anneal_strategy"] not in ("cos", "linear"):
            raise ValueError(
                f"{where}: anneal_strategy must be 'cos' or 'linear', "
                f"got {options['anneal_strategy']!r}"
            )
        for key in ("cycle_momentum", "three_phase", "use_beta1"):
            if not isinstance(options[key], bool):
                raise ValueError(f"{where}: {key} must be a bool, got {options[key]!r}")

    def _phases(self) -> list[tuple[float, str, str, str, str]]:
        """Each phase: (last step, start lr, end lr, start momentum, end momentum) keys."""
        warm_end = float(self.pct_start * self.total_steps) - 1
        last = float(self.total_steps - 1)
        if self.three_phase:
            return [
                (warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (2 * warm_end, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (last, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        return [
            (warm_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            (last, "max_lr", "min_lr", "base_momentum", "max_momentum"),
        ]

    def get_lr(self) -> list[float]:
        """Return each group's rate for step ``last_epoch`` (and set its momentum).

        Raises
        ------
        ValueError
            Past ``total_steps``.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.Adam([mytorch.zeros(1, requires_grad=True)])
        >>> scheduler = mytorch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=10)
        >>> round(scheduler.get_lr()[0], 9), opt.param_groups[0]["betas"]  # max_lr / 25, 0.95
        (0.02, (0.95, 0.999))
        """
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"OneCycleLR: stepped {step} times, past total_steps={self.total_steps}; "
                "make the scheduler with the number of batches you train"
            )
        anneal = _anneal_cos if self.anneal_strategy == "cos" else _anneal_linear
        phases = self._phases()
        rates = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for index, (end, lr_from, lr_to, momentum_from, momentum_to) in enumerate(phases):
                if step <= end or index == len(phases) - 1:
                    done = (step - start) / (end - start)
                    rates.append(anneal(group[lr_from], group[lr_to], done))
                    if self.cycle_momentum:
                        momentum = anneal(group[momentum_from], group[momentum_to], done)
                        self._set_momentum(group, momentum)
                    break
                start = end
        return rates

    def _set_momentum(self, group: dict[str, Any], momentum: float) -> None:
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum


def _anneal_cos(start: float, end: float, done: float) -> float:
    return end + (start - end) / 2.0 * (math.cos(math.pi * done) + 1)


def _anneal_linear(start: float, end: float, done: float) -> float:
    return (end - start) * done + start


def _per_group(where: str, what: str, value: Any, groups: int) -> list[float]:
    """One value per group: a number for all, or a list with one for each; checked."""
    values = list(value) if isinstance(value, (list, tuple)) else [value] * groups
    if len(values) != groups:
        raise ValueError(f"{where}: expected {groups} values of {what}, got {len(values)}")
    for item in values:
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise TypeError(f"{where}: {what} must be a real number, got {item!r}")
        check_number(where, what, item, 0.0)
    return values
