"""A replayed step computes what eager computes, bit for bit, step after step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mytorch
from mytorch import nn, optim

STEPS = 50


def mlp(dtype: Any, hidden: int = 16) -> nn.Module:
    return nn.Sequential(
        nn.Linear(6, hidden),
        nn.BatchNorm1d(hidden),
        nn.ReLU(),
        nn.Dropout(0.3),
        nn.Linear(hidden, 4),
    ).to(dtype)


def cnn(dtype: Any) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout2d(0.25),
        nn.Conv2d(4, 6, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.Linear(6 * 2 * 2, 3),
    ).to(dtype)


OPTIMISERS: dict[str, Callable[[Any], optim.Optimizer]] = {
    "momentum SGD": lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
    "Adam": lambda params: optim.Adam(params, lr=1e-2),
}


def train(
    build: Callable[[Any], nn.Module],
    shape: tuple[int, ...],
    classes: int,
    dtype: Any,
    make_optimiser: Callable[[Any], optim.Optimizer],
    compiled: bool,
    steps: int = STEPS,
    batches: list[int] | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray], dict[str, Any]]:
    """Train from seed 0 with a StepLR schedule; return the losses and the final state."""
    mytorch.manual_seed(0)
    model = build(dtype)
    optimiser = make_optimiser(model.parameters())
    schedule = optim.lr_scheduler.StepLR(optimiser, step_size=10, gamma=0.5)

    def train_step(x: mytorch.Tensor, y: mytorch.Tensor) -> mytorch.Tensor:
        optimiser.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimiser.step()
        return loss

    step = mytorch.compile(train_step) if compiled else train_step
    rng = np.random.default_rng(1)
    losses = []
    for index in range(steps):
        size = batches[index % len(batches)] if batches else 8
        x = mytorch.tensor(rng.normal(size=(size, *shape)), dtype=dtype)
        y = mytorch.tensor(rng.integers(0, classes, size))
        losses.append(step(x, y).data)
        if index % 5 == 4:
            schedule.step()
    if compiled:  # else the comparison would be of eager with eager
        assert step.programs() and "eager" not in step.explain(), step.explain()
    state = [t.data for t in model.state_dict().values()]
    return losses, state, optimiser.state_dict()


def assert_same_run(eager: tuple, replayed: tuple) -> None:
    (eager_losses, eager_state, eager_opt), (losses, state, opt) = eager, replayed
    for index, (a, b) in enumerate(zip(eager_losses, losses)):
        np.testing.assert_array_equal(a, b, err_msg=f"loss of step {index}")
    for a, b in zip(eager_state, state):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    for key, value in eager_opt["state"].items():
        for name, entry in value.items():
            np.testing.assert_array_equal(np.asarray(entry), np.asarray(opt["state"][key][name]))
    assert [g["lr"] for g in eager_opt["param_groups"]] == [g["lr"] for g in opt["param_groups"]]


@pytest.mark.parametrize("dtype", [mytorch.float32, mytorch.float64])
@pytest.mark.parametrize("optimiser", sorted(OPTIMISERS))
def test_mlp_replay_equals_eager_over_50_steps(dtype: Any, optimiser: str) -> None:
    make = OPTIMISERS[optimiser]
    eager = train(mlp, (6,), 4, dtype, make, compiled=False)
    assert_same_run(eager, train(mlp, (6,), 4, dtype, make, compiled=True))


@pytest.mark.parametrize("dtype", [mytorch.float32, mytorch.float64])
def test_cnn_replay_equals_eager_over_50_steps(dtype: Any) -> None:
    make = OPTIMISERS["momentum SGD"]
    eager = train(cnn, (1, 8, 8), 3, dtype, make, compiled=False)
    assert_same_run(eager, train(cnn, (1, 8, 8), 3, dtype, make, compiled=True))


def test_a_smaller_last_batch_gets_a_program_of_its_own() -> None:
    make = OPTIMISERS["Adam"]
    sizes = [8, 8, 8, 5]  # an epoch of 29 samples in batches of 8
    eager = train(mlp, (6,), 4, mytorch.float32, make, compiled=False, steps=12, batches=sizes)
    replayed = train(mlp, (6,), 4, mytorch.float32, make, compiled=True, steps=12, batches=sizes)
    assert_same_run(eager, replayed)


@settings(deadline=None, max_examples=10)
@given(
    hidden=st.integers(2, 12),
    batch=st.integers(2, 9),
    dtype=st.sampled_from([mytorch.float32, mytorch.float64]),
    optimiser=st.sampled_from(sorted(OPTIMISERS)),
)
def test_replay_equals_eager_for_any_mlp_size(
    hidden: int, batch: int, dtype: Any, optimiser: str
) -> None:
    make = OPTIMISERS[optimiser]

    def build(dtype: Any) -> nn.Module:
        return mlp(dtype, hidden)

    runs = [
        train(build, (6,), 4, dtype, make, compiled=compiled, steps=6, batches=[batch])
        for compiled in (False, True)
    ]
    assert_same_run(*runs)
