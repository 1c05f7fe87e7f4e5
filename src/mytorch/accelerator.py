"""``mytorch.accelerator``: MyTorch has no accelerator; it runs on the CPU."""

from __future__ import annotations

__all__ = ["device_count", "is_available"]


def is_available() -> bool:
    """Return False: MyTorch computes with numpy on the CPU.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.accelerator.is_available()
    False
    """
    return False


def device_count() -> int:
    """Return 0: there is no accelerator.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.accelerator.device_count()
    0
    """
    return 0
