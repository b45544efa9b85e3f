"""The million-item run: ``python -m bench.run_million [--items N] [--workdir DIR]``.

1. Streams generated meetings (``bench.generate``, never held in memory) into a rebuild of a
   fresh index (``IndexWriterSession``, as ``kb ingest --rebuild`` writes), printing a line
   every ``--every`` items: items so far, wall seconds, items/s over the last stretch and
   overall, the process's RSS.  Generation time is measured and left out of the rates.
2. Reports every commit's seconds (a rebuild commits a segment every ``segment_items``
   documents, setting ``KB_SEGMENT_ITEMS`` or ``--segment-items``), the largest single
   commit (target ≤ 5 minutes), the final commit, the segments left, the index size and
   the peak RSS of the whole write, and the RSS before, at the peak of and after each
   commit (:class:`CommitWatch`).
3. Times the benchmark queries on the result (``bench.run_engine query`` in a child process)
   and the web process's ready time and memory (``bench.run_startup``).
4. Writes the ``<!-- million -->`` section of ``bench/RESULTS.md`` (``--results``).

Run by hand (``make bench-million``); at 1,000,000 items it takes about an hour here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.generate import GenConfig, iter_meetings
from bench.measure import UntimedSource, dir_size, peak_rss_mb
from bench.report import RESULTS_PATH
from bench.run_engine import run_engine_part

ROOT = Path(__file__).resolve().parent.parent
TARGET_RSS_MB = 1024
#: the longest a single commit may take (issue 15), in seconds
TARGET_COMMIT_S = 300
CLASSES = ("term", "and", "phrase", "filter", "facets")


def rss_mb() -> float:
    """This process's resident set size now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class CommitWatch:
    """Memory around each commit of a writer session: RSS before, the peak during it and
    RSS after (MiB).  The peak of one commit is read by resetting the kernel's high-water
    mark (``/proc/self/clear_refs``) as it starts; :meth:`peak_mb` keeps the whole run's
    peak across those resets."""

    def __init__(self, session: Any) -> None:
        self.rows: list[dict[str, float]] = []
        self._peak = 0.0
        self._commit = session.commit
        session.commit = self._watched  # the session calls self.commit: this wrapper

    def _watched(self, **kwargs: Any) -> None:
        commits = len(self.rows)
        before = rss_mb()
        fresh = _reset_peak(self)
        started = time.perf_counter()
        try:
            self._commit(**kwargs)
        finally:
            seconds = time.perf_counter() - started
            peak = peak_rss_mb()
            if fresh:  # else the peak so far stands for this commit's
                self._peak = max(self._peak, peak)
            self.rows.append(
                {
                    "commit": commits + 1,
                    "rss_before_mb": round(before),
                    "peak_mb": round(peak),
                    "rss_after_mb": round(rss_mb()),
                    "seconds": round(seconds, 1),
                }
            )
            print(json.dumps(self.rows[-1]), flush=True)

    def peak_mb(self) -> float:
        """The peak RSS of the whole run so far (MiB)."""
        return max(self._peak, peak_rss_mb())


