"""IterableDataset with DataLoader: batching, drop_last, len, workers sharing the stream."""

from __future__ import annotations

import multiprocessing
import time

import numpy as np
import pytest

import mytorch
from mytorch.utils.data import DataLoader, IterableDataset, get_worker_info

pytestmark = pytest.mark.filterwarnings(
    "ignore:This process .* is multi-threaded, use of fork:DeprecationWarning"
)


class Stream(IterableDataset):
    """Samples 0..stop-1; with ``split`` each worker yields its share (PyTorch's recipe)."""

    def __init__(self, stop, split=True, fail_at=None):
        self.stop, self.split, self.fail_at = stop, split, fail_at

    def __iter__(self):
        info = get_worker_info()
        first, step = (0, 1) if info is None or not self.split else (info.id, info.num_workers)
        for value in range(first, self.stop, step):
            if value == self.fail_at:
                raise ValueError(f"sample {value} is broken")
            yield {"x": np.full(2, value, dtype=np.float32), "y": value}


class Sized(Stream):
    def __len__(self):
        return self.stop


def _ys(loader):
    return [batch["y"].tolist() for batch in loader]


def _no_workers_left():
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not multiprocessing.active_children()


# ------------------------------------------------------------- main process
def test_batches_come_in_stream_order_worked_example():
    batches = list(DataLoader(Stream(7), batch_size=3))
    assert [b["y"].tolist() for b in batches] == [[0, 1, 2], [3, 4, 5], [6]]
    assert batches[0]["x"].tolist() == [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]
    assert not batches[0]["x"].requires_grad
    assert _ys(DataLoader(Stream(7), batch_size=3, drop_last=True)) == [[0, 1, 2], [3, 4, 5]]
    assert _ys(DataLoader(Stream(6), batch_size=3, drop_last=True)) == [[0, 1, 2], [3, 4, 5]]
    assert _ys(DataLoader(Stream(0), batch_size=3)) == []
    assert _ys(DataLoader(Stream(2), batch_size=3, drop_last=True)) == []


def test_every_epoch_iterates_the_stream_again():
    loader = DataLoader(Stream(4), batch_size=3)
    assert _ys(loader) == _ys(loader) == [[0, 1, 2], [3]]


def test_a_custom_collate_fn_gets_the_samples():
    loader = DataLoader(Stream(5), batch_size=2, collate_fn=lambda s: [x["y"] for x in s])
    assert list(loader) == [[0, 1], [2, 3], [4]]


def test_len_comes_from_the_datasets_own_len():
    assert len(DataLoader(Sized(7), batch_size=3)) == 3
    assert len(DataLoader(Sized(7), batch_size=3, drop_last=True)) == 2
    with pytest.raises(TypeError, match=r"DataLoader: len\(\) needs the length of the Stream"):
        len(DataLoader(Stream(7), batch_size=3))
    with pytest.raises(TypeError, match=r"object of type 'Stream' has no len\(\)"):
        len(Stream(3))


@pytest.mark.parametrize(
    ("option", "value"),
    [("shuffle", True), ("sampler", [0, 1]), ("batch_sampler", [[0, 1]])],
)
def test_orderings_that_need_indices_are_refused_as_in_torch(option, value):
    match = rf"DataLoader with IterableDataset: expected unspecified {option} option"
    with pytest.raises(ValueError, match=match):
        DataLoader(Stream(3), **{option: value})
    torch = pytest.importorskip("torch")

    class Theirs(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(3))

    with pytest.raises(ValueError, match=match):
        torch.utils.data.DataLoader(Theirs(), **{option: value})


def test_an_iterable_dataset_has_no_samples_by_index_and_needs_iter():
    with pytest.raises(TypeError, match=r"Stream is an IterableDataset: it has no samples by"):
        Stream(3)[0]
    with pytest.raises(TypeError, match="abstract"):
        IterableDataset()


