"""conv: the MNIST CNN's training step, and Conv2d forward+backward alone, against PyTorch.

Three tables:

1. One training step (zero_grad, forward, log-softmax + NLL, backward, Adadelta step) of
   pytorch/examples' MNIST network at batch 64, mytorch and PyTorch from the same weights.
   The floor is the convolutions' matrix products alone, timed in numpy with the shapes
   mytorch's im2col gives them (both layers' forward and weight-gradient products, and
   conv2's input-gradient product): the step minus them is everything else (im2col and
   col2im, pooling, the dense layers, dropout, the loss, the optimiser, autograd).
2. ``Conv2d`` forward+backward alone (input, weight and bias gradients) at a MNIST size and
   a CIFAR-like size.
3. The peak memory of one such forward+backward, each in a fresh subprocess
   (``python -m benchmarks.conv --worker FRAMEWORK CASE`` prints JSON): the growth of the
   peak RSS (Linux ``VmHWM``) over the RSS when the inputs are ready, and, for mytorch, the
   peak of numpy's own allocations (``tracemalloc``, which numpy reports to).
4. Real digits (skipped where ``../shared/data/mnist`` is absent, and in quick mode): the
   network trained on the 10,000 t10k digits for one epoch and validated on the 5,000
   validation digits, mytorch and PyTorch from the same weights and batch order (dropout
   masks differ: each framework draws its own).
"""

from __future__ import annotations

import argparse
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import common

NAME = "conv"
BATCH = 64
# name: (input shape, weight shape, padding)
CASES = {
    "mnist 32->64 k3 (64,32,26,26)": ((BATCH, 32, 26, 26), (64, 32, 3, 3), 0),
    "cifar 3->64 k3 p1 (64,3,32,32)": ((BATCH, 3, 32, 32), (64, 3, 3, 3), 1),
}


# --------------------------------------------------------------------------- the network
def network(lib: Any, dropout: bool = True) -> Any:
    """pytorch/examples' MNIST network in ``lib`` (the ``mytorch`` or ``torch`` module)."""
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3),
        nn.ReLU(),
        nn.Conv2d(32, 64, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.25 if dropout else 0.0),
        nn.Flatten(),
        nn.Linear(9216, 128),
        nn.ReLU(),
        nn.Dropout(0.5 if dropout else 0.0),
        nn.Linear(128, 10),
        nn.LogSoftmax(dim=1),
    )


def _tensor(lib: Any, array: np.ndarray, requires_grad: bool = False) -> Any:
    if lib.__name__ == "torch":
        return lib.from_numpy(array.copy()).requires_grad_(requires_grad)
    return lib.Tensor(array.copy(), requires_grad=requires_grad)


def train_step(
    lib: Any, batch: int = BATCH, dropout: bool = True, seed: int = 0, compiled: bool = False
) -> Callable:
    """A closure taking one training step of the network; it returns the loss (a float).

    Both frameworks start from the same weights: mytorch's, seeded, copied into torch.
    ``compiled=True`` (mytorch only) runs the step through ``mytorch.compile``.
    """
    import mytorch

    mytorch.manual_seed(seed)
    weights = [p.data.copy() for p in network(mytorch).parameters()]
    model = network(lib, dropout)
    params = list(model.parameters())
    if lib.__name__ == "torch":
        with lib.no_grad():
            for param, value in zip(params, weights):
                param.copy_(lib.from_numpy(value))
    else:
        with lib.no_grad():
            for param, value in zip(params, weights):
                param.copy_(value)
    optimizer = lib.optim.Adadelta(params, lr=1.0)
    rng = np.random.default_rng(seed)
    images = _tensor(lib, rng.random((batch, 1, 28, 28), dtype=np.float32))
    labels = _tensor(lib, rng.integers(0, 10, batch))
    nll_loss = lib.nn.functional.nll_loss

    def tensor_step() -> Any:
        optimizer.zero_grad()
        loss = nll_loss(model(images), labels)
        loss.backward()
        optimizer.step()
        return loss

    run_step = mytorch.compile(tensor_step) if compiled else tensor_step

    def step() -> float:
        return run_step().item()

    return step


def conv_products(batch: int = BATCH) -> Callable[[], None]:
    """The numpy floor: the network's convolution matrix products, as mytorch's im2col lays
    them out ((O, C*k*k) @ (C*k*k, N*OH*OW)), float32."""
    rng = np.random.default_rng(0)

    def arrays(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape, dtype=np.float32)

    w1, cols1, g1 = arrays(32, 9), arrays(9, batch * 26 * 26), arrays(32, batch * 26 * 26)
    w2, cols2, g2 = arrays(64, 288), arrays(288, batch * 24 * 24), arrays(64, batch * 24 * 24)

    def products() -> None:
        w1 @ cols1  # conv1 forward
        g1 @ cols1.T  # conv1 weight gradient (the input needs none)
        w2 @ cols2  # conv2 forward
        g2 @ cols2.T  # conv2 weight gradient
        w2.T @ g2  # conv2 input gradient, before col2im

    return products


