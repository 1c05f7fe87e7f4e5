"""The CNN example runs as shipped: a few batches on the bundled sample beat chance.

The script imports ``examples/common.py`` as ``common``; loading it here, the tests put
that directory on ``sys.path`` themselves (as tests/examples/test_mnist_mlp.py does).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from mytorch.data import TensorDataset

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE = EXAMPLES / "mnist_cnn.py"


@pytest.fixture
def example(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.delitem(sys.modules, "common", raising=False)
    spec = importlib.util.spec_from_file_location("mnist_cnn", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("common", None)


@pytest.fixture
def empty_data_home(tmp_path, monkeypatch):
    """No MNIST files anywhere, so the example falls back to the bundled sample."""
    monkeypatch.setenv("MYTORCH_DATA", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def small_validation_set(example, monkeypatch):
    """Validate on the first 300 sample digits: validation is most of a short run."""
    load = example.common.load_mnist_sets

    def load_small(parser, args, flatten=True):
        train_set, val_set = load(parser, args, flatten=flatten)
        return train_set, TensorDataset(val_set.data[:300], val_set.targets[:300])

    monkeypatch.setattr(example.common, "load_mnist_sets", load_small)
    return example


def test_a_few_batches_on_the_sample_beat_chance(small_validation_set, empty_data_home, capsys):
    out = empty_data_home / "accuracy.png"
    args = ["--max-batches", "20", "--val-every", "20", "--out", str(out)]
    accuracies = small_validation_set.main(args)
    printed = capsys.readouterr().out
    assert "5,000-digit sample" in printed and "for 1 epoch(s)" in printed
    assert len(accuracies) == 1  # after batch 20, which ends the (shortened) epoch
    assert accuracies[-1] > 0.3  # chance is 0.1; pytorch/examples' net is near 0.8 here
    assert out.exists() or out.with_suffix(".csv").exists()


def test_same_seed_gives_identical_accuracies(small_validation_set, empty_data_home):
    args = ["--max-batches", "2", "--val-every", "2", "--epochs", "2", "--seed", "3"]
    first = small_validation_set.main([*args, "--out", str(empty_data_home / "a.png")])
    second = small_validation_set.main([*args, "--out", str(empty_data_home / "b.png")])
    assert len(first) == 2 and first == second


def test_compile_gives_the_accuracies_of_eager(small_validation_set, empty_data_home):
    args = ["--max-batches", "3", "--val-every", "3", "--epochs", "2", "--seed", "3"]
    eager = small_validation_set.main([*args, "--out", str(empty_data_home / "a.png")])
    compiled = small_validation_set.main(
        [*args, "--compile", "--out", str(empty_data_home / "b.png")]
    )
    assert len(eager) == 2 and compiled == eager


def test_bad_options_stop_before_any_work(example, capsys):
    for argv, message in [
        (["--momentum", "0.9"], "Adadelta has no momentum"),
        (["--gamma", "0"], "--gamma"),
        (["--max-batches", "-1"], "--max-batches"),
    ]:
        with pytest.raises(SystemExit) as stopped:
            example.parse_args(argv)
        assert stopped.value.code == 2
        assert message in capsys.readouterr().err


def test_the_network_is_pytorch_examples(example):
    shapes = {name: p.shape for name, p in example.Net().named_parameters()}
    assert shapes == {
        "conv1.weight": (32, 1, 3, 3),
        "conv1.bias": (32,),
        "conv2.weight": (64, 32, 3, 3),
        "conv2.bias": (64,),
        "fc1.weight": (128, 9216),
        "fc1.bias": (128,),
        "fc2.weight": (10, 128),
        "fc2.bias": (10,),
    }


def test_a_pytorch_style_train_and_test_loop_runs(example, empty_data_home):
    """The calls pytorch/examples' train() and test() make, on the example's Net: a device
    picked by ``cuda.is_available()``, ``.to(device)`` for the model and every batch, a
    loader with ``.dataset``, nll_loss with reduction="sum", argmax with keepdim, eq,
    view_as."""
    import mytorch
    import mytorch.nn.functional as F
    from mytorch.data import DataLoader
    from mytorch.datasets import MNIST

    mytorch.manual_seed(0)
    images, labels = MNIST.from_sample(train=True, flatten=False)[:128]
    loader = DataLoader(TensorDataset(example.prepare(images), labels), batch_size=64)
    device = mytorch.device("cuda" if mytorch.cuda.is_available() else "cpu")
    model = example.Net().to(device)
    optimizer = mytorch.optim.Adadelta(model.parameters(), lr=1.0)
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
        assert batch_idx * len(data) < len(loader.dataset) and loss.item() > 0
    model.eval()
    test_loss, correct = 0.0, 0
    with mytorch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    assert 0 <= correct <= len(loader.dataset) and test_loss / len(loader.dataset) > 0
