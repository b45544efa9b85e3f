"""Warm query latency: run every query once to warm caches, then time each one ``rounds`` times."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.measure import Latency, time_ms_cpu
from bench.queries import CLASSES, BenchQuery


def measure_queries(
    run: Callable[[BenchQuery], Any], queries: list[BenchQuery], rounds: int = 2
) -> dict[str, Latency]:
    """Latency per query class of ``run(query)``, in ms, after one untimed warm-up pass.

    Wall and CPU time are both kept (``Latency.samples``, ``Latency.cpu``).  A query that
    raises during warm-up is counted in its class's ``errors`` and not timed.
    """
    out = {kind: Latency() for kind in CLASSES}
    failed: set[int] = set()
    for i, q in enumerate(queries):  # warm-up: caches, lazy readers, JIT-less Python paths
        try:
            run(q)
        except Exception:  # noqa: BLE001 - a failing query is counted, not fatal
            failed.add(i)
            out[q.kind].errors += 1
    for _ in range(rounds):
        for i, q in enumerate(queries):
            if i not in failed:
                wall, cpu = time_ms_cpu(lambda q=q: run(q))
                out[q.kind].samples.append(wall)
                out[q.kind].cpu.append(cpu)
    return out
