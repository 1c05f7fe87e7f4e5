"""Tools to test gradients: ``gradcheck`` and hypothesis ``strategies``.

``mytorch.testing.strategies`` needs ``hypothesis`` (the ``test`` extra) and is
imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from mytorch.testing.gradcheck import GradcheckError, gradcheck

__all__ = ["GradcheckError", "gradcheck", "strategies"]


def __getattr__(name: str) -> Any:
    if name == "strategies":
        return importlib.import_module("mytorch.testing.strategies")
    raise AttributeError(f"module 'mytorch.testing' has no attribute {name!r}")
