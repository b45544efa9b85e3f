"""``python -m bench --size N [--skip-web] [--only ingest|query|web|baselines]``.

Runs the benchmarks on N synthetic items and writes their section of ``bench/RESULTS.md``:

* baselines — SQLite FTS5 and Tantivy: build rate, size, warm query latency per class;
* ingest — Minutes KB index write alone (``kb.engine.open_writer``) and end to end (``kb ingest`` on
  generated text files; at most ``--ingest-items`` items, default 1,000, to keep
  ``make bench`` short — the rate is per item);
* query — Minutes KB warm latency per class through ``kb.service.SearchService``, plus a
  pyinstrument profile of the slowest class;
* web — ``/search`` p50/p95/p99 and errors at 1, 4 and 16 clients against ``python -m web``.

Work files go to ``--workdir`` (default ``instance/bench``), which is left in place.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from bench.generate import GenConfig
from bench.measure import Latency, machine, peak_rss_mb
from bench.queries import CLASSES, build_queries, warm_queries
from bench.report import RESULTS_PATH, Run, render, write_results
from bench.run_engine import committees_of, run_engine_part

PARTS = ("baselines", "ingest", "query", "web")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="items to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=PARTS, action="append", help="run only this part")
    parser.add_argument("--skip-web", action="store_true", help="leave out the web load test")
    parser.add_argument("--ingest-items", type=int, default=1_000, help="end-to-end ingest cap")
    parser.add_argument("--web-seconds", type=float, default=8.0, help="per concurrency level")
    parser.add_argument(
        "--web-workers",
        type=int,
        default=None,
        help="web server processes (python -m web --workers; default: the server's own, "
        "one per CPU, at most 4)",
    )
    parser.add_argument("--workdir", type=Path, default=Path("instance/bench"))
    parser.add_argument("--results", type=Path, default=None, help="default bench/RESULTS.md")
    args = parser.parse_args(argv)
    parts = set(args.only or PARTS) - ({"web"} if args.skip_web else set())
    cfg = GenConfig(items=args.size, seed=args.seed)
    work = args.workdir / str(args.size)
    work.mkdir(parents=True, exist_ok=True)
    kb_index = work / "kb-index"
    run = Run(
        size=args.size,
        command="python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:]),
        machine=machine(),
    )
    queries = build_queries(committees_of(cfg), seed=args.seed)
    comms = committees_of(cfg)
    warm = warm_queries(comms, seed=args.seed)
    began = time.perf_counter()

    def step(msg: str) -> None:
        print(f"[{time.perf_counter() - began:6.1f}s] {msg}", flush=True)

    results_path = args.results or RESULTS_PATH

    def needs_index() -> bool:
        return "ingest" in parts or (bool(parts & {"query", "web"}) and not kb_index.exists())

    def baselines() -> None:
        from bench.run_baselines import run_baselines

        step("baselines: SQLite FTS5 and Tantivy")
        for res in run_baselines(cfg, work / "baselines", queries, warm):
            run.latency[res.name] = res.latency
            run.builds[res.name] = {
                "items": res.build.items,
                "seconds": res.build.seconds,
                "rate": res.build.rate,
                "size_mb": res.build.size_bytes / 2**20,
                "peak_rss_mb": peak_rss_mb(),
            }
        run.notes.append(
            "Baseline build times exclude generating the items; their peak RSS is the bench "
            "process's (generator included)."
        )

    def write() -> None:
        step("Minutes KB: index write alone (kb.engine.whoosh.write.IndexWriterSession)")
        w = run_engine_part("write", args.size, kb_index, seed=args.seed)
        run.builds["Minutes KB write only"] = w
        step(f"  {w['items']:,} items in {w['seconds']:.1f}s = {w['rate']:,.0f} items/s")

    def ingest() -> None:
        from bench.run_ingest import run_ingest

        n = min(args.size, args.ingest_items)
        step(f"Minutes KB: end to end, kb ingest of {n:,} generated items as text files")
        e = run_ingest(GenConfig(items=n, seed=args.seed), work / "e2e")
        run.builds["Minutes KB end to end (kb ingest)"] = e
        step(f"  {e['items']:,} items in {e['seconds']:.1f}s = {e['rate']:,.0f} items/s")
        run.notes.append(
            f"End to end: {e['files']:,} files, {e['generated_items']:,} items generated, "
            f"{e['items']:,} indexed; statuses {e['statuses']}; wall time includes "
            "interpreter start-up and writing the index."
        )

    def query() -> None:
        step("Minutes KB: warm queries through SearchService")
        q = run_engine_part("query", args.size, kb_index, seed=args.seed)
        run.latency["Minutes KB"] = {
            k: Latency(v["samples"], v["errors"], v["cpu"]) for k, v in q["latency"].items()
        }
        run.notes.append(
            "Every Minutes KB search counts all five facets and the year histogram, so its "
            "'term' class already does the work of 'facets'. "
            f"Query process peak RSS {q['peak_rss_mb']:.0f} MiB; "
            f"{q['zero_hit_terms']} of 60 one-term queries found nothing."
        )
        slowest = max(CLASSES, key=lambda k: run.latency["Minutes KB"][k].pct(95))
        step(f"profiling the slowest class ({slowest})")
        prof = run_engine_part("profile", args.size, kb_index, seed=args.seed, kind=slowest)
        run.profile = f"class '{slowest}', {args.size:,} items\n" + prof["text"]

    def web() -> None:
        from bench.run_web import run_web

        step("web: /search under 1, 4 and 16 clients")
        # the web clients draw on many query sets so repeats (result-cache hits) are rare
        many = [q for s in range(args.seed, args.seed + 8) for q in build_queries(comms, seed=s)]
        from web.__main__ import resolve_workers

        run.web_workers = args.web_workers or resolve_workers("auto")
        run.web = run_web(kb_index, many, warm, seconds=args.web_seconds, workers=run.web_workers)

    phases = [("baselines", baselines), ("write", write), ("ingest", ingest)]
    phases += [("query", query), ("web", web)]
    for name, phase in phases:
        if name not in parts and not (name == "write" and needs_index()):
            continue
        try:
            phase()
        except Exception as exc:  # noqa: BLE001 - one failed phase must not lose the others
            step(f"{name} FAILED: {exc!r}"[:2000])
            run.notes.append(f"Phase '{name}' failed: {str(exc).strip().splitlines()[-1:]}")
        write_results(run, results_path)  # after each phase, so a later crash loses nothing
    print(render(run))
    step("done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
