"""deep_chain: build and backpropagate chains of 1e3, 1e4 and 1e5 ops.

``y = y * 1.0001 + 0.0001`` repeated on a (2, 3) leaf, then ``y.sum().backward()``. The
time should grow linearly with the length (target: t(1e5) at most 12x t(1e4)). A graph
with reference cycles leaves its freeing to Python's cyclic garbage collector, which makes
the growth superlinear, so the time spent in that collector is shown. Memory is the growth
of RSS while the chain is built (the whole graph is alive then), measured in this process
after freed heap pages are handed back to the OS.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import common

NAME = "deep_chain"
LENGTHS = (1_000, 10_000, 100_000)
SCALE, SHIFT = np.float32(1.0001), np.float32(0.0001)


@dataclass(frozen=True)
class ChainRun:
    build: float  # seconds
    backward: float  # seconds
    rss_growth: int = 0  # bytes
    gc_seconds: float = 0.0  # spent in the cyclic garbage collector

    @property
    def total(self) -> float:
        return self.build + self.backward


class GcClock:
    """Add up the time the cyclic garbage collector runs, through ``gc.callbacks``."""

    def __init__(self) -> None:
        self.seconds, self._start = 0.0, 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def numpy_chain(length: int) -> ChainRun:
    """The floor: the same arithmetic with the gradient by hand (nothing recorded)."""
    start = time.perf_counter()
    y = np.ones((2, 3), dtype=np.float32)
    for _ in range(length // 2):
        y = y * SCALE + SHIFT
    built = time.perf_counter()
    grad = np.ones_like(y)
    for _ in range(length // 2):
        grad = grad * SCALE  # the add passes its gradient through unchanged
    return ChainRun(built - start, time.perf_counter() - built)


def framework_chain(lib: Any, length: int, measure_rss: bool = True) -> ChainRun:
    """Build the chain in ``lib`` (the mytorch or torch module), then backward."""
    x = lib.ones(2, 3, requires_grad=True)
    scale, shift = float(SCALE), float(SHIFT)
    if measure_rss:  # a full collection and malloc_trim first, outside the timed part
        common.release_free_memory()
    rss_before = common.rss_bytes() if measure_rss else 0
    with GcClock() as clock:
        start = time.perf_counter()
        y = x
        for _ in range(length // 2):
            y = y * scale + shift
        built = time.perf_counter()
        rss_built = common.rss_bytes() if measure_rss else 0
        backward_start = time.perf_counter()
        y.sum().backward()
        del y  # freeing the graph is part of the cost
        done = time.perf_counter()
    return ChainRun(built - start, done - backward_start, rss_built - rss_before, clock.seconds)


def run(quick: bool = False, profile_dir: Path | None = None) -> None:
    """Time every length in every framework and print the table."""
    import mytorch

    repeats = 2 if quick else 5
    common.print_header(
        f"{NAME}: build + backward of y = y * 1.0001 + 0.0001 chains, median (best) of "
        f"{repeats} repeats; RSS growth while built"
    )
    libs: dict[str, Any] = {"mytorch": mytorch}
    torch = common.torch_or_none()
    if torch is not None:
        libs["torch"] = torch
    rows, totals = [], {}
    for length in LENGTHS:
        floor = [numpy_chain(length) for _ in range(repeats)]
        rows.append(_row("numpy floor", length, floor, floor))
        for name, lib in libs.items():
            runs = [framework_chain(lib, length) for _ in range(repeats)]
            totals[name, length] = float(np.median([r.total for r in runs]))
            rows.append(_row(name, length, runs, floor))
    headers = ["framework", "ops", "total ms", "build ms", "x floor", "RSS MB", "B/op", "gc s"]
    common.print_table(headers, rows)
    for name in libs:
        growth = totals[name, LENGTHS[2]] / totals[name, LENGTHS[1]]
        print(f"  {name}: t(1e5) / t(1e4) = {growth:.1f}x (linear: 10x, target <= 12x)")
    if "torch" in libs:
        for length in LENGTHS:
            mine, theirs = totals["mytorch", length], totals["torch", length]
            print(f"  mytorch / torch at {length:,} ops: {common.ratio(mine, theirs)}")
    if profile_dir is not None:
        profiled = LENGTHS[-1]  # the length where growth turns superlinear, if it does
        common.write_profile(lambda: framework_chain(mytorch, profiled, False), NAME, profile_dir)


def _row(name: str, length: int, runs: list[ChainRun], floor: list[ChainRun]) -> list[str]:
    total = common.Timing(tuple(r.total for r in runs))
    floor_median = common.Timing(tuple(r.total for r in floor)).median
    rss = float(np.median([r.rss_growth for r in runs]))
    is_floor = runs is floor
    return [
        name,
        f"{length:,}",
        common.spread(total, 1e3, 1),
        common.spread(common.Timing(tuple(r.build for r in runs)), 1e3, 1),
        common.ratio(total.median, floor_median),
        "-" if is_floor else f"{rss / common.MB:.1f}",
        "-" if is_floor else f"{rss / length:.0f}",
        "-" if is_floor else f"{np.median([r.gc_seconds for r in runs]):.3f}",
    ]


if __name__ == "__main__":
    common.setup_threads()
    run()
