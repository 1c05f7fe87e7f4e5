"""Shared helpers of the benchmarks: threads, the machine report, timing, tables, profiles, RSS.

Every benchmark module uses these, so that all of them pin the same thread settings, time
the same way (median and best of several repeats, the cyclic garbage collector left on) and
print their environment and tables in one format.
"""

from __future__ import annotations

import cProfile
import gc
import importlib
import importlib.util
import json
import math
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]

# Run from a checkout that is not installed: fall back to its src/ folder. Only the path is
# fixed here; mytorch itself is imported where it is used, so a numpy-only worker stays numpy.
if importlib.util.find_spec("mytorch") is None:
    sys.path.insert(0, str(REPO_ROOT / "src"))

MB = 1024 * 1024
_thread_limits: Any = None  # threadpoolctl's limiter, kept alive for the whole run
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_KERNEL_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_MYTORCH_API = {
    "nn": ("Sequential", "Linear", "BatchNorm1d", "ReLU", "CrossEntropyLoss"),
    "optim": ("SGD",),
}


# ------------------------------------------------------------------ frameworks and threads
def torch_or_none() -> ModuleType | None:
    """Import PyTorch pinned to one thread, or return None where it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def mytorch_nn_missing() -> str | None:
    """Say what the MLP benchmarks still miss in mytorch.nn / mytorch.optim (None: nothing)."""
    missing = []
    for module_name, names in _MYTORCH_API.items():
        try:
            module = importlib.import_module(f"mytorch.{module_name}")
        except Exception as error:  # a package still being written may fail in any way
            missing.append(f"mytorch.{module_name} ({type(error).__name__}: {error})")
            continue
        missing += [f"mytorch.{module_name}.{name}" for name in names if not hasattr(module, name)]
    return ", ".join(missing) or None


def setup_threads(use_torch: bool = True) -> None:
    """Pin every BLAS and OpenMP pool, and PyTorch, to one thread.

    threadpoolctl only sees libraries already loaded, so PyTorch (which brings its own
    OpenMP) is imported first.
    """
    global _thread_limits
    if use_torch:
        torch_or_none()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError as error:
        raise SystemExit(
            "the benchmarks need threadpoolctl: python -m pip install -e '.[bench]'"
        ) from error
    _thread_limits = threadpool_limits(limits=1)


# ------------------------------------------------------------------------ environment
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment_lines() -> list[str]:
    """Describe the machine, the versions, the BLAS pools and the thread settings."""
    from threadpoolctl import threadpool_info

    import mytorch

    torch = sys.modules.get("torch")
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    lines = [
        f"machine : {_cpu_model()}; {os.cpu_count()} logical CPUs ({usable} usable); "
        f"{platform.system()} {platform.machine()}",
        f"python  : {platform.python_implementation()} {platform.python_version()}; "
        f"numpy {np.__version__}; mytorch {mytorch.__version__}; "
        f"torch {torch.__version__ if torch else 'not installed'}",
    ]
    for pool in threadpool_info():
        # "architecture" is the kernel OpenBLAS chose for this CPU (or was forced to use).
        library = " ".join(str(part) for part in (pool["internal_api"], pool["version"]) if part)
        kernel = f", kernel {pool['architecture']}" if "architecture" in pool else ""
        lines.append(
            f"pool    : {pool['user_api']}: {library}{kernel}, {pool['num_threads']} thread(s) "
            f"({Path(pool['filepath']).name})"
        )
    settings = [f"{name}={os.environ.get(name, '(unset)')}" for name in _THREAD_VARIABLES]
    if torch is not None:
        settings.append(f"torch.get_num_threads()={torch.get_num_threads()}")
    lines.append("threads : " + ", ".join(settings))
    for name in _KERNEL_VARIABLES:
        if name in os.environ:
            lines.append(
                f"WARNING : {name}={os.environ[name]} forces OpenBLAS's choice; unset it in the "
                "benchmark command (see benchmarks/README.md)"
            )
    return lines


def print_header(title: str) -> None:
    """Print a benchmark's title and its environment."""
    print(f"\n=== {title}")
    for line in environment_lines():
        print("  " + line)


