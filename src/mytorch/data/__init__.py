"""Data loading: datasets of samples and a loader that batches and shuffles them.

Examples
--------
>>> import mytorch
>>> from mytorch.data import DataLoader, TensorDataset
>>> dataset = TensorDataset(mytorch.randn(10, 3), mytorch.zeros(10, dtype=mytorch.int64))
>>> [inputs.shape for inputs, _ in DataLoader(dataset, batch_size=4)]
[(4, 3), (4, 3), (2, 3)]
"""

from mytorch.data.dataloader import DataLoader, collate
from mytorch.data.dataset import Dataset, TensorDataset

__all__ = ["DataLoader", "Dataset", "TensorDataset", "collate"]
