"""Turn benchmark figures into Markdown: tables, ratios to the baselines, targets met/missed.

``bench/RESULTS.md`` keeps one section per data size, between ``<!-- size:N -->`` markers, so
a run at 10k items replaces the 10k section and leaves the 25k one alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.measure import Latency, table
from bench.queries import CLASSES

RESULTS_PATH = Path(__file__).resolve().parent / "RESULTS.md"

#: The client's targets: size → query class → p95 limit in ms (facets = term + all facets +
#: histogram, which is what every Minutes KB search returns).
TARGETS: dict[int, dict[str, float]] = {
    25_000: {"term": 50, "filter": 50, "facets": 50, "and": 100, "phrase": 100},
    100_000: {"term": 100, "filter": 100, "facets": 100, "and": 250, "phrase": 250},
}
WEB_P95_TARGET_MS = 150  # at 4 clients, 25k items
INGEST_TARGET = 300  # items/s


@dataclass
class Run:
    """Everything one ``python -m bench`` run measured (absent parts stay empty)."""

    size: int
    command: str
    machine: dict[str, str]
    latency: dict[str, dict[str, Latency]] = field(default_factory=dict)  # engine → class →
    builds: dict[str, dict[str, Any]] = field(default_factory=dict)  # engine → figures
    web: dict[int, dict[str, float]] = field(default_factory=dict)  # clients → figures
    web_workers: int = 1
    notes: list[str] = field(default_factory=list)
    profile: str = ""


def target_size(size: int) -> int:
    """The target table that applies: the smallest target size at or above ``size``."""
    return next((s for s in sorted(TARGETS) if size <= s), max(TARGETS))


def latency_section(run: Run) -> str:
    """p50/p95/p99 per class for every engine, then Minutes KB as ratios and against targets."""
    rows = []
    for engine, per_class in run.latency.items():
        for kind in CLASSES:
            lat = per_class.get(kind)
            if lat is None:
                continue
            s = lat.summary()
            rows.append(
                [
                    engine,
                    kind,
                    int(s["n"]),
                    s["p50"],
                    s["p95"],
                    s["p99"],
                    lat.cpu_pct(50),
                    lat.cpu_pct(95),
                    int(s["errors"]),
                ]
            )
    out = [
        "Query latency on a warm index, ms: wall p50/p95/p99 and the process's CPU time "
        "p50/p95.  Each engine is warmed up on 240 other queries, then every query is timed "
        "once, the first time the engine sees it (so no result cache can answer it):",
        "",
        table(["engine", "class", "n", "p50", "p95", "p99", "cpu p50", "cpu p95", "errors"], rows),
    ]
    kb = run.latency.get("Minutes KB")
    if kb:
        tsize = target_size(run.size)
        ratio_rows = []
        for kind in CLASSES:
            mine = kb[kind].pct(95)
            row: list[object] = [kind, mine, kb[kind].cpu_pct(95)]
            for other in ("FTS5", "Tantivy"):
                base = run.latency.get(other, {}).get(kind)
                row.append(f"{mine / base.pct(95):.1f}×" if base and base.pct(95) > 0 else "–")
            limit = TARGETS[tsize][kind]
            verdict = "met" if mine <= limit else f"MISSED by {mine - limit:,.0f} ms"
            row += [limit, verdict]
            ratio_rows.append(row)
        out += [
            "",
            f"Minutes KB p95 against the baselines and the {tsize:,}-item targets "
            f"(measured at {run.size:,} items):",
            "",
            table(
                ["class", "KB p95", "KB cpu p95", "÷ FTS5", "÷ Tantivy", "target p95", "verdict"],
                ratio_rows,
            ),
        ]
    return "\n".join(out)


def build_section(run: Run) -> str:
    """Index build / ingest figures for every engine and mode."""
    rows = []
    for name, b in run.builds.items():
        rate = b.get("rate", float("nan"))
        verdict = ""
        if name.startswith("Minutes KB end to end"):
            verdict = "met" if rate >= INGEST_TARGET else f"MISSED ({rate / INGEST_TARGET:.0%})"
        rows.append(
            [
                name,
                int(b.get("items", 0)),
                float(b.get("seconds", float("nan"))),
                float(rate),
                float(b.get("size_mb", float("nan"))),
                float(b.get("peak_rss_mb", float("nan"))),
                verdict,
            ]
        )
    head = ["engine / path", "items", "seconds", "items/s", "index MiB", "peak RSS MiB"]
    return f"Build and ingest (target ≥ {INGEST_TARGET} items/s end to end):\n\n" + table(
        [*head, "vs target"], rows
    )


def web_section(run: Run) -> str:
    """/search latency and errors per concurrency level."""
    rows = [
        [c, int(w["requests"]), w["rps"], w["p50"], w["p95"], w["p99"], int(w["errors"])]
        for c, w in sorted(run.web.items())
    ]
    server = (
        "waitress, one process"
        if run.web_workers <= 1
        else f"gunicorn, {run.web_workers} worker processes"
    )
    text = f"Web `/search` ({server}, loopback; each client loops over the query set):\n\n"
    text += table(["clients", "requests", "req/s", "p50", "p95", "p99", "errors"], rows)
    if 4 in run.web:
        p95 = run.web[4]["p95"]
        verdict = (
            "met" if p95 <= WEB_P95_TARGET_MS else f"MISSED by {p95 - WEB_P95_TARGET_MS:.0f} ms"
        )
        text += f"\n\nTarget p95 ≤ {WEB_P95_TARGET_MS} ms at 4 clients: {verdict}."
    return text


def render(run: Run) -> str:
    """The Markdown section for one run."""
    m = run.machine
    parts = [
        f"## {run.size:,} items",
        "",
        f"Machine: {m['nproc']} CPUs, {m['memory']} RAM, Python {m['python']}, {m['platform']}; "
        f"run {m['date']}; load average at start {m['load']} (the machine is shared: wall "
        f"times include waiting for a CPU).  Command: `{run.command}`",
        "",
    ]
    if run.builds:
        parts += [build_section(run), ""]
    if run.latency:
        parts += [latency_section(run), ""]
    if run.web:
        parts += [web_section(run), ""]
    if run.notes:
        parts += ["Notes:", "", *[f"- {n}" for n in run.notes], ""]
    if run.profile:
        parts += ["Profile (pyinstrument):", "", "```", run.profile.strip(), "```", ""]
    return "\n".join(parts)


HEADER = """# Benchmark results

