"""DataLoader(num_workers > 0): real worker processes, same batches and order, errors, shutdown."""

from __future__ import annotations

import multiprocessing
import os
import time

import numpy as np
import pytest

import mytorch
from mytorch.utils.data import DataLoader, Dataset, TensorDataset, get_worker_info

# Python 3.12+ warns when it forks a process that runs threads (BLAS's, say); the workers
# here only read samples, as PyTorch's do on the same default start method.
pytestmark = pytest.mark.filterwarnings(
    "ignore:This process .* is multi-threaded, use of fork:DeprecationWarning"
)


class Records(Dataset):
    """Sample i is a dict; index ``fail`` raises, ``die`` kills the worker, ``slow`` sleeps."""

    def __init__(self, size=12, fail=None, die=None, slow=None):
        self.size, self.fail, self.die, self.slow = size, fail, die, slow

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        if index == self.fail:
            raise ValueError(f"sample {index} is broken")
        if index == self.die:
            os._exit(3)
        if index == self.slow:
            time.sleep(2)
        info = get_worker_info()
        return {
            "x": mytorch.full((2,), float(index)),
            "label": index,
            "worker": -1 if info is None else info.id,
            "seed": 0 if info is None else info.seed % 1000,
        }


def _labels(loader):
    return [batch["label"].tolist() for batch in loader]


def _no_workers_left():
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not multiprocessing.active_children()


@pytest.mark.parametrize("num_workers", [1, 3])
def test_workers_give_the_same_seeded_order_as_the_main_process(num_workers):
    dataset = Records(23)
    runs = []
    for workers in (0, num_workers):
        mytorch.manual_seed(5)
        loader = DataLoader(dataset, batch_size=4, shuffle=True, num_workers=workers)
        runs.append([_labels(loader), _labels(loader), mytorch.randn(2).tolist()])
    assert runs[0] == runs[1]  # both epochs, and the main generator's next draw
    assert runs[0][0] != runs[0][1]
    assert _no_workers_left()


def test_each_batch_is_read_by_a_worker_process():
    loader = DataLoader(Records(12), batch_size=2, num_workers=3)
    workers = [batch["worker"].tolist() for batch in loader]
    assert workers == [[i % 3] * 2 for i in range(6)]  # round robin, in order


def test_worker_seeds_differ_and_are_reproducible():
    def seeds():
        mytorch.manual_seed(1)
        return [b["seed"].tolist() for b in DataLoader(Records(4), batch_size=2, num_workers=2)]

    first = seeds()
    assert first == seeds() and first[0] != first[1]


def test_spawned_workers_give_the_same_batches():
    dataset = TensorDataset(np.arange(20.0)[:, None], np.arange(20))
    loaders = [
        DataLoader(
            dataset, 6, shuffle=True, num_workers=n, multiprocessing_context=context, seed=4
        )
        for n, context in ((0, None), (2, "spawn"))
    ]
    ours, theirs = ([[t.tolist() for t in batch] for batch in loader] for loader in loaders)
    assert ours == theirs


def test_an_error_in_a_worker_is_raised_naming_the_worker_and_sample():
    loader = DataLoader(Records(12, fail=7), batch_size=3, num_workers=2)
    with pytest.raises(ValueError, match=r"DataLoader worker 0 raised ValueError in dataset\[7\]"):
        _labels(loader)
    assert _no_workers_left()


def test_a_collate_error_in_a_worker_names_the_sample():
    class Ragged(Records):
        def __getitem__(self, index):
            return mytorch.zeros(3 if index == 4 else 2)

    with pytest.raises(RuntimeError, match=r"worker 1 .*dataset index 4 has shape \(3,\)"):
        list(DataLoader(Ragged(6), batch_size=3, num_workers=2))


def test_a_worker_that_dies_is_reported():
    with pytest.raises(RuntimeError, match=r"DataLoader worker 1 \(pid \d+\) exited .*code 3"):
        _labels(DataLoader(Records(8, die=5), batch_size=3, num_workers=2))
    assert _no_workers_left()


def test_timeout_and_worker_init_fn_errors():
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0\.3 seconds"):
        _labels(DataLoader(Records(4, slow=0), batch_size=2, num_workers=1, timeout=0.3))

    def broken_init(worker_id):
        raise OSError(f"no device for worker {worker_id}")

    with pytest.raises(OSError, match="raised OSError in worker_init_fn: no device for worker 0"):
        _labels(DataLoader(Records(4), batch_size=2, num_workers=1, worker_init_fn=broken_init))
    assert _no_workers_left()


def test_persistent_workers_survive_epochs_and_an_abandoned_epoch():
    def epochs(workers):
        loader = DataLoader(
            Records(10), 2, shuffle=True, num_workers=workers, persistent_workers=workers > 0
        )
        mytorch.manual_seed(0)
        for _ in range(3):  # abandoned after one batch: the rest must not leak into the next
            next(iter(loader))
        return loader, [_labels(loader) for _ in range(3)]

    loader, ours = epochs(2)
    assert ours == epochs(0)[1]
    pids = [p.pid for p in loader._pool.workers]
    _labels(loader)
    assert [p.pid for p in loader._pool.workers] == pids
    del loader
    assert _no_workers_left()


def test_breaking_out_of_an_epoch_stops_the_workers():
    for _batch in DataLoader(Records(40), batch_size=2, num_workers=2):
        break
    del _batch
    assert _no_workers_left()


def test_pin_memory_is_accepted_and_the_worker_options_checked():
    loader = DataLoader(Records(4), batch_size=2, pin_memory=True, pin_memory_device="")
    assert _labels(loader) == [[0, 1], [2, 3]]
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified"):
        DataLoader(Records(4), prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(Records(4), persistent_workers=True)
    with pytest.raises(ValueError, match="num_workers option should be non-negative, got -1"):
        DataLoader(Records(4), num_workers=-1)


def test_batches_equal_pytorchs_with_workers():
    torch = pytest.importorskip("torch")

    class Pairs(torch.utils.data.Dataset):
        def __len__(self):
            return 9

        def __getitem__(self, index):
            return {"x": np.full(2, index, dtype=np.float32), "y": (index, index / 2)}

    ours = DataLoader(Pairs(), batch_size=4, num_workers=2)
    theirs = torch.utils.data.DataLoader(Pairs(), batch_size=4, num_workers=2)
    for mine, reference in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(mine["x"].numpy(), reference["x"].numpy())
        for a, b in zip(mine["y"], reference["y"], strict=True):
            assert a.dtype == b.numpy().dtype
            np.testing.assert_array_equal(a.numpy(), b.numpy())
