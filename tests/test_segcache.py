"""Per-segment facet arrays (segcache) and the FacetCache built from them equal what plain
Whoosh reads; saved copies equal computed ones, bad copies are ignored, a commit reuses the
segments it kept and computes only new ones, and Whoosh removes a copy with its segment."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as windex
from whoosh import query as wq

from bench.generate import GenConfig, iter_meetings
from kb.engine.whoosh import fastscore, segcache
from kb.engine.whoosh.facets import FACET_FIELDS, FACETS, FacetCache
from kb.engine.whoosh.write import IndexWriterSession
from kb.service import SearchRequest, SearchService


def _write(folder: Path, meetings: list) -> None:
    with IndexWriterSession(folder, batch_size=5) as session:
        for m in meetings:
            key = f"synthetic/{m.source}"
            session.put(key, hashlib.sha256(key.encode()).hexdigest(), m)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """An index of synthetic meetings in several segments, one with a deleted item; and
    meetings not yet in it."""
    folder = tmp_path_factory.mktemp("segcache") / "index"
    meetings = list(iter_meetings(GenConfig(items=300, seed=3)))
    for i in range(0, 30, 10):  # several sessions: several segments
        _write(folder, meetings[i : i + 10])
    ix = windex.open_dir(str(folder))
    with ix.searcher() as s:
        victim = s.stored_fields(next(iter(s.docs_for_query(wq.Term("doctype", "item")))))
    writer = ix.writer()
    writer.delete_by_term("id", victim["id"])
    writer.commit(merge=False)
    with ix.reader() as r:
        assert r.has_deletions() and len(list(r.leaf_readers())) > 1
    ix.close()
    return folder, meetings[30:]


def _copy(built: tuple[Path, list], tmp_path: Path) -> Path:
    """A copy of the built index as an older writer left it: no saved arrays."""
    target = tmp_path / "index"
    shutil.copytree(built[0], target)
    for saved in target.glob(f"*{segcache.SUFFIX}"):
        saved.unlink()
    return target


def test_the_writer_saves_the_arrays_of_each_segment_it_commits(built) -> None:
    folder = built[0]
    ix = windex.open_dir(str(folder))
    with ix.reader() as r:
        segs = [(seg.segment().segment_id(), seg.doc_count_all()) for seg, _ in r.leaf_readers()]
    assert len(segs) > 1
    for segid, count in segs:
        assert segcache.load(folder, segid, count) is not None, segid


def _plain(folder: Path) -> dict:
    """Per facet: value → live item docnums, by Whoosh queries; and items, dates, orders."""
    ix = windex.open_dir(str(folder))
    out: dict = {}
    with ix.searcher() as s:
        r = s.reader()
        items = set(s.docs_for_query(wq.Term("doctype", "item")))
        for facet, field in FACET_FIELDS.items():
            out[facet] = {
                v: set(s.docs_for_query(wq.Term(field, v))) & items for v in r.field_terms(field)
            }
            out["first_" + facet] = {
                v: next(iter(r.postings(field, v).all_ids()), None) for v in r.field_terms(field)
            }
        out["items"] = items
        for col in ("date", "order"):
            raw = [int(v) for v in r.column_reader(col, translate=False)]
            out[col] = [-1 if v > 2**62 else v for v in raw]
        out["lengths"] = {
            f: [float(r.doc_field_length(d, f, 0) or 0) for d in range(r.doc_count_all())]
            for f in ("title", "body")
        }
    ix.close()
    return out


def _as_plain(cache: FacetCache) -> dict:
    out: dict = {}
    for facet in FACETS:
        keep = cache.items[cache.docs[facet]]
        docs, codes = cache.docs[facet][keep], cache.codes[facet][keep]
        out[facet] = {v: set(docs[codes == i].tolist()) for i, v in enumerate(cache.values[facet])}
        out["first_" + facet] = {v: cache.first_doc(facet, v) for v in cache.values[facet]}
    out["items"] = set(np.flatnonzero(cache.items).tolist())
    out["date"], out["order"] = cache.dates.tolist(), cache.orders.tolist()
    return out


def _cache(index_dir: Path, **kwargs) -> tuple[FacetCache, dict]:
    svc = SearchService(index_dir, cache_size=0)
    with svc.searcher() as s:
        cache = FacetCache(s, **kwargs)
        lengths = fastscore.FieldLengths(cache.size)
        got = _as_plain(cache)
        got["lengths"] = {f: lengths.get(s.reader(), f).tolist() for f in ("title", "body")}
    svc.close()
    return cache, got


def test_facet_cache_equals_plain_whoosh(built: tuple[Path, list]) -> None:
    want = _plain(built[0])
    _, got = _cache(built[0])
    assert got == want


def test_saved_copies_equal_computed_arrays(
    built: tuple[Path, list], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy(built, tmp_path)
    computed, want = _cache(folder)
    assert segcache.write_missing(folder) == len(computed.segments)
    assert segcache.write_missing(folder) == 0  # all there now
    for segid, arrays in computed.segments.items():
        loaded = segcache.load(folder, segid, arrays.doccount)
        assert loaded is not None
        for name in ("items", "dates", "orders"):
            assert np.array_equal(getattr(loaded, name), getattr(arrays, name))
        assert loaded.values == arrays.values
        for facet in FACETS:
            assert np.array_equal(loaded.docs[facet], arrays.docs[facet])
            assert np.array_equal(loaded.codes[facet], arrays.codes[facet])

    def fail(seg: object) -> None:
        raise AssertionError("computed although a saved copy exists")

    monkeypatch.setattr(segcache, "segment_arrays", fail)
    _loaded, got = _cache(folder, folder=folder)
    assert got == want


def test_bad_saved_copies_are_ignored(built: tuple[Path, list], tmp_path: Path) -> None:
    folder = _copy(built, tmp_path)
    computed, want = _cache(folder)
    segcache.write_missing(folder)
    first, second, *_ = computed.segments.values()
    segcache.path_for(folder, first.segid).write_bytes(b"not a pickle")
    assert segcache.load(folder, first.segid, first.doccount) is None
    assert segcache.load(folder, second.segid, second.doccount + 1) is None  # other size
    shutil.copy(  # another segment's arrays under this segment's name
        segcache.path_for(folder, second.segid), segcache.path_for(folder, first.segid)
    )
    assert segcache.load(folder, first.segid, first.doccount) is None
    _c, got = _cache(folder, folder=folder)
    assert got == want


def test_a_commit_reuses_kept_segments_and_answers_like_a_fresh_service(
    built: tuple[Path, list], tmp_path: Path
) -> None:
    folder = _copy(built, tmp_path)
    svc = SearchService(folder, cache_size=0)
    req = SearchRequest(q="council", page_size=50)
    svc.search(req)
    with svc.searcher() as s:
        before = svc._facet_cache(s)
    _write(folder, built[1][:6])  # a new commit (new segments; old ones maybe merged)
    after_resp = svc.search(req)
    with svc.searcher() as s:
        after = svc._facet_cache(s)
    assert after is not before and after.generation != before.generation
    kept = before.segments.keys() & after.segments.keys()
    assert all(after.segments[k] is before.segments[k] for k in kept)
    fresh = SearchService(folder, cache_size=0)
    assert after_resp.to_json() == fresh.search(req).to_json()
    recomputed = {k: v for k, v in _cache(folder)[1].items() if k != "lengths"}
    assert _as_plain(after) == recomputed
    svc.close()
    fresh.close()


def test_whoosh_removes_a_saved_copy_with_its_segment(
    built: tuple[Path, list], tmp_path: Path
) -> None:
    folder = _copy(built, tmp_path)
    segcache.write_missing(folder)
    saved = sorted(p.name for p in folder.glob("*" + segcache.SUFFIX))
    assert saved
    ix = windex.open_dir(str(folder))
    ix.optimize()  # one new segment: the old ones and their files go
    ix.close()
    assert not (set(saved) & {p.name for p in folder.glob("*" + segcache.SUFFIX)})


def test_searching_never_writes_saved_copies(built: tuple[Path, list], tmp_path: Path) -> None:
    folder = _copy(built, tmp_path)
    names = sorted(p.name for p in folder.iterdir())
    svc = SearchService(folder)
    assert svc.search(SearchRequest(q="council")).total > 0
    svc.close()
    assert sorted(p.name for p in folder.iterdir()) == names


def test_an_index_with_no_segments_has_nothing_to_save(tmp_path: Path) -> None:
    from kb.engine.whoosh.search import SCHEMA

    windex.create_in(str(tmp_path), SCHEMA)
    assert segcache.write_missing(tmp_path) == 0
    assert not list(tmp_path.glob(f"*{segcache.SUFFIX}"))
