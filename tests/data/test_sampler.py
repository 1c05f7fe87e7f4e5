"""Samplers, Subset and random_split, and their use in DataLoader; PyTorch's import path."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    random_split,
)


def test_pytorch_import_path_and_the_short_alias_are_the_same_objects():
    import mytorch.data
    import mytorch.utils.data

    for name in mytorch.utils.data.__all__:
        assert getattr(mytorch.data, name) is getattr(mytorch.utils.data, name)
    assert sorted(mytorch.data.__all__) == sorted(mytorch.utils.data.__all__)


def test_random_sampler_draws_a_permutation_per_iter_from_the_framework_generator():
    sampler = RandomSampler(range(10))
    mytorch.manual_seed(3)
    first, second = list(sampler), list(sampler)
    mytorch.manual_seed(3)
    assert first == mytorch.default_generator().permutation(10).tolist()
    assert second == mytorch.default_generator().permutation(10).tolist()


@pytest.mark.parametrize("num_samples", [3, 10, 25])
def test_random_sampler_num_samples(num_samples):
    drawn = list(
        RandomSampler(range(10), num_samples=num_samples, generator=np.random.default_rng(0))
    )
    assert len(drawn) == num_samples
    counts = np.bincount(drawn, minlength=10)
    assert counts.max() - counts.min() <= 1  # whole permutations, then part of one
    with_replacement = RandomSampler(range(4), True, 50, np.random.default_rng(0))
    assert len(list(with_replacement)) == 50 and set(with_replacement) <= set(range(4))


def test_batch_sampler_as_pytorch():
    torch = pytest.importorskip("torch")
    for drop_last in (False, True):
        ours = list(BatchSampler(SequentialSampler(range(7)), 3, drop_last))
        theirs = list(torch.utils.data.BatchSampler(range(7), 3, drop_last))
        assert ours == theirs
        assert len(BatchSampler(range(7), 3, drop_last)) == len(theirs)


def test_loader_with_a_sampler_and_a_batch_sampler():
    dataset = TensorDataset(np.arange(6))
    assert [b[0].tolist() for b in DataLoader(dataset, 2, sampler=[5, 4, 3])] == [[5, 4], [3]]
    loader = DataLoader(dataset, batch_sampler=[[0, 2], [1]])
    assert [b[0].tolist() for b in loader] == [[0, 2], [1]] and len(loader) == 2
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(dataset, sampler=[0], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(dataset, batch_size=2, batch_sampler=[[0]])


def test_subset_and_random_split():
    dataset = TensorDataset(np.arange(10) * 10)
    subset = Subset(dataset, [7, 2])
    assert len(subset) == 2 and subset[0][0].item() == 70
    assert [b[0].tolist() for b in DataLoader(subset, batch_size=2)] == [[70, 20]]
    parts = random_split(dataset, [0.5, 0.3, 0.2], generator=np.random.default_rng(1))
    assert [len(p) for p in parts] == [5, 3, 2]
    indices = sorted(i for p in parts for i in p.indices)
    assert indices == list(range(10))
    assert [len(p) for p in random_split(range(5), [0.5, 0.5])] == [3, 2]  # as PyTorch
    with pytest.raises(ValueError, match=r"add up to 9, but the dataset has 10 samples"):
        random_split(dataset, [4, 5])


def test_random_split_lengths_match_pytorch():
    torch = pytest.importorskip("torch")
    for lengths in ([0.5, 0.5], [0.7, 0.2, 0.1], [0.33, 0.33, 0.34]):
        for size in (10, 11, 23):
            theirs = [len(p) for p in torch.utils.data.random_split(range(size), lengths)]
            assert [len(p) for p in random_split(range(size), lengths)] == theirs
