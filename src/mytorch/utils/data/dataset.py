"""Datasets: what a ``DataLoader`` draws samples from.

A ``Dataset`` is anything with a length that returns one sample per integer index;
an ``IterableDataset`` is a stream of samples instead (lines of files too big to
index, generated data), read in order by iterating it.
``TensorDataset`` is the common case, a few arrays that share their first dimension
(inputs, labels, ...); because its samples are rows of arrays, a ``DataLoader`` can
take a whole batch of rows with one numpy index instead of one sample at a time.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

from mytorch.core.random import default_generator
from mytorch.core.tensor import Tensor, shape_str

__all__ = ["Dataset", "IterableDataset", "Subset", "TensorDataset", "random_split"]


class Dataset(ABC):
    """The abstract base of datasets: subclass it and define ``__getitem__`` and ``__len__``.

    ``dataset[i]`` returns sample ``i`` for ``0 <= i < len(dataset)``, usually a tuple
    such as ``(input, label)``. ``DataLoader`` collates samples into batches.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.utils.data import Dataset
    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, index):
    ...         return float(index), index * index
    >>> Squares()[3]
    (3.0, 9)
    """

    @abstractmethod
    def __getitem__(self, index: int) -> Any:
        """Return sample ``index``."""

    @abstractmethod
    def __len__(self) -> int:
        """Return the number of samples."""


class IterableDataset(Dataset):
    """The abstract base of stream datasets: subclass it and define ``__iter__``.

    A ``DataLoader`` reads the samples in the order ``__iter__`` yields them and
    batches them (``batch_size``, ``drop_last``); ``shuffle``, ``sampler`` and
    ``batch_sampler`` do not apply. Define ``__len__`` too if you know the
    number of samples, for ``len(loader)``.

    With ``num_workers > 0`` each worker process iterates its OWN copy of the
    dataset, as in PyTorch: without care every sample comes once per worker.
    Split the stream in ``__iter__`` with ``get_worker_info()`` (None in the
    main process), as in the example. The batches come from the workers in
    turn (worker 0's first, worker 1's first, ...); a worker whose stream ends
    drops out, and the epoch ends when all have.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.utils.data import DataLoader, IterableDataset, get_worker_info
    >>> class Range(IterableDataset):
    ...     def __init__(self, stop):
    ...         self.stop = stop
    ...     def __iter__(self):
    ...         info = get_worker_info()
    ...         if info is None:  # the main process reads everything
    ...             return iter(range(self.stop))
    ...         return iter(range(info.id, self.stop, info.num_workers))  # one share each
    >>> [batch.tolist() for batch in DataLoader(Range(7), batch_size=3)]
    [[0, 1, 2], [3, 4, 5], [6]]
    >>> [batch.tolist() for batch in DataLoader(Range(7), batch_size=3, drop_last=True)]
    [[0, 1, 2], [3, 4, 5]]
    """

    @abstractmethod
    def __iter__(self) -> Any:
        """Return an iterator over the samples."""

    def __getitem__(self, index: int) -> Any:
        raise TypeError(
            f"{type(self).__name__} is an IterableDataset: it has no samples by index; "
            "iterate over it instead"
        )

    def __len__(self) -> int:
        # A stream need not know its length; subclasses that do define __len__.
        raise TypeError(f"object of type '{type(self).__name__}' has no len()")


def _has_own_len(dataset: Any) -> bool:
    """Whether an IterableDataset's class defines ``__len__`` (the base's only refuses)."""
    return type(dataset).__len__ is not IterableDataset.__len__


class TensorDataset(Dataset):
    """A dataset of tensors that share their first dimension; sample ``i`` is their row ``i``.

    Parameters
    ----------
    *tensors : Tensor or numpy.ndarray
        At least one, each with at least one dimension, all of the same length.
        Numpy arrays are wrapped without a copy and keep their dtype.

    Attributes
    ----------
    tensors : tuple of Tensor
        The tensors, in the order given.

    Raises
    ------
    ValueError
        If no tensor is given, one is 0-d, or their first dimensions differ.

    Notes
    -----
    Samples and batches are built from each tensor's ``.data``, so they never require
    grad, even when a tensor given here does (as with PyTorch's data loading).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.utils.data import TensorDataset
    >>> inputs = mytorch.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    >>> labels = mytorch.tensor([0, 1, 0], dtype=mytorch.int64)
    >>> dataset = TensorDataset(inputs, labels)
    >>> len(dataset)
    3
    >>> dataset[1]
    (tensor([2., 3.]), tensor(1))
    """

    def __init__(self, *tensors: Tensor | np.ndarray) -> None:
        if not tensors:
            raise ValueError("TensorDataset: needs at least one tensor")
        tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
        shapes = [t.shape for t in tensors]
        if any(len(shape) == 0 for shape in shapes):
            raise ValueError(
                "TensorDataset: every tensor needs a first (sample) dimension, got shapes "
                + ", ".join(shape_str(s) for s in shapes)
            )
        if len({shape[0] for shape in shapes}) > 1:
            raise ValueError(
                "TensorDataset: all tensors must have the same first dimension (the number "
                "of samples), got shapes " + ", ".join(shape_str(s) for s in shapes)
            )
        self.tensors: tuple[Tensor, ...] = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        # ``index`` may also be an array of indices: that is how DataLoader takes a batch.
        return tuple(Tensor._wrap(t.data[index]) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __repr__(self) -> str:
        shapes = ", ".join(shape_str(t.shape) for t in self.tensors)
        return f"TensorDataset({shapes})"


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    Parameters
    ----------
    dataset : Dataset
        The whole dataset.
    indices : sequence of int
        Which of its samples to keep; ``subset[i]`` is ``dataset[indices[i]]``.

    Examples
    --------
    >>> from mytorch.utils.data import Subset
    >>> evens = Subset(["a", "b", "c", "d"], [0, 2])
    >>> len(evens), evens[1]
    (2, 'c')
    """

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):  # a batch of indices, as PyTorch's Subset allows
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)

    def __repr__(self) -> str:
        return f"Subset({len(self)} of {len(self.dataset)} samples)"


