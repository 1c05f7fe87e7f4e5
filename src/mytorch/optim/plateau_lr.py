"""ReduceLROnPlateau: lower the rate when a watched metric stops improving."""

from __future__ import annotations

import math
import numbers
from typing import Any

from mytorch.optim.optimizer import Optimizer, check_number
from mytorch.optim.scheduler_base import LRScheduler, check_rates

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(LRScheduler):
    r"""Multiply the rate by ``factor`` when a metric has not improved for ``patience`` epochs.

    Call ``step(metric)`` once per epoch with the quantity to watch (typically
    the validation loss). Unlike the other schedules it reads no epoch count:
    it reacts to the metric.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule.
    mode : {"min", "max"}, default "min"
        Whether the metric improves by going down (a loss) or up (an accuracy).
    factor : float, default 0.1
        The factor of each reduction, in [0, 1).
    patience : int, default 10
        The number of epochs without improvement tolerated before reducing.
    threshold : float, default 1e-4
        How much better a metric must be to count as an improvement.
    threshold_mode : {"rel", "abs"}, default "rel"
        ``rel``: better than ``best * (1 - threshold)`` (``1 + threshold`` in max
        mode); ``abs``: better than ``best - threshold`` (``+`` in max mode).
    cooldown : int, default 0
        The number of epochs to wait after a reduction before counting again.
    min_lr : float or list of float, default 0
        The lowest rate, or one per group.
    eps : float, default 1e-8
        A reduction smaller than this is not made.

    Raises
    ------
    ValueError
        If ``mode``, ``threshold_mode`` or a number is invalid (``factor >= 1``, a
        negative ``patience``...).

    Examples
    --------
    >>> import mytorch
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    >>> scheduler = mytorch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
    >>> for loss in [3.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0]:
    ...     scheduler.step(loss)
    >>> scheduler.get_last_lr()  # halved after the 2nd stale epoch, twice
    [0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        name = "ReduceLROnPlateau"
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name}: expected an Optimizer, got {type(optimizer).__name__}")
        groups = optimizer.param_groups
        min_lrs = list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * len(groups)
        options = {
            "mode": mode,
            "factor": factor,
            "patience": patience,
            "threshold": threshold,
            "threshold_mode": threshold_mode,
            "cooldown": cooldown,
            "min_lrs": min_lrs,
            "eps": eps,
            "best": math.inf if mode == "min" else -math.inf,
            "num_bad_epochs": 0,
            "cooldown_counter": 0,
        }
        self.optimizer = optimizer
        self._check_options(options, name)
        self.__dict__.update(options)
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in groups]

    def _check_options(self, options: dict[str, Any], where: str) -> None:
        if options["mode"] not in ("min", "max"):
            raise ValueError(f"{where}: mode must be 'min' or 'max', got {options['mode']!r}")
        if options["threshold_mode"] not in ("rel", "abs"):
            given = options["threshold_mode"]
            raise ValueError(f"{where}: threshold_mode must be 'rel' or 'abs', got {given!r}")
        check_number(where, "factor", options["factor"], 0.0, 1.0)
        for key in ("threshold", "eps"):
            check_number(where, key, options[key], 0.0)
        for key in ("patience", "cooldown", "num_bad_epochs", "cooldown_counter"):
            value = options[key]
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise ValueError(f"{where}: {key} must be an int >= 0, got {value!r}")
        check_rates(where, "min_lrs", options["min_lrs"], len(self.optimizer.param_groups))
        best = options["best"]
        if isinstance(best, bool) or not isinstance(best, numbers.Real) or math.isnan(best):
            raise ValueError(f"{where}: best must be a number, got {best!r}")

    def get_lr(self) -> list[float]:
        """Return the rates in use: this schedule changes them only in ``step(metric)``.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
        >>> mytorch.optim.lr_scheduler.ReduceLROnPlateau(opt).get_lr()
        [0.1]
        """
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self, metrics: Any) -> None:  # type: ignore[override]
        """Record one epoch's metric; reduce the rates after ``patience`` epochs without progress.

        Parameters
        ----------
        metrics : float or one-element Tensor
            The watched quantity for this epoch.

        Raises
        ------
        TypeError
            If the metric is not a number.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> scheduler = mytorch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
        >>> scheduler.step(1.0)  # an improvement on nothing
        >>> scheduler.step(1.0)  # no improvement, and no patience: reduce
        >>> opt.param_groups[0]["lr"]
        0.1
        """
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError(
                f"ReduceLROnPlateau.step: the metric must be a number, got {metrics!r}"
            ) from None
        self.last_epoch += 1
        if self._is_better(current):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _is_better(self, current: float) -> bool:
        # PyTorch's forms exactly (best * (1 - threshold), not best - best * threshold,
        # which would be inf - inf = NaN while best is still infinite).
        best, threshold, relative = self.best, self.threshold, self.threshold_mode == "rel"
        if self.mode == "min":
            return current < (best * (1 - threshold) if relative else best - threshold)
        return current > (best * (threshold + 1) if relative else best + threshold)
