"""``default_collate``: stack a list of samples into one batch with the samples' structure.

The rules are PyTorch's ``default_collate``, field by field, deciding on the first
sample's type: Tensors and numeric numpy arrays are stacked along a new first axis
(keeping their dtype); Python floats become float64, ints int64 and bools bool (a
field mixing ints and floats becomes floating point, never truncated); strings stay
a list; dicts collate per key, namedtuples per field, and tuples and lists become a
list with one batch per position. Unlike PyTorch, every sample must have the same
fields: a dict missing a key (or with an extra one) is an error naming the sample,
never a field silently dropped from the batch.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.tensor import Tensor, shape_str

__all__ = ["default_collate"]

_NUMBERS = (bool, int, float, np.bool_, np.number)


def default_collate(batch: Sequence[Any]) -> Any:
    """Collate a list of samples into a batch, as PyTorch's ``default_collate``.

    Parameters
    ----------
    batch : sequence
        The samples, each a Tensor, numpy array, number, string, dict, namedtuple,
        tuple or list (nested as deeply as needed), all with the same structure.

    Returns
    -------
    The batch: Tensors (with a new first axis of ``len(batch)``) in the samples'
    structure; tuples and lists of fields become lists.

    Raises
    ------
    KeyError
        If a dict sample lacks a key of the first sample, or has one more.
    RuntimeError
        If Tensors or arrays of one field differ in shape, or sequences in length.
    TypeError
        For a field holding another type, or different types in different samples.
        Every message names the field and the sample.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.utils.data import default_collate
    >>> images, labels = default_collate([(mytorch.zeros(2), 3), (mytorch.ones(2), 7)])
    >>> images.shape, labels.tolist(), labels.dtype
    ((2, 2), [3, 7], dtype('int64'))
    >>> default_collate([{"x": 1.5, "name": "a"}, {"x": 2, "name": "b"}])
    {'x': tensor([1.5, 2. ], dtype=float64), 'name': ['a', 'b']}
    """
    return collate_samples(batch, list(range(len(batch))), "sample")


def collate_samples(batch: Sequence[Any], labels: Sequence[int], kind: str) -> Any:
    """``default_collate`` with errors that call the samples ``f"{kind} {label}"``.

    The DataLoader passes the samples' dataset indices as ``labels`` (and ``kind``
    ``"dataset index"``), so an error points at the sample to look at.
    """
    if len(batch) == 0:
        raise ValueError("default_collate: the batch is empty")
    return _collate(list(batch), [f"{kind} {label}" for label in labels], "")


def _collate(samples: list[Any], names: list[str], field: str) -> Any:
    first = samples[0]
    where = f"field {field} of " if field else ""
    for sample, name in zip(samples, names):
        if not _same_kind(sample, first):
            raise TypeError(
                f"default_collate: {where}{name} is a {type(sample).__name__}, but "
                f"{where}{names[0]} is a {type(first).__name__}"
            )
    if isinstance(first, Tensor):
        return Tensor._wrap(_stack([s.data for s in samples], names, where))
    if isinstance(first, (np.ndarray, np.generic)) and first.dtype.kind in "biufc":
        return Tensor._wrap(_stack([np.asarray(s) for s in samples], names, where))
    if isinstance(first, (bool, int, float)):
        return Tensor._wrap(_numbers(samples))
    if isinstance(first, str):
        return list(samples)
    if isinstance(first, Mapping):
        return _collate_mapping(samples, names, field)
    if isinstance(first, (tuple, list)):
        return _collate_sequence(samples, names, field)
    kind = first.dtype if isinstance(first, (np.ndarray, np.generic)) else type(first).__name__
    raise TypeError(
        f"default_collate: cannot collate {where}{names[0]}, of type {kind}; samples must "
        "hold Tensors, numeric numpy arrays, numbers, strings, dicts, tuples or lists"
    )


def _same_kind(sample: Any, first: Any) -> bool:
    """Whether ``sample`` can be collated with ``first`` (numbers mix freely)."""
    if isinstance(first, (bool, int, float)):
        return isinstance(sample, (bool, int, float))
    if isinstance(first, (np.ndarray, np.generic)):
        return isinstance(sample, (np.ndarray, np.generic))
    for kind in (Tensor, str, Mapping, tuple, list):
        if isinstance(first, kind):
            return isinstance(sample, kind)
    return True


def _numbers(samples: list[Any]) -> np.ndarray:
    # PyTorch decides on the first sample: a float gives float64; an int gives
    # torch.tensor's inference (int64, or the default float dtype once a float is in).
    if isinstance(samples[0], float):
        return np.array(samples, dtype=dtypes.float64)
    if all(isinstance(s, bool) for s in samples):
        return np.array(samples, dtype=dtypes.bool_)
    if any(isinstance(s, float) for s in samples):
        return np.array(samples, dtype=dtypes.get_default_dtype())
    return np.array(samples, dtype=dtypes.int64)


def _stack(arrays: list[np.ndarray], names: list[str], where: str) -> np.ndarray:
    shape = arrays[0].shape
    for array, name in zip(arrays, names):
        if array.shape != shape:
            raise RuntimeError(
                f"default_collate: {where}{name} has shape {shape_str(array.shape)}, but "
                f"{where}{names[0]} has shape {shape_str(shape)}; samples of one batch "
                "must have the same shape (pad them, or pass a collate_fn)"
            )
    return np.stack(arrays)


def _collate_mapping(samples: list[Mapping], names: list[str], field: str) -> Any:
    keys = list(samples[0])
    for sample, name in zip(samples, names):
        missing = [key for key in keys if key not in sample]
        extra = [key for key in sample if key not in samples[0]]
        if missing or extra:
            problem = f"lacks the keys {missing}" if missing else f"has the extra keys {extra}"
            raise KeyError(
                f"default_collate: {f'field {field} of ' if field else ''}{name} {problem} "
                f"(compared with {names[0]}); every sample needs the same keys"
            )
    collated = {
        key: _collate([s[key] for s in samples], names, f"{field}[{key!r}]") for key in keys
    }
    # Keep the mapping's type (an OrderedDict, say) where a copy can be updated.
    try:
        result = copy.copy(samples[0])
        result.update(collated)  # type: ignore[attr-defined]
        return result
    except (TypeError, AttributeError):
        return collated


def _collate_sequence(samples: list[Sequence], names: list[str], field: str) -> Any:
    length = len(samples[0])
    for sample, name in zip(samples, names):
        if len(sample) != length:
            raise RuntimeError(
                f"default_collate: {f'field {field} of ' if field else ''}{name} has "
                f"{len(sample)} elements, but {names[0]} has {length}; each element in "
                "list of batch should be of equal size"
            )
    columns = [_collate([s[i] for s in samples], names, f"{field}[{i}]") for i in range(length)]
    if isinstance(samples[0], tuple) and hasattr(samples[0], "_fields"):  # a namedtuple
        return type(samples[0])(*columns)
    return columns
