"""End-to-end ingest: generated minutes text files → ``kb ingest`` (read→meeting→segment→people
→topics→index) in a child process, timed wall-clock, with the child's own peak RSS."""

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
    and its workers), index size and peak RSS.  ``kb ingest`` runs with its default worker
    count (``KB_INGEST_WORKERS`` in the environment sets it).
    Raises RuntimeError with the output tail when ``kb ingest`` fails outright.
    """
    src, index_dir = workdir / "minutes", workdir / "index"
    shutil.rmtree(src, ignore_errors=True)
    shutil.rmtree(index_dir, ignore_errors=True)
    files, generated = write_minutes(cfg, src)
    cmd = [sys.executable, "-m", "kb", "ingest", str(src), "--index", str(index_dir)]
    cmd += ["--council-from-folder", "--rebuild"]
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
        "statuses": statuses,
        "exit": proc.returncode,
    }
