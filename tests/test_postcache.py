"""kb.engine.whoosh.postcache: saved postings equal Whoosh's, and searches answer the same."""

from __future__ import annotations

import io
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as windex

from indexer.pipeline import ingest
from kb.engine.whoosh import fastscore, postcache
from kb.engine.whoosh.querybuild import _Compiler
from kb.query import parse
from kb.service import SearchRequest, SearchService

QUERIES = [
    "council",
    "planning application",
    "road safety housing",
    "police OR garda",
    "report -police",
]


@pytest.fixture(scope="module")
def plain_index(
    corpus_dir: Path, manifest: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Real minutes of several councils (two files of each corpus folder), without saved
    postings (the writer's are removed)."""
    taken: dict[str, int] = {}
    files = []
    for row in manifest:
        top = row["file"].split("/", 1)[0]
        if taken.get(top, 0) < 2:  # noqa: PLR2004 - a few files per source
            taken[top] = taken.get(top, 0) + 1
            files.append(corpus_dir / row["file"])
    folder = tmp_path_factory.mktemp("postcache-plain")
    report = ingest(files, folder, batch_size=1000)
    assert not report.failed, [r.line() for r in report.failed]
    for saved in folder.glob("*.kbpost_*"):
        saved.unlink()
    return folder


@pytest.fixture(scope="module")
def saved_index(plain_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same index with every word's postings saved (a threshold of one posting)."""
    folder = tmp_path_factory.mktemp("postcache-saved") / "index"
    shutil.copytree(plain_index, folder)
    keep = postcache.MIN_POSTINGS
    postcache.MIN_POSTINGS = 1
    try:
        assert postcache.write_missing(folder) >= 1
    finally:
        postcache.MIN_POSTINGS = keep
    return folder


def test_saved_postings_equal_whooshs_blocks(saved_index: Path) -> None:
    """Every title and body word: the same docnums and the same weight bits."""
    ix = windex.open_dir(str(saved_index))
    checked = 0
    with ix.reader() as reader:
        for seg, _offset in reader.leaf_readers():
            saved = postcache.load(saved_index, seg.segment().segment_id(), seg.doc_count_all())
            assert saved is not None
            for fieldname in ("title", "body"):
                for text in seg.lexicon(fieldname):
                    found = saved.get(fieldname, text)
                    assert found is not None, (fieldname, text)
                    ids, weights = fastscore._read_segment(seg, fieldname, text, None)
                    assert found[0].tolist() == ids.tolist()
                    assert found[1].dtype == np.float64
                    assert found[1].tobytes() == weights.tobytes()
                    checked += 1
            assert saved.get("body", b"no-such-word-here") is None
    ix.close()
    assert checked > 1000  # noqa: PLR2004 - real minutes have thousands of words


def _whole_arrays_oracle(seg: object) -> tuple[bytes, bytes, int]:
    """The ids and weights files as ``save`` first wrote them: every frequent word's arrays
    decoded, concatenated, narrowed to float32 when exact and written by ``np.save``."""
    ids, weights = [], []
    for fieldname in postcache.SEARCH_FIELDS:
        if fieldname not in seg.schema.names():
            continue
        fmt = seg.schema[fieldname].format
        terms = seg._terms
        for (fname, _btext), info in terms.items_from(fieldname, b""):
            if fname != fieldname:
                break
            if info.doc_frequency() < postcache.MIN_POSTINGS:
                continue
            m = terms._codec.postings_reader(terms._postfile, info, fmt, term=None)
            got_ids, got_weights = postcache.block_arrays(m)
            ids.append(got_ids.astype(np.int32))
            weights.append(got_weights)
    all_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32)
    all_weights = np.concatenate(weights) if weights else np.zeros(0, dtype=np.float64)
    narrow = all_weights.astype(np.float32)
    if np.array_equal(narrow.astype(np.float64), all_weights):
        all_weights = narrow
    out = []
    for payload in (all_ids, all_weights):
        buf = io.BytesIO()
        np.save(buf, payload)
        out.append(buf.getvalue())
    return out[0], out[1], len(all_ids)


@pytest.mark.parametrize("weights", ["exact in float32", "float64 only"])
@pytest.mark.parametrize("threshold", [1, 3, 10**9])
def test_streamed_save_writes_what_np_save_of_whole_arrays_wrote(
    plain_index: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    weights: str,
    threshold: int,
) -> None:
    """The word-by-word save writes the bytes the whole-array save wrote, with float32 or
    float64 weights, copied in many small chunks, and with no word saved at all."""
    folder = tmp_path / "index"
    shutil.copytree(plain_index, folder)
    monkeypatch.setattr(postcache, "MIN_POSTINGS", threshold)
    monkeypatch.setattr(postcache, "_COPY_CHUNK", 7)
    if weights == "float64 only":  # weights that float32 cannot hold exactly
        plain = postcache.block_arrays

        def thirds(matcher: object) -> tuple[np.ndarray, np.ndarray]:
            got_ids, got_weights = plain(matcher)
            return got_ids, got_weights / 3.0

        monkeypatch.setattr(postcache, "block_arrays", thirds)
    ix = windex.open_dir(str(folder))
    with ix.reader() as reader:
        for seg, _offset in reader.leaf_readers():
            assert postcache.save(folder, seg)
            ids_path, weights_path, terms_path = postcache.paths_for(
                folder, seg.segment().segment_id()
            )
            want_ids, want_weights, count = _whole_arrays_oracle(seg)
            assert ids_path.read_bytes() == want_ids
            assert weights_path.read_bytes() == want_weights
            meta, table = pickle.loads(terms_path.read_bytes())
            assert meta[3] == count
            assert (threshold == 10**9) == (count == 0)
            assert sum(hi - lo for lo, hi in table.values()) == count
            dtype = np.load(weights_path).dtype
            assert dtype == (np.float64 if weights == "float64 only" and count else np.float32)
    ix.close()
    assert not list(folder.glob(".*.tmp"))  # no temporary file left behind


@pytest.mark.parametrize("q", QUERIES)
def test_searches_answer_the_same_with_saved_postings(
    plain_index: Path, saved_index: Path, q: str
) -> None:
    """Same scores bit for bit, same ranking, totals, facets and histogram."""
    a = SearchService(plain_index, cache_size=0)
    b = SearchService(saved_index, cache_size=0)
    for req in (SearchRequest(q=q, page_size=50), SearchRequest(q=q, page=2, page_size=5)):
        ra, rb = a.search(req).to_json(), b.search(req).to_json()
        assert ra == rb, q
    with b.searcher() as s:  # the saved postings were there to be used
        for sub, _offset in s.subsearchers or [(s, 0)]:
            assert postcache.for_reader(sub.reader()) is not None
    text_q = _Compiler(a.expander).compile(parse(q))
    ranked = []
    for svc in (a, b):
        with svc.searcher() as s:
            lengths = fastscore.FieldLengths(s.reader().doc_count_all())
            ranked.append(fastscore.rank(s, text_q, lengths))
    assert ranked[0] is not None and ranked[1] is not None
    assert ranked[0][0].tolist() == ranked[1][0].tolist()
    assert ranked[0][1].tobytes() == ranked[1][1].tobytes()
    a.close()
    b.close()


@pytest.mark.parametrize("damage", ["missing terms", "truncated ids", "other format"])
def test_damaged_saved_postings_are_ignored(saved_index: Path, tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "index"
    shutil.copytree(saved_index, folder)
    ix = windex.open_dir(str(folder))
    with ix.reader() as reader:
        seg = next(iter(reader.leaf_readers()))[0]
        segid, count = seg.segment().segment_id(), seg.doc_count_all()
    ix.close()
    ids_path, _weights_path, terms_path = postcache.paths_for(folder, segid)
    assert postcache.load(folder, segid, count) is not None
    if damage == "missing terms":
        terms_path.unlink()
    elif damage == "truncated ids":
        ids_path.write_bytes(ids_path.read_bytes()[:200])
    else:
        import pickle

        with terms_path.open("rb") as fh:
            meta, table = pickle.load(fh)
        with terms_path.open("wb") as fh:
            pickle.dump(((postcache.FORMAT + 1, *meta[1:]), table), fh)
    assert postcache.load(folder, segid, count) is None
    plain = SearchService(saved_index, cache_size=0).search(SearchRequest(q="council"))
    damaged = SearchService(folder, cache_size=0).search(SearchRequest(q="council"))
    assert [h.id for h in damaged.results] == [h.id for h in plain.results]
    assert damaged.total == plain.total


def test_the_writer_saves_postings_beside_each_segment(tmp_index) -> None:
    folder = tmp_index()
    ix = windex.open_dir(str(folder))
    with ix.reader() as reader:
        segids = [seg.segment().segment_id() for seg, _ in reader.leaf_readers()]
    ix.close()
    assert segids
    for segid in segids:
        assert all(p.exists() for p in postcache.paths_for(folder, segid))
