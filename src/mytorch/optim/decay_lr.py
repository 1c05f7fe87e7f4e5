"""Schedules that decay the rate by a factor gamma: StepLR, MultiStepLR, ExponentialLR.

Each is chainable: it multiplies the current ``group["lr"]`` by its factor for
the epoch, so it composes with another scheduler on the same optimiser. Each
also has a closed form of the epoch (``_closed_form_lr``), as in PyTorch.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from mytorch.optim.optimizer import Optimizer, check_number
from mytorch.optim.scheduler_base import LRScheduler, check_positive_int

__all__ = ["ExponentialLR", "MultiStepLR", "StepLR"]


class StepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule.
    step_size : int
        The number of epochs between decays.
    gamma : float, default 0.1
        The factor of each decay.
    last_epoch : int, default -1
        The epoch to resume from (see ``LRScheduler``); -1 starts the schedule.

    Notes
    -----
    With no other change to the rate, epoch :math:`t` uses
    :math:`\eta_t = \eta_0\, \gamma^{\lfloor t / \text{step\_size} \rfloor}`.

    Examples
    --------
    >>> import mytorch
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    >>> scheduler = mytorch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    >>> scheduler.step()
    >>> opt.param_groups[0]["lr"]
    0.5
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self._check_options({"step_size": step_size, "gamma": gamma}, "StepLR")
        self.step_size = int(step_size)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _check_options(self, options: dict[str, Any], where: str) -> None:
        check_positive_int(where, "step_size", options["step_size"])
        check_number(where, "gamma", options["gamma"], 0.0)

    def get_lr(self) -> list[float]:
        """Return each group's rate, times gamma when ``last_epoch`` is a multiple of step_size.

        It scales the groups' current ``lr``, so ``step()`` (which calls it once
        per epoch) is the way to advance; ``get_last_lr()`` reads the rate in use.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> scheduler = mytorch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        >>> scheduler.get_lr()  # epoch 0: the starting rate
        [1.0]
        """
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]

    def _closed_form_lr(self) -> list[float]:
        factor = self.gamma ** (self.last_epoch // self.step_size)
        return [base_lr * factor for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` at each epoch listed in ``milestones``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule.
    milestones : iterable of int
        The epochs at which to decay (a milestone listed twice decays twice).
    gamma : float, default 0.1
        The factor of each decay.
    last_epoch : int, default -1
        The epoch to resume from (see ``LRScheduler``); -1 starts the schedule.

    Notes
    -----
    With no other change to the rate, epoch :math:`t` uses
    :math:`\eta_t = \eta_0\, \gamma^{|\{m \in \text{milestones} : m \le t\}|}`.

    Examples
    --------
    >>> import mytorch
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    >>> scheduler = mytorch.optim.lr_scheduler.MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
    >>> rates = []
    >>> for epoch in range(5):
    ...     rates.append(scheduler.get_last_lr()[0])
    ...     scheduler.step()
    >>> rates
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        milestones = sorted(milestones) if isinstance(milestones, Iterable) else milestones
        self._check_options({"milestones": milestones, "gamma": gamma}, "MultiStepLR")
        self.milestones = [int(m) for m in milestones]
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _check_options(self, options: dict[str, Any], where: str) -> None:
        milestones = options["milestones"]
        if not isinstance(milestones, list) or milestones != sorted(milestones):
            raise ValueError(
                f"{where}: milestones must be a sorted list of ints, got {milestones!r}"
            )
        for milestone in milestones:
            check_positive_int(where, "a milestone", milestone)
        check_number(where, "gamma", options["gamma"], 0.0)

    def get_lr(self) -> list[float]:
        """Return each group's rate, times gamma once per milestone at ``last_epoch``.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> mytorch.optim.lr_scheduler.MultiStepLR(opt, milestones=[2]).get_lr()
        [1.0]
        """
        factor = self.gamma ** self.milestones.count(self.last_epoch)
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _closed_form_lr(self) -> list[float]:
        factor = self.gamma ** bisect.bisect_right(self.milestones, self.last_epoch)
        return [base_lr * factor for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every epoch.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule.
    gamma : float
        The factor of each epoch's decay.
    last_epoch : int, default -1
        The epoch to resume from (see ``LRScheduler``); -1 starts the schedule.

    Notes
    -----
    With no other change to the rate, epoch :math:`t` uses :math:`\eta_t = \eta_0\, \gamma^t`.

    Examples
    --------
    >>> import mytorch
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    >>> scheduler = mytorch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> scheduler.step()
    >>> scheduler.step()
    >>> scheduler.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self._check_options({"gamma": gamma}, "ExponentialLR")
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _check_options(self, options: dict[str, Any], where: str) -> None:
        check_number(where, "gamma", options["gamma"], 0.0)

    def get_lr(self) -> list[float]:
        """Return each group's rate times gamma (the rate itself in the constructor's step).

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> scheduler = mytorch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        >>> scheduler.get_last_lr(), scheduler.get_lr()  # the rate now, and the next one
        ([1.0], [0.5])
        """
        factor = 1.0 if self._is_initial else self.gamma
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]
