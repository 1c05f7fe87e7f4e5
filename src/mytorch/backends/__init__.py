"""``mytorch.backends``: the checks PyTorch scripts make before picking a device."""

from mytorch.backends import mps

__all__ = ["mps"]
