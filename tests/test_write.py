"""kb.engine.whoosh.write: the lock, batched commits, atomic replacement, the manifest, pruning."""

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
from kb.engine.whoosh.write import (
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


def test_the_same_meeting_from_a_second_source_is_merged(tmp_path, seed_meeting) -> None:
    with IndexWriterSession(tmp_path) as session:
        session.put("/a.txt", "1", seed_meeting)
        assert session.put("/a.pdf", "2", copy.deepcopy(seed_meeting)) == []
    entry = read_manifest(tmp_path)["/a.pdf"]
    assert entry["status"] == "indexed" and entry["merged_into"] == [seed_meeting.id]
    assert entry["meeting_ids"] == [] and entry["item_ids"] == []
    assert len(all_docs(tmp_path, doctype="item")) == 9
    (source,) = all_docs(tmp_path, doctype="source")
    assert source["meeting_id"] == seed_meeting.id and source["source_key"] == "/a.pdf"


def test_a_clashing_id_with_other_items_is_qualified(tmp_path, seed_meeting) -> None:
    other = copy.deepcopy(seed_meeting)
    for item in other.items:
        item.title = f"Another matter {item.number}"
        item.body = f"The committee heard about another matter, number {item.number}, at length."
    other.start_time = "19:30"
    other.identity = {}  # its items changed: worked out again when placed
    third = copy.deepcopy(other)
    third.start_time = None
    for item in third.items:
        item.title = f"A third matter {item.number}"
        item.body = f"A third meeting dealt with item {item.number} of its own agenda today."
    with IndexWriterSession(tmp_path) as session:
        session.put("/a.txt", "1", copy.deepcopy(seed_meeting))
        ids = session.put("/b.txt", "2", other)
        session.put("/c.txt", "3", third)
    assert other.id == f"{seed_meeting.id}-1930" and third.id == f"{seed_meeting.id}-2"
    assert ids == [i.id for i in other.items] and ids[0].startswith(other.id + "/")
    assert any("different items" in w for w in other.warnings)
    meetings = {d["id"] for d in all_docs(tmp_path, doctype="meeting")}
    assert meetings == {seed_meeting.id, other.id, third.id}
    assert len(all_docs(tmp_path, doctype="item")) == 27


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


# --------------------------------------------------------------------------- rebuilds


def words_by_meeting(folder: Path) -> dict[str, set[str]]:
    """Meeting id -> the spelling words its meeting document carries in ``words``."""
    ix = windex.open_dir(str(folder))
    out: dict[str, set[str]] = {}
    with ix.searcher() as s:
        for word in s.reader().field_terms("words"):
            for n in s.docs_for_query(wq.Term("words", word)):
                out.setdefault(s.stored_fields(n)["meeting_id"], set()).add(word)
    return out


def five_meetings(seed_meeting: Meeting) -> list[Meeting]:
    return [redated(seed_meeting, dt.date(2019, 1, n + 1)) for n in range(5)]


def test_rebuild_streams_into_one_segment_and_one_commit(tmp_path, seed_meeting) -> None:
    with IndexWriterSession(tmp_path / "ix", batch_size=1, rebuild=True) as session:
        for n, m in enumerate(five_meetings(seed_meeting)):
            session.put(f"/src/{n}.txt", str(n), m)
        assert session.commits == 0
        assert not windex.exists_in(str(tmp_path / "ix"))  # invisible until swapped in
    assert session.commits == 1
    ix = windex.open_dir(str(tmp_path / "ix"))
    assert len(ix._segments()) == 1
    assert len(all_docs(tmp_path / "ix", doctype="item")) == 45
    assert len(read_manifest(tmp_path / "ix")) == 5


def test_rebuild_and_batched_ingest_hold_the_same_documents(tmp_path, seed_meeting) -> None:
    meetings = five_meetings(seed_meeting)
    for name, rebuild in (("batched", False), ("rebuilt", True)):
        with IndexWriterSession(tmp_path / name, batch_size=2, rebuild=rebuild) as session:
            for n, m in enumerate(meetings):
                session.put(f"/src/{n}.txt", str(n), m)

    def stored(folder: Path) -> list[dict]:
        return sorted(all_docs(folder), key=lambda d: d["id"])

    assert stored(tmp_path / "rebuilt") == stored(tmp_path / "batched")
    for term in ("cctv", "polic", "antisoci"):
        found = all_docs(tmp_path / "rebuilt", body=term)
        assert found and found == all_docs(tmp_path / "batched", body=term)


def test_rebuild_keeps_every_spelling_word_on_at_most_three_meetings(
    tmp_path, seed_meeting
) -> None:
    for name, rebuild in (("batched", False), ("rebuilt", True)):
        with IndexWriterSession(tmp_path / name, rebuild=rebuild) as session:
            for n, m in enumerate(five_meetings(seed_meeting)):
                session.put(f"/src/{n}.txt", str(n), m)
    full, capped = words_by_meeting(tmp_path / "batched"), words_by_meeting(tmp_path / "rebuilt")
    lexicon = set().union(*full.values())
    assert len(full) == 5 and all(words == lexicon for words in full.values())
    assert set().union(*capped.values()) == lexicon  # every word still suggestible
    for word in lexicon:
        assert sum(word in words for words in capped.values()) == 3


def segment_sizes(folder: Path) -> list[int]:
    ix = windex.open_dir(str(folder))
    sizes = [seg.doc_count_all() for seg in ix._segments()]
    ix.close()
    return sizes


def test_rebuild_commits_a_segment_every_segment_items_documents(tmp_path, seed_meeting) -> None:
    meetings = five_meetings(seed_meeting)  # 10 documents each: the meeting and 9 items
    for name, per_segment in (("one", 0), ("split", 20)):
        with IndexWriterSession(
            tmp_path / name, rebuild=True, segment_items=per_segment
        ) as session:
            for n, m in enumerate(meetings):
                session.put(f"/src/{n}.txt", str(n), m)
            assert session.commits == (0 if per_segment == 0 else 2)  # two full segments
        assert len(session.commit_seconds) == session.commits
    assert sorted(segment_sizes(tmp_path / "one")) == [50]
    assert sorted(segment_sizes(tmp_path / "split")) == [10, 20, 20]

    def stored(folder: Path) -> list[dict]:
        return sorted(all_docs(folder), key=lambda d: d["id"])

    assert stored(tmp_path / "split") == stored(tmp_path / "one")
    for term in ("cctv", "polic", "antisoci"):
        found = all_docs(tmp_path / "split", body=term)
        assert found and sorted(d["id"] for d in found) == sorted(
            d["id"] for d in all_docs(tmp_path / "one", body=term)
        )

    def held(folder: Path) -> dict[str, list[str]]:
        return {k: v["item_ids"] for k, v in read_manifest(folder).items()}

    assert held(tmp_path / "split") == held(tmp_path / "one")


def test_a_rebuild_failing_after_some_segments_leaves_the_live_index_and_manifest(
    tmp_path, seed_meeting
) -> None:
    """Segments and manifests committed into a new generation stay there: a rebuild that
    fails midway leaves the live index, its manifest (byte for byte) and its answers, and
    the next session reads that manifest back (packed) as it was."""
    from kb.engine.whoosh import generations

    ix = tmp_path / "ix"
    meetings = five_meetings(seed_meeting)
    with IndexWriterSession(ix, rebuild=True) as session:
        for n, m in enumerate(meetings[:2]):
            session.put(f"/src/{n}.txt", str(n), m)
    live = generations.current(ix)
    manifest_bytes = (ix / MANIFEST_NAME).read_bytes()
    live_docs = sorted(d["id"] for d in all_docs(ix))
    with (
        pytest.raises(RuntimeError, match="power cut"),
        IndexWriterSession(ix, rebuild=True, segment_items=10) as session,
    ):
        for n, m in enumerate(meetings):
            session.put(f"/src/{n}.txt", f"new-{n}", m)
        assert session.commits == 5  # noqa: PLR2004 - a segment per meeting, committed
        assert read_manifest(session.index_dir).keys() == {f"/src/{n}.txt" for n in range(5)}
        raise RuntimeError("power cut")
    assert generations.current(ix) == live
    assert (ix / MANIFEST_NAME).read_bytes() == manifest_bytes
    assert sorted(d["id"] for d in all_docs(ix)) == live_docs
    with IndexWriterSession(ix) as session:
        assert session.status_of("/src/0.txt", "0") == "unchanged"
        assert session.status_of("/src/4.txt", "4") == "new"
        assert dict(session.manifest) == json.loads(manifest_bytes)["files"]


def test_segment_items_comes_from_the_setting(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KB_SEGMENT_ITEMS", "25")
    with IndexWriterSession(tmp_path / "a", rebuild=True) as session:
        assert session.segment_items == 25
    with IndexWriterSession(tmp_path / "b", rebuild=True, segment_items=7) as session:
        assert session.segment_items == 7  # the argument wins
    monkeypatch.setenv("KB_SEGMENT_ITEMS", "many")
    with pytest.raises(ValueError, match="KB_SEGMENT_ITEMS must be a whole number"):
        IndexWriterSession(tmp_path / "c", rebuild=True)


@pytest.mark.parametrize("per_segment", [0, 10])
def test_a_source_put_twice_in_a_rebuild_is_replaced(tmp_path, seed_meeting, per_segment) -> None:
    """Also when its first version is already in a committed segment (``per_segment`` 10)."""
    changed = copy.deepcopy(seed_meeting)
    changed.items = changed.items[:4]
    with IndexWriterSession(tmp_path / "ix", rebuild=True, segment_items=per_segment) as session:
        session.put("/src/a.txt", "1", seed_meeting)
        session.put("/src/b.txt", "2", redated(seed_meeting, dt.date(2020, 2, 2)))
        session.put("/src/a.txt", "3", changed)
        session.record("/src/b.txt", "4", "failed", error="boom")
    items = all_docs(tmp_path / "ix", doctype="item")
    assert sorted(d["id"] for d in items) == sorted(i.id for i in changed.items)
    manifest = read_manifest(tmp_path / "ix")
    assert manifest["/src/a.txt"]["hash"] == "3" and manifest["/src/b.txt"]["status"] == "failed"


def test_a_removed_sources_meeting_can_be_indexed_from_another(tmp_path, seed_meeting) -> None:
    with IndexWriterSession(tmp_path) as session:
        session.put("/a.txt", "1", seed_meeting)
        assert session.owner_of(seed_meeting.id, besides="/b.txt") == "/a.txt"
        assert session.owner_of(seed_meeting.id, besides="/a.txt") is None
        session.remove("/a.txt")
        assert session.put("/b.txt", "2", seed_meeting) != []
    with IndexWriterSession(tmp_path) as session:  # the owners index is rebuilt on open
        assert session.owner_of(seed_meeting.id, besides="/c.txt") == "/b.txt"
        assert session.put("/c.txt", "3", copy.deepcopy(seed_meeting)) == []
    assert read_manifest(tmp_path)["/c.txt"]["merged_into"] == [seed_meeting.id]


@pytest.mark.parametrize(
    "files",
    [
        {},
        {"/b.txt": {"hash": "2", "item_ids": ["x/01"]}, "/a é.txt": {"hash": "1", "n": None}},
        {f"/src/{n}.txt": {"hash": str(n), "status": "indexed"} for n in range(50)},
    ],
)
def test_manifest_lines_are_the_json_of_the_sorted_manifest(files) -> None:
    from kb.engine.whoosh.write import manifest_lines

    text = "".join(manifest_lines(1, 7, files))
    assert json.loads(text) == {"version": 1, "generation": 7, "files": files}
    assert list(json.loads(text)["files"]) == sorted(files)
    assert text.count("\n") == len(files) + 2  # a line per source, then the closing one
