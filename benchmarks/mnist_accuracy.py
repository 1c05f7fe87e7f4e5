"""mnist_accuracy: the SPEC.md job on real digits, mytorch against PyTorch (issue 4).

Trains on the 10,000 MNIST t10k images (read from the IDX gzip files) and validates on the
5,000 images of ``val_data.npy``, both from ``../shared/data/mnist`` beside the repository
(or the folder named by ``MYTORCH_SHARED_MNIST``). The default protocol: 3 epochs, SGD
lr 0.1, batch 100, a fresh shuffle each epoch (the same permutations for every framework),
validation every 100 batches. Every framework starts from the same weights. Skips cleanly
where the data is absent.
"""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import numpy as np

from benchmarks import common
from benchmarks.mlp import Model, MytorchMLP, TorchMLP, accuracy, batches, initial_weights
from benchmarks.numpy_mlp import NumpyMLP

NAME = "mnist_accuracy"
EPOCHS, BATCH, LR, VAL_EVERY, SEED = 3, 100, 0.1, 100, 0
_IDX_MAGIC = {2049: 1, 2051: 3}  # labels: 1 dimension; images: 3


def mnist_dir() -> Path:
    """Where the shared real digits live."""
    default = common.REPO_ROOT / ".." / "shared" / "data" / "mnist"
    return Path(os.environ.get("MYTORCH_SHARED_MNIST", default)).resolve()


def read_idx(path: Path) -> np.ndarray:
    """Read an MNIST IDX file (gzipped or not) as a uint8 array, checking magic and size."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as file:
        raw = file.read()
    magic = int.from_bytes(raw[:4], "big")
    if magic not in _IDX_MAGIC:
        raise ValueError(f"read_idx: {path} has magic number {magic}, not 2049 or 2051")
    ndim = _IDX_MAGIC[magic]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != np.prod(shape):
        raise ValueError(f"read_idx: {path} holds {data.size} values, its header says {shape}")
    return data.reshape(shape)


def load(folder: Path) -> tuple[np.ndarray, ...]:
    """Training (t10k) and validation arrays: float32 pixels in [0, 1], int64 labels."""
    x = read_idx(folder / "t10k-images-idx3-ubyte.gz").reshape(-1, 784)
    y = read_idx(folder / "t10k-labels-idx1-ubyte.gz")
    x_val, y_val = np.load(folder / "val_data.npy"), np.load(folder / "val_labels.npy")
    scale = np.float32(1 / 255)
    return x * scale, y.astype(np.int64), x_val * scale, y_val.astype(np.int64)


def train(
    model: Model, data: tuple[np.ndarray, ...], orders: list[np.ndarray]
) -> tuple[list[float], list[float]]:
    """The protocol; return the validation accuracies and the seconds of each epoch."""
    x, y, x_val, y_val = data
    accuracies, seconds, done = [], [], 0
    for order in orders:
        start = time.perf_counter()
        for index in batches(len(x), BATCH, order):
            model.train_step(x[index], y[index])
            done += 1
            if done % VAL_EVERY == 0:
                accuracies.append(accuracy(model, x_val, y_val))
        seconds.append(time.perf_counter() - start)
    return accuracies, seconds


def run(quick: bool = False, profile_dir: Path | None = None) -> None:
    """Train in each framework and print accuracies and time per epoch (quick: same run)."""
    common.print_header(
        f"{NAME}: {EPOCHS} epochs on the 10,000 real t10k digits, validated on 5,000, "
        f"batch {BATCH}, lr {LR}, validation every {VAL_EVERY} batches"
    )
    folder = mnist_dir()
    if not (folder / "t10k-images-idx3-ubyte.gz").exists():
        print(f"  skipped: no MNIST data at {folder} (set MYTORCH_SHARED_MNIST)")
        return
    data = load(folder)
    rng = np.random.default_rng(SEED)
    orders = [rng.permutation(len(data[0])) for _ in range(EPOCHS)]
    weights = initial_weights(SEED)
    models = {"numpy floor": NumpyMLP}
    missing = common.mytorch_nn_missing()
    if missing is None:
        models["mytorch"] = MytorchMLP
    else:
        print(f"  mytorch: not run, mytorch.nn/optim lack {missing}")
    if common.torch_or_none() is not None:
        models["torch"] = TorchMLP

    results = {name: train(cls(weights, LR), data, orders) for name, cls in models.items()}
    floor = common.Timing(tuple(results["numpy floor"][1]))
    torch = common.Timing(tuple(results["torch"][1])) if "torch" in results else None
    rows = []
    for name, (accuracies, seconds) in results.items():
        timing = common.Timing(tuple(seconds))
        rows.append(
            [
                name,
                " ".join(f"{a:.4f}" for a in accuracies),
                f"{100 * accuracies[-1]:.2f}",
                common.spread(timing),
                common.ratio(timing.median, floor.median),
                common.ratio(timing.median, torch.median if torch else None),
            ]
        )
    headers = ["framework", "validation accuracies", "final %", "s/epoch", "x floor", "x torch"]
    common.print_table(headers, rows)
    if "mytorch" in results and "torch" in results:
        gap = 100 * (results["mytorch"][0][-1] - results["torch"][0][-1])
        verdict = "within" if abs(gap) <= 0.5 else "OUTSIDE"
        print(f"  final accuracy, mytorch - torch: {gap:+.2f} points ({verdict} 0.5)")
    if profile_dir is not None and "mytorch" in models:
        model = MytorchMLP(weights, LR)
        common.write_profile(lambda: train(model, data, orders[:1]), NAME, profile_dir)


if __name__ == "__main__":
    common.setup_threads()
    run()
