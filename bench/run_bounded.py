"""Issue 12: bounded cost on huge documents.  ``python -m bench.run_bounded [options]``.

Three measurements, each printed as a Markdown table (run by hand; small sizes by default):

* **search** — the seed indexed alone, and the seed beside a generated single-item document
  of ``--sentences`` sentences that all mention CCTV (200,000 ≈ 10 MB; indexed whole:
  ``KB_MAX_ITEM_CHARS=0``).  The same searches (``CCTV`` through the service, the web page
  ``/search?q=CCTV`` and the API) are timed on both, uncached, the median of ``--repeats``
  runs, and the ratio printed; then the big item's page.
* **text** — ``kb ingest`` of a text dump of ``--lines`` numbered lines (400,000 ≈ 35 MB),
  in a fresh process: wall time, items per second, CPU seconds (the process and its reader
  process: on a shared machine wall time includes waiting for a CPU), peak RSS (``VmHWM``).
* **pdf** — the same for a generated ``--pages``-page PDF (3 items a page); the reader
  process's peak RSS is shown too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.hostile import big_item_text, numbered_lines_text, write_pdf
from bench.measure import table

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "minutes" / "luton-osb-crime-and-disorder-committee-2018-03-27.txt"

#: run in a fresh interpreter: ingest one file, print what it cost as JSON
_INGEST_CHILD = """
import json, resource, sys, time
from pathlib import Path
from indexer.pipeline import ingest
t = time.perf_counter()
report = ingest([Path(sys.argv[1])], Path(sys.argv[2]), workers=0)
wall = time.perf_counter() - t
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
r = report.results[0]
own = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
print(json.dumps({"wall": wall, "cpu": cpu, "items": r.items, "status": r.status, "line": r.line(),
  "warnings": r.warnings, "rss_mb": hwm / 1024,
  "children_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def ingest_in_child(path: Path, index: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Ingest ``path`` into ``index`` in a fresh Python process; its figures."""
    out = subprocess.run(
        [sys.executable, "-c", _INGEST_CHILD, str(path), str(index)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _median_ms(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall and median CPU milliseconds of ``repeats`` calls of ``fn`` (CPU: this
    process's time, which waiting for a CPU on a busy machine does not inflate)."""
    walls, cpus = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        cpus.append((time.process_time() - c) * 1000)
        walls.append((time.perf_counter() - t) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def _search_times(index: Path, repeats: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) ms of the CCTV searches on ``index`` (caches cleared before each
    run)."""
    from kb.service import SearchRequest, SearchService
    from web import create_app

    svc = SearchService(index)
    app = create_app({"index": str(index), "TESTING": True, "search_deadline_ms": 600_000})
    client = app.test_client()
    web_svc = app.extensions["kb_service"].get()

    def service() -> None:
        svc.results_cache.clear()
        assert svc.search(SearchRequest(q="CCTV")).total > 0

    def page(url: str) -> Callable[[], None]:
        def run() -> None:
            web_svc.results_cache.clear()
            assert client.get(url).status_code == 200

        return run

    service()  # warm: facet arrays, postings
    page("/search?q=CCTV")()
    out = {
        "service CCTV": _median_ms(service, repeats),
        "/search?q=CCTV": _median_ms(page("/search?q=CCTV"), repeats),
        "/api/search?q=CCTV": _median_ms(page("/api/search?q=CCTV"), repeats),
    }
    hits = svc.search(SearchRequest(q="CCTV", page_size=50)).results
    big_ids = [h.id for h in hits if h.meeting_id.startswith("anytown/")]
    if big_ids:
        out["item page (part 1)"] = _median_ms(page(f"/items/{big_ids[0]}?q=CCTV"), repeats)
    svc.close()
    return out


def bench_search(work: Path, sentences: int, repeats: int) -> str:
    pack = work / "agenda-pack.txt"
    pack.write_text(big_item_text(sentences), encoding="utf-8")
    seed_only = ingest_in_child(SEED, work / "seed-ix")
    both = work / "both-ix"
    ingest_in_child(SEED, both)
    big = ingest_in_child(pack, both, {"KB_MAX_ITEM_CHARS": "0"})
    capped = work / "capped-ix"  # the default KB_MAX_ITEM_CHARS keeps 2,000,000 characters
    ingest_in_child(SEED, capped)
    ingest_in_child(pack, capped)
    alone = _search_times(work / "seed-ix", repeats)
    beside = _search_times(both, repeats)
    beside_capped = _search_times(capped, repeats)
    rows = []
    for name in ("service CCTV", "/search?q=CCTV", "/api/search?q=CCTV", "item page (part 1)"):
        base = alone.get(name)
        row: list[object] = [name, "—" if base is None else f"{base[0]:.1f} ({base[1]:.1f})"]
        for got in (beside, beside_capped):
            row.append(f"{got[name][0]:.1f} ({got[name][1]:.1f})")
            row.append(
                "—"
                if base is None
                else f"{got[name][0] / base[0]:.2f} ({got[name][1] / base[1]:.2f})"
            )
        rows.append(row)
    head = (
        f"Big item: {sentences:,} sentences, {pack.stat().st_size / 1e6:.1f} MB, indexed whole "
        f"(KB_MAX_ITEM_CHARS=0) in {big['wall']:.1f} s, peak RSS {big['rss_mb']:.0f} MiB; "
        f"seed alone ingested in {seed_only['wall']:.1f} s.  Median of {repeats} uncached runs "
        "(item page: the big item's first part); wall ms, CPU ms in brackets:\n\n"
    )
    headers = [
        "search",
        "seed alone ms",
        "+ whole big item ms",
        "ratio",
        "+ big item at default 2M-char cap ms",
        "ratio",
    ]
    return head + table(headers, rows)


def bench_ingest(work: Path, lines: int, pages: int) -> str:
    rows = []
    if lines:
        text = work / "numbered.txt"
        text.write_text(numbered_lines_text(lines), encoding="utf-8")
        got = ingest_in_child(text, work / "text-ix")
        rows.append(_ingest_row(f"text, {lines:,} numbered lines", text, got))
    if pages:
        pdf = write_pdf(work / "pack.pdf", pages)
        got = ingest_in_child(pdf, work / "pdf-ix")
        rows.append(_ingest_row(f"PDF, {pages:,} pages", pdf, got))
    headers = [
        "file",
        "MB",
        "items",
        "seconds",
        "items/s",
        "CPU s",
        "items/CPU s",
        "peak RSS MiB",
        "reader RSS MiB",
    ]
    return table(headers, rows)


def _ingest_row(name: str, path: Path, got: dict[str, Any]) -> list[object]:
    warnings = "; ".join(got["warnings"])
    return [
        name + (f" ({warnings})" if warnings else ""),
        f"{path.stat().st_size / 1e6:.1f}",
        f"{got['items']:,}",
        f"{got['wall']:.1f}",
        f"{got['items'] / got['wall']:.0f}",
        f"{got['cpu']:.1f}",
        f"{got['items'] / got['cpu']:.0f}",
        f"{got['rss_mb']:.0f}",
        f"{got['children_rss_mb']:.0f}",
    ]


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the measurements asked for, print the tables."""
    parser = argparse.ArgumentParser(prog="python -m bench.run_bounded", description=__doc__)
    parser.add_argument("--sentences", type=int, default=20_000, help="big item (200000: 10 MB)")
    parser.add_argument("--lines", type=int, default=40_000, help="text dump (400000: 35 MB)")
    parser.add_argument("--pages", type=int, default=100, help="PDF pages (400 in the issue)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per timed search")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kb-bounded-") as tmp:
        work = Path(tmp)
        if not args.skip_search:
            print(bench_search(work, args.sentences, args.repeats), flush=True)
            print()
        if not args.skip_ingest:
            print(bench_ingest(work, args.lines, args.pages), flush=True)


if __name__ == "__main__":
    main()
