"""Small helpers for training scripts, and ``mytorch.utils.data`` (PyTorch's data path)."""

from __future__ import annotations

import importlib
from typing import Any

from mytorch.utils.progress import ProgressBar

__all__ = ["ProgressBar"]


def __getattr__(name: str) -> Any:
    # ``mytorch.utils.data`` loads on first use, as ``torch.utils.data`` is reachable
    # from ``torch.utils``, without making ``import mytorch.utils`` load it.
    if name == "data":
        return importlib.import_module("mytorch.utils.data")
    raise AttributeError(f"module 'mytorch.utils' has no attribute {name!r}")
