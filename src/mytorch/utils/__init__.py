"""Small helpers for training scripts."""

from mytorch.utils.progress import ProgressBar

__all__ = ["ProgressBar"]
