"""op_overhead: microseconds per op with autograd on, mytorch against raw numpy and PyTorch.

Four cases, each written three times: raw numpy (the same arithmetic, gradients by hand),
mytorch and PyTorch. Every callable returns its forward value (forward-only cases) or the
gradient of its first input, so the smoke test can check that the versions agree. Leaves'
``.grad`` is reset each call, as a training loop's ``zero_grad`` would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import common

NAME = "op_overhead"
CHAIN = 100  # ops in the elementwise chain
SCALE, SHIFT = np.float32(1.0001), np.float32(0.0001)


def _inputs(case: str) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    shapes = {"matmul": [(100, 784), (784, 20)], "chain": [(2, 3)]}.get(case, [(2, 3), (3,)])
    return [rng.standard_normal(shape).astype(np.float32) for shape in shapes]


# --------------------------------------------------------------------------- numpy
def numpy_case(case: str) -> Callable[[], np.ndarray]:
    """The case in raw numpy: the forward arithmetic and its gradients written by hand."""
    a, b = (*_inputs(case), None)[:2]

    def add() -> np.ndarray:
        return a + b

    def add_sum_backward() -> np.ndarray:
        (a + b).sum()
        grad = np.ones_like(a)
        _ = grad.sum(axis=0)  # b's gradient, reduced over the broadcast axis
        return grad

    def chain() -> np.ndarray:
        y = a
        for _ in range(CHAIN // 2):
            y = y * SCALE + SHIFT
        grad = np.ones_like(a)
        for _ in range(CHAIN // 2):
            grad = grad * SCALE  # the add passes its gradient through
        return grad

    def matmul() -> np.ndarray:
        out = a @ b
        out.sum()
        grad = np.ones_like(out)
        _ = a.T @ grad
        return grad @ b.T

    return {"add": add, "add_sum": add_sum_backward, "chain": chain, "matmul": matmul}[case]


# ------------------------------------------------------------------ mytorch / torch
def framework_case(case: str, lib: Any) -> Callable[[], Any]:
    """The case in ``lib`` (the ``mytorch`` or ``torch`` module), whose APIs agree here."""
    arrays = _inputs(case)
    leaves = [_leaf(lib, array) for array in arrays]
    a, b = (*leaves, None)[:2]
    scale, shift = float(SCALE), float(SHIFT)

    def add() -> Any:
        return a + b

    def add_sum_backward() -> Any:
        a.grad = b.grad = None
        (a + b).sum().backward()
        return a.grad

    def chain() -> Any:
        a.grad = None
        y = a
        for _ in range(CHAIN // 2):
            y = y * scale + shift
        y.sum().backward()
        return a.grad

    def matmul() -> Any:
        a.grad = b.grad = None
        (a @ b).sum().backward()
        return a.grad

    return {"add": add, "add_sum": add_sum_backward, "chain": chain, "matmul": matmul}[case]


def _leaf(lib: Any, array: np.ndarray) -> Any:
    if lib.__name__ == "torch":
        return lib.from_numpy(array.copy()).requires_grad_()
    return lib.Tensor(array.copy(), requires_grad=True)


CASES = {
    "add": ("(2,3) + (3,) forward", 1),
    "add_sum": ("(2,3) + (3,), sum, backward", 1),
    "chain": (f"{CHAIN}-op mul/add chain fwd+bwd, per op", CHAIN),
    "matmul": ("(100,784) @ (784,20) fwd+bwd", 1),
}


def run(quick: bool = False, profile_dir: Path | None = None) -> None:
    """Time every case in every framework and print the table (microseconds)."""
    import mytorch

    repeats, min_time = (5, 0.05) if quick else (9, 0.2)
    common.print_header(
        f"{NAME}: microseconds per call (per op for the chain), median (best) of {repeats} "
        "repeats, autograd on"
    )
    torch = common.torch_or_none()
    rows = []
    for case, (label, ops) in CASES.items():
        fns = {"numpy": numpy_case(case), "mytorch": framework_case(case, mytorch)}
        if torch is not None:
            fns["torch"] = framework_case(case, torch)
        per_op = {}
        for name, fn in fns.items():
            timing = common.time_calls(fn, repeats, common.calls_for(fn, min_time))
            per_op[name] = common.Timing(tuple(t / ops for t in timing.times))
        mine, torch_time = per_op["mytorch"], per_op.get("torch")
        cells = [common.spread(per_op.get(name), 1e6, 2) for name in ("numpy", "mytorch", "torch")]
        rows.append(
            [
                label,
                *cells,
                common.ratio(mine.median, per_op["numpy"].median),
                common.ratio(mine.median, torch_time.median if torch_time else None),
            ]
        )
    common.print_table(
        ["case", "numpy us", "mytorch us", "torch us", "my/numpy", "my/torch"], rows
    )
    if profile_dir is not None:
        cases = [framework_case(case, mytorch) for case in CASES]
        common.write_profile(lambda: _call_each(cases, 2000), NAME, profile_dir)


def _call_each(fns: list[Callable[[], Any]], times: int) -> None:
    for fn in fns:
        for _ in range(times):
            fn()


if __name__ == "__main__":
    common.setup_threads()
    run()
