"""indexer.write: the lock, batched commits, atomic replacement, the manifest, pruning."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from whoosh import index as windex
from whoosh import query as wq

from indexer.pipeline import process_file
from indexer.write import (
    LOCK_NAME,
    MANIFEST_NAME,
    IndexLockedError,
    IndexWriterSession,
    content_hash,
    read_manifest,
)
from kb.model import Meeting, item_id, meeting_id


@pytest.fixture(scope="module")
def seed_meeting(seed_path: Path) -> Meeting:
    return process_file(seed_path)


def redated(meeting: Meeting, day: dt.date) -> Meeting:
    """A copy of ``meeting`` as if held on ``day`` (new meeting and item ids)."""
    m = copy.deepcopy(meeting)
    m.date = day
    m.id = meeting_id(m.council, m.committee, day)
    taken: set[str] = set()
    for item in m.items:
        item.meeting_id, item.date = m.id, day
        item.id = item_id(m.id, item.number, taken)
    return m


def all_docs(folder: Path, **terms: str) -> list[dict]:
    ix = windex.open_dir(str(folder))
    with ix.searcher() as s:
        q = wq.And([wq.Term(k, v) for k, v in terms.items()]) if terms else wq.Every()
        return [s.stored_fields(n) for n in s.docs_for_query(q)]


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_put_indexes_meeting_and_items_and_writes_manifest(tmp_path, seed_meeting) -> None:
    with IndexWriterSession(tmp_path) as session:
        ids = session.put("/src/a.txt", "h1", seed_meeting)
    assert len(ids) == 9
    assert len(all_docs(tmp_path, doctype="item")) == 9
    assert [d["id"] for d in all_docs(tmp_path, doctype="meeting")] == [seed_meeting.id]
    entry = read_manifest(tmp_path)["/src/a.txt"]
    assert entry["hash"] == "h1" and entry["status"] == "indexed"
    assert entry["item_ids"] == ids and entry["meeting_id"] == seed_meeting.id
    assert not (tmp_path / LOCK_NAME).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_reput_replaces_without_duplicates(tmp_path, seed_meeting) -> None:
    with IndexWriterSession(tmp_path) as session:
        session.put("/src/a.txt", "h1", seed_meeting)
    changed = copy.deepcopy(seed_meeting)
    changed.items = changed.items[:5]
    changed.items[0].title = "RENAMED"
    with IndexWriterSession(tmp_path) as session:
        assert session.status_of("/src/a.txt", "h2") == "changed"
        assert session.status_of("/src/a.txt", "h1") == "unchanged"
        session.put("/src/a.txt", "h2", changed)
    items = all_docs(tmp_path, doctype="item")
    assert len(items) == 5 and len({d["id"] for d in items}) == 5
    assert "RENAMED" in {d["title"] for d in items}
    assert read_manifest(tmp_path)["/src/a.txt"]["hash"] == "h2"


def test_batches_are_separate_commits(tmp_path, seed_meeting) -> None:
    with IndexWriterSession(tmp_path, batch_size=2) as session:
        for n in range(3):
            session.put(f"/src/{n}.txt", str(n), redated(seed_meeting, dt.date(2019, 1, n + 1)))
            if n == 1:  # the first batch is already visible to readers
                assert len(all_docs(tmp_path, doctype="meeting")) == 2
        assert session.commits == 1
    assert session.commits == 2
    assert len(all_docs(tmp_path, doctype="item")) == 27


def test_an_exception_loses_only_the_open_batch(tmp_path, seed_meeting) -> None:
    with IndexWriterSession(tmp_path) as session:
        session.put("/src/a.txt", "h1", seed_meeting)
    with pytest.raises(RuntimeError), IndexWriterSession(tmp_path) as session:
        session.put("/src/b.txt", "h2", redated(seed_meeting, dt.date(2020, 1, 1)))
        raise RuntimeError("boom")
    assert set(read_manifest(tmp_path)) == {"/src/a.txt"}
    assert len(all_docs(tmp_path, doctype="item")) == 9
    assert not (tmp_path / LOCK_NAME).exists()


def test_live_lock_is_refused_with_its_pid(tmp_path) -> None:
    (tmp_path / LOCK_NAME).write_text(str(os.getppid()), encoding="ascii")
    with pytest.raises(IndexLockedError, match=rf"another ingest \(pid {os.getppid()}\)"):
        IndexWriterSession(tmp_path).__enter__()
    assert (tmp_path / LOCK_NAME).read_text(encoding="ascii") == str(os.getppid())


def test_second_session_in_the_same_process_is_refused(tmp_path) -> None:
    with IndexWriterSession(tmp_path), pytest.raises(IndexLockedError):
        IndexWriterSession(tmp_path).__enter__()


@pytest.mark.parametrize("content", ["dead", "garbage", ""])
def test_stale_lock_is_recovered(tmp_path, seed_meeting, content: str) -> None:
    lock = tmp_path / LOCK_NAME
    lock.write_text(str(dead_pid()) if content == "dead" else content, encoding="ascii")
    with IndexWriterSession(tmp_path) as session:
        assert lock.read_text(encoding="ascii") == str(os.getpid())
        session.put("/src/a.txt", "h1", seed_meeting)
    assert not lock.exists()
    assert len(all_docs(tmp_path, doctype="item")) == 9


def test_prune_removes_sources_that_are_gone(tmp_path, seed_meeting) -> None:
    with IndexWriterSession(tmp_path) as session:
        session.put("/keep.txt", "1", seed_meeting)
        session.put("/gone.txt", "2", redated(seed_meeting, dt.date(2021, 5, 5)))
    with IndexWriterSession(tmp_path) as session:
        assert session.prune(lambda key: key == "/keep.txt") == ["/gone.txt"]
    assert set(read_manifest(tmp_path)) == {"/keep.txt"}
    assert {d["meeting_id"] for d in all_docs(tmp_path)} == {seed_meeting.id}


def test_the_same_meeting_from_a_second_source_is_a_duplicate(tmp_path, seed_meeting) -> None:
    with IndexWriterSession(tmp_path) as session:
        session.put("/a.txt", "1", seed_meeting)
        assert session.put("/a.pdf", "2", seed_meeting) == []
    entry = read_manifest(tmp_path)["/a.pdf"]
    assert entry["status"] == "duplicate" and entry["duplicate_of"] == "/a.txt"
    assert len(all_docs(tmp_path, doctype="item")) == 9


def test_rebuild_starts_empty(tmp_path, seed_meeting) -> None:
    with IndexWriterSession(tmp_path) as session:
        session.put("/a.txt", "1", seed_meeting)
    with IndexWriterSession(tmp_path, rebuild=True) as session:
        assert session.manifest == {}
    assert all_docs(tmp_path) == []
    assert json.loads((tmp_path / MANIFEST_NAME).read_text())["files"] == {}


def test_item_documents_carry_facets_and_json(tmp_path, seed_meeting) -> None:
    with IndexWriterSession(tmp_path) as session:
        session.put("/a.txt", "1", seed_meeting)
    (doc,) = all_docs(tmp_path, id=f"{seed_meeting.id}/07")
    assert doc["council_id"] == "luton" and doc["year"] == "2018"
    assert doc["committee_key"] == "luton/crime-and-disorder-committee"
    assert "cctv" in doc["topic"].split(",")
    data = json.loads(doc["data"])
    assert "body" not in data and data["number"] == "07"
    assert {t["topic"] for t in data["topics"]} >= {"cctv"}


def test_content_hash_is_sha256() -> None:
    assert content_hash(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