def _reset_peak(watch: CommitWatch) -> bool:
    """Fold the high-water mark so far into ``watch`` and reset it; False when this kernel
    does not allow it (the mark then keeps the run's peak)."""
    watch._peak = max(watch._peak, peak_rss_mb())
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def write(
    items: int, index_dir: Path, every: int, seed: int, segment_items: int | None = None
) -> dict[str, Any]:
    """Stream ``items`` generated items into a rebuilt index (``segment_items`` documents
    per segment; None: the setting); return the figures."""
    from whoosh import index as windex

    from kb.engine.whoosh.write import IndexWriterSession

    source = UntimedSource(iter_meetings(GenConfig(items=items, seed=seed)))
    progress: list[dict[str, float]] = []
    done, mark, t0 = 0, 0, time.perf_counter()
    last_t, last_n = t0, 0
    with IndexWriterSession(index_dir, rebuild=True, segment_items=segment_items) as session:
        watch = CommitWatch(session)
        for meeting in source:
            key = f"synthetic/{meeting.source}"
            session.put(key, hashlib.sha256(key.encode()).hexdigest(), meeting)
            done += len(meeting.items)
            if done - mark >= every:
                mark = done
                now = time.perf_counter()
                spent = now - t0 - source.spent
                row = {
                    "items": done,
                    "seconds": round(spent, 1),
                    "rate_recent": (done - last_n) / max(1e-9, now - last_t),
                    "rate_overall": done / max(1e-9, spent),
                    "rss_mb": rss_mb(),
                    "commits": len(session.commit_seconds),
                }
                progress.append(row)
                last_t, last_n = now, done
                print(json.dumps(row), flush=True)
        t_commit = time.perf_counter()
    end = time.perf_counter()
    seconds = end - t0 - source.spent
    ix = windex.open_dir(str(index_dir))
    segments = [seg.doc_count_all() for seg in ix._segments()]
    ix.close()
    return {
        "segment_items": session.segment_items,
        "commit_list": [round(c, 1) for c in session.commit_seconds],
        "largest_commit_seconds": max(session.commit_seconds, default=0.0),
        "segments": segments,
        "items": done,
        "seconds": seconds,
        "rate": done / seconds,
        "commit_seconds": end - t_commit,
        "generate_seconds": source.spent,
        "size_mb": dir_size(index_dir) / 2**20,
        "peak_rss_mb": watch.peak_mb(),
        "commit_memory": watch.rows,
        "progress": progress,
    }


