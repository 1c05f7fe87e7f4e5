"""``DataLoader``: iterate over a dataset in (optionally shuffled) mini-batches.

Each ``iter(loader)`` is one epoch. With ``shuffle=True`` it draws a fresh permutation
of the sample indices at that moment, from the framework's generator (so
``mytorch.manual_seed`` reproduces a whole training run) unless the loader was given
its own ``generator`` or ``seed``. A ``TensorDataset`` is batched by indexing each of
its arrays once with the batch's index array; any other ``Dataset`` is read sample by
sample and the samples are stacked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.random import default_generator
from mytorch.core.tensor import Tensor
from mytorch.data.dataset import Dataset, TensorDataset

__all__ = ["DataLoader"]


class DataLoader:
    """Iterate over a dataset in mini-batches of Tensors that never require grad.

    Parameters
    ----------
    dataset : Dataset
        A ``TensorDataset`` (fast path) or any object with ``__len__`` and
        ``__getitem__``.
    batch_size : int, default 1
        Samples per batch; the last batch may be smaller unless ``drop_last``.
    shuffle : bool, default False
        Whether to visit the samples in a new random order in every epoch.
    drop_last : bool, default False
        Whether to drop the last batch when it is smaller than ``batch_size``.
    generator : numpy.random.Generator, optional
        Where the shuffling permutations come from. Default: the framework's
        generator at the start of each epoch (``mytorch.manual_seed`` seeds it).
    seed : int, optional
        Shorthand for ``generator=numpy.random.default_rng(seed)``: a private
        generator, so this loader's order does not depend on other random draws.

    Raises
    ------
    ValueError
        For a ``batch_size`` that is not a positive integer, or both ``generator`` and
        ``seed`` given.

    Notes
    -----
    Each batch has the structure of one sample: for a dataset whose samples are tuples
    (such as ``TensorDataset``) a batch is a list with one Tensor per element, as
    PyTorch's default collation gives; for single-Tensor samples, one Tensor. Python
    ints are collated to int64, floats to the default float dtype, numpy arrays and
    Tensors keep their dtype.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.data import DataLoader, TensorDataset
    >>> dataset = TensorDataset(mytorch.arange(5), mytorch.arange(5) * 10)
    >>> loader = DataLoader(dataset, batch_size=2)
    >>> len(loader)
    3
    >>> for inputs, targets in loader:
    ...     print(inputs.tolist(), targets.tolist())
    [0, 1] [0, 10]
    [2, 3] [20, 30]
    [4] [40]
    >>> _ = mytorch.manual_seed(0)
    >>> shuffled = DataLoader(dataset, batch_size=5, shuffle=True)
    >>> sorted(next(iter(shuffled))[0].tolist())
    [0, 1, 2, 3, 4]
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: np.random.Generator | None = None,
        seed: int | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size}")
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: give either generator or seed, not both")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(
                "DataLoader: generator must be a numpy.random.Generator, "
                f"got {type(generator).__name__}"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = np.random.default_rng(seed) if seed is not None else generator

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        full, rest = divmod(len(self.dataset), self.batch_size)
        return full + (1 if rest and not self.drop_last else 0)

    def __iter__(self) -> Iterator[Any]:
        # Draw the epoch's order now, not at the first ``next``, so the draw happens at a
        # predictable point of the program's sequence of random draws.
        order = self._epoch_order()
        return self._batches(order)

    def _epoch_order(self) -> np.ndarray:
        count = len(self.dataset)
        if not self.shuffle:
            return np.arange(count)
        # Look the framework's generator up per epoch: manual_seed replaces it.
        generator = self.generator if self.generator is not None else default_generator()
        return generator.permutation(count)

    def _batches(self, order: np.ndarray) -> Iterator[Any]:
        # The fast path only when __getitem__ is TensorDataset's own: a subclass that
        # overrides it (to add a transform, say) must be read through it.
        vectorised = type(self.dataset).__getitem__ is TensorDataset.__getitem__
        stop = len(self) * self.batch_size
        for start in range(0, stop, self.batch_size):
            indices = order[start : start + self.batch_size]
            if vectorised:
                # One fancy index per array takes the whole batch (a copy, so a batch
                # edited in place never changes the dataset).
                yield [Tensor._wrap(t.data[indices]) for t in self.dataset.tensors]
            else:
                yield collate([self.dataset[int(i)] for i in indices])

    def __repr__(self) -> str:
        return (
            f"DataLoader(dataset={self.dataset!r}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )


def collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples into one batch with the samples' structure.

    Tuples and lists of fields become a list with one stacked Tensor per field;
    Tensors, numpy arrays and Python numbers are stacked along a new first axis.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.data.dataloader import collate
    >>> images, labels = collate([(mytorch.zeros(2), 3), (mytorch.ones(2), 7)])
    >>> images.shape, labels.tolist(), labels.dtype
    ((2, 2), [3, 7], dtype('int64'))
    """
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return [collate(field) for field in zip(*samples)]
    if isinstance(first, Tensor):
        return Tensor._wrap(np.stack([sample.data for sample in samples]))
    if isinstance(first, (np.ndarray, np.generic)):
        return Tensor._wrap(np.stack(samples))
    if isinstance(first, bool):
        return Tensor._wrap(np.array(samples, dtype=dtypes.bool_))
    if isinstance(first, int):
        return Tensor._wrap(np.array(samples, dtype=dtypes.int64))
    if isinstance(first, float):
        return Tensor._wrap(np.array(samples, dtype=dtypes.get_default_dtype()))
    raise TypeError(
        f"DataLoader: cannot collate samples of type {type(first).__name__}; "
        "return Tensors, numpy arrays, numbers, or tuples of these from __getitem__"
    )
