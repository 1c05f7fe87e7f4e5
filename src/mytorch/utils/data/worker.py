"""Worker processes for ``DataLoader(num_workers > 0)``: they turn index lists into batches.

The main process decides the order (its sampler runs there, exactly as with
``num_workers=0``), sends each batch's indices to one worker in turn and hands the
batches back in that order, so the epoch is the same whatever the number of workers.
Workers get the dataset when they start (inherited by ``fork``, or pickled for
``spawn`` and ``forkserver``), read and collate their samples, and send each batch
back through one result queue. A worker's error is sent back as its type, message
and traceback and raised again in the main process, naming the worker and the sample.

An ``IterableDataset`` has no indices: each worker iterates its own copy and each
task asks it for its next batch (``IterableFetcher``); a worker whose stream has
ended answers ``StreamEnd``, and the main process stops asking it.
"""

from __future__ import annotations

import itertools
import multiprocessing
import pickle
import queue
import random
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from mytorch.core.random import manual_seed
from mytorch.core.tensor import Tensor
from mytorch.utils.data.collate import collate_samples, default_collate
from mytorch.utils.data.dataset import TensorDataset

__all__ = ["WorkerInfo", "get_worker_info"]


class StreamEnd(Exception):
    """Raised by ``IterableFetcher`` when its iterator has no batch left."""


