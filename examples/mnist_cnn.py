"""Train pytorch/examples' MNIST CNN and plot its training loss and validation accuracy.

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
The options, data, progress bar and plot come from ``common.py`` beside this file.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import common  # examples/common.py: options, data, progress, plot

import mytorch
import mytorch.nn.functional as F
from mytorch import nn, optim
from mytorch.data import DataLoader
from mytorch.optim.lr_scheduler import StepLR

MEAN, STD = 0.1307, 0.3081  # of the MNIST training images, as pytorch/examples uses


def parse_args(
    argv: list[str] | None = None,
) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    parser = common.training_parser(
        __doc__.split("\n\n")[0], script=Path(__file__).name, out="validation_accuracy_cnn.png"
    )
    # pytorch/examples' defaults; the epochs default to 3, or 1 on the small bundled sample.
    parser.set_defaults(epochs=None, batch_size=64, lr=1.0)
    parser.add_argument("--gamma", type=common.positive_float, default=0.7, help="lr decay")
    parser.add_argument(
        "--test-batch-size",
        type=common.positive_int,
        default=100,
        help="images per validation batch (default 100)",
    )
    parser.add_argument(
        "--max-batches",
        type=common.positive_int,
        default=None,
        help="stop each epoch after this many batches (a quick check; default: all)",
    )
    args = common.parse_training_args(parser, argv)
    if args.momentum != 0:
        parser.error("argument --momentum: Adadelta has no momentum")
    return parser, args


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


def train(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[float]:
    """Train the network; return the validation accuracies."""
    mytorch.manual_seed(args.seed)  # the same seed gives the same weights, shuffles and masks
    train_set, val_set = common.load_mnist_sets(parser, args, flatten=False)
    on_sample = train_set.source == "sample"
    epochs = args.epochs or (1 if on_sample else 3)
    val_every = args.val_every or (10 if on_sample else 200)
    print(
        f"training on {len(train_set)} digits ({train_set.source}) for {epochs} epoch(s), "
        f"validating on {len(val_set)} every {val_every} batches and at the end of every epoch"
    )
    train_loader = common.train_loader(train_set, args.batch_size)
    val_loader = DataLoader(val_set, batch_size=args.test_batch_size)
    per_epoch = min(len(train_loader), args.max_batches or len(train_loader))

    model = Net()
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)

    def train_step(images: mytorch.Tensor, labels: mytorch.Tensor) -> mytorch.Tensor:
        optimizer.zero_grad()
        loss = F.nll_loss(model(prepare(images)), labels)
        loss.backward()
        optimizer.step()
        return loss

    if args.compile:  # the same step, captured once and then replayed
        train_step = mytorch.compile(train_step)

    history = common.History()
    start = time.perf_counter()
    model.train()
    for epoch in range(1, epochs + 1):
        bar = common.progress(train_loader, f"epoch {epoch}/{epochs}")
        for step, (images, labels) in enumerate(bar, 1):
            loss = train_step(images, labels)

            batches = history.record_loss(loss.item())
            if batches % val_every == 0 or step == per_epoch:
                history.record_accuracy(evaluate(model, val_loader))
            bar.set_postfix(loss=f"{loss.item():.4f}", refresh=False)  # shown at tqdm's own pace
            if step == per_epoch:
                break
        history.end_epoch()
        scheduler.step()

    seconds_per_epoch = (time.perf_counter() - start) / epochs
    print(f"validation accuracies: {[round(a, 4) for a in history.accuracies]}")
    print(
        f"final validation accuracy {history.accuracies[-1]:.4f}; "
        f"{seconds_per_epoch:.2f} s per epoch"
    )
    common.save_plot(history, args.out, title="MNIST CNN (MyTorch)")
    return history.accuracies


def main(argv: list[str] | None = None) -> list[float]:
    return train(*parse_args(argv))


if __name__ == "__main__":
    main()
