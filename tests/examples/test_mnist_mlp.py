"""The MNIST example runs as shipped, and fails well: bad options stop it before any work.

The script imports ``examples/common.py`` as ``common`` (Python puts a script's directory
first on ``sys.path``); loading it here, the tests put that directory there themselves.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
EXAMPLE = EXAMPLES / "mnist_mlp.py"


@pytest.fixture
def example(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.delitem(sys.modules, "common", raising=False)
    spec = importlib.util.spec_from_file_location("mnist_mlp", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("common", None)


@pytest.fixture
def empty_data_home(tmp_path, monkeypatch):
    """No MNIST files anywhere, so the example falls back to the bundled sample."""
    monkeypatch.setenv("MYTORCH_DATA", str(tmp_path / "cache"))
    return tmp_path


def test_one_epoch_on_the_sample_beats_chance(example, empty_data_home, capsys):
    out = empty_data_home / "accuracy.png"
    accuracies = example.main(["--epochs", "1", "--val-every", "10", "--out", str(out)])
    printed = capsys.readouterr().out
    assert "5,000-digit sample" in printed
    assert len(accuracies) == 4  # 4,000 digits / 100 per batch / every 10 batches
    assert accuracies[-1] > 0.5  # chance is 0.1
    assert "final validation accuracy" in printed
    assert out.exists() or out.with_suffix(".csv").exists()


def test_same_seed_gives_identical_accuracies(example, empty_data_home):
    args = ["--epochs", "1", "--val-every", "20", "--seed", "3"]
    first = example.main([*args, "--out", str(empty_data_home / "a.png")])
    second = example.main([*args, "--out", str(empty_data_home / "b.png")])
    assert first == second


def test_compile_gives_the_accuracies_of_eager(example, empty_data_home):
    args = ["--epochs", "1", "--val-every", "20", "--seed", "3"]
    eager = example.main([*args, "--out", str(empty_data_home / "a.png")])
    compiled = example.main([*args, "--compile", "--out", str(empty_data_home / "b.png")])
    assert compiled == eager


def test_without_matplotlib_losses_and_accuracies_go_to_a_csv(
    example, empty_data_home, monkeypatch
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = empty_data_home / "acc.png"
    accuracies = example.main(["--epochs", "2", "--val-every", "15", "--out", str(out)])
    assert not out.exists()
    rows = [row.split(",") for row in out.with_suffix(".csv").read_text().splitlines()]
    assert rows[0] == ["batch", "loss", "accuracy", "epoch_end"]
    assert len(rows) == 1 + 80  # 40 batches per epoch
    assert [float(row[2]) for row in rows[1:] if row[2]] == accuracies
    # every 15 batches, and at each epoch's end (batches 40 and 80)
    assert [int(row[0]) for row in rows[1:] if row[2]] == [15, 30, 40, 45, 60, 75, 80]
    assert [int(row[0]) for row in rows[1:] if row[3] == "1"] == [40, 80]
    assert all(float(row[1]) > 0 for row in rows[1:])


def test_without_tqdm_each_epoch_prints_one_summary_line(
    example, empty_data_home, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    example.main(["--epochs", "2", "--out", str(empty_data_home / "a.png")])
    lines = [line for line in capsys.readouterr().out.splitlines() if " batches in " in line]
    assert [line.split(":")[0] for line in lines] == ["epoch 1/2", "epoch 2/2"]
    assert all(line.startswith("epoch ") and ", loss " in line for line in lines)


def test_an_out_ending_in_csv_writes_the_csv(example, empty_data_home):
    out = empty_data_home / "history.csv"
    example.main(["--epochs", "1", "--out", str(out)])
    assert out.read_text().startswith("batch,loss,accuracy,epoch_end\n")
    assert [p.name for p in empty_data_home.iterdir()] == ["history.csv"]  # no PNG too


def test_fewer_batches_than_val_every_still_validates_every_epoch(example, empty_data_home):
    accuracies = example.main(
        ["--epochs", "2", "--val-every", "1000", "--out", str(empty_data_home / "a.png")]
    )
    assert len(accuracies) == 2


def test_a_last_batch_of_one_is_dropped_with_a_note(example, empty_data_home, capsys):
    # 4,000 sample digits in batches of 3,999 leave one: BatchNorm cannot train on it.
    accuracies = example.main(
        ["--epochs", "1", "--batch-size", "3999", "--out", str(empty_data_home / "a.png")]
    )
    assert "leave a last batch of 1" in capsys.readouterr().out
    assert len(accuracies) == 1


def test_a_failed_download_says_why_then_uses_the_sample(
    example, empty_data_home, monkeypatch, capsys
):
    import mytorch.datasets.mnist

    no_files = empty_data_home / "mirror"
    no_files.mkdir()
    monkeypatch.setattr(mytorch.datasets.mnist, "MNIST_MIRRORS", (no_files.as_uri() + "/",))
    out = empty_data_home / "a.png"
    example.main(["--download", "--epochs", "1", "--out", str(out)])
    printed = capsys.readouterr().out
    assert "warning: --download failed" in printed
    assert "could not download" in printed  # the reason, from DownloadError
    assert printed.index("warning: --download failed") < printed.index("5,000-digit sample")


BAD_OPTIONS = [
    (["--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
    (["--epochs", "x"], "argument --epochs: expected an integer, got 'x'"),
    (["--lr", "-0.1"], "argument --lr: must be a number greater than 0, got -0.1"),
    (["--lr", "nan"], "argument --lr: must be a finite number, got nan"),
    (["--momentum", "-1"], "argument --momentum: must be a number of at least 0, got -1"),
    (["--batch-size", "0"], "argument --batch-size: must be at least 1, got 0"),
    (["--val-every", "0"], "argument --val-every: must be at least 1, got 0"),
    (["--val-every", "-1"], "argument --val-every: must be at least 1, got -1"),
    (["--hidden", "0"], "argument --hidden: must be at least 1, got 0"),
    (["--seed", "-1"], "argument --seed: must be at least 0, got -1"),
    (["--out", "{tmp}/missing/plot.png"], "argument --out: the directory {tmp}/missing does not"),
    (["--out", "{tmp}"], "argument --out: {tmp} is a directory"),
    (["--out", "{tmp}/plot.pnj"], "argument --out: cannot save a plot as 'plot.pnj'"),
    (["--data-dir", "{tmp}/nowhere"], "argument --data-dir: {tmp}/nowhere does not exist"),
    (["--data-dir", "{tmp}"], "argument --data-dir: MNIST: no train IDX files"),
]


@pytest.mark.parametrize(
    ("argv", "message"), BAD_OPTIONS, ids=[" ".join(a) for a, _ in BAD_OPTIONS]
)
def test_bad_options_stop_before_any_work(example, empty_data_home, capsys, argv, message):
    tmp = empty_data_home / "run"
    tmp.mkdir()
    argv = [arg.format(tmp=tmp) for arg in argv]
    if "--out" not in argv:
        argv += ["--out", str(tmp / "plot.png")]
    with pytest.raises(SystemExit) as raised:
        example.main(argv)
    assert raised.value.code == 2
    captured = capsys.readouterr()
    assert f"mnist_mlp.py: error: {message.format(tmp=tmp)}" in captured.err.replace("\n", " ")
    assert "training on" not in captured.out
    assert list(tmp.iterdir()) == []  # no plot, no CSV


def test_the_script_reports_a_bad_option_without_a_traceback(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *sys.path])}
    out = tmp_path / "plot.png"
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--epochs", "0", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    assert "error: argument --epochs: must be at least 1, got 0" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() and not out.with_suffix(".csv").exists()
