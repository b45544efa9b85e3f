"""One writer at a time: a second ``kb ingest`` is refused (exit 75) or waits (``--wait``);
a lock left by a killed ingest is recovered; the web app never writes to the index."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from reliability import ROOT, kb, kb_popen, manifest_items, write_minutes

from kb.engine.whoosh.generations import current
from kb.engine.whoosh.write import LOCK_NAME

FILES = 30


@pytest.fixture()
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    write_minutes(folder, FILES)
    return folder


def start_slow_ingest(src: Path, ix: Path):  # type: ignore[no-untyped-def]
    """An ingest that holds the lock for a while (one commit per file); returns once it has
    committed its first file."""
    proc = kb_popen("ingest", str(src), "--index", str(ix), "--batch-size", "1")
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("new "), proc.stderr.read() if proc.stderr else ""
    return proc


HOLDER = """
import sys
from kb.engine.whoosh.write import IndexWriterSession
with IndexWriterSession(sys.argv[1]):
    print("locked", flush=True)
    sys.stdin.readline()  # hold the lock until the test says so
print("released", flush=True)
"""


def hold_lock(ix: Path) -> subprocess.Popen[str]:
    """A live process holding the ingest lock of ``ix`` until its stdin gets a line."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(ix)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "locked\n"
    return proc


def release(holder: subprocess.Popen[str]) -> None:
    out, _ = holder.communicate("go\n", timeout=60)
    assert out == "released\n" and holder.returncode == 0


@pytest.mark.slow
def test_second_ingest_is_refused_with_the_holders_pid(src: Path, tmp_path: Path) -> None:
    ix = tmp_path / "index"
    holder = hold_lock(ix)
    try:
        second = kb("ingest", str(src), "--index", str(ix))
    finally:
        release(holder)
    assert second.returncode == 75
    assert second.stderr.startswith(
        f"Error: index is being updated by another ingest (pid {holder.pid})"
    )
    assert "Traceback" not in second.stderr
    assert manifest_items(ix) == {}  # the refused ingest changed nothing
    third = kb("ingest", str(src), "--index", str(ix))  # once the lock is free
    assert third.returncode == 0 and len(manifest_items(ix)) == FILES


@pytest.mark.slow
def test_wait_waits_for_the_other_ingest(src: Path, tmp_path: Path) -> None:
    ix = tmp_path / "index"
    holder = hold_lock(ix)
    second = kb_popen("ingest", "--wait=120", str(src), "--index", str(ix))
    try:
        assert second.stderr is not None
        line = second.stderr.readline()  # printed once it has met the lock
        assert line == f"waiting: index is being updated by another ingest (pid {holder.pid})\n"
        assert second.poll() is None
    finally:
        release(holder)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert f"{FILES} new, 0 changed" in out
    assert len(manifest_items(ix)) == FILES


@pytest.mark.slow
def test_wait_gives_up_after_its_time(src: Path, tmp_path: Path) -> None:
    ix = tmp_path / "index"
    ix.mkdir()
    (ix / LOCK_NAME).write_text(str(os.getppid()), encoding="ascii")  # a live process
    result = kb("ingest", "--wait=0.5", str(src), "--index", str(ix))
    assert result.returncode == 75
    assert f"(pid {os.getppid()})" in result.stderr


@pytest.mark.slow
def test_lock_of_a_killed_ingest_is_recovered(src: Path, tmp_path: Path) -> None:
    ix = tmp_path / "index"
    first = start_slow_ingest(src, ix)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    lock = current(ix) / LOCK_NAME
    assert lock.read_text(encoding="ascii") == str(first.pid)  # left behind by the dead ingest
    result = kb("ingest", str(src), "--index", str(ix))
    assert result.returncode == 0, result.stderr
    assert not lock.exists()
    assert len(manifest_items(ix)) == FILES


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``folder`` (links followed) → (mtime_ns, size)."""
    out = {}
    for root, dirs, files in os.walk(folder, followlinks=True):
        for name in [*dirs, *files, "."]:
            p = Path(root, name)
            st = p.stat()
            out[str(p)] = (st.st_mtime_ns, st.st_size)
    return out


def test_serving_and_searching_never_writes(tmp_path: Path, seed_path: Path) -> None:
    from indexer.pipeline import ingest
    from web import create_app

    ix = tmp_path / "index"
    ingest([seed_path], ix)
    ingest([seed_path], ix, rebuild=True)  # a generation link, as in production
    before = snapshot(tmp_path)
    client = create_app({"index": str(ix), "TESTING": True}).test_client()
    item = "luton/crime-and-disorder-committee/2018-03-27/07"
    urls = [
        "/",
        "/search?q=cctv",
        "/search?q=cctv&council=luton&sort=newest",
        f"/items/{item}",
        "/api/search?q=sex+trade",
        f"/api/items/{item}",
        "/api/topics",
        "/meetings/luton/crime-and-disorder-committee/2018-03-27",
        "/committees",
        "/people",
        "/topics",
        "/search.csv?q=cctv",
        "/search.atom?q=cctv",
    ]
    statuses = {u: client.get(u).status_code for u in urls}
    assert set(statuses.values()) == {200}, statuses
    assert snapshot(tmp_path) == before
    assert not list(tmp_path.rglob(LOCK_NAME))
