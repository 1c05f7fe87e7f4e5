"""A small problem for the optimiser tests: a two-layer tanh MLP on fixed float64 data.

The network is built from raw tensors (no ``mytorch.nn``), once in mytorch and once
in PyTorch from the same initial weights, so that the two optimisers' trajectories
can be compared step by step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import mytorch

#: Agreement with PyTorch in float64: the formulas are the same, so only round-off differs.
RTOL = 1e-12
ATOL = 1e-14


class MLP:
    """``loss = mean((tanh(x @ W1 + b1) @ W2 + b2 - y) ** 2)`` with W1 (3, 5), W2 (5, 2)."""

    shapes = ((3, 5), (5,), (5, 2), (2,))

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.x = rng.standard_normal((8, 3))
        self.y = rng.standard_normal((8, 2))
        self.initial = [rng.standard_normal(shape) for shape in self.shapes]

    def params(self, values: list[np.ndarray] | None = None) -> list[mytorch.Tensor]:
        """Fresh mytorch leaves (copies of ``values``, by default the initial weights)."""
        values = self.initial if values is None else values
        return [mytorch.tensor(v.copy(), requires_grad=True) for v in values]

    def loss(self, params: list[mytorch.Tensor]) -> mytorch.Tensor:
        w1, b1, w2, b2 = params
        hidden = (mytorch.tensor(self.x) @ w1 + b1).tanh()
        return ((hidden @ w2 + b2 - mytorch.tensor(self.y)) ** 2).mean()

    def torch_params(self, torch: Any) -> list[Any]:
        return [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in self.initial]

    def torch_loss(self, torch: Any, params: list[Any]) -> Any:
        w1, b1, w2, b2 = params
        hidden = torch.tanh(torch.tensor(self.x) @ w1 + b1)
        return ((hidden @ w2 + b2 - torch.tensor(self.y)) ** 2).mean()


@pytest.fixture
def mlp() -> MLP:
    return MLP()


@pytest.fixture
def torch() -> Any:
    """The torch module, or skip the test where it is not installed."""
    return pytest.importorskip("torch")


@pytest.fixture
def train(mlp: MLP) -> Callable[..., list[list[np.ndarray]]]:
    """Run ``steps`` optimiser steps on the MLP; return the weights after each step."""

    def run(optimizer: Any, params: list[mytorch.Tensor], steps: int) -> list[list[np.ndarray]]:
        trajectory = []
        for _ in range(steps):
            optimizer.zero_grad()
            mlp.loss(params).backward()
            optimizer.step()
            trajectory.append([p.data.copy() for p in params])
        return trajectory

    return run


@pytest.fixture
def compare_with_torch(mlp: MLP, torch: Any, train: Callable[..., Any]) -> Callable[..., None]:
    """Train the MLP with our optimiser and torch's; assert the weights agree at every step.

    ``make_ours(params)`` and ``make_theirs(params)`` build the two optimisers over
    the four weights, in the same order. Ours is saved after ``resume_at`` steps and
    loaded into a fresh optimiser over fresh copies of the weights (a restart), which
    then continues: the whole run must still follow torch's.
    """

    def compare(
        make_ours: Callable, make_theirs: Callable, steps: int = 24, resume_at: int = 10
    ) -> None:
        params = mlp.params()
        optimizer = make_ours(params)
        ours = train(optimizer, params, resume_at)
        saved = optimizer.state_dict()
        del optimizer
        params = mlp.params([p.data.copy() for p in params])
        optimizer = make_ours(params)
        optimizer.load_state_dict(saved)
        ours += train(optimizer, params, steps - resume_at)
        theirs_params = mlp.torch_params(torch)
        theirs = make_theirs(theirs_params)
        for step in range(steps):
            theirs.zero_grad()
            mlp.torch_loss(torch, theirs_params).backward()
            theirs.step()
            for index, (mine, reference) in enumerate(zip(ours[step], theirs_params)):
                np.testing.assert_allclose(
                    mine,
                    reference.detach().numpy(),
                    rtol=RTOL,
                    atol=ATOL,
                    err_msg=f"parameter {index} after step {step + 1}",
                )
        # The run must have moved the weights, or the comparison proves nothing.
        assert not np.allclose(ours[-1][0], mlp.initial[0])

    return compare