# ----------------------------------------------------------------------------- timing
@dataclass(frozen=True)
class Timing:
    """Seconds per call, one value per repeat."""

    times: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        return min(self.times)


def calls_for(fn: Callable[[], Any], min_time: float) -> int:
    """How many calls of ``fn`` take at least ``min_time`` seconds (after a warm-up call)."""
    fn()
    start = time.perf_counter()
    for _ in range(10):
        fn()
    per_call = max((time.perf_counter() - start) / 10, 1e-9)
    return max(1, math.ceil(min_time / per_call))


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Call ``fn`` once (after collecting garbage); return its result and the seconds taken."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def time_calls(fn: Callable[[], Any], repeats: int, number: int = 1) -> Timing:
    """Time ``repeats`` rounds of ``number`` calls; return seconds per call of each round.

    Unlike ``timeit``, the cyclic garbage collector stays on: collecting autograd graphs
    is part of what a framework costs.
    """
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return Timing(tuple(times))


# ----------------------------------------------------------------------------- tables
def ratio(numerator: float | None, denominator: float | None) -> str:
    """Format ``numerator / denominator`` as ``1.23x``, or ``-`` where either is missing."""
    if numerator is None or denominator is None or denominator == 0:
        return "-"
    return f"{numerator / denominator:.2f}x"


def spread(timing: Timing | None, scale: float = 1.0, digits: int = 3) -> str:
    """Format a timing as ``median (best)``, scaled (e.g. by 1e6 for microseconds)."""
    if timing is None:
        return "-"
    return f"{timing.median * scale:.{digits}f} ({timing.best * scale:.{digits}f})"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print rows under headers, the first column left-aligned and the others right."""
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        return "  " + "  ".join([first, *(c.rjust(w) for c, w in zip(row[1:], widths[1:]))])

    print(line(cells[0]))
    print("  " + "  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))


# --------------------------------------------------------------------------- profiles
def write_profile(fn: Callable[[], Any], name: str, directory: Path) -> None:
    """Run ``fn`` under cProfile; write ``name.prof`` and a pstats report ``name.txt``."""
    directory.mkdir(parents=True, exist_ok=True)
    profiler = cProfile.Profile()
    profiler.runcall(fn)
    raw, report = directory / f"{name}-mytorch.prof", directory / f"{name}-mytorch.txt"
    profiler.dump_stats(raw)
    with report.open("w") as out:
        for order in ("cumulative", "tottime"):
            out.write(f"==== sorted by {order}\n")
            pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(40)
    print(f"  profile of the mytorch part: {report} (raw: {raw})")


# -------------------------------------------------------------------------------- RSS
def rss_bytes() -> int:
    """The resident set size of this process now."""
    try:
        import psutil
    except ImportError:  # Linux without psutil: the second field of statm, in pages
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    return psutil.Process().memory_info().rss


def peak_rss_bytes() -> int:
    """The largest resident set size this process has had (POSIX).

    On Linux it is read from VmHWM: ``ru_maxrss`` would report the parent's peak in a
    child started by ``subprocess``, which Linux carries across ``exec``.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # given in kB
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere


def release_free_memory() -> None:
    """Collect garbage and hand freed heap pages back to the OS, so RSS deltas mean growth."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc
            pass


def spawn_worker(module: str, args: Sequence[str]) -> dict[str, Any] | str:
    """Run ``python -m module *args`` in a fresh interpreter; return its JSON, or why it failed.

    The worker prints its figures as JSON on its last line of output; lines before it
    (such as where a profile was written) are printed here.
    """
    import mytorch

    # The child must find both packages whether or not they are installed.
    paths = [str(REPO_ROOT), str(Path(mytorch.__file__).resolve().parents[1])]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*paths, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    command = [sys.executable, "-m", module, *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        last_lines = done.stderr.strip().splitlines()[-3:]
        return "worker failed: " + (" | ".join(last_lines) or f"exit code {done.returncode}")
    *messages, figures = done.stdout.rstrip().splitlines()
    for message in messages:
        print(message)
    return json.loads(figures)
