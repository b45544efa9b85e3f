"""Measuring helpers shared by the benchmark runners: percentiles, memory, sizes, tables."""

from __future__ import annotations

import math
import os
import resource
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Latency:
    """Latencies in milliseconds of one query class on one engine."""

    samples: list[float] = field(default_factory=list)
    errors: int = 0
    cpu: list[float] = field(default_factory=list)  # this process's CPU ms per query

    def cpu_pct(self, p: float) -> float:
        """The p-th percentile of CPU time (robust to other processes on the machine)."""
        return Latency(self.cpu).pct(p)

    def pct(self, p: float) -> float:
        """The p-th percentile (nearest rank), or NaN when nothing was measured."""
        if not self.samples:
            return float("nan")
        ordered = sorted(self.samples)
        k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
        return ordered[k]

    def summary(self) -> dict[str, float]:
        """{'n', 'p50', 'p95', 'p99', 'errors'} with latencies in ms."""
        return {
            "n": float(len(self.samples)),
            "p50": self.pct(50),
            "p95": self.pct(95),
            "p99": self.pct(99),
            "errors": float(self.errors),
        }


class UntimedSource:
    """Wraps an iterator and adds up the seconds spent producing its values (to subtract)."""

    def __init__(self, it: Iterator[Any]) -> None:
        self.it = it
        self.spent = 0.0

    def __iter__(self) -> UntimedSource:
        return self

    def __next__(self) -> Any:
        t0 = time.perf_counter()
        try:
            return next(self.it)
        finally:
            self.spent += time.perf_counter() - t0


def time_ms(fn: Callable[[], object]) -> float:
    """Run ``fn`` once; return the wall time it took in milliseconds."""
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def time_ms_cpu(fn: Callable[[], object]) -> tuple[float, float]:
    """Run ``fn`` once; return (wall ms, this process's CPU ms)."""
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def dir_size(path: Path) -> int:
    """Total bytes of the files under ``path`` (or of ``path`` itself if a file)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB: ``VmHWM`` from /proc, which
    starts afresh in a new program; ``ru_maxrss`` (the fallback) survives ``exec``, so a
    child started by a big parent would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mb() -> float:
    """Peak RSS of the largest waited-for child process, in MiB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def machine() -> dict[str, str]:
    """nproc, memory, Python and date, for the results header."""
    import platform

    try:
        import psutil

        mem = f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
    except ImportError:  # psutil is in the bench extra; fall back to sysconf
        mem = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return {
        "load": load,
        "nproc": str(os.cpu_count()),
        "memory": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def table(headers: list[str], rows: Iterable[list[object]]) -> str:
    """A Markdown table; floats shown with 1 decimal (or 2 when below 10)."""

    def cell(v: object) -> str:
        if isinstance(v, float):
            if v != v:  # NaN
                return "–"
            return f"{v:.2f}" if abs(v) < 10 else f"{v:,.1f}"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
