"""Build SQLite FTS5 and Tantivy indexes from the generated items and time the query set."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

from bench.baselines import BuildResult, Fts5Engine, TantivyEngine
from bench.generate import GenConfig, iter_items
from bench.measure import Latency, UntimedSource
from bench.queries import BenchQuery


@dataclass
class EngineResult:
    """One engine's figures: how its build went and its warm latencies per query class."""

    name: str
    build: BuildResult
    latency: dict[str, Latency]


def run_baselines(
    cfg: GenConfig, workdir: Path, queries: list[BenchQuery], warm: list[BenchQuery]
) -> list[EngineResult]:
    """Build each baseline from a fresh item stream of ``cfg`` and measure ``queries``.

    Tantivy is skipped (with a printed note) when the ``tantivy`` package is not installed.
    """
    from bench.run_queries import measure_queries

    results: list[EngineResult] = []
    factories: list[tuple[str, type]] = [("fts5", Fts5Engine), ("tantivy", TantivyEngine)]
    for folder, factory in factories:
        try:
            engine = factory(workdir / folder)
        except ImportError as exc:
            print(f"  {folder}: skipped ({exc}); install with pip install -e '.[bench]'")
            continue
        source = UntimedSource(iter_items(cfg))
        build = engine.build(source)
        build.seconds -= source.spent  # time spent generating items is not the engine's
        print(
            f"  {engine.name}: built {build.items:,} items in {build.seconds:.1f}s "
            f"({build.rate:,.0f} items/s), {build.size_bytes / 2**20:.1f} MiB"
        )
        latency = measure_queries(engine.query, queries, warm)
        engine.close()
        results.append(EngineResult(engine.name, build, latency))
        gc.collect()
    return results
