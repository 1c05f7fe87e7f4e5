"""Train pytorch/examples' MNIST convolutional network and plot its validation accuracy.

The network, loss and optimiser are those of pytorch/examples' ``mnist/main.py``:
Conv2d(1, 32, 3) -> ReLU -> Conv2d(32, 64, 3) -> ReLU -> MaxPool2d(2) -> Dropout(0.25)
-> Flatten -> Linear(9216, 128) -> ReLU -> Dropout(0.5) -> Linear(128, 10),
log-softmax and NLL loss, Adadelta with lr 1.0 and a StepLR decay of 0.7 per
epoch, batches of 64. Images are normalised with MNIST's mean and deviation.

Run it with ``python examples/mnist_cnn.py``. Without the MNIST files it trains
on the 5,000-digit sample bundled with MyTorch, offline, in well under a minute
(one epoch there; three on the full set); ``--data-dir DIR`` reads the original
IDX files from DIR, and ``--download`` fetches them first.
``python examples/mnist_cnn.py --help`` lists every option.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import mytorch
import mytorch.nn.functional as F
from mytorch import nn, optim
from mytorch.data import DataLoader
from mytorch.datasets import MNIST, MNISTSampleWarning
from mytorch.optim.lr_scheduler import StepLR
from mytorch.utils import ProgressBar

MEAN, STD = 0.1307, 0.3081  # of the MNIST training images, as pytorch/examples uses


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="epochs to train (default 3; 1 on the small bundled sample)",
    )
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument(
        "--test-batch-size",
        type=int,
        default=100,
        help="batch size for validation (im2col memory grows with it)",
    )
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.7, help="lr decay per epoch")
    parser.add_argument("--data-dir", type=Path, default=None, help="directory of MNIST files")
    parser.add_argument("--download", action="store_true", help="fetch MNIST if missing")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--val-every",
        type=int,
        default=None,
        help="batches between validations (default 200; 10 on the small bundled sample)",
    )
    parser.add_argument(
        "--max-batches",
        type=int,
        default=None,
        help="stop each epoch after this many batches (a quick check; default: all)",
    )
    parser.add_argument("--out", type=Path, default=Path("validation_accuracy_cnn.png"))
    return parser.parse_args(argv)


def load_data(args: argparse.Namespace) -> tuple[MNIST, MNIST]:
    """The training and validation sets as 28x28 images (the bundled sample if needed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MNISTSampleWarning)  # we say it below, once
        train_set = MNIST(args.data_dir, train=True, download=args.download, flatten=False)
        val_set = MNIST(args.data_dir, train=False, download=args.download, flatten=False)
    if train_set.source == "sample":
        print(
            f"note: no MNIST files in {train_set.root}; using the 5,000-digit sample bundled "
            "with MyTorch (pass --data-dir DIR or --download for the full data set)"
        )
    return train_set, val_set


class Net(nn.Module):
    """pytorch/examples' MNIST network, line for line."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: mytorch.Tensor) -> mytorch.Tensor:
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = mytorch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def prepare(images: mytorch.Tensor) -> mytorch.Tensor:
    """(N, 28, 28) in [0, 1] -> normalised (N, 1, 28, 28), as pytorch/examples' transform."""
    return ((images - MEAN) / STD).unsqueeze(1)


@mytorch.no_grad()
def evaluate(model: nn.Module, loader: DataLoader) -> float:
    """Accuracy (correct / total) over ``loader``, in evaluation mode."""
    model.eval()
    correct = total = 0
    for images, labels in loader:
        predictions = model(prepare(images)).argmax(dim=1)
        correct += int((predictions == labels).sum().item())
        total += len(labels)
    model.train()
    return correct / total


def train(args: argparse.Namespace) -> list[float]:
    """Train the network; return the validation accuracies."""
    mytorch.manual_seed(args.seed)  # the same seed gives the same weights, shuffles and masks
    train_set, val_set = load_data(args)
    on_sample = train_set.source == "sample"
    epochs = args.epochs or (1 if on_sample else 3)
    val_every = args.val_every or (10 if on_sample else 200)
    print(
        f"training on {len(train_set)} digits ({train_set.source}) for {epochs} epoch(s), "
        f"validating on {len(val_set)} every {val_every} batches"
    )
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    per_epoch = min(len(train_loader), args.max_batches or len(train_loader))
    val_loader = DataLoader(val_set, batch_size=args.test_batch_size)

    model = Net()
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)

    accuracies: list[float] = []
    epoch_times: list[float] = []
    batches = 0
    model.train()
    for epoch in range(1, epochs + 1):
        with ProgressBar(per_epoch, f"epoch {epoch}/{epochs}") as bar:
            for batch, (images, labels) in enumerate(train_loader, 1):
                optimizer.zero_grad()
                loss = F.nll_loss(model(prepare(images)), labels)
                loss.backward()
                optimizer.step()

                batches += 1
                if batches % val_every == 0:
                    accuracies.append(evaluate(model, val_loader))
                bar.update(count=len(labels), loss=loss.item())
                if batch == per_epoch:
                    break
        epoch_times.append(time.perf_counter() - bar.start)
        scheduler.step()

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
    axes.set_title("MNIST CNN (MyTorch)")
    axes.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(out, dpi=100)
    plt.close(figure)
    print(f"saved {out}")


def main(argv: list[str] | None = None) -> list[float]:
    return train(parse_args(argv))


if __name__ == "__main__":
    main()
