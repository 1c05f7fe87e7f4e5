"""``mytorch.data``: a shorter name for ``mytorch.utils.data``, where the code lives.

The names below are the same objects, not copies.

Examples
--------
>>> import mytorch.data, mytorch.utils.data
>>> mytorch.data.DataLoader is mytorch.utils.data.DataLoader
True
"""

from mytorch.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    WorkerInfo,
    default_collate,
    get_worker_info,
    random_split,
)

__all__ = [
    "BatchSampler",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "TensorDataset",
    "WorkerInfo",
    "default_collate",
    "get_worker_info",
    "random_split",
]