_POLL_SECONDS = 0.2  # how often a waiting main process checks that its workers live
_SHUTDOWN_SECONDS = 5.0


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` tells code running in a ``DataLoader`` worker.

    Attributes
    ----------
    id : int
        The worker's number, ``0 <= id < num_workers``.
    num_workers : int
        How many workers the loader runs.
    seed : int
        The seed of this worker's random generators (Python's ``random``, numpy's
        global one and MyTorch's), different in each worker and reproducible from
        ``mytorch.manual_seed`` (or the loader's ``generator``).
    dataset : object
        This worker's copy of the dataset.

    Examples
    --------
    >>> from mytorch.utils.data import get_worker_info
    >>> get_worker_info() is None  # in the main process
    True
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The ``WorkerInfo`` of this ``DataLoader`` worker process, or None in the main process.

    Examples
    --------
    >>> from mytorch.utils.data import get_worker_info
    >>> print(get_worker_info())
    None
    """
    return _worker_info


def fetch_batch(dataset: Any, indices: list[int], collate_fn: Callable[[list[Any]], Any]) -> Any:
    """Read the samples at ``indices`` and collate them: one batch (in any process)."""
    if collate_fn is default_collate and type(dataset).__getitem__ is TensorDataset.__getitem__:
        # The fast path only when __getitem__ is TensorDataset's own (a subclass may add a
        # transform): one fancy index per array takes the whole batch, as a copy, so a
        # batch edited in place never changes the dataset.
        rows = np.asarray(indices, dtype=np.intp)
        return [Tensor._wrap(t.data[rows]) for t in dataset.tensors]
    samples = []
    for index in indices:
        try:
            samples.append(dataset[index])
        except Exception as error:
            error._mytorch_sample = f"dataset[{index}]"  # type: ignore[attr-defined]
            raise
    if collate_fn is default_collate:  # errors name the samples' dataset indices
        return collate_samples(samples, indices, "dataset index")
    return collate_fn(samples)


class MapFetcher:
    """A map-style dataset's batches: the samples at the indices each task names."""

    def __init__(self, dataset: Any, collate_fn: Callable[[list[Any]], Any]) -> None:
        self.dataset, self.collate_fn = dataset, collate_fn

    def __call__(self, run: int, indices: list[int]) -> Any:
        return fetch_batch(self.dataset, indices, self.collate_fn)


class IterableFetcher:
    """An ``IterableDataset``'s batches: the next ``batch_size`` samples of this process's copy.

    A new ``run`` (epoch) starts a fresh iterator, so persistent workers start
    their stream over each epoch, as PyTorch's do.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int,
        drop_last: bool,
        collate_fn: Callable[[list[Any]], Any],
    ) -> None:
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.collate_fn = collate_fn
        self._run: int | None = None
        self._iterator: Any = None
        self._read = 0  # samples read so far this run: errors name the sample by it

    def __call__(self, run: int, indices: Any = None) -> Any:
        if run != self._run:
            self._run, self._iterator, self._read = run, iter(self.dataset), 0
        if self._iterator is None:
            raise StreamEnd
        try:
            samples = list(itertools.islice(self._iterator, self.batch_size))
        except Exception as error:
            name = type(self.dataset).__name__
            error._mytorch_sample = f"the iterator of {name} after {self._read} samples"  # type: ignore[attr-defined]
            raise
        if not samples or (self.drop_last and len(samples) < self.batch_size):
            self._iterator = None  # ended: never call next() on it again
            raise StreamEnd
        first, self._read = self._read, self._read + len(samples)
        if self.collate_fn is default_collate:  # errors name the samples' stream positions
            return collate_samples(samples, range(first, self._read), "sample")
        return self.collate_fn(samples)


def _worker_loop(
    fetch: MapFetcher | IterableFetcher,
    index_queue: Any,
    result_queue: Any,
    info: WorkerInfo,
    init_fn: Callable[[int], None] | None,
) -> None:
    """Run in each worker process: fetch the batches asked for until told to stop (None)."""
    global _worker_info
    _worker_info = info
    random.seed(info.seed)
    # Code in datasets often draws from numpy's global generator (32-bit seeds).
    np.random.seed(info.seed % 2**32)  # noqa: NPY002
    manual_seed(info.seed)
    try:
        if init_fn is not None:
            try:
                init_fn(info.id)
            except Exception as error:
                result_queue.put((None, info.id, False, _failure(error, "worker_init_fn")))
                return
        while (task := index_queue.get()) is not None:
            key, indices = task
            try:
                result = (key, info.id, True, fetch(key[0], indices))
            except StreamEnd:
                result = (key, info.id, None, None)  # None: this worker's stream has ended
            except Exception as error:
                where = getattr(error, "_mytorch_sample", f"the batch of indices {indices}")
                result = (key, info.id, False, _failure(error, where))
            result_queue.put(result)
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: the main reports it
        pass


def _failure(error: Exception, where: str) -> tuple[type[BaseException], str]:
    """The error's type (if the main process can unpickle it) and a message naming ``where``."""
    kind: type[BaseException] = type(error)
    try:
        if pickle.loads(pickle.dumps(kind)) is not kind:
            kind = RuntimeError
    except Exception:
        kind = RuntimeError
    details = "".join(traceback.format_exception(error)).rstrip()
    message = f"{type(error).__name__} in {where}: {error}\n\nThe worker's traceback:\n{details}"
    return kind, message


class WorkerPool:
    """``num_workers`` processes that each fetch the batches sent to them, in order."""

    def __init__(
        self,
        fetch: MapFetcher | IterableFetcher,
        num_workers: int,
        context: Any,
        init_fn: Callable[[int], None] | None,
        seed_sequence: np.random.SeedSequence,
    ) -> None:
        self.num_workers = num_workers
        self.result_queue = context.Queue()
        self.index_queues = [context.Queue() for _ in range(num_workers)]
        self.workers = []
        self.closed = False
        children = seed_sequence.spawn(num_workers)
        seeds = [int(child.generate_state(1, np.uint64)[0]) >> 1 for child in children]
        for worker_id, seed in enumerate(seeds):
            info = WorkerInfo(worker_id, num_workers, seed, fetch.dataset)
            process = context.Process(
                target=_worker_loop,
                args=(
                    fetch,
                    self.index_queues[worker_id],
                    self.result_queue,
                    info,
                    init_fn,
                ),
                name=f"DataLoader worker {worker_id}",
                daemon=True,  # never outlives the main process
            )
            process.start()
            self.workers.append(process)

    def send(self, key: Any, worker_id: int, indices: list[int]) -> None:
        self.index_queues[worker_id].put((key, indices))

    def receive(self, timeout: float) -> tuple[Any, int, bool, Any]:
        """The next result from any worker; errors if a worker died or ``timeout`` passed."""
        deadline = time.monotonic() + timeout if timeout > 0 else None
        while True:
            wait = (
                _POLL_SECONDS
                if deadline is None
                else min(_POLL_SECONDS, deadline - time.monotonic())
            )
            try:
                return self.result_queue.get(timeout=max(wait, 0.0))
            except queue.Empty:
                pass
            dead = [(i, p) for i, p in enumerate(self.workers) if not p.is_alive()]
            if dead:
                worker_id, process = dead[0]
                self.shutdown()
                raise RuntimeError(
                    f"DataLoader worker {worker_id} (pid {process.pid}) exited unexpectedly "
                    f"with exit code {process.exitcode}"
                )
            if deadline is not None and time.monotonic() >= deadline:
                self.shutdown(wait=0.0)  # a worker stuck on a sample would not stop soon
                raise RuntimeError(f"DataLoader timed out after {timeout} seconds")

    def shutdown(self, wait: float = _SHUTDOWN_SECONDS) -> None:
        """Tell every worker to stop, wait up to ``wait`` seconds, then end those still running."""
        if self.closed:
            return
        self.closed = True
        for index_queue in self.index_queues:
            index_queue.put(None)
        deadline = time.monotonic() + wait
        for process in self.workers:
            # A worker exits only once its results are out of the pipe: keep draining it.
            while process.is_alive() and time.monotonic() < deadline:
                self._drain()
                process.join(0.05)
            if process.is_alive():
                process.terminate()
                process.join()
        for channel in (*self.index_queues, self.result_queue):
            channel.cancel_join_thread()
            channel.close()

    def _drain(self) -> None:
        try:
            while True:
                self.result_queue.get_nowait()
        except (queue.Empty, OSError, EOFError):
            pass

    def __del__(self) -> None:
        if not getattr(self, "closed", True):
            self.shutdown()


def resolve_context(context: Any) -> Any:
    """The multiprocessing context a ``multiprocessing_context`` argument names."""
    if context is None:
        return multiprocessing.get_context()
    if isinstance(context, str):
        return multiprocessing.get_context(context)
    return context
