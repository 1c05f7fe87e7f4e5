"""``DataLoader``: iterate over a dataset in (optionally shuffled) mini-batches.

Each ``iter(loader)`` is one epoch. Its order comes from a batch sampler, drawn in
the main process when the epoch starts: with ``shuffle=True`` a fresh permutation
from the framework's generator (so ``mytorch.manual_seed`` reproduces a whole
training run) unless the loader was given its own ``generator`` or ``seed``. A
``TensorDataset`` is batched by indexing each of its arrays once with the batch's
index array; any other dataset is read sample by sample and the samples are
collated by ``default_collate`` (or the ``collate_fn`` given). With
``num_workers > 0`` worker processes read and collate the batches (see
``mytorch.utils.data.worker``); the batches and their order are the same. An
``IterableDataset`` is read in the order it yields, ``batch_size`` samples at a
time (each worker, if any, reading its own copy, as in PyTorch).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from mytorch.core.random import default_generator
from mytorch.utils.data.collate import default_collate
from mytorch.utils.data.dataset import Dataset, IterableDataset, _has_own_len
from mytorch.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    _check_batch_size,
    _check_generator,
)
from mytorch.utils.data.worker import (
    IterableFetcher,
    MapFetcher,
    StreamEnd,
    WorkerPool,
    fetch_batch,
    resolve_context,
)

__all__ = ["DataLoader"]

_epochs = itertools.count()


class DataLoader:
    """Iterate over a dataset in mini-batches of Tensors that never require grad.

    The arguments are PyTorch's, in its order; ``seed`` is MyTorch's own.

    Parameters
    ----------
    dataset : Dataset or IterableDataset
        A ``TensorDataset`` (fast path), any object with ``__len__`` and
        ``__getitem__``, or an ``IterableDataset`` (a stream: no ``shuffle``,
        ``sampler`` or ``batch_sampler``; see ``IterableDataset`` for workers).
    batch_size : int, default 1
        Samples per batch; the last batch may be smaller unless ``drop_last``.
    shuffle : bool, default False
        Whether to visit the samples in a new random order in every epoch.
    sampler : Sampler or iterable of int, optional
        The order of the sample indices (then ``shuffle`` must not be given).
    batch_sampler : Sampler or iterable of lists of int, optional
        The batches' indices (then no ``batch_size``, ``shuffle``, ``sampler`` or
        ``drop_last``).
    num_workers : int, default 0
        How many worker processes read and collate batches; 0 reads them in the main
        process. The batches and their order do not depend on it.
    collate_fn : callable, optional
        Turns a list of samples into a batch; default ``default_collate``.
    pin_memory : bool, default False
        Accepted for PyTorch scripts; a no-op, as there is no GPU to copy to.
    drop_last : bool, default False
        Whether to drop the last batch when it is smaller than ``batch_size``.
    timeout : float, default 0
        With workers: seconds to wait for a batch before raising ``RuntimeError``
        (0 waits as long as the workers live).
    worker_init_fn : callable, optional
        Called as ``worker_init_fn(worker_id)`` in each worker once it is seeded.
    multiprocessing_context : str or context, optional
        ``"fork"``, ``"spawn"`` or ``"forkserver"`` (or such a context); default the
        platform's. With spawn and forkserver the dataset must pickle.
    generator : numpy.random.Generator, optional
        Where the shuffling permutations come from. Default: the framework's
        generator at the start of each epoch (``mytorch.manual_seed`` seeds it).
    prefetch_factor : int, optional
        With workers: batches asked for ahead per worker (default 2).
    persistent_workers : bool, default False
        With workers: keep them running between epochs rather than start new ones.
    pin_memory_device : str, default ""
        Accepted and ignored, as ``pin_memory``.
    in_order : bool, default True
        Accepted; batches always come in order.
    seed : int, optional
        Shorthand for ``generator=numpy.random.default_rng(seed)``: a private
        generator, so this loader's order does not depend on other random draws.

    Raises
    ------
    ValueError
        For a ``batch_size`` that is not a positive integer, options that exclude each
        other (``generator`` and ``seed``, ``sampler`` and ``shuffle``, ...), or worker
        options without workers.

    Notes
    -----
    Each batch has the structure of one sample, built by ``default_collate``: for a
    dataset whose samples are tuples (such as ``TensorDataset``) a batch is a list with
    one Tensor per element, as PyTorch gives. Each worker seeds Python's ``random``,
    numpy's global generator and MyTorch's from a seed that differs per worker and is
    reproducible (see ``get_worker_info``); the main process's random draws are not
    changed by starting workers.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.utils.data import DataLoader, TensorDataset
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
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable[int] | None = None,
        batch_sampler: Sampler | Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: np.random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        seed: int | None = None,
    ) -> None:
        _check_batch_size(batch_size, "DataLoader")
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: give either generator or seed, not both")
        _check_generator(generator, "DataLoader")
        self._check_workers(num_workers, timeout, prefetch_factor, persistent_workers)
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            # As PyTorch: a stream has no indices to order (PyTorch's wording).
            for name, value in (
                ("shuffle", shuffle),
                ("sampler", sampler),
                ("batch_sampler", batch_sampler),
            ):
                if value is not None and value is not False:
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {name} "
                        f"option, but got {name}={value!r}"
                    )
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (
            batch_size != 1 or shuffle or sampler is not None or drop_last
        ):
            raise ValueError(
                "DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                "shuffle, sampler, and drop_last"
            )
        self.dataset = dataset
        self.batch_size = None if batch_sampler is not None else int(batch_size)  # type: ignore[arg-type]
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = np.random.default_rng(seed) if seed is not None else generator
        if batch_sampler is None and not self._iterable:
            if sampler is None:
                sampler = (
                    RandomSampler(dataset, generator=self.generator)
                    if shuffle
                    else SequentialSampler(dataset)
                )
            batch_sampler = BatchSampler(sampler, self.batch_size, self.drop_last)  # type: ignore[arg-type]
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.collate_fn = collate_fn if collate_fn is not None else default_collate
        self.num_workers = int(num_workers)
        self.pin_memory = bool(pin_memory)  # no GPU: nothing to pin
        self.pin_memory_device = pin_memory_device
        self.timeout = float(timeout)
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers else prefetch_factor
        self.persistent_workers = bool(persistent_workers)
        self.in_order = in_order
        self._pool: WorkerPool | None = None  # the persistent workers, once started

    @staticmethod
    def _check_workers(
        num_workers: Any, timeout: Any, prefetch_factor: Any, persistent_workers: Any
    ) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, (int, np.integer)):
            raise ValueError(f"DataLoader: num_workers must be an int, got {num_workers!r}")
        if num_workers < 0:
            raise ValueError(
                f"DataLoader: num_workers option should be non-negative, got {num_workers}"
            )
        if not isinstance(timeout, (int, float)) or timeout < 0:
            raise ValueError(f"DataLoader: timeout option should be non-negative, got {timeout!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "DataLoader: prefetch_factor option could only be specified with num_workers > 0"
            )
        if prefetch_factor is not None:
            _check_batch_size(prefetch_factor, "DataLoader: prefetch_factor")
        if num_workers == 0 and persistent_workers:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")

    def __len__(self) -> int:
        """The number of batches in one epoch.

        For an ``IterableDataset``, computed from the dataset's own ``__len__``
        (a TypeError without one), as PyTorch does; with workers that is right
        only if they split the stream.
        """
        if not self._iterable:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        if not _has_own_len(self.dataset):
            raise TypeError(
                f"DataLoader: len() needs the length of the {type(self.dataset).__name__} "
                "stream; define its __len__"
            )
        samples, size = len(self.dataset), self.batch_size  # type: ignore[arg-type]
        return samples // size if self.drop_last else -(-samples // size)  # type: ignore[operator]

    def __iter__(self) -> Iterator[Any]:
        if self._iterable:
            if self.num_workers == 0:
                return _stream(self._fetcher(), next(_epochs))
            return _WorkerIterator(self, itertools.repeat([]))  # no indices: "the next batch"
        # Draw the epoch's order now, not at the first ``next``, so the draw happens at a
        # predictable point of the program's sequence of random draws.
        batches = iter(self.batch_sampler)
        if self.num_workers == 0:
            return (fetch_batch(self.dataset, indices, self.collate_fn) for indices in batches)
        return _WorkerIterator(self, batches)

    def _fetcher(self) -> MapFetcher | IterableFetcher:
        if self._iterable:
            return IterableFetcher(
                self.dataset,
                self.batch_size,  # type: ignore[arg-type]
                self.drop_last,
                self.collate_fn,
            )
        return MapFetcher(self.dataset, self.collate_fn)

    def _start_workers(self) -> WorkerPool:
        if self._pool is not None and not self._pool.closed:
            return self._pool
        generator = self.generator if self.generator is not None else default_generator()
        # A child of the generator's seed: the workers' seeds are reproducible, and
        # spawning them draws nothing from the generator (the order stays the same).
        seed_sequence = generator.bit_generator.seed_seq.spawn(1)[0]
        pool = WorkerPool(
            self._fetcher(),
            self.num_workers,
            resolve_context(self.multiprocessing_context),
            self.worker_init_fn,
            seed_sequence,
        )
        if self.persistent_workers:
            self._pool = pool
        return pool

    def __del__(self) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown()

    def __repr__(self) -> str:
        return (
            f"DataLoader(dataset={self.dataset!r}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, "
            f"num_workers={self.num_workers})"
        )


