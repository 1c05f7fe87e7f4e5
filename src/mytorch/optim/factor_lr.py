"""Schedules that give the rate as a factor of the starting rate: LinearLR, LambdaLR."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mytorch.optim.optimizer import Optimizer, check_number
from mytorch.optim.scheduler_base import LRScheduler, check_positive_int

__all__ = ["LambdaLR", "LinearLR"]


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
        super().__init__(optimizer)

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
        if epoch > total:
            return [group["lr"] for group in groups]
        # factor(t) / factor(t - 1), with both factors multiplied by T.
        ratio = 1.0 + (end - start) / (total * start + (epoch - 1) * (end - start))
        return [group["lr"] * ratio for group in groups]


class LambdaLR(LRScheduler):
    r"""Set the learning rate to the starting rate times ``lr_lambda(epoch)``.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser to schedule.
    lr_lambda : callable or list of callables
        A function of the epoch (an int) giving the factor, or one per group.

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
    ) -> None:
        groups = len(getattr(optimizer, "param_groups", ()))
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * groups
        if isinstance(lr_lambda, (list, tuple)) and len(lambdas) != groups:
            raise ValueError(
                f"LambdaLR: got {len(lambdas)} lr_lambdas for {groups} parameter groups"
            )
        for function in lambdas:
            if not callable(function):
                raise TypeError(f"LambdaLR: lr_lambda must be callable, got {function!r}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer)

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
