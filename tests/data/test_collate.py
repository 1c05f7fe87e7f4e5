"""default_collate: PyTorch's rules for every kind of field, and errors that name the sample."""

from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import mytorch
from mytorch.utils.data import DataLoader, Dataset, default_collate

Point = namedtuple("Point", ["x", "label"])


def _numpy(batch):
    """A batch with every Tensor (ours or torch's) as a numpy array, to compare the two."""
    if hasattr(batch, "numpy") and not isinstance(batch, np.ndarray):
        return batch.numpy()
    if isinstance(batch, dict):
        return {key: _numpy(value) for key, value in batch.items()}
    if isinstance(batch, (list, tuple)):
        return (
            type(batch)(*map(_numpy, batch))
            if hasattr(batch, "_fields")
            else [_numpy(v) for v in batch]
        )
    return batch


def _same(ours, theirs):
    assert type(ours) is type(theirs), (ours, theirs)
    if isinstance(ours, np.ndarray):
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs)
    elif isinstance(ours, dict):
        assert list(ours) == list(theirs)
        for key in ours:
            _same(ours[key], theirs[key])
    elif isinstance(ours, (list, tuple)):
        assert len(ours) == len(theirs)
        for mine, reference in zip(ours, theirs):
            _same(mine, reference)
    else:
        assert ours == theirs


# Each: the samples, for us and (with numpy arrays in place of Tensors) for torch.
BATCHES = {
    "ints": [3, 7],
    "floats": [1.5, 2.0],
    "bools": [True, False],
    "int then float": [1, 2.5],
    "float then int": [2.5, 1],
    "bool and int": [True, 2],
    "numpy scalars": [np.float32(1), np.float32(2)],
    "numpy int32 arrays": [np.arange(3, dtype=np.int32), np.arange(3, dtype=np.int32)],
    "0-d arrays": [np.array(1.0), np.array(2.0)],
    "strings": ["a", "b"],
    "tuples": [(np.zeros(2, np.float32), 1), (np.ones(2, np.float32), 2)],
    "lists": [[1, 2.0], [3, 4.0]],
    "dicts": [{"x": np.zeros(2), "y": 1, "n": "a"}, {"x": np.ones(2), "y": 2, "n": "b"}],
    "nested": [{"a": (1, {"b": [1.5]})}, {"a": (2, {"b": [2.5]})}],
    "namedtuples": [Point(np.zeros(1), 1), Point(np.ones(1), 2)],
    "ordered dicts": [OrderedDict(b=1, a=2), OrderedDict(b=3, a=4)],
}


@pytest.mark.parametrize("name", list(BATCHES))
def test_default_collate_matches_pytorch(name):
    torch = pytest.importorskip("torch")
    samples = BATCHES[name]
    theirs = _numpy(torch.utils.data.default_collate(samples))
    ours = _numpy(default_collate(samples))
    _same(ours, theirs)


def test_tensors_are_stacked_with_their_dtype():
    batch = default_collate([mytorch.ones(2, dtype=mytorch.float64), mytorch.zeros(2)])
    assert batch.shape == (2, 2) and batch.dtype == np.float64


def test_mixed_int_and_float_labels_are_not_truncated():
    class Labels(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            return [1, 0.5, 2, 0.25][index]

    (batch,) = DataLoader(Labels(), batch_size=4)
    assert batch.tolist() == [1.0, 0.5, 2.0, 0.25] and batch.dtype.kind == "f"


def test_a_dict_missing_a_key_names_the_sample():
    class Records(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            return {"x": 1.0} if index == 2 else {"x": 1.0, "y": 2}

    with pytest.raises(KeyError, match=r"dataset index 2 lacks the keys \['y'\]"):
        list(DataLoader(Records(), batch_size=4))
    with pytest.raises(KeyError, match=r"sample 1 has the extra keys \['z'\]"):
        default_collate([{"x": 1}, {"x": 2, "z": 3}])


def test_samples_of_different_shapes_name_the_sample_and_shapes():
    class Ragged(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, index):
            return mytorch.zeros(3 if index == 5 else 2), index

    message = (
        r"field \[0\] of dataset index 5 has shape \(3,\), but field \[0\] of dataset index 4"
    )
    with pytest.raises(RuntimeError, match=message):
        list(DataLoader(Ragged(), batch_size=2))


def test_sequences_of_different_lengths_name_the_sample():
    with pytest.raises(RuntimeError, match="sample 1 has 3 elements, but sample 0 has 2"):
        default_collate([(1, 2), (1, 2, 3)])


def test_different_types_in_one_field_name_the_sample():
    with pytest.raises(TypeError, match=r"field \['x'\] of sample 1 is a str, but"):
        default_collate([{"x": mytorch.zeros(1)}, {"x": "one"}])


def test_object_arrays_are_refused_like_pytorch():
    with pytest.raises(TypeError, match="cannot collate sample 0, of type object"):
        default_collate([np.array([None]), np.array([None])])
