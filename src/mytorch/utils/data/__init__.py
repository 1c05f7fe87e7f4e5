"""Data loading, at PyTorch's import path: datasets of samples and a loader that batches them.

``from mytorch.utils.data import DataLoader, TensorDataset`` works as
``from torch.utils.data import ...`` does; ``mytorch.data`` is the same objects under
a shorter name.

Examples
--------
>>> import mytorch
>>> from mytorch.utils.data import DataLoader, TensorDataset
>>> dataset = TensorDataset(mytorch.randn(10, 3), mytorch.zeros(10, dtype=mytorch.int64))
>>> [inputs.shape for inputs, _ in DataLoader(dataset, batch_size=4)]
[(4, 3), (4, 3), (2, 3)]
"""

from mytorch.utils.data.collate import default_collate
from mytorch.utils.data.dataloader import DataLoader
from mytorch.utils.data.dataset import (
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from mytorch.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from mytorch.utils.data.worker import WorkerInfo, get_worker_info

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
