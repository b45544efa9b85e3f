"""Web process start-up time and memory: ``python -m bench.run_startup --index DIR``.

Starts the real ``python -m web`` on 127.0.0.1, measures the time from launching the process
to the first ``/search`` answered (``ready``: interpreter start, imports, opening the index,
the per-generation caches the first search needs), then sends ``--searches`` distinct
benchmark searches one after another and reads the server's memory from ``/proc``:
``VmHWM`` (peak RSS), ``VmRSS`` now, and its split into ``RssAnon`` (the process's own heap)
and ``RssFile`` (pages of memory-mapped index files, shared with every other process that
maps them and dropped by the kernel under pressure).  When the server runs several worker
processes (gunicorn) the figures are those of each worker.  Prints a Markdown table and a JSON line.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.queries import build_queries
from bench.run_web import HOST, free_port, search_path, stop_server

_STATUS_KEYS = ("VmHWM", "VmRSS", "RssAnon", "RssFile")


def proc_memory(pid: int) -> dict[str, float]:
    """``VmHWM``, ``VmRSS``, ``RssAnon``, ``RssFile`` of process ``pid`` in MiB."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in _STATUS_KEYS:
            out[key] = int(rest.split()[0]) / 1024
    return out


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The direct child processes of ``pid`` (gunicorn's workers)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def get(port: int, path: str, timeout: float = 30) -> int:
    """GET ``path``; return the status (the body is read and dropped)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def measure(
    index_dir: Path, searches: int, workers: int | None = None, seed: int = 7
) -> dict[str, Any]:
    """Start the server on ``index_dir``; return ready seconds, server CPU seconds at ready,
    and the memory of each serving process after ``searches`` searches."""
    port = free_port()
    cmd = [sys.executable, "-m", "web", "--host", HOST, "--port", str(port)]
    cmd += ["--index", str(index_dir)]
    cmd += ["--workers", str(workers)] if workers is not None else []  # else the default
    root = Path(__file__).resolve().parent.parent
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ready = None
        while time.perf_counter() - t0 < 120:
            if proc.poll() is not None:
                raise RuntimeError(f"web server exited with {proc.returncode}")
            try:
                if get(port, "/search?q=council") == 200:
                    ready = time.perf_counter() - t0
                    break
            except OSError:
                time.sleep(0.02)
        if ready is None:
            raise RuntimeError("web server did not answer within 120 s")
        pids = children(proc.pid) or [proc.pid]  # gunicorn's workers, else waitress itself
        cpu_ready = sum(proc_cpu_seconds(p) for p in dict.fromkeys([proc.pid, *pids]))
        queries = build_queries(["Licensing Committee"], seed=seed)
        paths = list(dict.fromkeys(search_path(q) for q in queries if not q.committee))
        statuses = [get(port, p) for p in paths[:searches]]
        memory = {str(p): proc_memory(p) for p in pids}
        return {
            "ready_s": ready,
            "cpu_at_ready_s": cpu_ready,
            "searches": len(statuses),
            "non_200": sum(1 for s in statuses if s != 200),
            "memory_mib": memory,
        }
    finally:
        stop_server(proc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_startup", description=__doc__)
    parser.add_argument("--index", type=Path, required=True, help="index folder to serve")
    parser.add_argument("--searches", type=int, default=31, help="searches before measuring")
    parser.add_argument(
        "--workers", type=int, default=None, help="python -m web --workers (default: its own)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="start the server this many times")
    args = parser.parse_args(argv)
    runs = [measure(args.index, args.searches, args.workers) for _ in range(args.repeat)]
    print("| run | ready s | server CPU s at ready | process | VmHWM | VmRSS | RssAnon | RssFile |")
    print("|---|---|---|---|---|---|---|---|")
    for n, r in enumerate(runs, 1):
        for pid, mem in r["memory_mib"].items():
            cells = " | ".join(f"{mem.get(k, float('nan')):.0f}" for k in _STATUS_KEYS)
            print(f"| {n} | {r['ready_s']:.2f} | {r['cpu_at_ready_s']:.2f} | {pid} | {cells} |")
    print(json.dumps(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
