"""``LRScheduler``: the base class of the learning-rate schedules, and its checks.

A scheduler wraps an optimiser; call ``scheduler.step()`` after each epoch's
``optimizer.step()`` calls. As in PyTorch, most schedulers compute the new rate
from the current ``group["lr"]`` (the "chainable" form), so two of them on one
optimiser compose, each multiplying the rate by its own factor; creating a
scheduler already applies its epoch 0.

``last_epoch`` resumes a schedule as PyTorch does: the optimiser's groups must
already hold ``initial_lr`` (loading the optimiser's state dict restores it),
and the constructor's step then moves on to epoch ``last_epoch + 1`` without
re-applying epoch 0. Schedules with a closed form also give it as
``_closed_form_lr()``, which ``SequentialLR`` uses to restart one at epoch 0.
"""

from __future__ import annotations

import copy
import math
import numbers
from typing import Any

from mytorch.core.capture import effect
from mytorch.optim.optimizer import Optimizer, check_number

__all__ = [
    "LRScheduler",
    "check_epoch",
    "check_positive_int",
    "check_rates",
    "check_resumable",
]


class LRScheduler:
    """Base class of the learning-rate schedulers.

    Subclasses write ``get_lr()``: the rates for epoch ``last_epoch``. On creation
    each group records its starting rate as ``group["initial_lr"]`` (kept in
    ``base_lrs``), and epoch 0 is applied. While the constructor's own step
    runs, ``_is_initial`` is True: a chainable ``get_lr`` then leaves the rate as
    it is (PyTorch's rule, so that resuming does not apply a step twice).

    Parameters
    ----------
    optimizer : Optimizer
        The optimiser whose ``param_groups`` get their ``lr`` set.
    last_epoch : int, default -1
        -1 starts the schedule. To resume one, pass the epoch it had reached
        (as PyTorch: only after loading the optimiser's state, whose groups hold
        ``initial_lr``); saving and loading the scheduler's ``state_dict`` is
        the simpler way.

    Raises
    ------
    KeyError
        If ``last_epoch`` is not -1 and a group has no ``initial_lr`` (as
        PyTorch); nothing is changed then.
    ValueError
        If ``last_epoch`` is not an int >= -1.

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

    #: Attributes that ``state_dict`` leaves out: objects, not state.
    _not_saved: tuple[str, ...] = ("optimizer",)
    #: True only during the step the constructor makes (an instance attribute then).
    _is_initial = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:  # a subclass's own step is an effect too (see step)
            cls.step = effect(cls.__dict__["step"])

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name}: expected an Optimizer, got {type(optimizer).__name__}")
        check_epoch(name, last_epoch)
        check_resumable(name, optimizer, last_epoch)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        self.optimizer = optimizer
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = int(last_epoch)
        self._initial_step()

    def _initial_step(self) -> None:
        """The constructor's step: a chainable ``get_lr`` sees ``_is_initial`` True."""
        self._is_initial = True
        try:
            self.step()
        finally:
            del self._is_initial  # back to the class's False; never saved

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

    @effect  # a compiled step that steps its scheduler steps it on every replay too
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
        self._check_groups()
        self._update_lr()

    def _check_groups(self) -> None:
        groups = len(self.optimizer.param_groups)
        if groups != len(self.base_lrs):
            raise RuntimeError(
                f"{type(self).__name__}: the optimiser has {groups} parameter groups, "
                f"the scheduler was made for {len(self.base_lrs)}"
            )

    def _update_lr(self, epoch: int | None = None) -> None:
        """Advance one epoch, or jump to ``epoch`` by the closed form where there is one.

        The jump is how ``SequentialLR`` restarts a scheduler at epoch 0, as
        PyTorch's ``_update_lr(0)`` does.
        """
        if epoch is None:
            self.last_epoch += 1
            rates = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_closed_form_lr", None)
            rates = closed_form() if closed_form is not None else self.get_lr()
        groups = self.optimizer.param_groups
        for group, lr in zip(groups, rates):
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
            key: copy.deepcopy(value)
            for key, value in vars(self).items()
            if key not in self._not_saved
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state made by ``state_dict()`` of a scheduler of the same kind.

        Load the optimiser's own state dict too: the current rates live in its groups.

        Raises
        ------
        ValueError
            If the keys differ from this scheduler's, or a value is one the
            scheduler could not step from (a negative ``last_epoch``, a NaN rate,
            ``step_size=0``...). Nothing is changed then.

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
        self._check_state_dict(state_dict)
        self.__dict__.update(copy.deepcopy(state_dict))

    def _check_state_dict(self, state_dict: Any) -> None:
        """Raise unless ``state_dict`` is a state this scheduler can step from.

        The keys must be this scheduler's, and every value one its constructor
        would accept: a state that would fail or poison the next ``step()``
        (``step_size=0``, ``T_max=0``, a NaN rate) is refused at load.
        """
        where = f"{type(self).__name__}.load_state_dict"
        expected = set(self.state_dict())
        if not isinstance(state_dict, dict) or set(state_dict) != expected:
            given = set(state_dict) if isinstance(state_dict, dict) else set()
            raise ValueError(
                f"{where}: missing keys {sorted(expected - given)}, "
                f"unexpected keys {sorted(given - expected)}"
            )
        check_epoch(where, state_dict["last_epoch"])
        groups = len(self.optimizer.param_groups)
        for key in ("base_lrs", "_last_lr"):
            if key in expected:  # ReduceLROnPlateau has no base_lrs
                check_rates(where, key, state_dict[key], groups)
        try:
            self._check_options(state_dict, where)
        except TypeError as error:  # a value of the wrong type: still a bad state dict
            raise ValueError(str(error)) from None

    def _check_options(self, options: dict[str, Any], where: str) -> None:
        """Raise if a subclass's options are invalid; ``where`` starts the message.

        The constructor and ``load_state_dict`` both call it, so a loaded state
        meets the same rules as a new scheduler.
        """


def check_resumable(where: str, optimizer: Optimizer, last_epoch: int) -> None:
    """Raise KeyError, as PyTorch, when resuming (``last_epoch != -1``) without ``initial_lr``."""
    if last_epoch == -1:
        return
    for index, group in enumerate(optimizer.param_groups):
        if "initial_lr" not in group:
            raise KeyError(
                f"{where}: param 'initial_lr' is not specified in param_groups[{index}] "
                f"when resuming a scheduler with last_epoch={last_epoch}; load the "
                "optimiser's state dict first, or start with last_epoch=-1"
            )


def check_positive_int(where: str, what: str, value: Any) -> None:
    """Raise ValueError unless ``value`` is an int > 0 (bools are not ints here)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{where}: {what} must be a positive int, got {value!r}")


def check_epoch(where: str, value: Any) -> None:
    """Raise ValueError unless ``value`` is an epoch count: an int >= -1.

    -1 is a scheduler not started yet: a SequentialLR's later schedulers wait so.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < -1:
        raise ValueError(f"{where}: last_epoch must be an int >= -1, got {value!r}")


def check_rates(where: str, what: str, rates: Any, groups: int) -> None:
    """Raise unless ``rates`` is a list of one finite rate >= 0 per parameter group."""
    if not isinstance(rates, (list, tuple)) or len(rates) != groups:
        raise ValueError(
            f"{where}: {what} must list {groups} rates (one per group), got {rates!r}"
        )
    for index, rate in enumerate(rates):
        check_number(where, f"{what}[{index}]", rate, 0.0)
        if math.isinf(rate):
            raise ValueError(f"{where}: invalid {what}[{index}] {rate!r}; it must be finite")
