"""An optimiser's groups and state in and out of PyTorch's state-dict format.

The format names each parameter by its position, counting through the groups in
order, so a state dict holds no tensor object and can be saved to a file::

    {"state": {0: {"momentum_buffer": tensor}, ...},
     "param_groups": [{"lr": 0.1, ..., "params": [0, 1]}, ...]}

``unpack`` checks a state dict against the live optimiser completely before
anything is replaced, and reports every problem in one error. Each optimiser
describes the state a parameter has after a step with ``Entry`` rows, so that a
state which would fail or poison the next ``step()`` (a list as a momentum buffer,
``step=-1``, a missing ``exp_avg``, a negative running square) is refused at load.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable, Collection
from typing import Any, NamedTuple

import numpy as np

from mytorch.core.tensor import Tensor, shape_str

__all__ = ["Entry", "pack", "unpack"]

Group = dict[str, Any]
State = dict[Tensor, dict[str, Any]]


class Entry(NamedTuple):
    """One key of a parameter's optimiser state, as a step reads it.

    ``kind`` is ``"array"`` (a real array of the parameter's shape),
    ``"nonnegative"`` (the same, with no negative or NaN entry: a running square
    or sum whose square root a step takes), ``"count"`` (an int >= 0, a step
    counter), ``"number"`` (a finite real), ``"vector"`` (a real 1-D array, of any
    length), or ``"numbers"`` / ``"vectors"`` (lists of those). A ``required``
    key must be present whenever the parameter has state.
    """

    kind: str
    required: bool = True


def pack(param_groups: list[Group], state: State) -> dict[str, Any]:
    """Return a snapshot (arrays copied) of groups and state in PyTorch's format."""
    index_of: dict[int, int] = {}  # id(tensor) -> position: Tensor's == is elementwise
    groups = []
    for group in param_groups:
        for param in group["params"]:
            index_of[id(param)] = len(index_of)
        packed = {key: _snapshot(value) for key, value in group.items() if key != "params"}
        packed["params"] = [index_of[id(param)] for param in group["params"]]
        groups.append(packed)
    packed_state = {
        index_of[id(param)]: {key: _snapshot(value) for key, value in entries.items()}
        for param, entries in state.items()
    }
    return {"state": dict(sorted(packed_state.items())), "param_groups": groups}


def unpack(
    state_dict: Any,
    param_groups: list[Group],
    defaults: Collection[str],
    check_group: Callable[[Group], None],
    name: str,
    state_entries: Callable[[Group], dict[str, Entry]] = lambda group: {},
) -> tuple[list[Group], State]:
    """Return the groups and state a state dict gives the live parameters.

    Every group must list as many parameters as the live one and have every
    hyper-parameter in ``defaults`` (valid by ``check_group``); every saved array
    must have its parameter's shape, and each parameter's state must fit the
    entries ``state_entries(group)`` describes. Raises one ValueError listing all
    problems.
    """
    where = f"{name}.load_state_dict"
    if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
        raise ValueError(
            f"{where}: expected a dict with exactly the keys 'state' and 'param_groups', "
            "as made by state_dict()"
        )
    saved_groups, saved_state = state_dict["param_groups"], state_dict["state"]
    if not isinstance(saved_groups, (list, tuple)) or len(saved_groups) != len(param_groups):
        count = len(saved_groups) if isinstance(saved_groups, (list, tuple)) else "no"
        raise ValueError(
            f"{where}: the state dict has {count} parameter groups, "
            f"the optimiser has {len(param_groups)}"
        )
    problems: list[str] = []
    param_of: dict[int, Tensor] = {}
    entries_of: dict[int, dict[str, Entry]] = {}  # parameter index -> its group's entries
    new_groups = []
    for index, (saved, group) in enumerate(zip(saved_groups, param_groups)):
        new_group = _merge_group(index, saved, group, defaults, param_of, problems)
        if new_group is None:
            continue
        new_groups.append(new_group)
        if set(defaults) <= set(new_group):  # else _merge_group reported what is missing
            try:
                check_group(new_group)
            except (TypeError, ValueError) as error:
                problems.append(str(error))
            else:
                entries_of.update(dict.fromkeys(saved["params"], state_entries(new_group)))
    if not isinstance(saved_state, dict):
        problems.append("'state' is not a dict")
        saved_state = {}
    for index, entries in saved_state.items():
        param = param_of.get(index)
        if param is None:
            problems.append(f"state for parameter {index!r}, which no group lists")
        elif not isinstance(entries, dict):
            problems.append(f"the state of parameter {index} is not a dict")
        else:
            problems.extend(_state_problems(index, entries, param, entries_of.get(index, {})))
    if problems:
        raise ValueError(
            f"{where}: the state dict does not fit this optimiser:\n  " + "\n  ".join(problems)
        )
    new_state = {
        param_of[index]: {key: _restore(value, param_of[index]) for key, value in entries.items()}
        for index, entries in saved_state.items()
        if entries  # an empty state is no state: the next step starts it afresh
    }
    return new_groups, new_state


def _merge_group(
    index: int,
    saved: Any,
    group: Group,
    required: Collection[str],
    param_of: dict[int, Tensor],
    problems: list[str],
) -> Group | None:
    """Pair a saved group with a live one; record problems; return the merged group."""
    if not isinstance(saved, dict) or not isinstance(saved.get("params"), (list, tuple)):
        problems.append(f"parameter group {index} is not a dict with a 'params' list")
        return None
    indices = saved["params"]
    if len(indices) != len(group["params"]):
        problems.append(
            f"parameter group {index} has {len(indices)} parameters in the state "
            f"dict and {len(group['params'])} in the optimiser"
        )
        return None
    valid = all(type(i) is int for i in indices) and len(set(indices)) == len(indices)
    if not valid or param_of.keys() & set(indices):
        problems.append(f"parameter group {index} has invalid or repeated parameter indices")
        return None
    missing = sorted(set(required) - set(saved))
    if missing:
        problems.append(f"parameter group {index} lacks the hyper-parameters {missing}")
    param_of.update(zip(indices, group["params"]))
    # As in PyTorch, the saved hyper-parameters (the lr a scheduler set, too)
    # replace the live ones; the tensors stay the live ones.
    new_group = {"params": group["params"]}
    new_group.update((key, copy.deepcopy(v)) for key, v in saved.items() if key != "params")
    return new_group


def _state_problems(
    index: int, entries: dict[str, Any], param: Tensor, expected: dict[str, Entry]
) -> list[str]:
    """Describe every saved value a step could not use, and every missing one."""
    where = f"state[{index}]"
    problems = []
    if entries:
        missing = [key for key, entry in expected.items() if entry.required and key not in entries]
        if missing:
            problems.append(f"{where} lacks {missing}, which a step needs")
    for key, value in entries.items():
        kind = expected[key].kind if key in expected else None
        problem = _value_problem(value, param, kind)
        if problem:
            problems.append(f"{where}[{key!r}] {problem}")
    return problems


def _value_problem(value: Any, param: Tensor, kind: str | None) -> str | None:
    """Why ``value`` cannot be a state entry of this kind (None if it can)."""
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            return f"must be an int >= 0 (a step count), got {value!r}"
        return None
    if kind == "number":
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not np.isfinite(value)
        ):
            return f"must be a finite number, got {value!r}"
        return None
    if kind in ("numbers", "vectors"):
        if not isinstance(value, list):
            return f"must be a list, got a {type(value).__name__}"
        problems = (_value_problem(item, param, kind[:-1]) for item in value)
        return next((f"item {problem}" for problem in problems if problem), None)
    if not isinstance(value, (Tensor, np.ndarray)):
        if kind is None:
            return None  # a value no step reads: kept as it is
        return f"must be a Tensor or numpy array, got a {type(value).__name__}"
    if value.dtype.kind not in "biuf":
        return f"has dtype {value.dtype}; it must be real numbers"
    if kind == "vector":
        return None if value.ndim == 1 else f"must be 1-D, got shape {shape_str(value.shape)}"
    if value.shape != param.shape:
        shapes = shape_str(value.shape), shape_str(param.shape)
        return "has shape {}, the parameter has shape {}".format(*shapes)
    array = value.data if isinstance(value, Tensor) else value
    if kind == "nonnegative" and not (array >= 0).all():
        return "has negative or NaN entries; a step takes its square root"
    return None


def _snapshot(value: Any) -> Any:
    """Copy a value so that later steps cannot change the snapshot."""
    if isinstance(value, Tensor):
        return Tensor._wrap(value.data.copy())
    return copy.deepcopy(value)


def _restore(value: Any, param: Tensor) -> Any:
    """Copy a saved value in, with arrays as tensors of the parameter's dtype."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)  # a numpy int counts too, as a plain int
    if isinstance(value, (Tensor, np.ndarray)):
        array = value.data if isinstance(value, Tensor) else value
        return Tensor._wrap(np.array(array, dtype=param.dtype, copy=True))
    return copy.deepcopy(value)
