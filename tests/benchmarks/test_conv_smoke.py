"""Smoke test of the conv benchmark: its pieces run on tiny sizes and agree with PyTorch."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

import mytorch

ROOT = Path(__file__).resolve().parents[2]  # the benchmarks package sits beside src/


@pytest.fixture
def conv(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(ROOT))
    return importlib.import_module("benchmarks.conv")


def test_training_steps_match_torch_without_dropout(conv):
    torch = pytest.importorskip("torch")
    mine = conv.train_step(mytorch, batch=4, dropout=False)
    theirs = conv.train_step(torch, batch=4, dropout=False)
    for _ in range(3):  # the same weights, data and Adadelta: the same losses
        assert mine() == pytest.approx(theirs(), rel=1e-4)


def test_conv_cases_agree_with_torch(conv, monkeypatch):
    torch = pytest.importorskip("torch")
    small = {name: ((2, *x[1:]), w, p) for name, (x, w, p) in conv.CASES.items()}
    monkeypatch.setattr(conv, "CASES", small)
    for case in small:
        mine, theirs = conv.conv_case(mytorch, case)(), conv.conv_case(torch, case)()
        np.testing.assert_allclose(mine.data, theirs.numpy(), rtol=1e-4, atol=1e-3)


def test_the_floor_and_the_memory_worker_run(conv):
    pytest.importorskip("threadpoolctl")  # the worker pins BLAS to one thread with it
    conv.conv_products(batch=2)()
    case = next(iter(conv.CASES))
    figures = conv.worker("mytorch", case)
    # The columns of the MNIST case alone are 288 x 64*24*24 float32 values: 42 MB.
    assert figures["traced_peak"] > 42 * 2**20


def test_real_digits_accuracy_agrees_with_torch(conv, monkeypatch):
    """Issue 14's parity check on real digits, on a subset to stay fast: the same weights
    and batch order (dropout off, so the trajectories are the same but for round-off)."""
    torch = pytest.importorskip("torch")
    monkeypatch.syspath_prepend(str(ROOT))
    mnist_accuracy = importlib.import_module("benchmarks.mnist_accuracy")
    folder = mnist_accuracy.mnist_dir()
    if not (folder / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"no shared MNIST digits at {folder}")
    x, y, x_val, y_val = mnist_accuracy.load(folder)
    data = (x[:1000], y[:1000], x_val[:500], y_val[:500])
    mine = conv.real_digits_accuracy(mytorch, data, dropout=False)
    theirs = conv.real_digits_accuracy(torch, data, dropout=False)
    assert mine > 0.5  # 16 steps from chance (0.1)
    assert abs(mine - theirs) <= 0.003  # 0.3 points: one digit of 500 at most
