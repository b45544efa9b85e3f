"""Crash safety: ``kb ingest`` killed with SIGKILL at seeded random moments never leaves a
partial batch, and commits are made durable with fsync (files and folder)."""

from __future__ import annotations

import os
import random
import re
import signal
import time
from pathlib import Path

import pytest
from reliability import indexed_items, kb, kb_popen, manifest_items, write_minutes

from kb.engine.whoosh.check import check_index
from kb.engine.whoosh.generations import current, gen_root
from kb.engine.whoosh.write import LOCK_NAME, IndexWriterSession

FILES = 30
VERSION = re.compile(r"version v(\d+)")


def kill_after(args: list[str], lines: int, jitter: float) -> int:
    """Start ``kb ingest``, wait for ``lines`` per-file lines (each one a committed batch
    with ``--batch-size 1``), then ``jitter`` seconds, then SIGKILL.  Returns the exit code."""
    proc = kb_popen(*args)
    assert proc.stdout is not None
    for _ in range(lines):
        if not proc.stdout.readline():
            break
    time.sleep(jitter)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    return proc.returncode


def assert_consistent(ix: Path) -> dict[str, int]:
    """The index opens, matches the manifest exactly, and each source's items come from one
    version of its file.  Returns source → version."""
    report = check_index(ix)
    assert report.ok, report.lines()
    items = indexed_items(ix)
    assert {k: {d["id"] for d in v} for k, v in items.items()} == manifest_items(ix)
    versions = {}
    for key, docs in items.items():
        found = {int(VERSION.search(d["body"]).group(1)) for d in docs}
        assert len(found) == 1, (key, found)  # never half old, half new
        versions[key] = found.pop()
    return versions


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_only_the_batch_in_flight(tmp_path: Path) -> None:
    rng = random.Random(20260511)
    src, ix = tmp_path / "src", tmp_path / "index"
    args = ["ingest", str(src), "--index", str(ix), "--batch-size", "1"]
    killed, progressed = 0, 0
    for version in range(1, 9):
        # every file changes (new version, new item counts), so every batch replaces items
        write_minutes(src, FILES, version=version, rng=rng)
        before = assert_consistent(ix) if (ix / "manifest.json").exists() else {}
        code = kill_after(args, rng.randint(0, 12), rng.uniform(0.0, 0.05))
        killed += code == -signal.SIGKILL
        after = assert_consistent(ix)
        progressed += sum(1 for k, v in after.items() if before.get(k) != v)
        assert set(after.values()) <= {*before.values(), version}
    assert killed >= 6, "the ingest finished before most kills: the test is not testing"
    assert progressed > 0
    done = kb(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(assert_consistent(ix).values()) == {8}
    assert len(manifest_items(ix)) == FILES
    assert not (current(ix) / LOCK_NAME).exists()


@pytest.mark.slow
def test_sigkill_during_rebuild_keeps_the_old_index(tmp_path: Path) -> None:
    rng = random.Random(7)
    src, ix = tmp_path / "src", tmp_path / "index"
    write_minutes(src, FILES, version=1, rng=rng)
    assert kb("ingest", str(src), "--index", str(ix)).returncode == 0
    old = assert_consistent(ix)
    write_minutes(src, FILES, version=2, rng=rng)
    rebuild = ["ingest", "--rebuild", str(src), "--index", str(ix), "--batch-size", "1"]
    for lines in (3, 15):
        assert kill_after(rebuild, lines, rng.uniform(0.0, 0.05)) == -signal.SIGKILL
        assert assert_consistent(ix) == old  # readers still see the whole old index
    done = kb(*rebuild)
    assert done.returncode == 0, done.stderr
    assert set(assert_consistent(ix).values()) == {2}
    # the abandoned half-built generations are gone; the current and previous are kept
    assert len([p for p in gen_root(ix).iterdir() if p.is_dir()]) == 2


def test_commit_fsyncs_new_files_and_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer.pipeline import process_file

    src = tmp_path / "src"
    write_minutes(src, 1)
    meeting = process_file(next(src.iterdir()))
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    ix = tmp_path / "index"
    with IndexWriterSession(ix) as session:
        before = set(os.listdir(ix))
        monkeypatch.setattr(os, "fsync", spy)
        session.put("/src/a.txt", "h", meeting)
        session.commit()
        monkeypatch.undo()
        new = set(os.listdir(ix)) - before
    assert any(n.endswith(".toc") for n in new) and any(n.endswith(".seg") for n in new)
    for name in new - {LOCK_NAME, "manifest.json"}:  # the Whoosh segment and TOC files
        assert str(ix / name) in synced, name
    assert str(ix) in synced  # the folder, so the new names survive a power cut
    # the manifest is written to a temp file, fsynced, then renamed over manifest.json
    assert any(Path(s).name.startswith(".manifest.json.") for s in synced), synced


class Killed(BaseException):
    """Stands in for SIGKILL at one exact point (BaseException: nothing catches it)."""


@pytest.mark.parametrize("point", ["before-whoosh-commit", "after-whoosh-commit"])
def test_kill_between_whoosh_commit_and_manifest_is_settled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    """The two-phase manifest: whichever side of the Whoosh commit the process dies on, the
    manifest read afterwards describes exactly the index (the bug it guards against: items in
    the index that the manifest does not list, so `kb check` fails and counts disagree)."""
    from whoosh.writing import SegmentWriter

    from indexer.pipeline import process_file

    src = tmp_path / "src"
    write_minutes(src, 2)
    first, second = (process_file(p) for p in sorted(src.iterdir()))
    ix = tmp_path / "index"
    with IndexWriterSession(ix) as session:
        session.put("/src/0.txt", "h0", first)
    real_commit = SegmentWriter.commit

    def dying_commit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if point == "after-whoosh-commit":
            real_commit(self, *args, **kwargs)
        else:
            self.cancel()  # the process dies; its open temp files do not matter
        raise Killed

    monkeypatch.setattr(SegmentWriter, "commit", dying_commit)
    session = IndexWriterSession(ix).__enter__()
    with pytest.raises(Killed):
        session.put("/src/1.txt", "h1", second)
        session.commit()
    monkeypatch.undo()
    session._ix.close()
    (current(ix) / LOCK_NAME).unlink()  # a dead process's lock; recovery is tested elsewhere
    expected = {"/src/0.txt"} | ({"/src/1.txt"} if point == "after-whoosh-commit" else set())
    assert set(manifest_items(ix)) == expected
    report = check_index(ix, sources=False)
    assert report.ok, report.lines()
    with IndexWriterSession(ix) as session:  # the next writer settles the pending manifest
        assert set(session.manifest) == expected
    assert not (current(ix) / "manifest.pending.json").exists()
    assert check_index(ix, sources=False).ok
