"""Load the real web app: ``python -m web`` (waitress) on 127.0.0.1, ``/search`` from N clients.

A bounded Python load loop: N threads, each with its own keep-alive ``http.client``
connection, request the HTML ``/search`` page for the benchmark queries in turn until the
time budget is spent.  Latency is measured per request; a non-200 answer or a socket error
counts as an error.  Loopback only; the server is stopped (by its pid) when done.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.measure import Latency
from bench.queries import BenchQuery

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def search_path(q: BenchQuery) -> str:
    """The ``/search`` URL a browser would request for this query."""
    params = [("q", q.user_text())]
    if q.committee:
        params.append(("committee", q.committee))
    return "/search?" + urllib.parse.urlencode(params)


def start_server(
    index_dir: Path, port: int, threads: int = 8, workers: int = 1
) -> subprocess.Popen[bytes]:
    """Start ``python -m web`` on 127.0.0.1:port and wait (≤ 60 s) until it answers.

    Raises RuntimeError with the server's output when it exits or does not answer in time.
    """
    cmd = [sys.executable, "-m", "web", "--host", HOST, "--port", str(port)]
    cmd += ["--index", str(index_dir), "--threads", str(threads), "--workers", str(workers)]
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise RuntimeError(f"web server exited with {proc.returncode}:\n{out[-2000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/search?q=council")
            conn.getresponse().read()
            conn.close()
            return proc
        except OSError:
            time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError("web server did not answer within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server process we started (terminate, then kill after 10 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def load(port: int, paths: list[str], clients: int, seconds: float) -> dict[str, float]:
    """Run ``clients`` threads over ``paths`` for ``seconds``; return req/s, p50/p95/p99, errors."""
    lat = Latency()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        i = offset
        mine: list[float] = []
        errors = 0
        while time.monotonic() < stop_at:
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
            if ok:
                mine.append((time.perf_counter() - t0) * 1000)
            else:
                errors += 1
        conn.close()
        with lock:
            lat.samples.extend(mine)
            lat.errors += errors

    t0 = time.perf_counter()
    threads = [
        threading.Thread(target=client, args=(k * len(paths) // clients,)) for k in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    s = lat.summary()
    done = len(lat.samples) + lat.errors
    return {
        "requests": float(done),
        "rps": done / elapsed,
        **{k: s[k] for k in ("p50", "p95", "p99")},
        "errors": float(lat.errors),
    }


def run_web(
    index_dir: Path,
    queries: list[BenchQuery],
    warm: list[BenchQuery],
    levels: tuple[int, ...] = (1, 4, 16),
    seconds: float = 15.0,
    workers: int = 1,
) -> dict[int, dict[str, Any]]:
    """Start the server, warm it on ``warm`` queries, then load it at each level with
    ``queries`` (many distinct ones, so that a result cache is rarely hit)."""
    timed = {search_path(q) for q in queries}
    warm_paths = [p for p in dict.fromkeys(search_path(q) for q in warm) if p not in timed]
    port = free_port()
    proc = start_server(index_dir, port, workers=workers)
    try:
        paths = list(dict.fromkeys(search_path(q) for q in queries))
        load(port, warm_paths, clients=1, seconds=3)  # warm-up on other queries
        return {c: load(port, paths, clients=c, seconds=seconds) for c in levels}
    finally:
        stop_server(proc)
