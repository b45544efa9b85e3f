"""indexer.whoosh_writer: segments written with in-memory field lengths are Whoosh's own."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from whoosh import index, writing

from bench.generate import GenConfig, iter_meetings
from indexer import whoosh_writer
from indexer.write import item_document, meeting_document
from kb.search import SCHEMA


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    out = []
    for m in iter_meetings(GenConfig(items=120, seed=3)):
        out.append(meeting_document(m, m.source))
        out.extend(item_document(i, m, m.source) for i in m.items)
    return out


def segment_files(folder: Path) -> dict[str, str]:
    """Segment file contents by name without the random segment id."""
    return {
        p.name.split(".", 1)[1]: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.iterdir()
        if p.name.startswith("MAIN_") and "." in p.name and p.suffix != ".toc"
    }


def write(folder: Path, docs: list[dict], make, batches: int = 1, merge=writing.MERGE_SMALL):
    folder.mkdir()
    ix = index.create_in(str(folder), SCHEMA)
    step = -(-len(docs) // batches)
    for start in range(0, len(docs), step):
        w = make(ix)
        for doc in docs[start : start + step]:
            w.add_document(**doc)
        w.commit(mergetype=merge)
    return ix


def test_a_new_segment_is_byte_for_byte_whooshs(tmp_path: Path, docs) -> None:
    write(tmp_path / "plain", docs, lambda ix: ix.writer(compound=False))
    write(tmp_path / "fast", docs, lambda ix: whoosh_writer.writer(ix, compound=False))
    plain, fast = segment_files(tmp_path / "plain"), segment_files(tmp_path / "fast")
    assert len(plain) >= 10 and {"pst", "trm"} <= set(plain)
    assert fast == plain


def postings(ix) -> list[tuple]:
    with ix.reader() as r:
        out = []
        for fieldname, text in r.all_terms():
            m = r.postings(fieldname, text)
            while m.is_active():
                out.append((fieldname, text, m.id(), m.weight(), m.value()))
                m.next()
        lengths = [
            (name, n, r.doc_field_length(n, name))
            for name in SCHEMA.scorable_names()
            for n in range(r.doc_count_all())
        ]
        return out + lengths


def test_merged_segments_hold_the_same_postings_and_lengths(tmp_path: Path, docs) -> None:
    plain = write(tmp_path / "plain", docs, lambda ix: ix.writer(), batches=4)
    fast = write(tmp_path / "fast", docs, whoosh_writer.writer, batches=4)
    expected = postings(plain)
    assert len(expected) > 10_000
    assert postings(fast) == expected
    plain_opt = write(tmp_path / "p1", docs, lambda ix: ix.writer(), 3, writing.OPTIMIZE)
    fast_opt = write(tmp_path / "f1", docs, whoosh_writer.writer, 3, writing.OPTIMIZE)
    assert len(fast_opt._segments()) == 1
    assert postings(fast_opt) == postings(plain_opt)
