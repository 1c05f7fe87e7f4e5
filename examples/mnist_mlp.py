"""Train a small MLP on MNIST and plot its training loss and validation accuracy.

The model and protocol are those of the assignment MyTorch grew out of:
Linear(784, 20) -> BatchNorm1d(20) -> ReLU -> Linear(20, 10), cross-entropy loss,
SGD with lr 0.1, batches of 100, 3 epochs, shuffled each epoch, and a validation
run every 100 batches (and at the end of every epoch).

Run it with ``python examples/mnist_mlp.py``. Without the MNIST files it trains
on the 5,000-digit sample bundled with MyTorch, so it works offline in seconds;
``--data-dir DIR`` reads the original IDX files from DIR, and ``--download``
fetches them first. ``python examples/mnist_mlp.py --help`` lists every option.
The options, data, progress bar and plot come from ``common.py`` beside this file.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import common  # examples/common.py: options, data, progress, plot

import mytorch
from mytorch import nn, optim
from mytorch.data import DataLoader


def parse_args(
    argv: list[str] | None = None,
) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    parser = common.training_parser(
        __doc__.split("\n\n")[0], script=Path(__file__).name, out="validation_accuracy.png"
    )
    parser.add_argument(
        "--hidden", type=common.positive_int, default=20, help="width of the hidden layer"
    )
    return parser, common.parse_training_args(parser, argv)


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


def train(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[float]:
    """Train as the assignment's protocol says; return the validation accuracies."""
    mytorch.manual_seed(args.seed)  # the same seed gives the same weights and shuffles
    train_set, val_set = common.load_mnist_sets(parser, args)
    val_every = args.val_every or (10 if train_set.source == "sample" else 100)
    print(
        f"training on {len(train_set)} digits ({train_set.source}), validating on "
        f"{len(val_set)} every {val_every} batches and at the end of every epoch"
    )
    train_loader = common.train_loader(train_set, args.batch_size)
    val_loader = DataLoader(val_set, batch_size=1000)

    model = build_model(args.hidden)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)

    def train_step(images: mytorch.Tensor, labels: mytorch.Tensor) -> mytorch.Tensor:
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        optimizer.step()
        return loss

    if args.compile:  # the same step, captured once and then replayed
        train_step = mytorch.compile(train_step)

    history = common.History()
    start = time.perf_counter()
    model.train()
    for epoch in range(1, args.epochs + 1):
        bar = common.progress(train_loader, f"epoch {epoch}/{args.epochs}")
        for step, (images, labels) in enumerate(bar, 1):
            loss = train_step(images, labels)

            batches = history.record_loss(loss.item())
            if batches % val_every == 0 or step == len(train_loader):
                history.record_accuracy(evaluate(model, val_loader))
            bar.set_postfix(loss=f"{loss.item():.4f}", refresh=False)  # shown at tqdm's own pace
        history.end_epoch()

    seconds_per_epoch = (time.perf_counter() - start) / args.epochs
    print(f"validation accuracies: {[round(a, 4) for a in history.accuracies]}")
    print(
        f"final validation accuracy {history.accuracies[-1]:.4f}; "
        f"{seconds_per_epoch:.2f} s per epoch"
    )
    common.save_plot(history, args.out, title="MNIST MLP (MyTorch)")
    return history.accuracies


def main(argv: list[str] | None = None) -> list[float]:
    return train(*parse_args(argv))


if __name__ == "__main__":
    main()
