"""Query latency on a warm index: warm up on other queries, then time each query once.

The warm-up set is disjoint from the timed set (same classes, another seed), so the index,
the OS page cache and any per-index structures are warm, but no timed query can be answered
from a result cache: every engine is measured on queries it has not seen.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from bench.measure import Latency, time_ms_cpu
from bench.queries import CLASSES, BenchQuery


def measure_queries(
    run: Callable[[BenchQuery], Any], queries: list[BenchQuery], warm: list[BenchQuery]
) -> dict[str, Latency]:
    """Latency per query class of ``run(query)`` (wall and CPU ms), each query timed once,
    after one untimed pass over ``warm`` (queries not in ``queries`` are used for it).

    A timed query that raises is counted in its class's ``errors`` and not timed.
    """
    out = {kind: Latency() for kind in CLASSES}
    timed = set(queries)
    for q in warm:
        if q not in timed:
            with contextlib.suppress(Exception):  # failures show up in the timed pass
                run(q)
    for q in queries:
        try:
            wall, cpu = time_ms_cpu(lambda q=q: run(q))
        except Exception:  # noqa: BLE001 - a failing query is counted, not fatal
            out[q.kind].errors += 1
            continue
        out[q.kind].samples.append(wall)
        out[q.kind].cpu.append(cpu)
    return out