# ------------------------------------------------------------------------ Conv2d alone
def conv_case(lib: Any, case: str) -> Callable[[], Any]:
    """Conv2d forward+backward on the case's shapes; returns the weight's gradient."""
    x_shape, w_shape, padding = CASES[case]
    rng = np.random.default_rng(0)
    x = _tensor(lib, rng.standard_normal(x_shape, dtype=np.float32), True)
    w = _tensor(lib, rng.standard_normal(w_shape, dtype=np.float32) * 0.1, True)
    b = _tensor(lib, np.zeros(w_shape[0], dtype=np.float32), True)
    conv2d = lib.nn.functional.conv2d

    def forward_backward() -> Any:
        x.grad = w.grad = b.grad = None
        conv2d(x, w, b, padding=padding).sum().backward()
        return w.grad

    return forward_backward


def worker(framework: str, case: str) -> dict[str, int]:
    """Run one Conv2d forward+backward in this (fresh) process; return its memory figures."""
    common.setup_threads(use_torch=framework == "torch")
    lib = __import__(framework)
    fn = conv_case(lib, case)
    common.release_free_memory()
    ready = common.rss_bytes()
    tracemalloc.start()
    fn()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rss_growth": common.peak_rss_bytes() - ready, "traced_peak": traced_peak}


# ------------------------------------------------------------------------- real digits
def real_digits_accuracy(
    lib: Any,
    data: tuple[np.ndarray, ...],
    epochs: int = 1,
    dropout: bool = True,
    seed: int = 0,
) -> float:
    """Train the network on ``data``'s training digits; return its validation accuracy.

    ``data`` is ``benchmarks.mnist_accuracy.load``'s (flat float images, int64 labels). The
    weights, the batch order and the lr schedule (Adadelta lr 1.0, x0.7 per epoch) depend
    on ``seed`` alone, so both frameworks see the same.
    """
    import mytorch

    x, y, x_val, y_val = data

    def images(flat: np.ndarray) -> Any:
        return _tensor(lib, ((flat - 0.1307) / 0.3081).reshape(-1, 1, 28, 28).astype(np.float32))

    mytorch.manual_seed(seed)
    weights = [p.data.copy() for p in network(mytorch).parameters()]
    if lib is not mytorch:
        lib.manual_seed(seed)  # its dropout masks too: the same accuracy on every run
    model = network(lib, dropout)
    with lib.no_grad():
        for param, value in zip(model.parameters(), weights):
            param.copy_(lib.from_numpy(value) if lib.__name__ == "torch" else value)
    optimizer = lib.optim.Adadelta(model.parameters(), lr=1.0)
    rng = np.random.default_rng(seed)
    model.train()
    for epoch in range(epochs):
        for group in optimizer.param_groups:
            group["lr"] = 0.7**epoch
        order = rng.permutation(len(x))
        for start in range(0, len(x), BATCH):
            index = order[start : start + BATCH]
            optimizer.zero_grad()
            loss = lib.nn.functional.nll_loss(model(images(x[index])), _tensor(lib, y[index]))
            loss.backward()
            optimizer.step()
    model.eval()
    correct = 0
    with lib.no_grad():
        for start in range(0, len(x_val), 100):
            scores = model(images(x_val[start : start + 100]))
            correct += int(
                (scores.argmax(dim=1) == _tensor(lib, y_val[start : start + 100])).sum()
            )
    return correct / len(x_val)


