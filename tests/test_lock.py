"""One writer at a time: a second ``kb ingest`` is refused (exit 75) or waits (``--wait``);
a lock left by a killed ingest is recovered; the web app never writes to the index."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from reliability import kb, kb_popen, manifest_items, write_minutes

from indexer.generations import current
from indexer.write import LOCK_NAME

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


@pytest.mark.slow
def test_second_ingest_is_refused_with_the_holders_pid(src: Path, tmp_path: Path) -> None:
    ix = tmp_path / "index"
    first = start_slow_ingest(src, ix)
    try:
        second = kb("ingest", str(src), "--index", str(ix))
        assert first.poll() is None, "the first ingest ended too soon for this test"
    finally:
        first.communicate(timeout=120)
    assert second.returncode == 75
    assert f"index is being updated by another ingest (pid {first.pid})" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.returncode == 0
    assert len(manifest_items(ix)) == FILES  # the refused ingest changed nothing


@pytest.mark.slow
def test_wait_waits_for_the_other_ingest(src: Path, tmp_path: Path) -> None:
    ix = tmp_path / "index"
    first = start_slow_ingest(src, ix)
    second = kb("ingest", "--wait=120", str(src), "--index", str(ix))
    first.communicate(timeout=120)
    assert second.returncode == 0, second.stderr
    assert f"{FILES} unchanged" in second.stdout  # it ran after the first one finished


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
