"""Train a small MLP on MNIST and plot its validation accuracy.

The model and protocol are those of the assignment MyTorch grew out of:
Linear(784, 20) -> BatchNorm1d(20) -> ReLU -> Linear(20, 10), cross-entropy loss,
SGD with lr 0.1, batches of 100, 3 epochs, shuffled each epoch, and a validation
run every 100 batches.

Run it with ``python examples/mnist_mlp.py``. Without the MNIST files it trains
on the 5,000-digit sample bundled with MyTorch, so it works offline in seconds;
``--data-dir DIR`` reads the original IDX files from DIR, and ``--download``
fetches them first. ``python examples/mnist_mlp.py --help`` lists every option.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import mytorch
from mytorch import nn, optim
from mytorch.data import DataLoader
from mytorch.datasets import MNIST, MNISTSampleWarning
from mytorch.utils import ProgressBar


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--momentum", type=float, default=0.0)
    parser.add_argument("--hidden", type=int, default=20, help="width of the hidden layer")
    parser.add_argument("--data-dir", type=Path, default=None, help="directory of MNIST files")
    parser.add_argument("--download", action="store_true", help="fetch MNIST if missing")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--val-every",
        type=int,
        default=None,
        help="batches between validations (default 100; 10 on the small bundled sample)",
    )
    parser.add_argument("--out", type=Path, default=Path("validation_accuracy.png"))
    return parser.parse_args(argv)


def load_data(args: argparse.Namespace) -> tuple[MNIST, MNIST]:
    """The training and validation sets (the bundled sample if MNIST is not found)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MNISTSampleWarning)  # we say it below, once
        train_set = MNIST(args.data_dir, train=True, download=args.download)
        val_set = MNIST(args.data_dir, train=False, download=args.download)
    if train_set.source == "sample":
        print(
            f"note: no MNIST files in {train_set.root}; using the 5,000-digit sample bundled "
            "with MyTorch (pass --data-dir DIR or --download for the full data set)"
        )
    return train_set, val_set


def build_model(hidden: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(784, hidden),
        nn.BatchNorm1d(hidden),
        nn.ReLU(),
        nn.Linear(hidden, 10),
    )


@mytorch.no_grad()
def evaluate(model: nn.Module, loader: DataLoader) -> float:
    """Accuracy (correct / total) over ``loader``, in evaluation mode."""
    model.eval()
    correct = total = 0
    for images, labels in loader:
        predictions = model(images).argmax(dim=1)
        correct += int((predictions == labels).sum().item())
        total += len(labels)
    model.train()
    return correct / total


def train(args: argparse.Namespace) -> list[float]:
    """Train as the assignment's protocol says; return the validation accuracies."""
    mytorch.manual_seed(args.seed)  # the same seed gives the same weights and shuffles
    train_set, val_set = load_data(args)
    val_every = args.val_every or (10 if train_set.source == "sample" else 100)
    print(
        f"training on {len(train_set)} digits ({train_set.source}), validating on "
        f"{len(val_set)} every {val_every} batches"
    )
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=1000)

    model = build_model(args.hidden)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)

    accuracies: list[float] = []
    epoch_times: list[float] = []
    batches = 0
    model.train()
    for epoch in range(1, args.epochs + 1):
        with ProgressBar(len(train_loader), f"epoch {epoch}/{args.epochs}") as bar:
            for images, labels in train_loader:
                optimizer.zero_grad()
                loss = criterion(model(images), labels)
                loss.backward()
                optimizer.step()

                batches += 1
                if batches % val_every == 0:
                    accuracies.append(evaluate(model, val_loader))
                bar.update(count=len(labels), loss=loss.item())
        epoch_times.append(time.perf_counter() - bar.start)

    final = accuracies[-1] if accuracies else evaluate(model, val_loader)
    mean_epoch = sum(epoch_times) / len(epoch_times)
    print(f"validation accuracies: {[round(a, 4) for a in accuracies]}")
    print(f"final validation accuracy {final:.4f}; {mean_epoch:.2f} s per epoch")
    save_plot(accuracies, val_every, args.out)
    return accuracies


def save_plot(accuracies: list[float], val_every: int, out: Path) -> None:
    """Plot the accuracies with matplotlib, or write them to a CSV without it."""
    steps = [val_every * (i + 1) for i in range(len(accuracies))]
    try:
        import matplotlib

        matplotlib.use("Agg")  # draw to a file; no screen needed
        import matplotlib.pyplot as plt
    except ImportError:
        out = out.with_suffix(".csv")
        rows = [f"{step},{accuracy}\n" for step, accuracy in zip(steps, accuracies)]
        out.write_text("batch,accuracy\n" + "".join(rows))
        print(f"matplotlib is not installed (pip install matplotlib); wrote {out} instead")
        return
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.plot(steps, accuracies, marker="o")
    axes.set_xlabel("training batches")
    axes.set_ylabel("validation accuracy")
    axes.set_title("MNIST MLP (MyTorch)")
    axes.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(out, dpi=100)
    plt.close(figure)
    print(f"saved {out}")


def main(argv: list[str] | None = None) -> list[float]:
    return train(parse_args(argv))


if __name__ == "__main__":
    main()
