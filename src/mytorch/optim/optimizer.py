"""``Optimizer``: the base class that holds parameters, their state and hyper-parameters.

An optimiser keeps its parameters in *parameter groups*: dicts with a ``"params"``
list and the hyper-parameters (``lr``, ``momentum``, ...) for those parameters, so
that, say, biases can train with another learning rate than weights. What an
optimiser remembers between steps (momentum buffers, moment estimates) lives in
``state``, one dict per parameter. ``state_dict()`` / ``load_state_dict()`` move
both in and out in PyTorch's format, so that training can stop and resume exactly.

Subclasses write ``step()``, validate their hyper-parameters in ``_check_group``
and describe their per-parameter state in ``_state_entries``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from mytorch.core.capture import effect
from mytorch.core.grad_mode import enable_grad
from mytorch.core.tensor import Tensor, shape_str
from mytorch.optim.state_dict import Entry, pack, unpack

__all__ = ["Optimizer", "ParamsT"]

#: What an optimiser accepts: tensors, or dicts that each hold a ``"params"`` entry.
ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class of all optimisers.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        The tensors to optimise, or parameter groups: dicts with a ``"params"``
        entry and any hyper-parameters that override ``defaults`` for that group.
    defaults : dict
        The hyper-parameters a group gets when it does not set them.

    Attributes
    ----------
    param_groups : list of dict
        The groups, each with ``"params"`` (a list of tensors) and every
        hyper-parameter. Schedulers change ``group["lr"]`` here.
    state : dict
        Per-parameter state (for example momentum buffers), keyed by the tensor.

    Examples
    --------
    >>> import mytorch
    >>> w = mytorch.tensor([1.0, 2.0], requires_grad=True)
    >>> b = mytorch.tensor([0.0], requires_grad=True)
    >>> opt = mytorch.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.01}], lr=0.1)
    >>> [group["lr"] for group in opt.param_groups]
    [0.1, 0.01]
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # A compiled step's replay calls each optimiser's step again (it reads the
        # new gradients, the current lr and its own state), so every step is an effect.
        if "step" in cls.__dict__:
            cls.step = effect(cls.__dict__["step"])

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(
                f"{name}: params must be an iterable of Tensors or of dicts, got a single "
                "Tensor; pass [tensor]"
            )
        groups = _as_list(params, name)
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Tensor, dict[str, Any]] = {}
        for group in groups:
            self.add_param_group(group)

    # --------------------------------------------------------------- groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, with hyper-parameters defaulting to ``defaults``.

        Useful for fine-tuning: unfreeze layers and hand them to the optimiser as
        training goes on.

        Raises
        ------
        TypeError
            If the group is not a dict, if its params are a set (a set has no
            stable order, so state dicts would not line up), or if a parameter is
            not a floating-point Tensor.
        ValueError
            If a parameter is not a leaf, appears twice,
            or is already in another group, or if a hyper-parameter is invalid.

        Examples
        --------
        >>> import mytorch
        >>> w = mytorch.tensor([1.0], requires_grad=True)
        >>> opt = mytorch.optim.SGD([w], lr=0.1)
        >>> opt.add_param_group({"params": mytorch.zeros(2, requires_grad=True), "lr": 0.5})
        >>> len(opt.param_groups), opt.param_groups[1]["lr"]
        (2, 0.5)
        """
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{name}: a parameter group must be a dict, got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else _as_list(params, name)
        group_index = len(self.param_groups)
        for index, param in enumerate(params):
            _check_param(name, param, index, group_index)
        # The ids of the tensors: Tensor's == compares values elementwise.
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{name}: parameter group {group_index} lists a parameter twice")
        taken = {id(p) for group in self.param_groups for p in group["params"]}
        if taken.intersection(ids):
            raise ValueError(
                f"{name}: a parameter of group {group_index} is already in another group"
            )
        group = {"params": params}
        group.update((key, value) for key, value in param_group.items() if key != "params")
        for key, default in self.defaults.items():
            group.setdefault(key, default)
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise ValueError if a group's hyper-parameters are invalid (subclasses)."""

    def _state_entries(self, group: dict[str, Any]) -> dict[str, Entry]:
        """The state a step keeps for a parameter of ``group`` (subclasses).

        ``load_state_dict`` refuses saved state that does not fit it.
        """
        return {}

    # ---------------------------------------------------------------- steps
    @effect
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of every parameter.

        Parameters
        ----------
        set_to_none : bool, default True
            Set ``grad`` to None (frees the memory, and the next backward makes a
            fresh buffer) instead of filling it with zeros.

        Examples
        --------
        >>> import mytorch
        >>> w = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = mytorch.optim.SGD([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.zero_grad(set_to_none=False)
        >>> w.grad
        tensor([0., 0.])
        >>> opt.zero_grad()
        >>> w.grad is None
        True
        """
        for group in self.param_groups:
            for param in group["params"]:
                if param._grad is None:
                    continue
                if set_to_none:
                    param._grad = None  # the slot: None needs none of the setter's checks
                elif param.grad.requires_grad:
                    # A gradient made with create_graph=True shares its array with
                    # a graph; zero a fresh buffer instead of writing into it.
                    param.grad = Tensor._wrap(np.zeros_like(param.grad.data))
                else:
                    param.grad.data.fill(0)
                    param.grad._bump_version()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters from their gradients (written by each optimiser).

        Parameters
        ----------
        closure : callable, optional
            A function that zeroes the gradients, recomputes the loss, calls
            backward and returns the loss; it runs with grad mode on.

        Returns
        -------
        The closure's loss, or None.

        Examples
        --------
        >>> import mytorch
        >>> w = mytorch.tensor([3.0], requires_grad=True)
        >>> opt = mytorch.optim.SGD([w], lr=0.25)
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = (w * w).sum()
        ...     loss.backward()
        ...     return loss
        >>> opt.step(closure).item(), w.item()
        (9.0, 1.5)
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    def _params_to_update(self) -> list[tuple[dict[str, Any], Tensor]]:
        """Each (group, parameter) pair that has a gradient, for ``step`` to update.

        The pairs of ``_groups_to_update``, one by one.
        """
        return [(group, param) for group, params in self._groups_to_update() for param in params]

    def _groups_to_update(self) -> list[tuple[dict[str, Any], list[Tensor]]]:
        """Each group with its parameters that have a gradient, for ``step`` to update.

        Every check a step needs is made here, for every parameter, before the
        step writes anything: a step either updates all the parameters or none.
        A gradient must be a floating-point Tensor of exactly its parameter's
        shape (a broadcastable one would silently update the whole parameter
        from the wrong numbers), and a parameter must be writable, since every
        update is made in place. One shape compare per parameter: cheap.
        """
        groups = []
        for group_index, group in enumerate(self.param_groups):
            params = []
            for index, param in enumerate(group["params"]):
                grad = param._grad
                if grad is None:
                    continue
                # The slots behind .grad and .data, read directly: this runs for
                # every parameter on every step.
                weights = param._data
                if (
                    not isinstance(grad, Tensor)
                    or grad._data.shape != weights.shape
                    or grad._data.dtype.kind != "f"
                ):
                    raise _bad_gradient(type(self).__name__, group_index, index, param, grad)
                if not weights.flags.writeable:
                    raise ValueError(
                        f"{type(self).__name__}: parameter {index} of group {group_index} is "
                        "read-only (its data is a read-only numpy array), so it cannot be "
                        "updated in place; nothing was changed"
                    )
                params.append(param)
            groups.append((group, params))
        return groups

    @staticmethod
    def _evaluate(closure: Callable[[], Any] | None) -> Any:
        """Run the closure, if any, with grad mode on (step itself runs without)."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ---------------------------------------------------------- state dicts
    def state_dict(self) -> dict[str, Any]:
        """Return a snapshot of the optimiser: its per-parameter state and its groups.

        The format is PyTorch's: ``{"state": {index: {...}}, "param_groups":
        [{..., "params": [index, ...]}]}``, where parameters are numbered in the
        order the groups list them, so the dict refers to no tensor object and can
        be saved with ``mytorch.save``. Unlike PyTorch, the arrays are copies, so
        the snapshot does not change as training goes on.

        Examples
        --------
        >>> import mytorch
        >>> w = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = mytorch.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> state = opt.state_dict()
        >>> state["state"][0]["momentum_buffer"]
        tensor([2., 4.])
        >>> state["param_groups"][0]["params"]
        [0]
        """
        return pack(self.param_groups, self.state)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a snapshot made by ``state_dict()``; the next ``step`` continues exactly.

        The snapshot must come from an optimiser of the same kind over parameters
        of the same shapes in the same groups. Everything is checked first, and one
        ValueError lists every problem; nothing changes when it fails. The arrays
        are copied, cast to each parameter's dtype.

        Examples
        --------
        >>> import mytorch
        >>> w = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = mytorch.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> resumed = mytorch.optim.SGD([w], lr=0.5)
        >>> resumed.load_state_dict(opt.state_dict())
        >>> resumed.param_groups[0]["lr"], resumed.state[w]["momentum_buffer"]
        (0.1, tensor([2., 4.]))
        """
        self.param_groups, self.state = unpack(
            state_dict,
            self.param_groups,
            self.defaults,
            self._check_group,
            type(self).__name__,
            self._state_entries,
        )

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        lines.append(")")
        return "\n".join(lines)


def _as_list(params: Iterable[Any], name: str) -> list[Any]:
    """List the parameters, refusing sets: their order varies from run to run."""
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            f"{name}: params must be an ordered sequence, not a set: a set's order "
            "varies between runs, so saved optimiser state would not line up"
        )
    return list(params)


def _check_param(name: str, param: Any, index: int, group_index: int) -> None:
    """Refuse anything an optimiser cannot update in place as a leaf."""
    where = f"{name}: parameter {index} of group {group_index}"
    if not isinstance(param, Tensor):
        raise TypeError(f"{where} is a {type(param).__name__}, not a Tensor")
    if param.dtype.kind != "f":
        raise TypeError(
            f"{where} has dtype {param.dtype}; only real floating-point tensors can be optimised"
        )
    if not param.is_leaf:
        raise ValueError(
            f"{where} is not a leaf (an op computed it); optimise the leaves it came from"
        )


def _bad_gradient(name: str, group_index: int, index: int, param: Tensor, grad: Any) -> Exception:
    """The error for a ``.grad`` that a step cannot use (set by hand, most likely)."""
    where = f"{name}.step: the gradient of parameter {index} of group {group_index}"
    if not isinstance(grad, Tensor):
        return TypeError(f"{where} is a {type(grad).__name__}, not a Tensor; nothing was changed")
    if grad.data.dtype.kind != "f":
        return TypeError(
            f"{where} has dtype {grad.dtype}, not a floating-point dtype; nothing was changed"
        )
    return RuntimeError(
        f"{where} has shape {shape_str(grad.shape)}, the parameter has shape "
        f"{shape_str(param.shape)}; they must be equal (no broadcasting); nothing was changed"
    )


def check_flag(name: str, what: str, value: Any) -> None:
    """Raise TypeError unless ``value`` is a bool: a string such as "no" would be true."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: {what} must be a bool, got {value!r}")


def check_number(name: str, what: str, value: Any, low: float, high: float | None = None) -> None:
    """Raise unless ``low <= value`` (and ``value < high`` when given); NaN fails."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: {what} must be a real number, got {value!r}")
    in_range = low <= value and (high is None or value < high)
    if not in_range:
        bounds = f"in [{low}, {high})" if high is not None else f">= {low}"
        raise ValueError(f"{name}: invalid {what} {value!r}; it must be {bounds}")
