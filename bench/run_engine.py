"""Minutes KB through its real API: index write alone, and warm queries via SearchService.

Each part runs in its own process (``python -m bench.run_engine write|query …``) so that its
peak RSS is its own; it prints one JSON object on its last stdout line, which
``run_engine_part`` parses.

* ``write``: generated ``Meeting`` objects go straight into ``kb.engine.whoosh.write``'s
  ``IndexWriterSession`` (one source per meeting, as ``kb ingest`` does); the time spent
  generating is excluded.
* ``query``: the benchmark queries as ``kb.results.SearchRequest`` (committee filter as the
  request's ``committee`` facet filter); every Minutes KB search also counts all facets and
  the year histogram.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.generate import GenConfig, councils, iter_meetings
from bench.measure import UntimedSource, dir_size, peak_rss_mb
from bench.queries import BenchQuery, build_queries, warm_queries


def committees_of(cfg: GenConfig) -> list[str]:
    """Every committee name the generated data uses (the filter queries pick from these)."""
    return sorted({c for council in councils(cfg) for c in council.committees})


def write_index(cfg: GenConfig, index_dir: Path, batch_size: int = 50) -> dict[str, Any]:
    """Write ``cfg``'s meetings into a fresh index; return items, seconds, rate, size, RSS."""
    from kb.engine.whoosh.write import IndexWriterSession

    source = UntimedSource(iter_meetings(cfg))
    items = 0
    t0 = time.perf_counter()
    with IndexWriterSession(index_dir, batch_size=batch_size, rebuild=True) as session:
        for meeting in source:
            key = f"synthetic/{meeting.source}"
            digest = hashlib.sha256(key.encode()).hexdigest()
            session.put(key, digest, meeting)
            items += len(meeting.items)
    seconds = time.perf_counter() - t0 - source.spent
    return {
        "items": items,
        "seconds": seconds,
        "rate": items / seconds,
        "generate_seconds": source.spent,
        "size_mb": dir_size(index_dir) / 2**20,
        "peak_rss_mb": peak_rss_mb(),
    }


def kb_request(q: BenchQuery) -> Any:
    """The SearchRequest Minutes KB gets for a benchmark query."""
    from kb.service import SearchRequest

    return SearchRequest(q=q.user_text(), committee=[q.committee] if q.committee else [])


def query_index(cfg: GenConfig, index_dir: Path) -> dict[str, Any]:
    """Warm latencies per class (ms samples) of the benchmark queries via SearchService."""
    from bench.run_queries import measure_queries
    from kb.service import SearchService

    service = SearchService(index_dir)
    queries = build_queries(committees_of(cfg), seed=cfg.seed)
    warm = warm_queries(committees_of(cfg), seed=cfg.seed)
    lat = measure_queries(lambda q: service.search(kb_request(q)), queries, warm)
    totals = [service.search(kb_request(q)).total for q in queries[:60]]
    service.close()
    return {
        "latency": {
            k: {"samples": v.samples, "errors": v.errors, "cpu": v.cpu} for k, v in lat.items()
        },
        "zero_hit_terms": sum(1 for t in totals if t == 0),
        "peak_rss_mb": peak_rss_mb(),
    }


def profile_class(index_dir: Path, cfg: GenConfig, kind: str) -> dict[str, str]:
    """Profile Minutes KB on the queries of one class; return pyinstrument's text report."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return {"text": "(pyinstrument not installed: pip install -e '.[bench]')"}
    from kb.service import SearchService

    service = SearchService(index_dir)
    queries = [q for q in build_queries(committees_of(cfg), seed=cfg.seed) if q.kind == kind][:25]
    for q in warm_queries(committees_of(cfg), seed=cfg.seed):  # warm, on other queries
        if q not in queries:
            service.search(kb_request(q))
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for q in queries:
        service.search(kb_request(q))
    profiler.stop()
    service.close()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return {"text": "\n".join(lines[:60])}


def run_engine_part(
    part: str, size: int, index_dir: Path, seed: int = 7, kind: str = "phrase"
) -> dict[str, Any]:
    """Run ``write``, ``query`` or ``profile`` (of class ``kind``) in a child Python; return
    its JSON result (a fresh process also sees the engine's current code).

    Raises RuntimeError with the child's stderr tail when it fails.
    """
    cmd = [sys.executable, "-m", "bench.run_engine", part, "--size", str(size)]
    cmd += ["--index", str(index_dir), "--seed", str(seed), "--kind", kind]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_engine")
    parser.add_argument("part", choices=["write", "query", "profile"])
    parser.add_argument("--kind", default="phrase", help="query class to profile")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    cfg = GenConfig(items=args.size, seed=args.seed)
    if args.part == "profile":
        result: dict[str, Any] = profile_class(args.index, cfg, args.kind)
    else:
        result = (write_index if args.part == "write" else query_index)(cfg, args.index)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
