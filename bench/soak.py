"""Soak test: concurrent searches against the real web server while the index is re-ingested.

    .venv/bin/python bench/soak.py --minutes 10 [--threads 4] [--files 40] [--append-results]

Starts ``python -m web`` (its default server) on 127.0.0.1 over a fresh index of generated minutes,
then for N minutes runs ``--threads`` client threads (each one request at a time: bounded)
against /api/search, /search and /api/items/…, while the main thread keeps re-ingesting:
every round rewrites a few files (a new version word) and runs ``kb ingest`` as a separate
process; every fifth round is ``kb ingest --rebuild`` (a generation swap under load).  At the
end ``kb check`` must pass.  Prints requests, errors (any 5xx, connection error or wrong
answer; must be 0), latency p50/p95/p99 and ingest rounds; exit status 1 on any error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
TITLES = ["STREET TRADING", "PARKING REVIEW", "COMMUNITY SAFETY", "LIBRARY HOURS", "FLOODING"]
WORDS = ["parking", "library", "flooding", "safety", "trading", "committee", "report"]


def minutes(n: int, version: int) -> str:
    """One meeting's minutes (its own date) with 3 items carrying ``v<version>``."""
    day = dt.date(2016, 1, 4) + dt.timedelta(days=7 * n)
    lines = [
        "Anytown Borough Council",
        "",
        f"Minutes of the Licensing Committee held on {day:%-d %B %Y} at 7.00 pm",
        "",
        "Present: Councillors Smith (Chair), Jones and Patel.",
        "",
    ]
    for k in range(1, 4):
        lines += [
            f"{k}. {TITLES[(n + k) % len(TITLES)]}",
            f"The committee considered the {WORDS[(n * k) % len(WORDS)]} report, "
            f"revision rev{version} of meeting m{n}.",
            "RESOLVED: That the report be noted.",
            "",
        ]
    return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kb", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


