"""deep_chain: build and backpropagate chains of 1e3, 1e4 and 1e5 ops, one process per framework.

``y = y * 1.0001 + 0.0001`` repeated on a (2, 3) leaf, then ``y.sum().backward()``. The
time should grow linearly with the length (target: t(1e5) at most 12x t(1e4)). A graph
with reference cycles leaves its freeing to Python's cyclic garbage collector, which makes
the growth superlinear, so the time spent in that collector is shown, with the number of
its full (generation-2) collections. Memory is the growth of RSS while the chain is built
(the whole graph is alive then), measured after freed heap pages are handed back to the OS.

Each framework runs in its own fresh interpreter (``python -m benchmarks.deep_chain
--worker NAME``) that holds only numpy, benchmarks.common and that framework. A full
collection scans every object the collector tracks, and PyTorch brings more than 100,000
of them: timed in one process with PyTorch, mytorch would pay for objects a mytorch user
does not have. The extra worker ``mytorch+torch`` imports PyTorch first and then times
mytorch's chain, to show that cost.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import common

NAME = "deep_chain"
LENGTHS = (1_000, 10_000, 100_000)
SCALE, SHIFT = np.float32(1.0001), np.float32(0.0001)
FRAMEWORKS = ("numpy", "mytorch", "torch", "mytorch+torch")
LABELS = {"numpy": "numpy floor", "mytorch+torch": "mytorch, torch imported"}


@dataclass(frozen=True)
class ChainRun:
    build: float  # seconds
    backward: float  # seconds
    rss_growth: int = 0  # bytes
    gc_seconds: float = 0.0  # spent in the cyclic garbage collector
    full_collections: int = 0  # generation-2 collections, which scan every tracked object

    @property
    def total(self) -> float:
        return self.build + self.backward


class GcClock:
    """Add up the time the cyclic garbage collector runs, and count its full collections.

    Python calls every function in ``gc.callbacks`` at the start and at the stop of each
    collection; ``info["generation"]`` is the oldest generation collected.
    """

    def __init__(self) -> None:
        self.seconds, self._start = 0.0, 0.0
        self.full_collections = 0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            if info["generation"] == 2:
                self.full_collections += 1
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
    return ChainRun(
        built - start,
        done - backward_start,
        rss_built - rss_before,
        clock.seconds,
        clock.full_collections,
    )


# ------------------------------------------------------------------- one process each
def worker(framework: str, repeats: int, lengths: Sequence[int] = LENGTHS) -> dict[str, Any]:
    """Time every length in this process; return the runs' fields, keyed by the length."""
    common.setup_threads(use_torch=framework in ("torch", "mytorch+torch"))
    if framework == "numpy":
        chain = numpy_chain
    elif framework == "torch":
        chain = partial(framework_chain, sys.modules["torch"])  # imported by setup_threads
    else:
        import mytorch

        chain = partial(framework_chain, mytorch)
    return {str(length): [asdict(chain(length)) for _ in range(repeats)] for length in lengths}


def _spawn(
    framework: str, repeats: int, lengths: Sequence[int] = LENGTHS, profile: Path | None = None
) -> dict[str, Any] | str:
    """Run a worker in a fresh interpreter; return its JSON figures, or why it failed."""
    args = ["--worker", framework, "--repeats", str(repeats), "--lengths"]
    args += [str(length) for length in lengths]
    if profile is not None:
        args += ["--profile", str(profile.resolve())]
    return common.spawn_worker("benchmarks.deep_chain", args)


