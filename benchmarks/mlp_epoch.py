"""mlp_epoch: one epoch of the SPEC.md MNIST job, mytorch against the numpy floor and PyTorch.

60,000 synthetic MNIST-shaped samples (float32, fixed seed), batch 100, SGD lr 0.1, taken
in order (no shuffle) so that the epoch time is the training step alone. Every framework
starts from the same weights; the first epoch's mean losses must agree. The frameworks
take turns epoch by epoch, so noise from other work on the machine hits them alike.

Two floors: the plain one (the yardstick of every earlier figure) and a tuned one, which
uses the faster numpy that MyTorch's own ops use (sums over the batch as a product with
ones, the log-softmax on transposed logits). The ratio to the tuned floor is what MyTorch
adds on top of the same numpy work.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import common
from benchmarks.mlp import MytorchMLP, TorchMLP, initial_weights, synthetic_mnist, train_epoch
from benchmarks.numpy_mlp import NumpyMLP

NAME = "mlp_epoch"
SAMPLES, BATCH, LR = 60_000, 100, 0.1
LOSS_TOLERANCE = 1e-3  # relative: float32 rounding differs between frameworks


def run(quick: bool = False, profile_dir: Path | None = None) -> None:
    """Time epochs in each framework and print the table."""
    epochs = 3 if quick else 7
    common.print_header(
        f"{NAME}: one epoch of the MNIST MLP, {SAMPLES} samples, batch {BATCH}, "
        f"median (best) of {epochs} epochs, seconds"
    )
    x, y = synthetic_mnist(SAMPLES)
    weights = initial_weights()
    models = {
        "numpy floor": NumpyMLP(weights, LR),
        "numpy floor, tuned": NumpyMLP(weights, LR, tuned=True),
    }
    missing = common.mytorch_nn_missing()
    if missing is None:
        models["mytorch"] = MytorchMLP(weights, LR)
        models["mytorch compiled"] = MytorchMLP(weights, LR, compiled=True)
    else:
        print(f"  mytorch: not run, mytorch.nn/optim lack {missing}")
    if common.torch_or_none() is not None:
        models["torch"] = TorchMLP(weights, LR)

    first_loss: dict[str, float] = {}
    times: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(epochs):
        for name, model in models.items():
            loss, seconds = common.timed(lambda model=model: train_epoch(model, x, y, BATCH))
            first_loss.setdefault(name, loss)
            times[name].append(seconds)

    timings = {name: common.Timing(tuple(values)) for name, values in times.items()}
    floor, tuned = timings["numpy floor"], timings["numpy floor, tuned"]
    torch = timings.get("torch")
    rows = [
        [
            name,
            f"{first_loss[name]:.6f}",
            common.spread(timing),
            common.ratio(timing.median, floor.median),
            common.ratio(timing.median, tuned.median),
            common.ratio(timing.median, torch.median if torch else None),
        ]
        for name, timing in timings.items()
    ]
    common.print_table(
        ["framework", "epoch-1 loss", "s/epoch", "x floor", "x tuned", "x torch"], rows
    )
    _check_losses(first_loss)
    if profile_dir is not None and "mytorch" in models:
        model = MytorchMLP(weights, LR)
        common.write_profile(lambda: train_epoch(model, x, y, BATCH), NAME, profile_dir)


def _check_losses(first_loss: dict[str, float]) -> None:
    reference = first_loss["numpy floor"]
    worst = max(abs(loss - reference) / abs(reference) for loss in first_loss.values())
    verdict = "agree" if worst <= LOSS_TOLERANCE else "DISAGREE"
    print(f"  first-epoch mean losses {verdict} (largest relative difference {worst:.1e})")


if __name__ == "__main__":
    common.setup_threads()
    run()
