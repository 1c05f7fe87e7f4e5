"""Learning-rate schedules: change each parameter group's ``lr`` once per epoch.

A scheduler wraps an optimiser; call ``scheduler.step()`` after each epoch's
``optimizer.step()`` calls. As in PyTorch, a scheduler computes the new rate from
the current ``group["lr"]`` (the "chainable" form), so it composes with any other
change to the rate, and creating it already applies epoch 0.
"""

from __future__ import annotations

import copy
import math
import numbers
from typing import Any

from mytorch.optim.optimizer import Optimizer, check_number

__all__ = ["CosineAnnealingLR", "LRScheduler", "StepLR"]


class LRScheduler:
    """Base class of the learning-rate schedulers.

    Subclasses write ``get_lr()``: the rates for epoch ``last_epoch``. On creation
    each group records its starting rate as ``group["initial_lr"]`` (kept in
    ``base_lrs``), and epoch 0 is applied.

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser whose ``param_groups`` get their ``lr`` set.

    Attributes
    ----------
    last_epoch : int
        The number of ``step()`` calls since creation (0 right after it).
    base_lrs : list of float
        Each group's starting rate.

    Examples
    --------
    >>> import mytorch
    >>> w = mytorch.zeros(1, requires_grad=True)
    >>> opt = mytorch.optim.SGD([w], lr=1.0)
    >>> scheduler = mytorch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    >>> rates = []
    >>> for epoch in range(5):
    ...     rates.append(scheduler.get_last_lr()[0])
    ...     opt.step()  # a real loop trains an epoch here
    ...     scheduler.step()
    >>> rates
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self.step()

    def get_lr(self) -> list[float]:
        """Return each group's rate for epoch ``last_epoch`` (written by subclasses).

        ``step()`` calls it after advancing ``last_epoch`` and sets each group's
        ``lr`` to what it returns. To read the rate in use, call
        ``get_last_lr()``.

        Returns
        -------
        list of float
            One rate per parameter group.

        Raises
        ------
        NotImplementedError
            In the base class.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch.optim.lr_scheduler import LRScheduler
        >>> class Halving(LRScheduler):
        ...     def get_lr(self):
        ...         return [base * 0.5**self.last_epoch for base in self.base_lrs]
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> scheduler = Halving(opt)
        >>> scheduler.step()
        >>> scheduler.step()
        >>> scheduler.get_last_lr()
        [0.25]
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement get_lr()")

    def get_last_lr(self) -> list[float]:
        """Return the rates the last ``step()`` set, one per parameter group.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
        >>> mytorch.optim.lr_scheduler.StepLR(opt, step_size=10).get_last_lr()
        [0.1]
        """
        return list(self._last_lr)

    def step(self) -> None:
        """Advance one epoch and set each group's ``lr``.

        Raises
        ------
        RuntimeError
            If the optimiser's groups changed in number since the scheduler was made.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> scheduler = mytorch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.1)
        >>> scheduler.step()  # once per epoch, after the epoch's opt.step() calls
        >>> scheduler.last_epoch, opt.param_groups[0]["lr"]
        (1, 0.1)
        """
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise RuntimeError(
                f"{type(self).__name__}: the optimiser has {len(groups)} parameter groups, "
                f"the scheduler was made for {len(self.base_lrs)}"
            )
        self.last_epoch += 1
        for group, lr in zip(groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in groups]

    def state_dict(self) -> dict[str, Any]:
        """Return a copy of the scheduler's state: every attribute but the optimiser.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
        >>> state = mytorch.optim.lr_scheduler.StepLR(opt, step_size=3).state_dict()
        >>> state["last_epoch"], state["step_size"]
        (0, 3)
        """
        return {
            key: copy.deepcopy(value) for key, value in vars(self).items() if key != "optimizer"
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state made by ``state_dict()`` of a scheduler of the same kind.

        Load the optimiser's own state dict too: the current rates live in its groups.

        Raises
        ------
        ValueError
            If the keys differ from this scheduler's (nothing is changed then).

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
        >>> scheduler = mytorch.optim.lr_scheduler.StepLR(opt, step_size=3)
        >>> scheduler.step()
        >>> resumed = mytorch.optim.lr_scheduler.StepLR(opt, step_size=3)
        >>> resumed.load_state_dict(scheduler.state_dict())
        >>> resumed.last_epoch
        1
        """
        expected = set(self.state_dict())
        if not isinstance(state_dict, dict) or set(state_dict) != expected:
            given = set(state_dict) if isinstance(state_dict, dict) else set()
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: missing keys "
                f"{sorted(expected - given)}, unexpected keys {sorted(given - expected)}"
            )
        self.__dict__.update(copy.deepcopy(state_dict))


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

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if not isinstance(step_size, numbers.Integral) or step_size <= 0:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        check_number("StepLR", "gamma", gamma, 0.0)
        self.step_size = int(step_size)
        self.gamma = gamma
        super().__init__(optimizer)

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

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        if not isinstance(T_max, numbers.Integral) or T_max <= 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive int, got {T_max!r}")
        check_number("CosineAnnealingLR", "eta_min", eta_min, 0.0)
        self.T_max = int(T_max)
        self.eta_min = eta_min
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        """Return each group's rate for epoch ``last_epoch`` (the recursive cosine form).

        It scales the groups' current ``lr``, so ``step()`` (which calls it once
        per epoch) is the way to advance; ``get_last_lr()`` reads the rate in use.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.SGD([mytorch.zeros(1, requires_grad=True)], lr=1.0)
        >>> scheduler = mytorch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
        >>> scheduler.get_lr()  # epoch 0: the starting rate
        [1.0]
        """
        groups, epoch, period = self.optimizer.param_groups, self.last_epoch, self.T_max
        if epoch == 0:
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
