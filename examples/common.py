"""What the MNIST example scripts share: their options, their data, progress and the plot.

Each script builds its model and runs its own training loop (that is the part worth
reading); the rest lives here, once:

- ``training_parser`` and ``parse_training_args``: the common options, checked before any
  work starts, so a bad value is an argparse-style message (exit status 2) and never a
  traceback after minutes of training;
- ``load_mnist_sets``: the training and validation sets from ``--data-dir`` or
  ``--download``, or the sample bundled with MyTorch when neither is given;
- ``train_loader``: a shuffled loader that drops a last batch of one, which BatchNorm
  cannot normalise in training mode;
- ``progress``: a ``tqdm`` bar over an epoch's batches (a one-line summary per epoch
  without tqdm);
- ``History`` and ``save_plot``: the training losses and validation accuracies, plotted
  in two panels with the epoch boundaries marked (a CSV without matplotlib).

The scripts import it as ``common``: Python puts a script's own directory first on
``sys.path``, so ``python examples/mnist_mlp.py`` finds it from any directory.
"""

from __future__ import annotations

import argparse
import math
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mytorch.data import DataLoader, Dataset
from mytorch.datasets import (
    MNIST,
    DownloadError,
    IDXFormatError,
    MNISTSampleWarning,
    data_home,
    download_mnist,
)

# The formats matplotlib writes; checked up front so a typo fails before training.
PLOT_SUFFIXES = frozenset(
    {".eps", ".jpeg", ".jpg", ".pdf", ".pgf", ".png", ".ps", ".svg", ".svgz", ".tif", ".tiff"}
    | {".webp", ".csv"}
)


# ---------------------------------------------------------------------------- the options


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1 (a count)."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def nonnegative_int(text: str) -> int:
    """An argparse type: an integer of at least 0 (a seed)."""
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {value}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def positive_float(text: str) -> float:
    """An argparse type: a finite number greater than 0 (a learning rate)."""
    value = _finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number greater than 0, got {text}")
    return value


def nonnegative_float(text: str) -> float:
    """An argparse type: a finite number of at least 0 (a momentum)."""
    value = _finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a number of at least 0, got {text}")
    return value


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def training_parser(description: str, script: str, out: str) -> argparse.ArgumentParser:
    """The options every MNIST example takes; ``out`` is the default plot file.

    ``script`` names the script in messages (``Path(__file__).name``).

    A script adds its own options (``--hidden``, ...) to the parser it gets back, then
    calls ``parse_training_args``.
    """
    parser = argparse.ArgumentParser(prog=script, description=description)
    parser.add_argument("--epochs", type=positive_int, default=3)
    parser.add_argument("--batch-size", type=positive_int, default=100)
    parser.add_argument("--lr", type=positive_float, default=0.1, help="learning rate")
    parser.add_argument("--momentum", type=nonnegative_float, default=0.0)
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="directory of the MNIST IDX files"
    )
    parser.add_argument("--download", action="store_true", help="fetch MNIST if missing")
    parser.add_argument("--seed", type=nonnegative_int, default=0)
    parser.add_argument(
        "--compile",
        action="store_true",
        help="capture the training step once and replay it (mytorch.compile): same results, "
        "less time per batch",
    )
    parser.add_argument(
        "--val-every",
        type=positive_int,
        default=None,
        help="batches between validations (default 100; 10 on the bundled sample); "
        "the model is also validated at the end of every epoch",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(out),
        help=f"where to save the plot (default {out}; a .csv without matplotlib)",
    )
    return parser


def parse_training_args(
    parser: argparse.ArgumentParser, argv: list[str] | None = None
) -> argparse.Namespace:
    """Parse ``argv`` and check what needs several options or the file system."""
    args = parser.parse_args(argv)
    if args.data_dir is not None and not args.data_dir.is_dir():
        if args.data_dir.exists():
            parser.error(f"argument --data-dir: {args.data_dir} is not a directory")
        if not args.download:
            parser.error(
                f"argument --data-dir: {args.data_dir} does not exist "
                "(add --download to fetch MNIST into it)"
            )
    out = args.out
    if out.is_dir():
        parser.error(f"argument --out: {out} is a directory; give a file name such as plot.png")
    if not out.parent.is_dir():
        parser.error(f"argument --out: the directory {out.parent} does not exist")
    if out.suffix.lower() not in PLOT_SUFFIXES:
        formats = ", ".join(sorted(PLOT_SUFFIXES))
        parser.error(f"argument --out: cannot save a plot as {out.name!r}; use one of {formats}")
    return args


# ---------------------------------------------------------------------------- the data


def load_mnist_sets(
    parser: argparse.ArgumentParser, args: argparse.Namespace, flatten: bool = True
) -> tuple[MNIST, MNIST]:
    """The training and validation sets, as ``--data-dir`` and ``--download`` ask.

    - ``--download``: fetch the missing files into ``--data-dir`` (or the cache); if that
      fails, say why, then fall back to the bundled sample;
    - ``--data-dir`` alone: the files must be there (an error otherwise);
    - neither: the cache if it holds MNIST, else the bundled sample, with a note.
    """
    root = args.data_dir
    allow_sample = root is None
    if args.download:
        try:
            download_mnist(root)
        except DownloadError as error:
            print(f"warning: --download failed, so MNIST is not in {_where(root)}:\n{error}")
            allow_sample = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MNISTSampleWarning)  # we say it below, once
            train_set = MNIST(root, train=True, flatten=flatten, fallback=allow_sample)
            val_set = MNIST(root, train=False, flatten=flatten, fallback=allow_sample)
    except (FileNotFoundError, IDXFormatError) as error:
        parser.error(f"argument --data-dir: {error}" if root is not None else str(error))
    if train_set.source == "sample":
        print(
            f"note: no MNIST files in {train_set.root}; using the 5,000-digit sample bundled "
            "with MyTorch (pass --data-dir DIR or --download for the full data set)"
        )
    return train_set, val_set


