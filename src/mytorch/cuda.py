"""``mytorch.cuda``: MyTorch runs on the CPU, so there is no CUDA device.

It exists so that the usual device pick runs unchanged::

    device = "cuda" if mytorch.cuda.is_available() else "cpu"
"""

from __future__ import annotations

__all__ = ["device_count", "is_available", "manual_seed", "manual_seed_all"]


def is_available() -> bool:
    """Return False: MyTorch computes with numpy on the CPU.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.cuda.is_available()
    False
    """
    return False


def device_count() -> int:
    """Return 0: there is no CUDA device.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.cuda.device_count()
    0
    """
    return 0


def manual_seed(seed: int) -> None:
    """Do nothing, as PyTorch does without CUDA (seed with ``mytorch.manual_seed``).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.cuda.manual_seed(0)
    """


def manual_seed_all(seed: int) -> None:
    """Do nothing, as PyTorch does without CUDA (seed with ``mytorch.manual_seed``).

    Examples
    --------
    >>> import mytorch
    >>> mytorch.cuda.manual_seed_all(0)
    """
