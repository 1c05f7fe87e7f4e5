"""memory: peak RSS of ten training epochs of the MLP, and RSS after each epoch.

Each framework trains in its own subprocess (``python -m benchmarks.memory --worker NAME``),
so that each peak is its own and one framework's freed memory cannot hide another's. The
data is 10,000 synthetic MNIST-shaped samples (31 MB, the same in every worker) rather
than 60,000, so that the memory the training itself holds is not lost beside the data's.
RSS after each epoch must stay flat: the graph is freed at every step.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks import common

NAME = "memory"
SAMPLES, EPOCHS, BATCH, LR = 10_000, 10, 100, 0.1
FRAMEWORKS = ("numpy", "mytorch", "torch")


def worker(framework: str, samples: int, epochs: int) -> dict[str, object]:
    """Train in this process and return its RSS figures, in bytes."""
    common.setup_threads(use_torch=framework == "torch")
    if framework == "mytorch":
        import mytorch.nn
        import mytorch.optim  # noqa: F401  (imported before "after import" is measured)
    from benchmarks.mlp import MytorchMLP, TorchMLP, initial_weights, synthetic_mnist, train_epoch
    from benchmarks.numpy_mlp import NumpyMLP

    after_import = common.rss_bytes()
    x, y = synthetic_mnist(samples)
    model_class = {"numpy": NumpyMLP, "mytorch": MytorchMLP, "torch": TorchMLP}[framework]
    model = model_class(initial_weights(), LR)
    ready = common.rss_bytes()
    after_epochs = []
    for _ in range(epochs):
        train_epoch(model, x, y, BATCH)
        after_epochs.append(common.rss_bytes())
    return {
        "after_import": after_import,
        "ready": ready,
        "after_epochs": after_epochs,
        "peak": common.peak_rss_bytes(),
    }


def _spawn(framework: str, samples: int, epochs: int) -> dict[str, object] | str:
    """Run a worker in a fresh interpreter; return its figures, or why it failed."""
    args = ["--worker", framework, "--samples", str(samples), "--epochs", str(epochs)]
    return common.spawn_worker("benchmarks.memory", args)


def run(quick: bool = False, profile_dir: Path | None = None) -> None:
    """Run one worker per framework and print the table (MB)."""
    common.print_header(
        f"{NAME}: RSS of {EPOCHS} epochs of the MNIST MLP on {SAMPLES} synthetic samples, "
        "batch 100, one subprocess per framework, MB"
    )
    frameworks = ["numpy"]
    missing = common.mytorch_nn_missing()
    if missing is None:
        frameworks.append("mytorch")
    else:
        print(f"  mytorch: not run, mytorch.nn/optim lack {missing}")
    if common.torch_or_none() is not None:
        frameworks.append("torch")

    results = {name: _spawn(name, SAMPLES, EPOCHS) for name in frameworks}
    floor = results["numpy"]
    rows = []
    for name, result in results.items():
        if isinstance(result, str):
            print(f"  {name}: {result}")
            continue
        after = result["after_epochs"]
        training = result["peak"] - result["ready"]
        rows.append(
            [
                "numpy floor" if name == "numpy" else name,
                *(f"{result[key] / common.MB:.1f}" for key in ("after_import", "ready", "peak")),
                common.ratio(result["peak"], _get(floor, "peak")),
                f"{training / common.MB:.1f}",
                f"{(after[-1] - after[0]) / common.MB:+.1f}",
            ]
        )
    headers = ["framework", "imported", "ready", "peak", "peak x floor", "peak-ready", "growth"]
    common.print_table(headers, rows)
    print("  (ready: data and model built; growth: RSS after the last epoch - after the first)")
    for name, result in results.items():
        if not isinstance(result, str):
            epochs = " ".join(f"{value / common.MB:.1f}" for value in result["after_epochs"])
            print(f"  RSS after each epoch, {name}: {epochs}")
    if profile_dir is not None:
        print("  (no profile for this benchmark: it measures memory, in subprocesses)")


def _get(result: dict[str, object] | str, key: str) -> float | None:
    return None if isinstance(result, str) else result[key]


def main() -> None:
    """The worker's command line: train one framework and print its figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", choices=FRAMEWORKS, required=True)
    parser.add_argument("--samples", type=int, default=SAMPLES)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()
    print(json.dumps(worker(args.worker, args.samples, args.epochs)))


if __name__ == "__main__":
    main()