def _stream(fetch: IterableFetcher, run: int) -> Iterator[Any]:
    """An IterableDataset's batches read in the main process, until its stream ends."""
    while True:
        try:
            batch = fetch(run)
        except StreamEnd:
            return
        yield batch


class _WorkerIterator:
    """One epoch read by worker processes: batches sent round-robin, received in order.

    For an IterableDataset the tasks are "your next batch"; a worker that answers
    that its stream has ended is skipped from then on, as in PyTorch.
    """

    def __init__(self, loader: DataLoader, batches: Iterator[list[int]]) -> None:
        self._loader = loader
        self._batches = batches
        self._pool = loader._start_workers()
        # A fresh tag per epoch (never id(self), which a new iterator may reuse): results
        # of an abandoned epoch that persistent workers still send are dropped.
        self._run = next(_epochs)
        self._sent = self._received = 0
        self._turn = 0  # the next worker to ask, in turn
        self._ended: set[int] = set()  # workers whose IterableDataset stream has ended
        self._waiting: dict[int, tuple[int, bool | None, Any]] = {}
        for _ in range(loader.prefetch_factor * loader.num_workers):  # type: ignore[operator]
            self._send_next()

    def _send_next(self) -> None:
        workers = self._loader.num_workers
        if len(self._ended) == workers:
            return
        indices = next(self._batches, None)
        if indices is not None:
            while self._turn % workers in self._ended:
                self._turn += 1
            self._pool.send((self._run, self._sent), self._turn % workers, list(indices))
            self._turn += 1
            self._sent += 1

    def __iter__(self) -> _WorkerIterator:
        return self

    def __next__(self) -> Any:
        while True:
            if self._received == self._sent:
                self._finish()
                raise StopIteration
            while self._received not in self._waiting:
                key, worker_id, ok, payload = self._pool.receive(self._loader.timeout)
                if key is None:  # worker_init_fn failed
                    self._fail(worker_id, payload)
                if key[0] == self._run:  # else a batch of an abandoned epoch
                    self._waiting[key[1]] = worker_id, ok, payload
            worker_id, ok, payload = self._waiting.pop(self._received)
            self._received += 1
            if ok is None:  # the worker's stream has ended: ask the others
                self._ended.add(worker_id)
                self._send_next()
                continue
            if not ok:
                self._fail(worker_id, payload)
            self._send_next()
            return payload

    def __len__(self) -> int:
        return len(self._loader)

    def _fail(self, worker_id: int, failure: tuple[type[BaseException], str]) -> None:
        self._pool.shutdown()
        kind, message = failure
        text = f"DataLoader worker {worker_id} raised {message}"
        try:
            error = kind(text)
        except Exception:
            error = RuntimeError(text)
        raise error

    def _finish(self) -> None:
        if not self._loader.persistent_workers:
            self._pool.shutdown()

    def __del__(self) -> None:
        if getattr(self, "_pool", None) is not None:
            self._finish()