def startup(index_dir: Path) -> dict[str, Any]:
    """``bench.run_startup`` on ``index_dir``: ready seconds and the server's memory."""
    cmd = [sys.executable, "-m", "bench.run_startup", "--index", str(index_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
    return dict(json.loads(proc.stdout.strip().splitlines()[-1])[0])


def render(run: dict[str, Any]) -> str:
    """The Markdown section for RESULTS.md."""
    w, q = run["write"], run.get("query", {})
    lines = [
        f"## {w['items']:,} items (`python -m bench.run_million`)",
        "",
        f"Machine: {run['machine']}; run {run['when']}; command: `{run['command']}`.",
        "",
        f"Write (rebuild: one writer, a segment committed every {w['segment_items']:,} "
        "documents, postings sorted in runs on disk; generation time left out):",
        "",
        "| items | seconds | items/s | commits | largest commit s | final commit s "
        "| segments | index MiB | peak RSS MiB | commit target | RSS target |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        f"| {w['items']:,} | {w['seconds']:.0f} | {w['rate']:.0f} | {len(w['commit_list'])} "
        f"| {w['largest_commit_seconds']:.0f} | {w['commit_seconds']:.0f} "
        f"| {len(w['segments'])} | {w['size_mb']:,.0f} | {w['peak_rss_mb']:,.0f} | "
        f"{'met' if w['largest_commit_seconds'] <= TARGET_COMMIT_S else 'MISSED'} "
        f"(≤ {TARGET_COMMIT_S}) | "
        f"{'met' if w['peak_rss_mb'] <= TARGET_RSS_MB else 'MISSED'} (≤ {TARGET_RSS_MB}) |",
        "",
        "Commit seconds in order: "
        + ", ".join(f"{c:.0f}" for c in w["commit_list"])
        + f"; documents per segment: {', '.join(f'{n:,}' for n in w['segments'])}.",
        "",
        "Memory at each commit (MiB: RSS before, peak during, RSS after; seconds):",
        "",
        "| commit | RSS before | peak | RSS after | seconds |",
        "|---|---|---|---|---|",
        *(
            f"| {c['commit']} | {c['rss_before_mb']:,} | {c['peak_mb']:,} "
            f"| {c['rss_after_mb']:,} | {c['seconds']:.0f} |"
            for c in w.get("commit_memory", [])
        ),
        "",
        "Progress (items/s over each stretch and overall, RSS then):",
        "",
        "| items | seconds | items/s recent | items/s overall | RSS MiB |",
        "|---|---|---|---|---|",
    ]
    for p in w["progress"]:
        lines.append(
            f"| {p['items']:,} | {p['seconds']:.0f} | {p['rate_recent']:.0f} "
            f"| {p['rate_overall']:.0f} | {p['rss_mb']:.0f} |"
        )
    if q:
        lines += [
            "",
            "Warm queries (ms, wall p50/p95/p99, CPU p95; each query timed once):",
            "",
            "| class | n | p50 | p95 | p99 | cpu p95 | errors |",
            "|---|---|---|---|---|---|---|",
        ]
        for kind in CLASSES:
            lat = q["latency"].get(kind)
            if not lat:
                continue
            s = sorted(lat["samples"]) or [float("nan")]
            c = sorted(lat["cpu"]) or [float("nan")]

            def pct(xs: list[float], p: float) -> float:
                return xs[max(0, min(len(xs) - 1, -(-len(xs) * p // 100) - 1))]

            lines.append(
                f"| {kind} | {len(lat['samples'])} | {pct(s, 50):.1f} | {pct(s, 95):.1f} "
                f"| {pct(s, 99):.1f} | {pct(c, 95):.1f} | {lat['errors']} |"
            )
        lines.append(f"\nQuery process peak RSS {q.get('peak_rss_mb', float('nan')):,.0f} MiB.")
    if run.get("startup"):
        s = run["startup"]
        mem = next(iter(s["memory_mib"].values()), {})
        lines.append(
            f"\nWeb process (`bench.run_startup`): ready in {s['ready_s']:.2f} s; after "
            f"{s['searches']} searches VmHWM {mem.get('VmHWM', float('nan')):,.0f} MiB, "
            f"RssAnon {mem.get('RssAnon', float('nan')):,.0f}, "
            f"RssFile {mem.get('RssFile', float('nan')):,.0f}; non-200 answers {s['non_200']}."
        )
    for note in run.get("notes", []):
        lines.append(f"\n{note}")
    return "\n".join(lines) + "\n"


def write_section(text: str, path: Path) -> None:
    """Replace (or append) the ``<!-- million -->`` section of ``path``."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"<!-- million -->\n{text}<!-- /million -->\n"
    if "<!-- million -->" in old:
        new = re.sub(r"<!-- million -->\n.*?<!-- /million -->\n", lambda _: block, old, flags=re.S)
    else:
        new = old.rstrip("\n") + "\n\n" + block
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_million", description=__doc__)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--every", type=int, default=50_000, help="progress line every N items")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("instance/bench/million"))
    parser.add_argument("--results", type=Path, default=RESULTS_PATH)
    parser.add_argument("--skip-queries", action="store_true")
    parser.add_argument(
        "--segment-items",
        type=int,
        default=None,
        help="documents per segment of the rebuild (default: the KB_SEGMENT_ITEMS setting)",
    )
    args = parser.parse_args(argv)
    index_dir = args.workdir / "kb-index"
    run: dict[str, Any] = {
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m bench.run_million " + " ".join(argv or sys.argv[1:]),
        "notes": [],
    }
    run["write"] = write(args.items, index_dir, args.every, args.seed, args.segment_items)
    w = run["write"]
    print(json.dumps({k: v for k, v in w.items() if k != "progress"}), flush=True)
    print(
        f"largest single commit {w['largest_commit_seconds']:.1f} s "
        f"({len(w['commit_list'])} commits, {len(w['segments'])} segments); "
        f"peak RSS {w['peak_rss_mb']:,.0f} MiB; RSS at each commit (before/peak/after MiB): "
        + ", ".join(
            f"{c['rss_before_mb']}/{c['peak_mb']}/{c['rss_after_mb']}" for c in w["commit_memory"]
        ),
        flush=True,
    )
    if not args.skip_queries:
        try:
            run["query"] = run_engine_part("query", args.items, index_dir, seed=args.seed)
        except RuntimeError as exc:
            run["notes"].append(f"Queries failed: {str(exc)[-500:]}")
        try:
            run["startup"] = startup(index_dir)
        except (subprocess.CalledProcessError, ValueError, IndexError) as exc:
            run["notes"].append(f"Web start-up measurement failed: {exc}")
    text = render(run)
    print(text)
    write_section(text, args.results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
