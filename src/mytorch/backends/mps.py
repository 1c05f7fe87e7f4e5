"""``mytorch.backends.mps``: there is no Apple GPU backend; MyTorch runs on the CPU."""

from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """Return False: MyTorch computes with numpy on the CPU.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.backends.mps.is_available()
    False
    """
    return False


def is_built() -> bool:
    """Return False: MyTorch has no MPS backend.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.backends.mps.is_built()
    False
    """
    return False
