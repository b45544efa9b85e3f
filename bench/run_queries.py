"""Warm query latency: run every query once to warm caches, then time each one ``rounds`` times."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.measure import Latency, time_ms
from bench.queries import CLASSES, BenchQuery


def measure_queries(
    run: Callable[[BenchQuery], Any], queries: list[BenchQuery], rounds: int = 2
) -> dict[str, Latency]:
    """Latency per query class of ``run(query)``, in ms, after one untimed warm-up pass.

    A query that raises is counted in ``errors`` (with its class) and not timed; the first
    error of each class is kept in ``Latency.samples``' place via the returned ``errors``.
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
                out[q.kind].samples.append(time_ms(lambda q=q: run(q)))
    return out