# ------------------------------------------------------------------------ the table
def run(quick: bool = False, profile_dir: Path | None = None) -> None:
    """Time every length in one worker process per framework and print the table."""
    repeats = 2 if quick else 5
    common.print_header(
        f"{NAME}: build + backward of y = y * 1.0001 + 0.0001 chains, median (best) of "
        f"{repeats} repeats, one process per framework; RSS growth while built"
    )
    frameworks = FRAMEWORKS if importlib.util.find_spec("torch") else FRAMEWORKS[:2]
    runs: dict[str, dict[int, list[ChainRun]]] = {}
    for name in frameworks:
        result = _spawn(name, repeats)
        if isinstance(result, str):
            print(f"  {name}: {result}")
            continue
        runs[name] = {int(n): [ChainRun(**fields) for fields in r] for n, r in result.items()}

    totals = {
        (name, length): float(np.median([r.total for r in by_length[length]]))
        for name, by_length in runs.items()
        for length in LENGTHS
    }
    rows = [
        _row(name, length, runs[name][length], totals.get(("numpy", length)))
        for length in LENGTHS
        for name in runs
    ]
    headers = ["framework", "ops", "total ms", "build ms", "x floor", "RSS MB", "B/op", "gc s"]
    common.print_table([*headers, "full_collections"], rows)
    print(
        "  (each framework ran in its own fresh Python process; 'mytorch, torch imported' is "
        "mytorch's chain in a process that imported torch first)"
    )
    for name in runs:
        if name == "numpy":
            continue
        growth = totals[name, LENGTHS[2]] / totals[name, LENGTHS[1]]
        label = LABELS.get(name, name)
        print(f"  {label}: t(1e5) / t(1e4) = {growth:.1f}x (linear: 10x, target <= 12x)")
    if {"mytorch", "torch"} <= runs.keys():
        for length in LENGTHS:
            mine, theirs = totals["mytorch", length], totals["torch", length]
            print(f"  mytorch / torch at {length:,} ops: {common.ratio(mine, theirs)}")
    if {"mytorch", "mytorch+torch"} <= runs.keys():
        beside, alone = totals["mytorch+torch", LENGTHS[2]], totals["mytorch", LENGTHS[2]]
        print(
            f"  mytorch with torch imported / alone at {LENGTHS[2]:,} ops: "
            f"{common.ratio(beside, alone)}"
        )
    if profile_dir is not None:  # in a worker too, so that no torch objects are in the heap
        result = _spawn("mytorch", 1, LENGTHS[-1:], profile_dir)
        if isinstance(result, str):
            print(f"  profile: {result}")


def _row(name: str, length: int, runs: list[ChainRun], floor: float | None) -> list[str]:
    total = common.Timing(tuple(r.total for r in runs))
    rss = float(np.median([r.rss_growth for r in runs]))
    measured = name != "numpy"  # the floor records no graph: nothing to free or collect
    return [
        LABELS.get(name, name),
        f"{length:,}",
        common.spread(total, 1e3, 1),
        common.spread(common.Timing(tuple(r.build for r in runs)), 1e3, 1),
        common.ratio(total.median, floor),
        f"{rss / common.MB:.1f}" if measured else "-",
        f"{rss / length:.0f}" if measured else "-",
        f"{np.median([r.gc_seconds for r in runs]):.3f}" if measured else "-",
        f"{np.median([r.full_collections for r in runs]):g}" if measured else "-",
    ]


def main(argv: list[str] | None = None) -> None:
    """Run the whole benchmark, or (``--worker NAME``) one framework's part as JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.deep_chain", description=__doc__)
    parser.add_argument("--worker", choices=FRAMEWORKS, help="time one framework, print JSON")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--lengths", type=int, nargs="+", default=list(LENGTHS))
    parser.add_argument(
        "--profile", type=Path, metavar="DIR", help="with --worker mytorch: profile instead"
    )
    args = parser.parse_args(argv)
    if args.worker is None:
        common.setup_threads()
        run()
    elif args.profile is not None:
        if args.worker != "mytorch":
            parser.error("--profile profiles the mytorch worker only")
        common.setup_threads(use_torch=False)
        import mytorch

        length = args.lengths[-1]  # the longest, where growth turns superlinear if it does
        common.write_profile(lambda: framework_chain(mytorch, length, False), NAME, args.profile)
        print(json.dumps({"profiled_length": length}))
    else:
        print(json.dumps(worker(args.worker, args.repeats, args.lengths)))


if __name__ == "__main__":
    main()