def _real_digits_table(torch: Any) -> None:
    import mytorch
    from benchmarks import mnist_accuracy

    folder = mnist_accuracy.mnist_dir()
    if not (folder / "t10k-images-idx3-ubyte.gz").exists():
        print(f"\n  real digits: skipped, no MNIST data at {folder}")
        return
    data = mnist_accuracy.load(folder)
    # With dropout each framework draws its own masks, so the two runs differ by the
    # luck of the draw as well; without it they do the same arithmetic from the same start.
    for dropout in (True, False):
        rows, accuracies = [], {}
        for name, lib in (("mytorch", mytorch), ("torch", torch)):
            if lib is None:
                continue
            accuracy, seconds = common.timed(
                lambda lib=lib, dropout=dropout: real_digits_accuracy(lib, data, dropout=dropout)
            )
            accuracies[name] = accuracy
            rows.append([name, f"{100 * accuracy:.2f}", f"{seconds:.1f}"])
        print(
            "\n  one epoch on the 10,000 t10k digits, validated on 5,000 (batch 64, Adadelta "
            f"1.0), dropout {'on (each framework its own masks)' if dropout else 'off'}:"
        )
        common.print_table(["framework", "accuracy %", "s (with validation)"], rows)
        if len(accuracies) == 2:
            gap = 100 * (accuracies["mytorch"] - accuracies["torch"])
            verdict = "within" if abs(gap) <= 0.3 else "OUTSIDE"
            print(f"  mytorch - torch: {gap:+.2f} points ({verdict} 0.3)")


# ------------------------------------------------------------------------------ the run
def run(quick: bool = False, profile_dir: Path | None = None) -> None:
    """Time the step and the Conv2d cases in both frameworks; print the three tables."""
    import mytorch

    repeats = 3 if quick else 9
    common.print_header(
        f"{NAME}: ms per call, median (best) of {repeats} repeats, one thread, float32"
    )
    torch = common.torch_or_none()

    # 1. the training step
    step = {"mytorch": train_step(mytorch), "compiled": train_step(mytorch, compiled=True)}
    if torch is not None:
        step["torch"] = train_step(torch)
    step_times = {name: common.time_calls(fn, repeats, 1) for name, fn in step.items()}
    products = common.time_calls(conv_products(), repeats, 1)
    mine, theirs = step_times["mytorch"], step_times.get("torch")
    print(f"\n  one training step of pytorch/examples' MNIST CNN, batch {BATCH}:")
    common.print_table(
        ["", "ms", "x conv products", "my/torch"],
        [
            ["conv products (numpy)", common.spread(products, 1e3, 1), "1.00x", "-"],
            [
                "mytorch step",
                common.spread(mine, 1e3, 1),
                common.ratio(mine.median, products.median),
                common.ratio(mine.median, theirs.median if theirs else None),
            ],
            [
                "mytorch step - products",
                f"{(mine.median - products.median) * 1e3:.1f}",
                "-",
                "-",
            ],
            [
                "mytorch compiled step",
                common.spread(step_times["compiled"], 1e3, 1),
                common.ratio(step_times["compiled"].median, products.median),
                common.ratio(step_times["compiled"].median, theirs.median if theirs else None),
            ],
            ["torch step", common.spread(theirs, 1e3, 1), "-", "-"],
        ],
    )

    # 2. Conv2d forward+backward alone
    rows = []
    for case in CASES:
        fns = {"mytorch": conv_case(mytorch, case)}
        if torch is not None:
            fns["torch"] = conv_case(torch, case)
        times = {name: common.time_calls(fn, repeats, 1) for name, fn in fns.items()}
        torch_time = times.get("torch")
        rows.append(
            [
                case,
                common.spread(times["mytorch"], 1e3, 1),
                common.spread(torch_time, 1e3, 1),
                common.ratio(times["mytorch"].median, torch_time.median if torch_time else None),
            ]
        )
    print("\n  Conv2d forward + backward (input, weight and bias gradients):")
    common.print_table(["case", "mytorch ms", "torch ms", "my/torch"], rows)

    # 3. peak memory, one fresh process per framework and case
    rows = []
    for case in CASES:
        cells = []
        for framework in ("mytorch", "torch") if torch is not None else ("mytorch",):
            result = common.spawn_worker("benchmarks.conv", ["--worker", framework, case])
            if isinstance(result, str):
                print(f"  {framework}, {case}: {result}")
                cells.append(None)
                continue
            cells.append(result)
        mine_mem = cells[0]
        theirs_mem = cells[1] if len(cells) > 1 else None
        rows.append(
            [
                case,
                f"{mine_mem['traced_peak'] / common.MB:.1f}" if mine_mem else "-",
                f"{mine_mem['rss_growth'] / common.MB:.1f}" if mine_mem else "-",
                f"{theirs_mem['rss_growth'] / common.MB:.1f}" if theirs_mem else "-",
            ]
        )
    print("\n  peak memory of one Conv2d forward + backward, MB:")
    common.print_table(
        ["case", "mytorch numpy peak", "mytorch peak RSS growth", "torch peak RSS growth"], rows
    )
    if not quick:
        _real_digits_table(torch)
    if profile_dir is not None:
        common.write_profile(lambda: [step["mytorch"]() for _ in range(3)], NAME, profile_dir)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "CASE"))
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
    else:
        common.setup_threads()
        run()
