"""Smoke test of the benchmark suite: its pieces run on tiny sizes and agree (no timing)."""

from __future__ import annotations

import dataclasses
import gc
import gzip
import importlib
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import mytorch

ROOT = Path(__file__).resolve().parents[2]  # the benchmarks package sits beside src/
MODULES = ("common", "mlp", "numpy_mlp", "mlp_epoch", "op_overhead", "deep_chain", "memory")


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> dict[str, ModuleType]:
    monkeypatch.syspath_prepend(str(ROOT))
    names = (*MODULES, "mnist_accuracy", "run")
    return {name: importlib.import_module(f"benchmarks.{name}") for name in names}


@pytest.fixture
def tiny_data(bench):
    return bench["mlp"].synthetic_mnist(300, seed=1)


def test_run_lists_every_benchmark(bench):
    expected = {"mlp_epoch", "op_overhead", "deep_chain", "memory", "mnist_accuracy", "conv"}
    assert set(bench["run"].BENCHMARKS) == expected


def test_numpy_floor_trains_on_a_few_batches(bench, tiny_data):
    x, y = tiny_data
    assert x.dtype == np.float32 and set(np.unique(y)) <= set(range(10))
    model = bench["numpy_mlp"].NumpyMLP(bench["mlp"].initial_weights(), lr=0.1)
    losses = [bench["mlp"].train_epoch(model, x, y, batch_size=100) for _ in range(3)]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    assert all(p.dtype == np.float32 for p in model.params.values())
    assert model.predict(x).shape == (300,)


def test_numpy_floor_matches_torch(bench, tiny_data):
    pytest.importorskip("torch")
    x, y = tiny_data
    weights = bench["mlp"].initial_weights()
    floor, reference = bench["numpy_mlp"].NumpyMLP(weights), bench["mlp"].TorchMLP(weights)
    for start in (0, 100, 200):
        batch = slice(start, start + 100)
        expected = reference.train_step(x[batch], y[batch])
        assert floor.train_step(x[batch], y[batch]) == pytest.approx(expected, rel=1e-5)
    np.testing.assert_allclose(
        floor.running_var, reference.layers["bn"].running_var.numpy(), rtol=1e-5
    )


def test_tuned_floor_computes_what_the_plain_floor_does(bench, tiny_data):
    x, y = tiny_data
    weights = bench["mlp"].initial_weights()
    plain = bench["numpy_mlp"].NumpyMLP(weights)
    tuned = bench["numpy_mlp"].NumpyMLP(weights, tuned=True)
    for start in (0, 100, 200):
        batch = slice(start, start + 100)
        expected = plain.train_step(x[batch], y[batch])
        assert tuned.train_step(x[batch], y[batch]) == pytest.approx(expected, rel=1e-5)
    for name, value in plain.params.items():
        np.testing.assert_allclose(tuned.params[name], value, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(tuned.running_var, plain.running_var, rtol=1e-5)


def test_mytorch_first_step_loss_equals_the_floor(bench, tiny_data):
    missing = bench["common"].mytorch_nn_missing()
    if missing is not None:
        pytest.skip(f"mytorch.nn/optim not ready: {missing}")
    x, y = tiny_data
    weights = bench["mlp"].initial_weights()
    floor, mine = bench["numpy_mlp"].NumpyMLP(weights), bench["mlp"].MytorchMLP(weights)
    for start in (0, 100, 200):
        batch = slice(start, start + 100)
        expected = floor.train_step(x[batch], y[batch])
        assert mine.train_step(x[batch], y[batch]) == pytest.approx(expected, rel=1e-5)
    np.testing.assert_array_equal(mine.predict(x[:100]), floor.predict(x[:100]))


@pytest.mark.parametrize("case", ["add", "add_sum", "chain", "matmul"])
def test_op_overhead_cases_agree_with_numpy(bench, case):
    op_overhead = bench["op_overhead"]
    expected = op_overhead.numpy_case(case)()
    fn = op_overhead.framework_case(case, mytorch)
    for _ in range(2):  # gradients are reset each call, not accumulated
        np.testing.assert_allclose(fn().data, expected, rtol=1e-5, atol=1e-6)


def test_deep_chain_runs(bench):
    run = bench["deep_chain"].framework_chain(mytorch, 10)
    assert run.build > 0 and run.backward > 0
    assert bench["deep_chain"].numpy_chain(10).total > 0


def test_deep_chain_gc_clock_counts_full_collections(bench):
    with bench["deep_chain"].GcClock() as clock:
        gc.collect(0)
        gc.collect()  # generation 2
    assert clock.full_collections == 1 and clock.seconds > 0


def test_deep_chain_worker_runs_in_its_own_process(bench):
    pytest.importorskip("threadpoolctl")  # the worker pins BLAS to one thread with it
    deep_chain = bench["deep_chain"]
    result = deep_chain._spawn("mytorch", repeats=1, lengths=(10, 20))
    assert not isinstance(result, str), result
    assert set(result) == {"10", "20"}
    fields = {field.name for field in dataclasses.fields(deep_chain.ChainRun)}
    for runs in result.values():
        assert len(runs) == 1 and set(runs[0]) == fields
        assert runs[0]["build"] > 0 and runs[0]["backward"] > 0


def test_idx_reader_checks_magic_and_size(bench, tmp_path):
    read_idx = bench["mnist_accuracy"].read_idx
    labels = np.arange(10, dtype=np.uint8)
    header = (2049).to_bytes(4, "big") + (10).to_bytes(4, "big")
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(header + labels.tobytes()))
    np.testing.assert_array_equal(read_idx(path), labels)
    path.write_bytes(gzip.compress(header + labels[:9].tobytes()))
    with pytest.raises(ValueError, match="holds 9 values"):
        read_idx(path)
    path.write_bytes(gzip.compress((7).to_bytes(4, "big") + labels.tobytes()))
    with pytest.raises(ValueError, match="magic number 7"):
        read_idx(path)