def test_an_error_in_the_stream_reaches_the_caller():
    with pytest.raises(ValueError, match="sample 4 is broken"):
        list(DataLoader(Stream(9, fail_at=4), batch_size=2))


def test_samples_of_different_shapes_name_their_stream_positions():
    class Ragged(IterableDataset):
        def __iter__(self):
            yield mytorch.zeros(2)
            yield mytorch.zeros(3)

    with pytest.raises(RuntimeError, match=r"sample 0 .*sample 1|sample 1 .*sample 0"):
        list(DataLoader(Ragged(), batch_size=2))


# ------------------------------------------------------------------ workers
@pytest.mark.parametrize("context", [None, "spawn"])
def test_workers_that_split_the_stream_read_each_sample_once(context):
    loader = DataLoader(Stream(10), batch_size=2, num_workers=2, multiprocessing_context=context)
    # Batches come from the workers in turn: worker 0 has 0, 2, 4, ..., worker 1 has 1, 3, ...
    assert _ys(loader) == [[0, 2], [1, 3], [4, 6], [5, 7], [8], [9]]
    assert _no_workers_left()


def test_workers_that_do_not_split_the_stream_each_read_all_of_it():
    ys = _ys(DataLoader(Stream(3, split=False), batch_size=2, num_workers=2))
    assert ys == [[0, 1], [0, 1], [2], [2]]  # every sample once per worker, as in PyTorch


def test_a_worker_whose_stream_ends_first_drops_out():
    class Uneven(IterableDataset):
        def __iter__(self):
            return iter(range(2 if get_worker_info().id == 0 else 9))

    batches = list(DataLoader(Uneven(), batch_size=2, num_workers=2, prefetch_factor=1))
    assert [b.tolist() for b in batches] == [[0, 1], [0, 1], [2, 3], [4, 5], [6, 7], [8]]


def test_drop_last_applies_to_each_workers_stream():
    ys = _ys(DataLoader(Stream(10), batch_size=2, num_workers=3, drop_last=True))
    # Shares: 0 3 6 9 | 1 4 7 | 2 5 8: the odd sample out of each share is dropped.
    assert ys == [[0, 3], [1, 4], [2, 5], [6, 9]]


def test_persistent_workers_start_their_streams_over_each_epoch():
    loader = DataLoader(Stream(6), batch_size=2, num_workers=2, persistent_workers=True)
    first = _ys(loader)
    iterator = iter(loader)
    next(iterator)  # an abandoned epoch
    del iterator
    assert first == _ys(loader) == [[0, 2], [1, 3], [4], [5]]
    del loader
    assert _no_workers_left()


def test_an_error_in_a_workers_stream_names_the_worker_and_position():
    loader = DataLoader(Stream(9, fail_at=5), batch_size=2, num_workers=2)
    match = r"DataLoader worker 1 raised ValueError in the iterator of Stream after 2 samples"
    with pytest.raises(ValueError, match=match):
        list(loader)
    assert _no_workers_left()


def test_batches_equal_pytorchs():
    torch = pytest.importorskip("torch")

    class Theirs(torch.utils.data.IterableDataset):
        def __init__(self, stop):
            self.stop = stop

        def __iter__(self):
            info = torch.utils.data.get_worker_info()
            first, step = (0, 1) if info is None else (info.id, info.num_workers)
            for value in range(first, self.stop, step):
                yield {"x": np.full(2, value, dtype=np.float32), "y": value}

    for workers in (0, 2):
        for drop_last in (False, True):
            options = {"batch_size": 3, "num_workers": workers, "drop_last": drop_last}
            ours = list(DataLoader(Stream(11), **options))
            theirs = list(torch.utils.data.DataLoader(Theirs(11), **options))
            assert len(ours) == len(theirs)
            for mine, reference in zip(ours, theirs):
                np.testing.assert_array_equal(mine["x"].numpy(), reference["x"].numpy())
                assert mine["y"].tolist() == reference["y"].tolist()
                assert mine["y"].dtype == reference["y"].numpy().dtype
