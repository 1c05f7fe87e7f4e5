"""Hostile and bad input to losses, layers, modules, optimisers and data loading: one table.

Each case must raise the exception type given, with a message naming the loss, layer
or optimiser and the offending shape or value, and change nothing (see ``refused`` in
conftest.py): modules keep their parameters, buffers and modes, optimisers their state.
Cases that fail today are xfail (strict), with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hostile_tables import Case, leaf, nothing, params

import mytorch
from mytorch import nn
from mytorch.data import DataLoader, Dataset, TensorDataset
from mytorch.nn import functional as F
from mytorch.optim import SGD, Adam, Optimizer
from mytorch.optim.lr_scheduler import StepLR


def labels(*values: Any) -> mytorch.Tensor:
    return mytorch.Tensor(np.array(values))


def trained_optimizer(kind: type[Optimizer], size: int, **options: Any) -> list[Any]:
    """A parameter and its optimiser after one step, so the optimiser has state."""
    weight = leaf(size)
    optimizer = kind([weight], lr=0.1, **options)
    (weight * weight).sum().backward()
    optimizer.step()
    return [weight, optimizer]


def read_only_parameter(kind: type[Optimizer]) -> list[Any]:
    """Two parameters with gradients, the second over a read-only array."""
    array = np.ones(2)
    array.flags.writeable = False
    first, second = leaf(2), mytorch.Tensor(array, requires_grad=True)
    (first * second).sum().backward()
    return [first, second, kind([first, second], lr=0.1)]


class Ragged(Dataset):
    """Sample 1 is longer than the others; sample 2 lacks the label field."""

    def __len__(self) -> int:
        return 3

    def __getitem__(self, index: int) -> dict:
        sample = {"x": mytorch.zeros(3 if index == 1 else 2), "y": index}
        if index == 2:
            del sample["y"]
        return sample


class Sets(Dataset):
    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int) -> set:
        return {7}


BN = r"BatchNorm1d\(3, .*\): expected"


CASES = [
    # Losses: labels and targets.
    Case(
        "cross_entropy: NaN labels",
        lambda: [leaf(2, 3), labels(np.nan, 1.0)],
        F.cross_entropy,
        TypeError,
        r"cross_entropy: .*integer dtype, got dtype float64 \(with NaN",
    ),
    Case(
        "cross_entropy: Inf labels",
        lambda: [leaf(2, 3), labels(np.inf, 1.0)],
        F.cross_entropy,
        TypeError,
        r"cross_entropy: .*integer dtype, got dtype float64",
    ),
    Case(
        "cross_entropy: a label too large",
        lambda: [leaf(2, 3), labels(5, 1)],
        F.cross_entropy,
        ValueError,
        r"cross_entropy: labels must be in \[0, 3\).* got \[5\]",
    ),
    Case(
        "cross_entropy: a negative label",
        lambda: [leaf(2, 3), labels(0, -1)],
        F.cross_entropy,
        ValueError,
        r"cross_entropy: .*\[0, 3\).* got \[-1\] at position\(s\) \[1\]",
    ),
    Case(
        "cross_entropy: labels of the wrong length",
        lambda: [leaf(4, 3), labels(0, 1, 2)],
        F.cross_entropy,
        ValueError,
        r"cross_entropy: scores of shape \(4, 3\) need labels of shape \(4,\), got \(3,\)",
    ),
    Case(
        "CrossEntropyLoss: a reduction",
        nothing,
        lambda: nn.CrossEntropyLoss(reduction="avg"),
        ValueError,
        r"CrossEntropyLoss: reduction must be .*'avg'",
    ),
    Case(
        "nll_loss: 3-d scores, 1-d labels",
        lambda: [leaf(2, 3, 4), labels(0, 1)],
        F.nll_loss,
        ValueError,
        r"nll_loss: scores of shape \(2, 3, 4\) need labels of shape \(2, 4\), got \(2,\)",
    ),
    Case(
        "mse_loss: shapes",
        lambda: [leaf(4, 1), mytorch.ones(4)],
        F.mse_loss,
        ValueError,
        r"mse_loss: target of shape \(4,\) must have the input's shape \(4, 1\)",
    ),
    Case(
        "BCEWithLogitsLoss: a NaN target",
        lambda: [leaf(2), labels(np.nan, 1.0)],
        nn.BCEWithLogitsLoss(),
        ValueError,
        r"binary_cross_entropy_with_logits: .*nan",
    ),
    # Layers and modules.
    Case(
        "Linear: in_features",
        lambda: [nn.Linear(4, 2), leaf(2, 3)],
        lambda m, x: m(x),
        ValueError,
        r"Linear\(in_features=4, .*last dimension is 4.*\(2, 3\)",
    ),
    Case(
        "Linear: a negative size",
        nothing,
        lambda: nn.Linear(-1, 2),
        ValueError,
        r"Linear: in_features must be a non-negative integer, got -1",
    ),
    Case(
        "BatchNorm1d: channels",
        lambda: [nn.BatchNorm1d(3), leaf(4, 5)],
        lambda m, x: m(x),
        ValueError,
        BN + r" an input of shape \(N, 3\) .*got \(4, 5\)",
    ),
    Case(
        "BatchNorm1d: a batch of one",
        lambda: [nn.BatchNorm1d(3), leaf(1, 3)],
        lambda m, x: m(x),
        ValueError,
        BN + r" more than 1 value per channel.*\(1, 3\)",
    ),
    Case(
        "BatchNorm1d: an empty batch",
        lambda: [nn.BatchNorm1d(3), leaf(0, 3)],
        lambda m, x: m(x),
        ValueError,
        BN + r" more than 1 value per channel.*\(0, 3\)",
    ),
    Case(
        "Dropout: p",
        nothing,
        lambda: nn.Dropout(1.5),
        ValueError,
        r"Dropout: probability p must be between 0 and 1, got 1\.5",
    ),
    Case(
        "Sequential: not a module",
        nothing,
        lambda: nn.Sequential(nn.ReLU(), 3),
        TypeError,
        r"Sequential: entry '1' is a int, not a Module",
    ),
    Case(
        "Module: a plain tensor for a parameter",
        lambda: [nn.Linear(2, 2)],
        lambda m: setattr(m, "weight", mytorch.ones(2, 2)),
        TypeError,
        r"Linear: cannot assign a Tensor to parameter 'weight'",
    ),
    Case(
        "load_state_dict: shapes",
        lambda: [nn.Linear(4, 3)],
        lambda m: m.load_state_dict({"weight": np.ones((2, 4)), "bias": np.ones(3)}),
        RuntimeError,
        r"size mismatch for weight: .*\(2, 4\).*\(3, 4\)",
    ),
    Case(
        "load_state_dict: an object array",
        lambda: [nn.Linear(1, 1)],
        lambda m: m.load_state_dict({"weight": np.array([[object()]]), "bias": np.ones(1)}),
        RuntimeError,
        r"bad value for weight: .*dtype object",
    ),
    # Optimisers.
    Case(
        "SGD: a negative learning rate",
        lambda: [leaf(2)],
        lambda w: SGD([w], lr=-1.0),
        ValueError,
        r"SGD: invalid learning rate -1\.0",
    ),
    Case(
        "SGD: a NaN learning rate",
        lambda: [leaf(2)],
        lambda w: SGD([w], lr=float("nan")),
        ValueError,
        r"SGD: invalid learning rate nan",
    ),
    Case(
        "SGD: a non-leaf",
        lambda: [leaf(2)],
        lambda w: SGD([w * 2], lr=0.1),
        ValueError,
        r"SGD: parameter 0 of group 0 is not a leaf",
    ),
    Case(
        "Adam: beta1 of 1",
        lambda: [leaf(2)],
        lambda w: Adam([w], betas=(1.0, 0.999)),
        ValueError,
        r"Adam: invalid beta1 \(betas\[0\]\) 1\.0",
    ),
    Case(
        "SGD.load_state_dict: shapes",
        lambda: trained_optimizer(SGD, 2, momentum=0.9),
        lambda w, opt: opt.load_state_dict(
            trained_optimizer(SGD, 3, momentum=0.9)[1].state_dict()
        ),
        ValueError,
        r"(?s)SGD.load_state_dict: .*has shape \(3,\), the parameter has shape \(2,\)",
    ),
    Case(
        "SGD.step: a read-only parameter",
        lambda: read_only_parameter(SGD),
        lambda a, b, opt: opt.step(),
        ValueError,
        r"SGD.*parameter 1.*read-only",
    ),
    Case(
        "Adam.step: a read-only parameter",
        lambda: read_only_parameter(Adam),
        lambda a, b, opt: opt.step(),
        ValueError,
        r"Adam.*parameter 1.*read-only",
    ),
    Case(
        "StepLR: step_size 0",
        lambda: trained_optimizer(SGD, 2),
        lambda w, opt: StepLR(opt, step_size=0),
        ValueError,
        r"StepLR: step_size must be a positive int, got 0",
    ),
    # Data.
    Case(
        "DataLoader: batch_size 0",
        lambda: [TensorDataset(mytorch.ones(3, 2))],
        lambda d: DataLoader(d, batch_size=0),
        ValueError,
        r"DataLoader: batch_size .* got 0",
    ),
    Case(
        "DataLoader: batch_size 2.5",
        lambda: [TensorDataset(mytorch.ones(3, 2))],
        lambda d: DataLoader(d, batch_size=2.5),
        ValueError,
        r"DataLoader: batch_size .* 2\.5",
    ),
    Case(
        "DataLoader: samples of different shapes",
        nothing,
        lambda: list(DataLoader(Ragged(), 2)),
        RuntimeError,
        r"field \['x'\] of dataset index 1 has shape \(3,\), but .*index 0 has shape \(2,\)",
    ),
    Case(
        "DataLoader: a sample missing a field",
        nothing,
        lambda: list(DataLoader(Ragged(), 2, sampler=[0, 2])),
        KeyError,
        r"dataset index 2 lacks the keys \['y'\]",
    ),
    Case(
        "DataLoader: a worker's error",
        nothing,
        lambda: list(DataLoader(Ragged(), 2, num_workers=1)),
        RuntimeError,
        r"DataLoader worker 0 raised RuntimeError .*dataset index 1 has shape \(3,\)",
    ),
    Case(
        "DataLoader: samples of sets",
        nothing,
        lambda: list(DataLoader(Sets(), 2)),
        TypeError,
        r"default_collate: cannot collate dataset index 0, of type set",
    ),
    Case(
        "TensorDataset: lengths",
        lambda: [mytorch.ones(3, 2), mytorch.ones(4)],
        TensorDataset,
        ValueError,
        r"TensorDataset: .*same first dimension.*\(3, 2\), \(4,\)",
    ),
    Case(
        "TensorDataset: an object array",
        nothing,
        lambda: TensorDataset(np.array([None])),
        TypeError,
        r"cannot hold data of dtype object",
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_to_training_is_refused_clearly_and_changes_nothing(
    case: Case, refused: Callable[..., None]
) -> None:
    refused(case.call, case.build(), case.error, case.match)
