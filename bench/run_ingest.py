"""End-to-end ingest: generated minutes text files → ``kb ingest`` (read→meeting→segment→people
→topics→index) in a child process, timed wall-clock, with the child's own peak RSS and where
its CPU went: the writing process itself, its worker processes, and how long the writer
waited for them (:data:`LAUNCHER`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.generate import GenConfig, write_minutes
from bench.measure import dir_size

#: Runs ``kb ingest ARGS…`` in this interpreter (``python -c LAUNCHER STATS ARGS…``) exactly
#: as the ``kb`` command does, and at exit writes to STATS (JSON) the writing process's own
#: CPU seconds, its children's (the workers, once joined), the seconds it blocked waiting
#: for a worker's result, the seconds from start to its first result, the files whose term
#: analysis went to a worker (``indexer.parallel.Balance``) and each commit's seconds.
LAUNCHER = """
import atexit, json, resource, sys, time
from concurrent.futures import Future
started = time.perf_counter()
stats = {"waited": 0.0, "first_result": None, "offloaded": 0, "decisions": 0, "commits": []}
result = Future.result
def timed_result(self, timeout=None):
    t = time.perf_counter()
    try:
        return result(self, timeout)
    finally:
        now = time.perf_counter()
        stats["waited"] += now - t
        if stats["first_result"] is None:
            stats["first_result"] = now - started
Future.result = timed_result
from indexer import parallel
offload = parallel.Balance.offload
def counted_offload(self):
    answer = offload(self)
    stats["decisions"] += 1
    stats["offloaded"] += answer
    return answer
parallel.Balance.offload = counted_offload
from kb.engine.whoosh import write
commit = write.IndexWriterSession.commit
def timed_commit(self, **kw):
    t = time.perf_counter()
    try:
        return commit(self, **kw)
    finally:
        stats["commits"].append(time.perf_counter() - t)
write.IndexWriterSession.commit = timed_commit
out = sys.argv.pop(1)
def save():
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    stats["writer_cpu"] = me.ru_utime + me.ru_stime
    stats["workers_cpu"] = kids.ru_utime + kids.ru_stime
    stats["seconds"] = time.perf_counter() - started
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(stats, fh)
atexit.register(save)
sys.argv[0] = "kb"
from kb.cli import main
main()
"""


def _manifest(index_dir: Path) -> dict[str, Any]:
    """The index manifest's entries, read as JSON here: importing the engine into this long-
    running process could mix module versions while the engine is being edited."""
    path = Path(index_dir) / "manifest.json"
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")).get("files", {}))


def run_ingest(cfg: GenConfig, workdir: Path) -> dict[str, Any]:
    """Write ``cfg``'s meetings as text files, then time ``kb ingest --rebuild`` over them.

    Returns items generated and indexed (from the index manifest), files, seconds, items/s
    (indexed items over wall time, interpreter start-up included), CPU seconds (the ingest
    and its workers), index size, peak RSS, and ``processes``: the writing process's and
    its workers' CPU seconds, the seconds the writer waited for the workers, the seconds to
    its first result, the files whose analysis the workers took and each commit's seconds
    (see :data:`LAUNCHER`).  ``kb ingest`` runs with its default worker count
    (``KB_INGEST_WORKERS`` in the environment sets it).
    Raises RuntimeError with the output tail when ``kb ingest`` fails outright.
    """
    src, index_dir = workdir / "minutes", workdir / "index"
    shutil.rmtree(src, ignore_errors=True)
    shutil.rmtree(index_dir, ignore_errors=True)
    files, generated = write_minutes(cfg, src)
    stats_path = workdir / "processes.json"
    stats_path.unlink(missing_ok=True)
    cmd = [sys.executable, "-c", LAUNCHER, str(stats_path), "ingest", str(src)]
    cmd += ["--index", str(index_dir), "--council-from-folder", "--rebuild"]
    log = workdir / "ingest.log"
    root = Path(__file__).resolve().parent.parent
    t0 = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    entries = _manifest(index_dir)
    indexed = sum(
        len(e.get("item_ids", [])) for e in entries.values() if e.get("status") == "indexed"
    )
    if proc.returncode not in (0, 1) or not entries:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"kb ingest exited {proc.returncode}:\n{tail}")
    statuses: dict[str, int] = {}
    for e in entries.values():
        statuses[e.get("status", "?")] = statuses.get(e.get("status", "?"), 0) + 1
    processes = json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() else {}
    return {
        "files": files,
        "generated_items": generated,
        "items": indexed,
        "seconds": seconds,
        "rate": indexed / seconds if seconds else float("nan"),
        "size_mb": dir_size(index_dir) / 2**20,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        # user + system CPU of kb ingest and its worker process(es), which it waits for
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "processes": processes,
        "statuses": statuses,
        "exit": proc.returncode,
    }