def random_split(
    dataset: Any,
    lengths: Sequence[int | float],
    generator: np.random.Generator | None = None,
) -> list[Subset]:
    """Split ``dataset`` at random into non-overlapping ``Subset`` s of the given lengths.

    Parameters
    ----------
    dataset : Dataset
        What to split.
    lengths : sequence of int or float
        The subsets' lengths, summing to ``len(dataset)``; or fractions summing to 1,
        turned into lengths as PyTorch does (rounded down, then the remainder given
        one by one to the first subsets).
    generator : numpy.random.Generator, optional
        Where the permutation comes from; default the framework's generator.

    Raises
    ------
    ValueError
        If the lengths do not add up, or one is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from mytorch.utils.data import random_split
    >>> train, val = random_split(range(10), [0.8, 0.2], generator=np.random.default_rng(0))
    >>> len(train), len(val), sorted(list(train) + list(val)) == list(range(10))
    (8, 2, True)
    """
    count = len(dataset)
    lengths = list(lengths)
    if lengths and all(isinstance(n, float) for n in lengths) and math.isclose(sum(lengths), 1):
        if any(not 0 <= n <= 1 for n in lengths):
            raise ValueError(f"random_split: fractions must be in [0, 1], got {lengths}")
        sizes = [math.floor(count * n) for n in lengths]
        for i in range(count - sum(sizes)):
            sizes[i % len(sizes)] += 1
    else:
        sizes = lengths
    if any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0 for n in sizes):
        raise ValueError(
            f"random_split: lengths must be non-negative ints or fractions summing to 1, "
            f"got {lengths}"
        )
    if sum(sizes) != count:
        raise ValueError(
            f"random_split: the lengths {lengths} add up to {sum(sizes)}, but the dataset "
            f"has {count} samples"
        )
    generator = generator if generator is not None else default_generator()
    order = generator.permutation(count).tolist()
    ends = np.cumsum(sizes).tolist()
    return [Subset(dataset, order[end - size : end]) for size, end in zip(sizes, ends)]