Written by `python -m bench --size N` (`make bench SIZE=N`); each size's section is replaced by
the next run at that size.  Data: synthetic minutes from `bench/generate.py` (vocabulary learned
from the shared corpus, fixed seed); queries: `bench/queries.py` (240, five classes).
Baselines: SQLite FTS5 (porter) and Tantivy (en_stem, 2 indexing threads) on the same items.
"""


def write_results(run: Run, path: Path = RESULTS_PATH) -> None:
    """Insert or replace this run's size section in ``path`` (sections kept in size order)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    sections = dict(
        (int(n), body)
        for n, body in re.findall(r"<!-- size:(\d+) -->\n(.*?)<!-- /size -->\n", old, re.S)
    )
    preamble = old.split("<!-- size:", 1)[0] if old else ""
    kept_notes = preamble.split("<!-- notes -->", 1)[1] if "<!-- notes -->" in preamble else ""
    new = render(run)
    old_build = re.search(r"Build and ingest.*?\n\n(?:\|.*\n)+", sections.get(run.size, ""))
    if not run.builds and old_build:  # a partial run keeps the build figures it did not redo
        when = re.search(r"; run ([^;]+);", sections[run.size])
        kept = old_build.group(0).rstrip() + (
            f"\n\n(Build figures kept from the earlier full run at {when.group(1)}.)\n\n"
            if when
            else "\n\n"
        )
        head, sep, rest = new.partition("Query latency")
        new = head + kept + sep + rest
    sections[run.size] = new
    # other sections (e.g. <!-- soak --> … <!-- /soak -->, written by other runners) stay
    others = re.findall(r"\n(<!-- (?!size|/size|notes)([a-z-]+) -->\n.*?<!-- /\2 -->\n)", old, re.S)
    text = (
        HEADER
        + "\n<!-- notes -->"
        + (kept_notes or "\n")
        + "".join(
            f"<!-- size:{n} -->\n{body.rstrip()}\n<!-- /size -->\n"
            for n, body in sorted(sections.items())
        )
    )
    text += "".join("\n" + block for block, _name in others)
    path.write_text(text, encoding="utf-8")
