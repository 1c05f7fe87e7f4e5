"""The shared check of the bad-input tables: refused clearly, and nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mytorch
from mytorch import nn
from mytorch.optim import Optimizer


def snapshot(obj: Any) -> Any:
    """Everything about ``obj`` that a refused call must leave as it was."""
    if isinstance(obj, mytorch.Tensor):
        grad = None if obj.grad is None else snapshot(obj.grad.data)
        return snapshot(obj.data), grad, obj._version, obj.requires_grad, obj.is_leaf
    if isinstance(obj, np.ndarray):
        return obj.dtype.str, obj.shape, obj.tobytes(), obj.flags.writeable
    if isinstance(obj, nn.Module):  # parameters, buffers (with their grads) and modes
        return snapshot(dict(obj.state_dict(keep_vars=True))), [m.training for m in obj.modules()]
    if isinstance(obj, Optimizer):
        return snapshot(obj.state_dict()), snapshot([g["params"] for g in obj.param_groups])
    if isinstance(obj, Path):  # a file's bytes, or a directory's files and their bytes
        if obj.is_file():
            return obj.read_bytes()
        files = [p for p in obj.rglob("*") if p.is_file()] if obj.is_dir() else []
        # An empty directory holds no file, as a missing one: creating it changes nothing.
        return sorted((str(p.relative_to(obj)), p.read_bytes()) for p in files) or None
    if isinstance(obj, dict):
        return {key: snapshot(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [snapshot(item) for item in obj]
    return obj if isinstance(obj, (bool, int, float, str, type(None))) else id(obj)


@pytest.fixture
def refused() -> Callable[..., None]:
    """``refused(call, arguments, error, match, also=())``: the call raises ``error`` with
    a message matching ``match`` (a regex), and every argument, and everything in
    ``also`` (a directory, say), is as it was before."""

    def check(
        call: Callable[..., Any], arguments: list[Any], error: Any, match: str, also: Any = ()
    ) -> None:
        before = snapshot([arguments, also])
        with pytest.raises(error, match=match):
            call(*arguments)
        assert snapshot([arguments, also]) == before, "the refused call changed something"

    return check
