"""Threads: grad mode is per thread, and independent trainings do not disturb each other.

A data-loading thread that works under ``no_grad`` must not switch gradients off in
the training thread, as in PyTorch. These threads are interleaved deterministically
with events and queues, so each test checks one fixed order of events. The last test
runs two trainings at once, in lock-step (a barrier before every step), and requires
exactly the results of running them one after the other.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

import mytorch
from mytorch import nn
from mytorch.data import DataLoader, TensorDataset

TIMEOUT = 10  # seconds; only reached if a test is broken


def start(target: Callable[[], Any]) -> tuple[threading.Thread, list[BaseException]]:
    """Run ``target`` in a thread; an exception it raises is kept for the test to re-raise."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, errors


def finish(thread: threading.Thread, errors: list[BaseException]) -> None:
    thread.join(TIMEOUT)
    assert not thread.is_alive(), "the thread did not finish"
    if errors:
        raise errors[0]


def test_no_grad_in_another_thread_leaves_this_thread_recording() -> None:
    w = mytorch.tensor([1.0, 2.0], requires_grad=True)
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def loader() -> None:
        with mytorch.no_grad():
            inside.set()
            assert done.wait(TIMEOUT)
            seen["enabled"] = mytorch.is_grad_enabled()
            seen["records"] = (w * 2).requires_grad
        seen["enabled after"] = mytorch.is_grad_enabled()

    thread, errors = start(loader)
    assert inside.wait(TIMEOUT)  # the other thread is now inside no_grad
    assert mytorch.is_grad_enabled()
    loss = (w * w).sum()
    assert loss.requires_grad
    loss.backward()
    done.set()
    finish(thread, errors)
    assert w.grad.tolist() == [2.0, 4.0]
    assert seen == {"enabled": False, "records": False, "enabled after": True}


def test_a_thread_started_under_no_grad_records_by_default() -> None:
    w = mytorch.tensor(3.0, requires_grad=True)
    seen = {}

    def worker() -> None:
        seen["enabled"] = mytorch.is_grad_enabled()
        seen["records"] = (w * w).requires_grad

    with mytorch.no_grad():
        thread, errors = start(worker)
        finish(thread, errors)
        assert not (w * w).requires_grad
    assert seen == {"enabled": True, "records": True}


def test_set_grad_enabled_called_in_a_thread_stays_in_that_thread() -> None:
    switched = threading.Event()

    def worker() -> None:
        mytorch.set_grad_enabled(False)  # the function form: never switched back
        switched.set()

    thread, errors = start(worker)
    finish(thread, errors)
    assert switched.is_set()
    assert mytorch.is_grad_enabled()
    assert (mytorch.tensor(1.0, requires_grad=True) * 2).requires_grad


def test_training_while_a_thread_loads_batches_under_no_grad() -> None:
    mytorch.manual_seed(0)
    data = TensorDataset(mytorch.randn(40, 5), mytorch.tensor(np.arange(40) % 2))
    loader = DataLoader(data, batch_size=8)
    batches: queue.Queue[Any] = queue.Queue(maxsize=1)

    def produce() -> None:
        with mytorch.no_grad():  # the loading thread never needs a graph
            for inputs, labels in loader:
                batches.put((inputs * 2, labels), timeout=TIMEOUT)
        batches.put(None, timeout=TIMEOUT)

    model = nn.Linear(5, 2)
    optimizer = mytorch.optim.SGD(model.parameters(), lr=0.1)
    thread, errors = start(produce)
    steps = 0
    # With a queue of one, the producer is inside no_grad whenever this thread trains.
    while (item := batches.get(timeout=TIMEOUT)) is not None:
        inputs, labels = item
        assert not inputs.requires_grad
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs), labels)
        assert loss.requires_grad and loss.grad_fn is not None
        loss.backward()
        assert model.weight.grad is not None
        optimizer.step()
        steps += 1
    finish(thread, errors)
    assert steps == len(loader)


def train(model: nn.Module, inputs: mytorch.Tensor, labels: mytorch.Tensor, wait: Any) -> list:
    optimizer = mytorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(30):
        wait()
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_two_threads_training_at_once_get_the_results_of_training_one_by_one() -> None:
    mytorch.manual_seed(0)
    runs = []
    for _ in range(2):
        model = nn.Sequential(nn.Linear(6, 12), nn.BatchNorm1d(12), nn.Tanh(), nn.Linear(12, 3))
        inputs = mytorch.randn(32, 6)
        labels = mytorch.tensor(np.arange(32) % 3)
        runs.append((model, inputs, labels))
    expected = []
    for model, inputs, labels in runs:
        start_state = {name: value.clone() for name, value in model.state_dict().items()}
        expected.append(train(model, inputs, labels, lambda: None))
        model.load_state_dict(start_state)

    barrier = threading.Barrier(2, timeout=TIMEOUT)  # both threads step together
    results: list[list] = [[], []]

    def worker(index: int) -> Callable[[], None]:
        model, inputs, labels = runs[index]
        return lambda: results[index].extend(train(model, inputs, labels, barrier.wait))

    threads = [start(worker(index)) for index in range(2)]
    for thread, errors in threads:
        finish(thread, errors)
    assert results == expected
