"""Schedules given by the user's functions of the epoch: LambdaLR and MultiplicativeLR."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mytorch.optim.optimizer import Optimizer
from mytorch.optim.scheduler_base import LRScheduler

__all__ = ["LambdaLR", "MultiplicativeLR"]


class LambdaLR(LRScheduler):
    r"""Set the learning rate to the starting rate times ``lr_lambda(epoch)``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule.
    lr_lambda : callable or list of callables
        A function of the epoch (an int) giving the factor, or one per group.
    last_epoch : int, default -1
        The epoch to resume from (see ``LRScheduler``); -1 starts the schedule.

    Notes
    -----
    Epoch :math:`t` uses :math:`\eta_t = \eta_0\, \lambda(t)`. Unlike the other
    schedules this one is not chainable: it sets the rate from the starting rate
    and overrides any other scheduler's change. The functions are code, not
    state: ``state_dict`` leaves them out, and the scheduler that loads it keeps
    its own.

    Raises
    ------
    TypeError
        If ``lr_lambda`` is not callable (or a list of callables).
    ValueError
        If a list of functions does not have one per group.

    Examples
    --------
    >>> import mytorch
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=2.0)
    >>> scheduler = mytorch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1 / (epoch + 1))
    >>> scheduler.step()
    >>> scheduler.get_last_lr()
    [1.0]
    """

    _not_saved = ("optimizer", "lr_lambdas")

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        self.lr_lambdas = _per_group_functions("LambdaLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Return each group's starting rate times its function of ``last_epoch``.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> mytorch.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 0.5).get_lr()
        [0.5]
        """
        return [
            base_lr * function(self.last_epoch)
            for base_lr, function in zip(self.base_lrs, self.lr_lambdas)
        ]


class MultiplicativeLR(LRScheduler):
    r"""Multiply the learning rate by ``lr_lambda(epoch)`` every epoch.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule.
    lr_lambda : callable or list of callables
        A function of the epoch (an int) giving that epoch's factor, or one per
        group.
    last_epoch : int, default -1
        The epoch to resume from (see ``LRScheduler``); -1 starts the schedule.

    Notes
    -----
    With no other change to the rate, epoch :math:`t` uses
    :math:`\eta_t = \eta_0 \prod_{s=1}^{t} \lambda(s)`. Chainable: it
    multiplies the current rate, so it composes with another scheduler. As in
    LambdaLR, the functions are left out of ``state_dict``.

    Raises
    ------
    TypeError
        If ``lr_lambda`` is not callable (or a list of callables).
    ValueError
        If a list of functions does not have one per group.

    Examples
    --------
    >>> import mytorch
    >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
    >>> scheduler = mytorch.optim.lr_scheduler.MultiplicativeLR(opt, lambda epoch: 0.5)
    >>> for epoch in range(3):
    ...     opt.step()
    ...     scheduler.step()
    >>> scheduler.get_last_lr()
    [0.125]
    """

    _not_saved = ("optimizer", "lr_lambdas")

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        self.lr_lambdas = _per_group_functions("MultiplicativeLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Return each group's rate times its function of ``last_epoch``.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> scheduler = mytorch.optim.lr_scheduler.MultiplicativeLR(opt, lambda e: 0.9)
        >>> scheduler.get_last_lr()  # the constructor's step leaves the rate as it is
        [1.0]
        """
        groups = self.optimizer.param_groups
        if self._is_initial:
            return [group["lr"] for group in groups]
        return [
            group["lr"] * function(self.last_epoch)
            for group, function in zip(groups, self.lr_lambdas)
        ]


def _per_group_functions(
    where: str, optimizer: Any, lr_lambda: Callable[[int], float] | list[Callable[[int], float]]
) -> list[Callable[[int], float]]:
    """One function per parameter group: the one given for all, or a list; checked."""
    groups = len(getattr(optimizer, "param_groups", ()))
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != groups:
            raise ValueError(
                f"{where}: got {len(lr_lambda)} lr_lambdas for {groups} parameter groups"
            )
        functions = list(lr_lambda)
    else:
        functions = [lr_lambda] * groups
    for function in functions:
        if not callable(function):
            raise TypeError(f"{where}: lr_lambda must be callable, got {function!r}")
    return functions
