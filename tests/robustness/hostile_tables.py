"""What the three bad-input tables (test_hostile_*.py) share: the Case row and its params.

Not a test module: pytest's ``pythonpath`` setting (pyproject.toml) puts this
folder on ``sys.path``, so the tables import it by name, which importlib import
mode would not let them do from one another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

import mytorch


class Case(NamedTuple):
    name: str
    build: Callable[..., list[Any]]  # the call's arguments (files: given a temporary folder)
    call: Callable[..., Any]
    error: type[BaseException]
    match: str  # a regex searched in the message
    unclear: str | None = None  # why the case fails today: it is then an xfail


def params(cases: list[Case]) -> list[Any]:
    """The cases as pytest parameters, those that fail today marked xfail (strict)."""
    return [
        pytest.param(case, id=case.name, marks=pytest.mark.xfail(strict=True, reason=case.unclear))
        if case.unclear
        else pytest.param(case, id=case.name)
        for case in cases
    ]


def nothing() -> list[Any]:
    """No arguments: the call makes what it needs."""
    return []


def leaf(*shape: int) -> mytorch.Tensor:
    return mytorch.ones(*shape, requires_grad=True)
