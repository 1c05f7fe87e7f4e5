"""The MNIST example runs as shipped: one short epoch on the bundled sample beats chance."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mnist_mlp.py"


def load_example():
    spec = importlib.util.spec_from_file_location("mnist_mlp", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def empty_data_home(tmp_path, monkeypatch):
    """No MNIST files anywhere, so the example falls back to the bundled sample."""
    monkeypatch.setenv("MYTORCH_DATA", str(tmp_path / "cache"))
    return tmp_path


def test_one_epoch_on_the_sample_beats_chance(empty_data_home, capsys):
    example = load_example()
    out = empty_data_home / "accuracy.png"
    accuracies = example.main(["--epochs", "1", "--val-every", "10", "--out", str(out)])
    printed = capsys.readouterr().out
    assert "5,000-digit sample" in printed
    assert len(accuracies) == 4  # 4,000 digits / 100 per batch / every 10 batches
    assert accuracies[-1] > 0.5  # chance is 0.1
    assert "final validation accuracy" in printed
    assert out.exists() or out.with_suffix(".csv").exists()


def test_same_seed_gives_identical_accuracies(empty_data_home):
    example = load_example()
    args = ["--epochs", "1", "--val-every", "20", "--seed", "3"]
    first = example.main([*args, "--out", str(empty_data_home / "a.png")])
    second = example.main([*args, "--out", str(empty_data_home / "b.png")])
    assert first == second


def test_without_matplotlib_the_accuracies_go_to_a_csv(empty_data_home, monkeypatch):
    example = load_example()
    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
    out = empty_data_home / "acc.png"
    accuracies = example.main(["--epochs", "1", "--val-every", "10", "--out", str(out)])
    rows = out.with_suffix(".csv").read_text().splitlines()
    assert rows[0] == "batch,accuracy"
    assert [float(row.split(",")[1]) for row in rows[1:]] == accuracies
