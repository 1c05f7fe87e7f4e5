"""DataLoader: coverage per epoch, batching, shuffling reproducibility, collation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mytorch
from mytorch.data import DataLoader, Dataset, TensorDataset


class IndexDataset(Dataset):
    """A general (non-Tensor) dataset whose sample i is (i as a float vector, i)."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int):
        return mytorch.full((2,), float(index)), index


def _epoch(loader: DataLoader) -> list[np.ndarray]:
    """The sample indices in each batch of one epoch."""
    return [batch[1].numpy().copy() for batch in loader]


def _indexed(size: int) -> TensorDataset:
    return TensorDataset(np.arange(size, dtype=np.float32)[:, None], np.arange(size))


@given(
    size=st.integers(0, 40),
    batch_size=st.integers(1, 12),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    general=st.booleans(),
)
def test_every_sample_is_seen_once_per_epoch(size, batch_size, shuffle, drop_last, general):
    dataset = IndexDataset(size) if general else _indexed(size)
    loader = DataLoader(dataset, batch_size, shuffle=shuffle, drop_last=drop_last, seed=0)
    batches = _epoch(loader)
    full, rest = divmod(size, batch_size)
    expected_sizes = [batch_size] * full + ([rest] if rest and not drop_last else [])
    assert [len(batch) for batch in batches] == expected_sizes
    assert len(loader) == len(batches)
    seen = np.concatenate(batches).tolist() if batches else []
    assert len(set(seen)) == len(seen) == sum(expected_sizes)  # nobody twice
    if not drop_last:
        assert sorted(seen) == list(range(size))  # everybody once
    if not shuffle:
        assert seen == list(range(len(seen)))


def test_batches_keep_inputs_and_labels_aligned_when_shuffled():
    for inputs, labels in DataLoader(_indexed(50), batch_size=7, shuffle=True, seed=3):
        np.testing.assert_array_equal(inputs.numpy()[:, 0], labels.numpy())


def test_general_dataset_batches_have_the_sample_structure():
    inputs, labels = next(iter(DataLoader(IndexDataset(5), batch_size=3)))
    assert inputs.shape == (3, 2) and inputs.dtype == np.float32
    assert labels.tolist() == [0, 1, 2] and labels.dtype == np.int64


def test_a_tensor_dataset_is_batched_without_reading_samples_one_by_one(monkeypatch):
    def refuse(self, index):
        raise AssertionError("DataLoader read a TensorDataset sample by sample")

    monkeypatch.setattr(TensorDataset, "__getitem__", refuse)
    batches = list(DataLoader(_indexed(10), batch_size=4))
    assert [len(labels) for _, labels in batches] == [4, 4, 2]


def test_a_subclass_overriding_getitem_is_read_through_it():
    class Doubled(TensorDataset):
        def __getitem__(self, index):
            (value,) = super().__getitem__(index)
            return value * 2

    (batch,) = DataLoader(Doubled(np.arange(3)), batch_size=3)
    assert batch.tolist() == [0, 2, 4]


def test_manual_seed_reproduces_the_shuffled_epochs_and_epochs_differ():
    loader = DataLoader(_indexed(100), batch_size=10, shuffle=True)
    mytorch.manual_seed(7)
    first_run = [np.concatenate(_epoch(loader)) for _ in range(2)]
    mytorch.manual_seed(7)
    second_run = [np.concatenate(_epoch(loader)) for _ in range(2)]
    np.testing.assert_array_equal(first_run[0], second_run[0])
    np.testing.assert_array_equal(first_run[1], second_run[1])
    assert not np.array_equal(first_run[0], first_run[1])
    assert not np.array_equal(first_run[0], np.arange(100))


def test_shuffling_draws_from_the_framework_generator_at_each_epoch():
    loader = DataLoader(_indexed(30), batch_size=30, shuffle=True)
    mytorch.manual_seed(11)
    expected = mytorch.default_generator().permutation(30)
    mytorch.manual_seed(11)  # after the loader was made: it must still take effect
    (batch,) = _epoch(loader)
    np.testing.assert_array_equal(batch, expected)


def test_the_permutation_is_drawn_when_the_epoch_starts():
    loader = DataLoader(_indexed(30), batch_size=30, shuffle=True)
    mytorch.manual_seed(5)
    iterator = iter(loader)
    mytorch.randn(3)  # a draw between iter() and next() must not change the order
    (_, labels) = next(iterator)
    mytorch.manual_seed(5)
    np.testing.assert_array_equal(labels.numpy(), mytorch.default_generator().permutation(30))


def test_a_seeded_loader_ignores_the_framework_generator():
    orders = []
    for global_seed in (1, 2):
        mytorch.manual_seed(global_seed)
        loader = DataLoader(_indexed(40), batch_size=40, shuffle=True, seed=123)
        orders.append([np.concatenate(_epoch(loader)) for _ in range(2)])
    np.testing.assert_array_equal(orders[0][0], orders[1][0])
    np.testing.assert_array_equal(orders[0][1], orders[1][1])
    assert not np.array_equal(orders[0][0], orders[0][1])


def test_a_given_generator_is_used():
    loader = DataLoader(
        _indexed(20), batch_size=20, shuffle=True, generator=np.random.default_rng(4)
    )
    (batch,) = _epoch(loader)
    np.testing.assert_array_equal(batch, np.random.default_rng(4).permutation(20))


def test_batches_never_require_grad_and_are_copies():
    inputs = mytorch.randn(6, 2, requires_grad=True)
    for dataset in (TensorDataset(inputs), IndexDataset(6)):
        for batch in DataLoader(dataset, batch_size=4):
            tensor = batch[0]
            assert not tensor.requires_grad and tensor.grad_fn is None
    (batch,) = next(iter(DataLoader(TensorDataset(inputs), batch_size=6)))
    batch.data[:] = 0.0  # editing a batch must not edit the dataset
    assert np.abs(inputs.data).sum() > 0


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, None])
def test_a_bad_batch_size_is_rejected(batch_size):
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        DataLoader(_indexed(3), batch_size=batch_size)


def test_generator_and_seed_together_are_rejected():
    with pytest.raises(ValueError, match="either generator or seed"):
        DataLoader(_indexed(3), generator=np.random.default_rng(0), seed=0)


def test_a_legacy_random_state_is_not_a_generator():
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator, got RandomState"):
        DataLoader(_indexed(3), generator=np.random.RandomState(0))


def test_samples_that_cannot_be_collated_name_their_type_and_index():
    class Nones(IndexDataset):
        def __getitem__(self, index):
            return None

    with pytest.raises(TypeError, match="cannot collate dataset index 3, of type NoneType"):
        next(iter(DataLoader(Nones(5), batch_size=2, sampler=[3, 1])))


def test_len_counts_batches():
    assert len(DataLoader(_indexed(10), batch_size=3)) == 4
    assert len(DataLoader(_indexed(10), batch_size=3, drop_last=True)) == 3
    assert len(DataLoader(_indexed(0), batch_size=3)) == 0


def test_like_pytorch_batches_of_a_tensor_dataset_are_lists():
    torch = pytest.importorskip("torch")
    ours = next(iter(DataLoader(_indexed(4), batch_size=2)))
    theirs = next(
        iter(
            torch.utils.data.DataLoader(
                torch.utils.data.TensorDataset(torch.arange(4.0)[:, None], torch.arange(4)),
                batch_size=2,
            )
        )
    )
    assert type(ours) is type(theirs) is list
    for mine, reference in zip(ours, theirs):
        np.testing.assert_array_equal(mine.numpy(), reference.numpy())
