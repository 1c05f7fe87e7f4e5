"""Cosine schedules: CosineAnnealingLR (one half period) and CosineAnnealingWarmRestarts (SGDR)."""

from __future__ import annotations

import math
from typing import Any

from mytorch.optim.optimizer import Optimizer, check_number
from mytorch.optim.scheduler_base import LRScheduler, check_positive_int

__all__ = ["CosineAnnealingLR", "CosineAnnealingWarmRestarts"]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal the learning rate along a cosine from its start to ``eta_min`` in ``T_max`` epochs.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule.
    T_max : int
        The number of epochs of a half cosine period.
    eta_min : float, default 0
        The lowest rate.
    last_epoch : int, default -1
        The epoch to resume from (see ``LRScheduler``); -1 starts the schedule.

    Notes
    -----
    With no other change to the rate, epoch :math:`t` uses (SGDR, Loshchilov and
    Hutter, 2017, without restarts)

    .. math::

        \eta_t = \eta_{min} + \tfrac12 (\eta_0 - \eta_{min})
                 \left(1 + \cos\left(\pi\, t / T_{max}\right)\right).

    Past :math:`T_{max}` the rate climbs back along the cosine, as in PyTorch. Like
    PyTorch, each step scales the current rate's distance to :math:`\eta_{min}` by
    the ratio of consecutive :math:`1 + \cos` factors, which yields the formula
    above and also follows any outside change of the rate.

    Examples
    --------
    >>> import mytorch
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    >>> scheduler = mytorch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=2)
    >>> rates = []
    >>> for epoch in range(3):
    ...     scheduler.step()
    ...     rates.append(round(scheduler.get_last_lr()[0], 6))
    >>> rates
    [0.5, 0.0, 0.5]
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self._check_options({"T_max": T_max, "eta_min": eta_min}, "CosineAnnealingLR")
        self.T_max = int(T_max)
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def _check_options(self, options: dict[str, Any], where: str) -> None:
        check_positive_int(where, "T_max", options["T_max"])
        check_number(where, "eta_min", options["eta_min"], 0.0)

    def get_lr(self) -> list[float]:
        """Return each group's rate for epoch ``last_epoch`` (the recursive cosine form).

        It scales the groups' current ``lr``, so ``step()`` (which calls it once
        per epoch) is the way to advance; ``get_last_lr()`` reads the rate in use.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> scheduler = mytorch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
        >>> scheduler.step()  # calls get_lr() for epoch 1
        >>> round(scheduler.get_last_lr()[0], 6)  # (1 + cos(pi / 4)) / 2
        0.853553
        """
        groups, epoch, period = self.optimizer.param_groups, self.last_epoch, self.T_max
        if self._is_initial:
            return [group["lr"] for group in groups]
        if (epoch - 1 - period) % (2 * period) == 0:
            # The last epoch sat at the bottom, where the ratio below would be 0 / 0:
            # climb by the closed form's first step instead.
            rise = (1 - math.cos(math.pi / period)) / 2
            return [
                group["lr"] + (base_lr - self.eta_min) * rise
                for group, base_lr in zip(groups, self.base_lrs)
            ]
        ratio = (1 + math.cos(math.pi * epoch / period)) / (
            1 + math.cos(math.pi * (epoch - 1) / period)
        )
        return [self.eta_min + (group["lr"] - self.eta_min) * ratio for group in groups]

    def _closed_form_lr(self) -> list[float]:
        return [
            _cosine(base_lr, self.eta_min, self.last_epoch / self.T_max)
            for base_lr in self.base_lrs
        ]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Anneal the rate along a cosine to ``eta_min``, then restart; periods grow by ``T_mult``.

    SGDR (Loshchilov and Hutter, 2017, arXiv:1608.03983). The first period
    lasts ``T_0`` epochs, each next one ``T_mult`` times the last. ``step()``
    may also be given the epoch, fractional for a restart within an epoch
    (``scheduler.step(epoch + batch / batches)``), as in PyTorch.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule.
    T_0 : int
        The number of epochs of the first period.
    T_mult : int, default 1
        The factor by which each period is longer than the last.
    eta_min : float, default 0
        The lowest rate.
    last_epoch : int, default -1
        The epoch to resume from (see ``LRScheduler``); -1 starts the schedule.

    Notes
    -----
    With :math:`T_{cur}` the epochs since the last restart and :math:`T_i` the
    current period, :math:`\eta_t = \eta_{min} + \tfrac12 (\eta_0 - \eta_{min})
    (1 + \cos(\pi\, T_{cur} / T_i))`. Not chainable: it sets the rate from the
    starting rate, as PyTorch's does.

    Examples
    --------
    >>> import mytorch
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    >>> scheduler = mytorch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    >>> rates = []
    >>> for epoch in range(7):
    ...     rates.append(round(scheduler.get_last_lr()[0], 6))
    ...     opt.step()
    ...     scheduler.step()
    >>> rates  # periods of 2, then 4 epochs
    [1.0, 0.5, 1.0, 0.853553, 0.5, 0.146447, 1.0]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        options = {"T_0": T_0, "T_i": T_0, "T_mult": T_mult, "eta_min": eta_min}
        self._check_options(options, "CosineAnnealingWarmRestarts")
        self.T_0, self.T_i, self.T_mult, self.eta_min = int(T_0), int(T_0), int(T_mult), eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def _check_options(self, options: dict[str, Any], where: str) -> None:
        check_positive_int(where, "T_0", options["T_0"])
        check_positive_int(where, "T_i", options["T_i"])
        check_positive_int(where, "T_mult", options["T_mult"])
        check_number(where, "eta_min", options["eta_min"], 0.0)
        if "T_cur" in options:  # a loaded state
            check_number(where, "T_cur", options["T_cur"], 0.0)

    def get_lr(self) -> list[float]:
        """Return each group's rate, ``T_cur`` epochs into a period of ``T_i``.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> scheduler = mytorch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4)
        >>> scheduler.T_cur, scheduler.get_lr()
        (0, [1.0])
        """
        return [_cosine(base_lr, self.eta_min, self.T_cur / self.T_i) for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to ``epoch`` (a number >= 0, fractional allowed).

        Raises
        ------
        ValueError
            If ``epoch`` is negative (nothing is changed).

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> scheduler = mytorch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2)
        >>> scheduler.step(0.5)  # a quarter of the way through the first period
        >>> round(scheduler.get_last_lr()[0], 6)
        0.853553
        """
        self._check_groups()
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur %= self.T_i
                self.T_i *= self.T_mult
        else:
            check_number("CosineAnnealingWarmRestarts.step", "epoch", epoch, 0.0)
            self.T_cur, self.T_i = self._position(epoch)
        self.last_epoch = math.floor(epoch)
        groups = self.optimizer.param_groups
        for group, lr in zip(groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in groups]

    def _position(self, epoch: float) -> tuple[float, int]:
        """Return (T_cur, T_i) at ``epoch``: which period it falls in, and how far in."""
        if epoch < self.T_0:
            return epoch, self.T_0
        if self.T_mult == 1:
            return epoch % self.T_0, self.T_0
        # Periods T_0 * T_mult**k end at T_0 * (T_mult**n - 1) / (T_mult - 1): solve for n.
        n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
        start = self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
        return epoch - start, self.T_0 * self.T_mult**n


def _cosine(base_lr: float, eta_min: float, done: float) -> float:
    """The cosine from ``base_lr`` (done = 0) down to ``eta_min`` (done = 1)."""
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * done)) / 2
