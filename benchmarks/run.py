"""Run MyTorch's benchmarks and print their tables: ``python -m benchmarks.run --help``.

Every benchmark runs with one BLAS thread (threadpoolctl) and ``torch.set_num_threads(1)``,
and prints ratios to the numpy floor and to PyTorch (where installed) measured in the same
run. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks import common, conv, deep_chain, memory, mlp_epoch, mnist_accuracy, op_overhead

BENCHMARKS = {
    module.NAME: module
    for module in (mlp_epoch, op_overhead, deep_chain, memory, mnist_accuracy, conv)
}


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the chosen benchmarks in order."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument("--quick", action="store_true", help="fewer repeats (noisier figures)")
    parser.add_argument(
        "--profile",
        nargs="?",
        const=Path("benchmark_profiles"),
        type=Path,
        metavar="DIR",
        help="also write a cProfile report of each mytorch part into DIR "
        "(default: benchmark_profiles/); the timed runs are not profiled",
    )
    args = parser.parse_args(argv)
    common.setup_threads()
    start = time.perf_counter()
    for name in args.only or BENCHMARKS:
        BENCHMARKS[name].run(quick=args.quick, profile_dir=args.profile)
    print(f"\nall done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
