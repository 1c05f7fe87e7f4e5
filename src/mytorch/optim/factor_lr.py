"""Warm-ups and decays over ``total_iters`` epochs: LinearLR, ConstantLR, PolynomialLR.

Each scales the starting rate by a factor of the epoch that settles after
``total_iters`` epochs. Each is chainable, as in PyTorch: a step multiplies the
current rate by the ratio of consecutive factors, so it composes with another
scheduler; ``_closed_form_lr`` gives the factor times the starting rate.
"""

from __future__ import annotations

from typing import Any

from mytorch.optim.optimizer import Optimizer, check_number
from mytorch.optim.scheduler_base import LRScheduler, check_positive_int

__all__ = ["ConstantLR", "LinearLR", "PolynomialLR"]


class LinearLR(LRScheduler):
    r"""Scale the learning rate by a factor going linearly from ``start_factor`` to ``end_factor``.

    The usual warm-up: start at a fraction of the rate and reach it after
    ``total_iters`` epochs; the factor then stays at ``end_factor``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule.
    start_factor : float, default 1/3
        The factor at epoch 0, in (0, 1].
    end_factor : float, default 1
        The factor from epoch ``total_iters`` on, in [0, 1].
    total_iters : int, default 5
        The number of epochs the factor takes to get there.
    last_epoch : int, default -1
        The epoch to resume from (see ``LRScheduler``); -1 starts the schedule.

    Notes
    -----
    With no other change to the rate, epoch :math:`t` uses

    .. math::

        \eta_t = \eta_0 \left(s + (e - s)\, \frac{\min(t, T)}{T}\right).

    Like PyTorch, each step multiplies the current rate by the ratio of
    consecutive factors, which yields this formula and also follows any other
    scheduler's change to the rate.

    Examples
    --------
    >>> import mytorch
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    >>> scheduler = mytorch.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> rates = []
    >>> for epoch in range(5):
    ...     rates.append(scheduler.get_last_lr()[0])
    ...     scheduler.step()
    >>> rates
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        options = {
            "start_factor": start_factor,
            "end_factor": end_factor,
            "total_iters": total_iters,
        }
        self._check_options(options, "LinearLR")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = int(total_iters)
        super().__init__(optimizer, last_epoch)

    def _check_options(self, options: dict[str, Any], where: str) -> None:
        start = options["start_factor"]
        check_number(where, "start_factor", start, 0.0)
        if start == 0 or start > 1:
            raise ValueError(f"{where}: start_factor must be in (0, 1], got {start!r}")
        check_number(where, "end_factor", options["end_factor"], 0.0)
        if options["end_factor"] > 1:
            raise ValueError(
                f"{where}: end_factor must be in [0, 1], got {options['end_factor']!r}"
            )
        check_positive_int(where, "total_iters", options["total_iters"])

    def get_lr(self) -> list[float]:
        """Return each group's rate times the ratio of this epoch's factor to the last one's.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> mytorch.optim.lr_scheduler.LinearLR(opt, start_factor=0.5).get_last_lr()
        [0.5]
        """
        groups, epoch = self.optimizer.param_groups, self.last_epoch
        start, end, total = self.start_factor, self.end_factor, self.total_iters
        if epoch == 0:
            return [group["lr"] * start for group in groups]
        if self._is_initial or epoch > total:
            return [group["lr"] for group in groups]
        # factor(t) / factor(t - 1), with both factors multiplied by T.
        ratio = 1.0 + (end - start) / (total * start + (epoch - 1) * (end - start))
        return [group["lr"] * ratio for group in groups]

    def _closed_form_lr(self) -> list[float]:
        start, end, total = self.start_factor, self.end_factor, self.total_iters
        factor = start + (end - start) * min(total, self.last_epoch) / total
        return [base_lr * factor for base_lr in self.base_lrs]


class ConstantLR(LRScheduler):
    r"""Scale the learning rate by ``factor`` for the first ``total_iters`` epochs.

    The simplest warm-up: a lower rate at first, then the rate itself.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule.
    factor : float, default 1/3
        The factor until epoch ``total_iters``, in (0, 1].
    total_iters : int, default 5
        The epoch at which the factor ends.
    last_epoch : int, default -1
        The epoch to resume from (see ``LRScheduler``); -1 starts the schedule.

    Notes
    -----
    With no other change to the rate, epoch :math:`t` uses
    :math:`\eta_t = \eta_0 \cdot \text{factor}` for :math:`t < T`, and
    :math:`\eta_0` after. PyTorch accepts ``factor=0`` and then fails with a
    division by zero at ``total_iters``; MyTorch refuses it when the scheduler
    is made.

    Examples
    --------
    >>> import mytorch
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    >>> scheduler = mytorch.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2)
    >>> rates = []
    >>> for epoch in range(4):
    ...     rates.append(scheduler.get_last_lr()[0])
    ...     opt.step()
    ...     scheduler.step()
    >>> rates
    [0.5, 0.5, 1.0, 1.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self._check_options({"factor": factor, "total_iters": total_iters}, "ConstantLR")
        self.factor = factor
        self.total_iters = int(total_iters)
        super().__init__(optimizer, last_epoch)

    def _check_options(self, options: dict[str, Any], where: str) -> None:
        factor = options["factor"]
        check_number(where, "factor", factor, 0.0)
        if factor == 0 or factor > 1:
            raise ValueError(f"{where}: factor must be in (0, 1], got {factor!r}")
        check_positive_int(where, "total_iters", options["total_iters"])

    def get_lr(self) -> list[float]:
        """Return each group's rate: times factor at epoch 0, divided by it at ``total_iters``.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> mytorch.optim.lr_scheduler.ConstantLR(opt, factor=0.25).get_last_lr()
        [0.25]
        """
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in groups]
        if self.last_epoch != self.total_iters:
            return [group["lr"] for group in groups]
        return [group["lr"] * (1.0 / self.factor) for group in groups]

    def _closed_form_lr(self) -> list[float]:
        factor = 1.0 if self.last_epoch >= self.total_iters else self.factor
        return [base_lr * factor for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    r"""Decay the learning rate to zero in ``total_iters`` epochs along a polynomial of ``power``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule.
    total_iters : int, default 5
        The epoch at which the rate reaches zero (and stays).
    power : float, default 1
        The power of the polynomial (1 is a straight line), >= 0.
    last_epoch : int, default -1
        The epoch to resume from (see ``LRScheduler``); -1 starts the schedule.

    Notes
    -----
    With no other change to the rate, epoch :math:`t` uses
    :math:`\eta_t = \eta_0\, (1 - \min(t, T) / T)^{p}`.

    Examples
    --------
    >>> import mytorch
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    >>> scheduler = mytorch.optim.lr_scheduler.PolynomialLR(opt, total_iters=4, power=2.0)
    >>> rates = []
    >>> for epoch in range(6):
    ...     rates.append(scheduler.get_last_lr()[0])
    ...     opt.step()
    ...     scheduler.step()
    >>> rates
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = -1,
    ) -> None:
        self._check_options({"total_iters": total_iters, "power": power}, "PolynomialLR")
        self.total_iters = int(total_iters)
        self.power = power
        super().__init__(optimizer, last_epoch)

    def _check_options(self, options: dict[str, Any], where: str) -> None:
        check_positive_int(where, "total_iters", options["total_iters"])
        check_number(where, "power", options["power"], 0.0)

    def get_lr(self) -> list[float]:
        """Return each group's rate times the ratio of this epoch's factor to the last one's.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> scheduler = mytorch.optim.lr_scheduler.PolynomialLR(opt, total_iters=2)
        >>> scheduler.step()  # calls get_lr() for epoch 1
        >>> scheduler.get_last_lr()
        [0.5]
        """
        groups, epoch, total = self.optimizer.param_groups, self.last_epoch, self.total_iters
        if self._is_initial or epoch > total:
            return [group["lr"] for group in groups]
        ratio = ((1.0 - epoch / total) / (1.0 - (epoch - 1) / total)) ** self.power
        return [group["lr"] * ratio for group in groups]

    def _closed_form_lr(self) -> list[float]:
        factor = (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
        return [base_lr * factor for base_lr in self.base_lrs]
