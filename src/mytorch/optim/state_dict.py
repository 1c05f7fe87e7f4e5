"""An optimiser's groups and state in and out of PyTorch's state-dict format.

The format names each parameter by its position, counting through the groups in
order, so a state dict holds no tensor object and can be saved to a file::

    {"state": {0: {"momentum_buffer": tensor}, ...},
     "param_groups": [{"lr": 0.1, ..., "params": [0, 1]}, ...]}

``unpack`` checks a state dict against the live optimiser completely before
anything is replaced, and reports every problem in one error.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection
from typing import Any

import numpy as np

from mytorch.core.tensor import Tensor, shape_str

__all__ = ["pack", "unpack"]

Group = dict[str, Any]
State = dict[Tensor, dict[str, Any]]


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
) -> tuple[list[Group], State]:
    """Return the groups and state a state dict gives the live parameters.

    Every group must list as many parameters as the live one and have every
    hyper-parameter in ``defaults`` (valid by ``check_group``); every saved array
    must have its parameter's shape. Raises one ValueError listing all problems.
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
            problems.extend(_shape_problems(index, entries, param))
    if problems:
        raise ValueError(
            f"{where}: the state dict does not fit this optimiser:\n  " + "\n  ".join(problems)
        )
    new_state = {
        param_of[index]: {key: _restore(value, param_of[index]) for key, value in entries.items()}
        for index, entries in saved_state.items()
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


def _shape_problems(index: int, entries: dict[str, Any], param: Tensor) -> list[str]:
    """Describe every saved array whose shape differs from its parameter's."""
    return [
        f"state[{index}][{key!r}] has shape {shape_str(value.shape)}, "
        f"the parameter has shape {shape_str(param.shape)}"
        for key, value in entries.items()
        if isinstance(value, (Tensor, np.ndarray)) and value.shape != param.shape
    ]


def _snapshot(value: Any) -> Any:
    """Copy a value so that later steps cannot change the snapshot."""
    if isinstance(value, Tensor):
        return Tensor._wrap(value.data.copy())
    return copy.deepcopy(value)


def _restore(value: Any, param: Tensor) -> Any:
    """Copy a saved value in, with arrays as tensors of the parameter's dtype."""
    if isinstance(value, (Tensor, np.ndarray)):
        array = value.data if isinstance(value, Tensor) else value
        return Tensor._wrap(np.array(array, dtype=param.dtype, copy=True))
    return copy.deepcopy(value)