class Stats:
    """Thread-safe request outcomes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)


def client(base: str, stats: Stats, stop: threading.Event, seed: int) -> None:
    """One user: a request at a time until ``stop``; checks status and shape."""
    rng = random.Random(seed)
    while not stop.is_set():
        kind = rng.random()
        word = rng.choice(WORDS)
        if kind < 0.6:
            url = f"{base}/api/search?q={quote(word)}&page_size=5"
        elif kind < 0.8:
            url = f"{base}/search?q={quote(word + ' report')}&sort=newest"
        else:
            url = f"{base}/api/search?q=rev*&council=anytown"
        t0 = time.perf_counter()
        error = None
        try:
            with urllib.request.urlopen(url, timeout=30) as resp:
                body = resp.read()
                if url.startswith(f"{base}/api/"):
                    data = json.loads(body)
                    if "results" not in data:
                        error = f"{url}: no results key"
                    elif data["results"] and kind < 0.6:
                        item = data["results"][0]["id"]
                        with urllib.request.urlopen(
                            f"{base}/api/items/{quote(item)}", timeout=30
                        ) as r2:
                            r2.read()
        except urllib.error.HTTPError as exc:
            # a 404 for an item replaced between search and fetch is a fair answer
            if exc.code >= 500 or (exc.code != 404 or "/api/items/" not in (exc.url or "")):
                error = f"{url}: HTTP {exc.code}"
        except Exception as exc:  # noqa: BLE001 - every failure counts
            error = f"{url}: {type(exc).__name__}: {exc}"
        stats.add(time.perf_counter() - t0, error)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


def run(minutes_: float, threads: int, files: int) -> dict[str, object]:
    """The soak (see the module docstring); returns the figures."""
    work = Path(tempfile.mkdtemp(prefix="kb-soak-"))
    src, ix = work / "src", work / "index"
    src.mkdir()
    versions = dict.fromkeys(range(files), 0)
    for n in range(files):
        (src / f"m{n:03d}.txt").write_text(minutes(n, 0), encoding="utf-8")
    first = kb("ingest", str(src), "--index", str(ix))
    if first.returncode != 0:
        raise SystemExit(f"initial ingest failed: {first.stderr}")
    port = free_port()
    log = (work / "server.log").open("w")  # a file: a full pipe would stall the server
    server = subprocess.Popen(
        [sys.executable, "-m", "web", "--host", "127.0.0.1", "--port", str(port)]
        + ["--index", str(ix), "--threads", "8"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/api/search?q=report", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    stats, stop = Stats(), threading.Event()
    pool = [
        threading.Thread(target=client, args=(base, stats, stop, k), daemon=True)
        for k in range(threads)
    ]
    for t in pool:
        t.start()
    rng = random.Random(1)
    rounds = rebuilds = ingest_failures = 0
    failure_notes: list[str] = []
    deadline = time.monotonic() + minutes_ * 60
    try:
        while time.monotonic() < deadline:
            for n in rng.sample(range(files), k=max(1, files // 8)):
                versions[n] += 1
                (src / f"m{n:03d}.txt").write_text(minutes(n, versions[n]), encoding="utf-8")
            rounds += 1
            args = ["ingest", "--wait=60", str(src), "--index", str(ix), "--batch-size", "2"]
            if rounds % 5 == 0:
                args.insert(1, "--rebuild")
                rebuilds += 1
            done = kb(*args)
            if done.returncode != 0:
                ingest_failures += 1
                failure_notes.append(
                    f"exit {done.returncode}: {done.stdout[-300:]}{done.stderr[-300:]}"
                )
            time.sleep(0.5)
    finally:
        stop.set()
        for t in pool:
            t.join(timeout=60)
        server.terminate()
        server.wait(timeout=30)
        log.close()
    server_log = (work / "server.log").read_text(encoding="utf-8", errors="replace")
    check = kb("check", "--index", str(ix))
    verdict = check.stdout.strip().splitlines()[-1] if check.stdout.strip() else check.stderr
    verdict = verdict.split()[0] + " " + verdict.split(": ", 1)[-1]  # no temp path
    shutil.rmtree(work, ignore_errors=True)
    lat = stats.latencies
    return {
        "minutes": minutes_,
        "threads": threads,
        "files": files,
        "requests": len(lat),
        "errors": len(stats.errors),
        "first_errors": stats.errors[:5],
        "server_log_tail": server_log.splitlines()[-15:] if stats.errors else [],
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p95_ms": round(percentile(lat, 95) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
        "max_ms": round(max(lat, default=0) * 1000, 1),
        "ingest_rounds": rounds,
        "rebuilds": rebuilds,
        "ingest_failures": ingest_failures,
        "ingest_failure_notes": failure_notes[:3],
        "check": verdict,
        "check_ok": check.returncode == 0,
        "load": os.getloadavg(),
    }


def report(r: dict[str, object]) -> str:
    """The figures as the Markdown appended to bench/RESULTS.md."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.1f}" for x in r["load"])  # type: ignore[attr-defined]
    return (
        f"\n## Soak\n\n`python bench/soak.py --minutes {r['minutes']:g} --threads {r['threads']}"
        f" --files {r['files']}` — run {when}; load average at the end {load} (shared 2-CPU "
        "machine).  Client threads query the real `python -m web` server (its default: "
        "gunicorn with one process per CPU) "
        "while `kb ingest` re-ingests changed files every round and every fifth round is "
        "`kb ingest --rebuild` (a generation swap under load).\n\n"
        "| requests | errors | p50 ms | p95 ms | p99 ms | max ms | ingest rounds | rebuilds | "
        "ingest failures | kb check |\n|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {r['requests']:,} | {r['errors']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
        f"| {r['max_ms']} | {r['ingest_rounds']} | {r['rebuilds']} | {r['ingest_failures']} "
        f"| {r['check']} |\n"
    )


def save_results(section: str, path: Path = ROOT / "bench" / "RESULTS.md") -> None:
    """Put ``section`` between ``<!-- soak -->`` markers at the end of RESULTS.md, replacing
    an earlier soak section (bench/report.py keeps this block when it rewrites the file)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    old = re.sub(r"\n?<!-- soak -->\n.*?<!-- /soak -->\n", "", old, flags=re.S)
    block = f"<!-- soak -->\n{section.strip()}\n<!-- /soak -->\n"
    path.write_text(old.rstrip("\n") + "\n\n" + block, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    parser.add_argument("--threads", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--files", type=int, default=40, help="minutes files (default 40)")
    parser.add_argument(
        "--append-results", action="store_true", help="append the table to bench/RESULTS.md"
    )
    args = parser.parse_args(argv)
    figures = run(args.minutes, args.threads, args.files)
    text = report(figures)
    print(text)
    if figures["first_errors"]:
        print("first errors:", *figures["first_errors"], sep="\n  ")
        print("server log (tail):", *figures["server_log_tail"], sep="\n  ")
    if figures["ingest_failure_notes"]:
        print("ingest failures:", *figures["ingest_failure_notes"], sep="\n  ")
    if args.append_results:
        save_results(text)
    ok = figures["errors"] == 0 and figures["check_ok"] and not figures["ingest_failures"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
