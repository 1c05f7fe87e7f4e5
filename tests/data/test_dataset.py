"""Dataset and TensorDataset."""

from __future__ import annotations

import re

import numpy as np
import pytest

import mytorch
from mytorch.data import Dataset, TensorDataset


def test_dataset_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        Dataset()


def test_a_dataset_missing_len_cannot_be_made():
    class OnlyGetItem(Dataset):
        def __getitem__(self, index):
            return index

    with pytest.raises(TypeError, match="__len__"):
        OnlyGetItem()


def test_tensor_dataset_returns_rows_of_each_tensor():
    inputs = mytorch.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    labels = mytorch.tensor([5, 6, 7], dtype=mytorch.int64)
    dataset = TensorDataset(inputs, labels)
    assert len(dataset) == 3
    row, label = dataset[2]
    assert row.tolist() == [4.0, 5.0] and label.item() == 7
    assert label.dtype == np.int64


def test_tensor_dataset_wraps_arrays_keeping_their_dtype():
    dataset = TensorDataset(np.arange(4, dtype=np.uint8), np.zeros((4, 2)))
    assert [t.dtype for t in dataset.tensors] == [np.uint8, np.float64]


def test_tensor_dataset_samples_never_require_grad():
    weights = mytorch.randn(4, 3, requires_grad=True)
    sample = TensorDataset(weights)[1][0]
    assert not sample.requires_grad and sample.grad_fn is None


@pytest.mark.parametrize(
    ("tensors", "message"),
    [
        ((), "needs at least one tensor"),
        (
            (np.zeros((3, 2)), np.zeros(4)),
            "all tensors must have the same first dimension (the number of samples), "
            "got shapes (3, 2), (4,)",
        ),
        (
            (np.zeros(3), np.float32(1.0)),
            "every tensor needs a first (sample) dimension, got shapes (3,), ()",
        ),
    ],
    ids=["none", "lengths-differ", "zero-dimensional"],
)
def test_tensor_dataset_rejects_bad_tensors_with_their_shapes(tensors, message):
    with pytest.raises(ValueError, match=re.escape(f"TensorDataset: {message}")):
        TensorDataset(*tensors)