def _where(root: Path | None) -> Path:
    return root if root is not None else data_home() / "mnist"


def train_loader(dataset: Dataset, batch_size: int) -> DataLoader:
    """A shuffled loader; a last batch of one example is dropped, with a note.

    In training mode BatchNorm normalises each feature over the batch, which needs more
    than one example (PyTorch raises on a batch of one too).
    """
    drop_last = len(dataset) % batch_size == 1 and len(dataset) > 1
    if drop_last:
        print(
            f"note: {len(dataset)} examples in batches of {batch_size} leave a last batch "
            "of 1, which BatchNorm cannot normalise; it is skipped every epoch"
        )
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, drop_last=drop_last)


# ---------------------------------------------------------------------------- progress


class _EpochSummary:
    """Without tqdm: iterate quietly, then print one line for the epoch."""

    def __init__(self, batches: Iterable[Any], description: str) -> None:
        self.batches = batches
        self.description = description
        self.values: dict[str, Any] = {}

    def __iter__(self) -> Iterator[Any]:
        start = time.perf_counter()
        count = 0
        for count, batch in enumerate(self.batches, 1):  # noqa: B007 (count is used below)
            yield batch
        values = "".join(f", {name} {value}" for name, value in self.values.items())
        seconds = time.perf_counter() - start
        print(f"{self.description}: {count} batches in {seconds:.1f} s{values}")

    def set_postfix(self, refresh: bool = True, **values: Any) -> None:
        self.values = values


def progress(batches: Iterable[Any], description: str) -> Any:
    """A progress bar over one epoch's batches: ``tqdm`` if installed.

    Call ``.set_postfix(loss=...)`` on it to show running values, as with tqdm.
    """
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _EpochSummary(batches, description)
    return tqdm(batches, desc=description, unit="batch")  # on stderr, as tqdm always is


# ---------------------------------------------------------------------------- the plot


@dataclass
class History:
    """What a run measured, by training batch (counted from 1 across epochs)."""

    losses: list[float] = field(default_factory=list)  # one per training batch
    val_batches: list[int] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    epoch_ends: list[int] = field(default_factory=list)

    def record_loss(self, loss: float) -> int:
        """Record one batch's loss; return the number of batches so far."""
        self.losses.append(loss)
        return len(self.losses)

    def record_accuracy(self, accuracy: float) -> None:
        self.val_batches.append(len(self.losses))
        self.accuracies.append(accuracy)

    def end_epoch(self) -> None:
        self.epoch_ends.append(len(self.losses))


def save_plot(history: History, out: Path, title: str) -> Path:
    """Plot the losses and accuracies with matplotlib, or write a CSV without it.

    Returns the file written (``out``, or ``out`` with a ``.csv`` suffix).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")  # draw to a file; no screen needed
        import matplotlib.pyplot as plt
    except ImportError:
        plt = None
    if plt is None or out.suffix.lower() == ".csv":
        return _save_csv(history, out.with_suffix(".csv"), matplotlib_missing=plt is None)

    figure, (loss_axes, accuracy_axes) = plt.subplots(2, 1, sharex=True, figsize=(6, 5))
    batches = range(1, len(history.losses) + 1)
    loss_axes.plot(batches, history.losses, linewidth=0.8, color="tab:red")
    loss_axes.set_ylabel("training loss")
    loss_axes.set_title(title)
    accuracy_axes.plot(history.val_batches, history.accuracies, marker="o")
    accuracy_axes.set_ylabel("validation accuracy")
    accuracy_axes.set_xlabel("training batches (dotted lines: ends of epochs)")
    for axes in (loss_axes, accuracy_axes):
        axes.grid(True, alpha=0.3)
        for end in history.epoch_ends:
            axes.axvline(end, color="gray", linestyle=":", linewidth=1)
    figure.tight_layout()
    figure.savefig(out, dpi=100)
    plt.close(figure)
    print(f"saved {out}")
    return out


def _save_csv(history: History, out: Path, matplotlib_missing: bool) -> Path:
    """One row per training batch: its loss, and the accuracy where it was validated."""
    accuracy_at = dict(zip(history.val_batches, history.accuracies))
    ends = set(history.epoch_ends)
    rows = ["batch,loss,accuracy,epoch_end\n"]
    for batch, loss in enumerate(history.losses, 1):
        accuracy = accuracy_at.get(batch, "")
        rows.append(f"{batch},{loss},{accuracy},{int(batch in ends)}\n")
    out.write_text("".join(rows))
    if matplotlib_missing:
        print(f"matplotlib is not installed (pip install matplotlib); wrote {out} instead")
    else:
        print(f"saved {out}")
    return out
