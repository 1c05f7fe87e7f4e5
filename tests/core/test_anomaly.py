"""Anomaly detection names the first op whose result or gradient holds NaN or Inf."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import mytorch
from mytorch.autograd import AnomalyError, detect_anomaly, is_anomaly_enabled


def test_off_by_default_and_restored_after_the_block() -> None:
    assert not is_anomaly_enabled()
    with detect_anomaly():
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()


def test_a_forward_nan_names_the_op_the_shapes_and_the_user_line() -> None:
    x = mytorch.tensor([-1.0, 4.0], requires_grad=True)
    with detect_anomaly(), pytest.raises(AnomalyError) as caught, np.errstate(invalid="ignore"):
        x.sqrt()  # the line the error must point at
    message = str(caught.value)
    assert message.startswith("sqrt: the forward result contains NaN or Inf")
    assert "input shapes (2,)" in message
    assert "test_anomaly.py" in message and "x.sqrt()  # the line the error" in message


def test_a_backward_inf_names_the_node_that_produced_it() -> None:
    x = mytorch.tensor([0.0, 1.0], requires_grad=True)
    with detect_anomaly():
        y = x.sqrt().sum()  # finite forward, infinite gradient at 0
        with np.errstate(divide="ignore"), pytest.raises(AnomalyError) as caught:
            y.backward()
    message = str(caught.value)
    assert message.startswith("SqrtBackward: the gradient for input 0 (shape (2,))")
    assert "y = x.sqrt().sum()" in message
    assert x.grad is None  # nothing was accumulated


def test_without_anomaly_mode_nan_passes_silently_as_in_pytorch() -> None:
    x = mytorch.tensor([0.0, 1.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        x.sqrt().sum().backward()
    assert np.isinf(x.grad.data[0])


def test_a_finite_graph_runs_unchanged_in_anomaly_mode() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    with detect_anomaly():
        (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_blocks_left_by_two_threads_in_any_order_leave_it_off() -> None:
    # Thread 1 enters, thread 2 enters, thread 1 leaves, thread 2 leaves: with a saved
    # "previous" value, thread 2 would restore "on" and the mode would stay on.
    steps = [threading.Event() for _ in range(3)]
    seen = {}

    def first() -> None:
        with detect_anomaly():
            steps[0].set()
            steps[1].wait(5)
        steps[2].set()

    def second() -> None:
        steps[0].wait(5)
        with detect_anomaly():
            steps[1].set()
            steps[2].wait(5)
            seen["on while the other block is open"] = is_anomaly_enabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"on while the other block is open": True}
    assert not is_anomaly_enabled()


def test_nested_blocks_stay_on_until_the_outer_one_ends() -> None:
    with detect_anomaly():
        with detect_anomaly():
            pass
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()
