"""Schedules of schedules: ChainedScheduler (all at once), SequentialLR (one after another)."""

from __future__ import annotations

import bisect
import copy
from collections.abc import Sequence
from typing import Any

from mytorch.optim.optimizer import Optimizer
from mytorch.optim.plateau_lr import ReduceLROnPlateau
from mytorch.optim.scheduler_base import LRScheduler, check_epoch, check_positive_int, check_rates

__all__ = ["ChainedScheduler", "SequentialLR"]


class _Composite(LRScheduler):
    """What both share: a list of schedulers on one optimiser, saved and loaded together."""

    _not_saved = ("optimizer", "_schedulers")

    def _take(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None) -> None:
        name = type(self).__name__
        schedulers = list(schedulers)
        if not schedulers:
            raise ValueError(f"{name}: expected at least one scheduler, got none")
        optimizer = schedulers[0].optimizer if optimizer is None else optimizer
        for index, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(
                    f"{name}: scheduler {index} is a {type(scheduler).__name__}, not a scheduler"
                )
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ValueError(
                    f"{name}: scheduler {index} is a ReduceLROnPlateau, whose step needs a "
                    "metric; step it on its own"
                )
            if scheduler.optimizer is not optimizer:
                raise ValueError(
                    f"{name}: scheduler {index} schedules another optimiser than the others"
                )
        self.optimizer = optimizer
        self._schedulers = schedulers

    def state_dict(self) -> dict[str, Any]:
        """Return this schedule's state, with each inner scheduler's state dict in ``_schedulers``.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch.optim import lr_scheduler
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> inner = [lr_scheduler.ExponentialLR(opt, 0.9), lr_scheduler.StepLR(opt, 2)]
        >>> state = lr_scheduler.ChainedScheduler(inner).state_dict()
        >>> [sorted(s)[:2] for s in state["_schedulers"]]
        [['_last_lr', 'base_lrs'], ['_last_lr', 'base_lrs']]
        """
        state = super().state_dict()
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore every inner scheduler and this one; all are checked before any changes.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch.optim import lr_scheduler
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> chain = lr_scheduler.ChainedScheduler([lr_scheduler.ExponentialLR(opt, 0.5)])
        >>> chain.step()
        >>> again = lr_scheduler.ChainedScheduler([lr_scheduler.ExponentialLR(opt, 0.5)])
        >>> again.load_state_dict(chain.state_dict())
        >>> again._schedulers[0].last_epoch
        1
        """
        self._check_state_dict(state_dict)
        for scheduler, inner in zip(self._schedulers, state_dict["_schedulers"]):
            scheduler.load_state_dict(inner)  # checked above: cannot fail
        own = {key: value for key, value in state_dict.items() if key != "_schedulers"}
        self.__dict__.update(copy.deepcopy(own))

    def _check_state_dict(self, state_dict: Any) -> None:
        where = f"{type(self).__name__}.load_state_dict"
        expected = set(self.state_dict())
        if not isinstance(state_dict, dict) or set(state_dict) != expected:
            given = set(state_dict) if isinstance(state_dict, dict) else set()
            raise ValueError(
                f"{where}: missing keys {sorted(expected - given)}, "
                f"unexpected keys {sorted(given - expected)}"
            )
        inner = state_dict["_schedulers"]
        if not isinstance(inner, list) or len(inner) != len(self._schedulers):
            raise ValueError(f"{where}: _schedulers must list {len(self._schedulers)} states")
        for scheduler, state in zip(self._schedulers, inner):
            scheduler._check_state_dict(state)
        check_rates(where, "_last_lr", state_dict["_last_lr"], len(self.optimizer.param_groups))
        if "last_epoch" in state_dict:
            check_epoch(where, state_dict["last_epoch"])
        self._check_options(state_dict, where)


class ChainedScheduler(_Composite):
    r"""Step several schedulers of one optimiser together, as one.

    Each inner scheduler multiplies the rate by its own factor (the chainable
    forms), so the rate is the product of their schedules. The same as calling
    every ``step()`` in turn; convenient to save and load as one.

    Parameters
    ----------
    schedulers : sequence of LRScheduler
        The schedulers, all on one optimiser (not ``ReduceLROnPlateau``).
    optimizer : Optimizer, optional
        That optimiser (by default the first scheduler's).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.optim import lr_scheduler
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    >>> chain = lr_scheduler.ChainedScheduler(
    ...     [lr_scheduler.ExponentialLR(opt, gamma=0.5), lr_scheduler.StepLR(opt, step_size=2)]
    ... )
    >>> for epoch in range(2):
    ...     chain.step()
    >>> round(chain.get_last_lr()[0], 6)  # 0.5 ** 2 times 0.1
    0.025
    """

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        self._take(schedulers, optimizer)
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def step(self) -> None:
        """Step every inner scheduler, in order.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch.optim import lr_scheduler
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> chain = lr_scheduler.ChainedScheduler([lr_scheduler.ExponentialLR(opt, 0.5)])
        >>> chain.step()
        >>> chain.get_last_lr()
        [0.5]
        """
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


class SequentialLR(_Composite):
    r"""Run schedulers one after another, switching at the given epochs.

    The usual use: a warm-up (``LinearLR``) for a few epochs, then a decay. At
    each milestone the next scheduler starts over from the starting rates, at
    its own epoch 0.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser all the schedulers schedule.
    schedulers : list of LRScheduler
        The schedulers, in order (not ``ReduceLROnPlateau``).
    milestones : list of int
        The epochs at which to switch: one fewer than the schedulers, increasing.
    last_epoch : int, default -1
        As PyTorch's: the schedule's epoch count starts at ``last_epoch + 1``.
        To resume, load a saved ``state_dict`` instead.

    Raises
    ------
    ValueError
        If the milestones do not fit the schedulers, or a scheduler schedules
        another optimiser.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.optim import lr_scheduler
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    >>> warmup = lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> decay = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> scheduler = lr_scheduler.SequentialLR(opt, [warmup, decay], milestones=[2])
    >>> rates = []
    >>> for epoch in range(5):
    ...     rates.append(scheduler.get_last_lr()[0])
    ...     opt.step()
    ...     scheduler.step()
    >>> rates
    [0.5, 0.75, 1.0, 0.5, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: list[LRScheduler],
        milestones: list[int],
        last_epoch: int = -1,
    ) -> None:
        self._take(schedulers, optimizer)
        milestones = list(milestones) if isinstance(milestones, (list, tuple)) else milestones
        self._check_options({"_milestones": milestones}, "SequentialLR")
        check_epoch("SequentialLR", last_epoch)
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        # Undo the epoch 0 each scheduler applied when it was made, then start the first.
        for group in self.optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        _undo_one_epoch(self._schedulers)
        self._schedulers[0]._initial_step()
        self._last_lr = self._schedulers[0].get_last_lr()

    def _check_options(self, options: dict[str, Any], where: str) -> None:
        milestones = options["_milestones"]
        if not isinstance(milestones, list) or len(milestones) != len(self._schedulers) - 1:
            raise ValueError(
                f"{where}: expected {len(self._schedulers) - 1} milestones for "
                f"{len(self._schedulers)} schedulers, got {milestones!r}"
            )
        for milestone in milestones:
            check_positive_int(where, "a milestone", milestone)
        if milestones != sorted(set(milestones)):
            raise ValueError(f"{where}: milestones must increase, got {milestones!r}")

    def step(self) -> None:
        """Advance one epoch with the scheduler whose turn it is.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch.optim import lr_scheduler
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> first = lr_scheduler.ExponentialLR(opt, gamma=0.5)
        >>> then = lr_scheduler.ExponentialLR(opt, gamma=0.1)
        >>> scheduler = lr_scheduler.SequentialLR(opt, [first, then], milestones=[1])
        >>> scheduler.step()  # the milestone: the second starts over from lr 1.0
        >>> scheduler.get_last_lr()
        [1.0]
        """
        self.last_epoch += 1
        index = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            # As PyTorch: start this scheduler over at epoch 0, by its closed form.
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


def _undo_one_epoch(schedulers: Sequence[LRScheduler]) -> None:
    """Step every scheduler (inside composites too) back one epoch, as PyTorch does."""
    for scheduler in schedulers:
        if isinstance(scheduler, _Composite):
            _undo_one_epoch(scheduler._schedulers)
        else:
            scheduler.last_epoch -= 1
