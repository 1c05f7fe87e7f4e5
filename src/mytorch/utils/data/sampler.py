"""Samplers: the order in which a ``DataLoader`` visits a dataset's indices.

A sampler is an iterable of indices; ``BatchSampler`` groups a sampler's indices into
lists, one per batch. Random orders come from a numpy ``Generator``: the loader's own
if it was given one, else the framework's generator (the one ``mytorch.manual_seed``
seeds) looked up at the start of each epoch, so one seed reproduces a whole run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sized

import numpy as np

from mytorch.core.random import default_generator

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler"]


class Sampler:
    """The base of samplers: subclass it and define ``__iter__`` (and ``__len__``).

    Examples
    --------
    >>> from mytorch.utils.data import Sampler
    >>> class Backwards(Sampler):
    ...     def __init__(self, data_source):
    ...         self.data_source = data_source
    ...     def __iter__(self):
    ...         return iter(range(len(self.data_source) - 1, -1, -1))
    ...     def __len__(self):
    ...         return len(self.data_source)
    >>> list(Backwards([10, 20, 30]))
    [2, 1, 0]
    """

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """The indices ``0, 1, ..., len(data_source) - 1`` in order.

    Examples
    --------
    >>> from mytorch.utils.data import SequentialSampler
    >>> list(SequentialSampler(["a", "b", "c"]))
    [0, 1, 2]
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)

    def _order(self) -> np.ndarray:
        return np.arange(len(self.data_source))


class RandomSampler(Sampler):
    """The indices in a random order: a new permutation (or new draws) at every ``iter``.

    Parameters
    ----------
    data_source : sized
        The dataset whose indices are drawn.
    replacement : bool, default False
        Draw ``num_samples`` indices independently (repeats possible) rather than a
        permutation.
    num_samples : int, optional
        How many indices to draw; default ``len(data_source)``. Without replacement,
        more than that repeats whole permutations, as PyTorch does.
    generator : numpy.random.Generator, optional
        Where the draws come from. Default: the framework's generator, looked up at
        each ``iter`` (``mytorch.manual_seed`` replaces it).

    Notes
    -----
    The whole order is drawn when ``iter`` is called, not lazily, so that the draw
    happens at a predictable point of the program's sequence of random draws.

    Examples
    --------
    >>> import numpy as np
    >>> from mytorch.utils.data import RandomSampler
    >>> sampler = RandomSampler(range(5), generator=np.random.default_rng(0))
    >>> sorted(sampler)
    [0, 1, 2, 3, 4]
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: np.random.Generator | None = None,
    ) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement must be a bool, got {replacement!r}")
        if num_samples is not None and (
            isinstance(num_samples, bool)
            or not isinstance(num_samples, (int, np.integer))
            or num_samples <= 0
        ):
            raise ValueError(
                f"RandomSampler: num_samples must be a positive int, got {num_samples!r}"
            )
        _check_generator(generator, "RandomSampler")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator

    @property
    def num_samples(self) -> int:
        """How many indices one ``iter`` gives."""
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def __iter__(self) -> Iterator[int]:
        return iter(self._order().tolist())

    def _order(self) -> np.ndarray:
        """The whole order of one ``iter``, drawn now."""
        generator = self.generator if self.generator is not None else default_generator()
        count, wanted = len(self.data_source), self.num_samples
        if self.replacement:
            order = generator.integers(0, count, size=wanted) if count else np.arange(0)
        else:
            # Whole permutations, then part of one more: every index as evenly as can be.
            full, rest = divmod(wanted, count) if count else (0, 0)
            parts = [generator.permutation(count) for _ in range(full)]
            if rest:
                parts.append(generator.permutation(count)[:rest])
            order = np.concatenate(parts) if parts else np.arange(0)
        return order

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size``.

    Parameters
    ----------
    sampler : iterable of int
        A sampler, or any iterable of indices.
    batch_size : int
        Indices per batch; the last batch may be smaller unless ``drop_last``.
    drop_last : bool
        Whether to drop the last batch when it is smaller than ``batch_size``.

    Examples
    --------
    >>> from mytorch.utils.data import BatchSampler, SequentialSampler
    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        _check_batch_size(batch_size, "BatchSampler")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last must be a bool, got {drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        # iter(sampler) now, not at the first next: a random order is drawn at iter().
        if type(self.sampler) in (SequentialSampler, RandomSampler):
            # Our samplers hand over their whole order: slicing it is faster than
            # grouping indices one by one, and gives the same batches.
            return self._slices(self.sampler._order())  # type: ignore[attr-defined]
        return self._group(iter(self.sampler))

    def _slices(self, order: np.ndarray) -> Iterator[list[int]]:
        stop = len(order) if not self.drop_last else len(order) - len(order) % self.batch_size
        for start in range(0, stop, self.batch_size):
            yield order[start : start + self.batch_size].tolist()

    def _group(self, indices: Iterator[int]) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in indices:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        full, rest = divmod(len(self.sampler), self.batch_size)  # type: ignore[arg-type]
        return full + (1 if rest and not self.drop_last else 0)


def _check_batch_size(batch_size: object, owner: str) -> None:
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"{owner}: batch_size must be a positive int, got {batch_size!r}")


def _check_generator(generator: object, owner: str) -> None:
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"{owner}: generator must be a numpy.random.Generator, got {type(generator).__name__}"
        )
