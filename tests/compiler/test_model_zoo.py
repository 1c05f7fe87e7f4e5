"""Many kinds of model: each step is replayed exactly as eager runs it, or runs eagerly.

A capture that missed something computed from data (a mask, a statistic, a count) would
replay the first batch's value; these models take new data every step, so a stale value
would show as a difference from eager.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import mytorch
import mytorch.nn.functional as F
from mytorch import nn, optim

Case = tuple[Callable[[], nn.Module], Callable[[np.random.Generator], tuple], Callable[..., Any]]


def classes(rng: np.random.Generator, *shape: int) -> tuple:
    x = mytorch.tensor(rng.normal(size=(8, *shape)).astype(np.float32))
    return x, mytorch.tensor(rng.integers(0, 3, 8))


def targets(rng: np.random.Generator) -> tuple:
    x = mytorch.tensor(rng.normal(size=(8, 4)).astype(np.float32))
    return x, mytorch.tensor(rng.random((8, 3)).astype(np.float32))


CASES: dict[str, tuple[Case, bool]] = {
    # name: ((model, batch, loss), captured?)
    "mse": ((lambda: nn.Linear(4, 3), targets, lambda m, x, y: F.mse_loss(m(x), y)), True),
    "l1 + smooth l1": (
        (
            lambda: nn.Linear(4, 3),
            targets,
            lambda m, x, y: F.l1_loss(m(x), y) + F.smooth_l1_loss(m(x), y),
        ),
        True,
    ),
    "bce with logits": (
        (
            lambda: nn.Linear(4, 3),
            targets,
            lambda m, x, y: F.binary_cross_entropy_with_logits(m(x), y),
        ),
        True,
    ),
    "layer norm, gelu, dropout": (
        (
            lambda: nn.Sequential(
                nn.Linear(4, 6), nn.LayerNorm(6), nn.GELU(), nn.Dropout(0.5), nn.Linear(6, 3)
            ),
            lambda rng: classes(rng, 4),
            lambda m, x, y: F.cross_entropy(m(x), y),
        ),
        True,
    ),
    "conv, padding, average pooling": (
        (
            lambda: nn.Sequential(
                nn.Conv2d(1, 2, 3, padding=1), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(8, 3)
            ),
            lambda rng: classes(rng, 1, 4, 4),
            lambda m, x, y: F.cross_entropy(m(x), y),
        ),
        True,
    ),
    "adaptive pooling, tanh, log_softmax + nll": (
        (
            lambda: nn.Sequential(
                nn.Conv2d(1, 2, 3),
                nn.Tanh(),
                nn.AdaptiveAvgPool2d(1),
                nn.Flatten(),
                nn.Linear(2, 3),
            ),
            lambda rng: classes(rng, 1, 5, 5),
            lambda m, x, y: F.nll_loss(m(x).log_softmax(dim=1), y),
        ),
        True,
    ),
    "kl divergence": (
        (
            lambda: nn.Linear(4, 3),
            lambda rng: (targets(rng)[0], mytorch.tensor(rng.dirichlet(np.ones(3), 8))),
            lambda m, x, y: F.kl_div(m(x).log_softmax(dim=1), y.float(), reduction="batchmean"),
        ),
        True,
    ),
    "embedding with max_norm": (
        (
            lambda: nn.Sequential(
                nn.Embedding(10, 4, max_norm=1.0), nn.Flatten(), nn.Linear(8, 3)
            ),
            lambda rng: (
                mytorch.tensor(rng.integers(0, 10, (8, 2))),
                mytorch.tensor(rng.integers(0, 3, 8)),
            ),
            lambda m, x, y: F.cross_entropy(m(x), y),
        ),
        True,
    ),
    "batch norm with a cumulative average (momentum=None)": (
        (
            lambda: nn.Sequential(
                nn.Linear(4, 5), nn.BatchNorm1d(5, momentum=None), nn.Linear(5, 3)
            ),
            lambda rng: classes(rng, 4),
            lambda m, x, y: F.cross_entropy(m(x), y),
        ),
        True,  # the op counts the batches and averages by the count it made
    ),
    "cross-entropy with class weights": (
        (
            lambda: nn.Linear(4, 3),
            lambda rng: classes(rng, 4),
            lambda m, x, y: F.cross_entropy(m(x), y, weight=mytorch.tensor([1.0, 2.0, 0.5])),
        ),
        False,  # its labels pick rows through a numpy index
    ),
    "label smoothing": (
        (
            lambda: nn.Linear(4, 3),
            lambda rng: classes(rng, 4),
            lambda m, x, y: F.cross_entropy(m(x), y, label_smoothing=0.1),
        ),
        False,
    ),
}


def train(case: Case, compiled: bool) -> tuple[list[np.ndarray], list[np.ndarray], Any]:
    build, make_batch, loss_fn = case
    mytorch.manual_seed(0)
    model = build()
    opt = optim.Adam(model.parameters(), lr=1e-2)

    def step(x: mytorch.Tensor, y: mytorch.Tensor) -> mytorch.Tensor:
        opt.zero_grad()
        loss = loss_fn(model, x, y)
        loss.backward()
        opt.step()
        return loss

    run = mytorch.compile(step) if compiled else step
    rng = np.random.default_rng(5)
    losses = [run(*make_batch(rng)).data for _ in range(6)]
    # The buffers too: running statistics and batch counters must move as in eager.
    state = [p.data for p in model.parameters()] + [b.data for b in model.buffers()]
    return losses, state, run


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_model_replays_as_eager_or_runs_eagerly(name: str) -> None:
    case, captured = CASES[name]
    eager_losses, eager_params, _ = train(case, compiled=False)
    losses, params, run = train(case, compiled=True)
    for a, b in zip(eager_losses, losses):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(eager_params, params):
        np.testing.assert_array_equal(a, b)
    assert bool(run.programs()) == captured, run.explain()
