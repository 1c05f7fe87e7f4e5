"""The SPEC.md MNIST network in each framework, built from the same initial weights.

Each model class has the same two methods, ``train_step(x, y) -> loss`` and
``predict(x) -> labels``, taking numpy batches, so one training loop times them all:
``NumpyMLP`` (the floor, in ``numpy_mlp``), ``MytorchMLP`` and ``TorchMLP``. The
frameworks' versions are written as a user would write them with PyTorch's API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

import numpy as np

IN_FEATURES, HIDDEN, CLASSES = 784, 20, 10


class Model(Protocol):
    def train_step(self, x: np.ndarray, y: np.ndarray) -> float: ...

    def predict(self, x: np.ndarray) -> np.ndarray: ...


def initial_weights(seed: int = 0, hidden: int = HIDDEN) -> dict[str, np.ndarray]:
    """PyTorch's default initialisation, drawn once from numpy and copied into every framework.

    Linear layers: uniform in (-1/sqrt(fan_in), 1/sqrt(fan_in)); BatchNorm: ones and zeros.
    """
    rng = np.random.default_rng(seed)

    def uniform(fan_in: int, *shape: int) -> np.ndarray:
        bound = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, size=shape).astype(np.float32)

    return {
        "fc1.weight": uniform(IN_FEATURES, hidden, IN_FEATURES),
        "fc1.bias": uniform(IN_FEATURES, hidden),
        "bn.weight": np.ones(hidden, dtype=np.float32),
        "bn.bias": np.zeros(hidden, dtype=np.float32),
        "fc2.weight": uniform(hidden, CLASSES, hidden),
        "fc2.bias": uniform(hidden, CLASSES),
    }


def synthetic_mnist(samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-shaped data: float32 pixels in [0, 1) and int64 labels 0..9.

    The labels come from a fixed random linear teacher on the centred pixels, so there is
    something to learn and the loss falls as it does on real digits. No temporary as large
    as ``x`` is made, so that the memory benchmark's peak is the training's own.
    """
    rng = np.random.default_rng(seed)
    x = rng.random((samples, IN_FEATURES), dtype=np.float32)
    teacher = rng.standard_normal((IN_FEATURES, CLASSES)).astype(np.float32)
    scores = x @ teacher - 0.5 * teacher.sum(axis=0)  # (x - 0.5) @ teacher
    return x, scores.argmax(axis=1).astype(np.int64)


def batches(samples: int, batch_size: int, order: np.ndarray | None = None) -> Iterable[Any]:
    """Index objects for each batch: slices in order, or chunks of a permutation."""
    for start in range(0, samples, batch_size):
        if order is None:
            yield slice(start, start + batch_size)
        else:
            yield order[start : start + batch_size]


def train_epoch(
    model: Model,
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int = 100,
    order: np.ndarray | None = None,
) -> float:
    """Train one epoch; return the mean of the batch losses."""
    losses = [model.train_step(x[index], y[index]) for index in batches(len(x), batch_size, order)]
    return float(np.mean(losses))


def accuracy(model: Model, x: np.ndarray, y: np.ndarray) -> float:
    """The fraction of ``x`` that ``model`` classifies as ``y``."""
    return float((model.predict(x) == y).mean())


class MytorchMLP:
    """The network in mytorch, written as a PyTorch user would write it.

    With ``compiled=True`` its training step is ``mytorch.compile``'d.
    """

    def __init__(
        self, weights: dict[str, np.ndarray], lr: float = 0.1, compiled: bool = False
    ) -> None:
        import mytorch
        from mytorch import nn, optim

        self.mytorch = mytorch
        hidden = weights["bn.weight"].shape[0]
        fc1, bn, fc2 = (
            nn.Linear(IN_FEATURES, hidden),
            nn.BatchNorm1d(hidden),
            nn.Linear(hidden, CLASSES),
        )
        self.layers = {"fc1": fc1, "bn": bn, "fc2": fc2}
        self.model = nn.Sequential(fc1, bn, nn.ReLU(), fc2)
        with mytorch.no_grad():
            for name, value in weights.items():
                layer, attribute = name.split(".")
                getattr(self.layers[layer], attribute).copy_(value)
        self.loss_fn = nn.CrossEntropyLoss()
        self.optimizer = optim.SGD(self.model.parameters(), lr=lr)
        self.model.train()
        self.step = mytorch.compile(self._step) if compiled else self._step

    def _step(self, x: np.ndarray, y: np.ndarray) -> Any:
        inputs, targets = self.mytorch.Tensor(x), self.mytorch.Tensor(y)
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(inputs), targets)
        loss.backward()
        self.optimizer.step()
        return loss

    def train_step(self, x: np.ndarray, y: np.ndarray) -> float:
        return self.step(x, y).item()

    def predict(self, x: np.ndarray) -> np.ndarray:
        self.model.eval()
        with self.mytorch.no_grad():
            logits = self.model(self.mytorch.Tensor(x))
        self.model.train()
        return logits.argmax(dim=1).numpy()


class TorchMLP:
    """The same network in PyTorch (CPU, eager)."""

    def __init__(self, weights: dict[str, np.ndarray], lr: float = 0.1) -> None:
        import torch
        from torch import nn

        self.torch = torch
        hidden = weights["bn.weight"].shape[0]
        fc1, bn, fc2 = (
            nn.Linear(IN_FEATURES, hidden),
            nn.BatchNorm1d(hidden),
            nn.Linear(hidden, CLASSES),
        )
        self.layers = {"fc1": fc1, "bn": bn, "fc2": fc2}
        self.model = nn.Sequential(fc1, bn, nn.ReLU(), fc2)
        with torch.no_grad():
            for name, value in weights.items():
                layer, attribute = name.split(".")
                getattr(self.layers[layer], attribute).copy_(torch.from_numpy(value))
        self.loss_fn = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=lr)
        self.model.train()

    def train_step(self, x: np.ndarray, y: np.ndarray) -> float:
        inputs, targets = self.torch.from_numpy(x), self.torch.from_numpy(y)
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(inputs), targets)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def predict(self, x: np.ndarray) -> np.ndarray:
        self.model.eval()
        with self.torch.no_grad():
            logits = self.model(self.torch.from_numpy(x))
        self.model.train()
        return logits.argmax(dim=1).numpy()
