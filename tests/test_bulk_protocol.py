"""Posting blocks pickled with :data:`kb.engine.whoosh.flush.BLOCK_PICKLE_PROTOCOL` beside
blocks Whoosh's way (protocol 2): an index written before the change keeps its old
segments until rebuilt, and a mixed index must answer exactly as one written either way.

The mixed index is built on real corpus files: the first files ingested with protocol 2
(the writer as it was), the rest with the current protocol, so one segment holds each."""

from __future__ import annotations

import pickle
import zlib
from pathlib import Path

import pytest
from whoosh import index as windex
from whoosh import query as wq

from indexer.pipeline import ingest
from kb.engine.whoosh import flush, phrases
from kb.engine.whoosh.querybuild import _Compiler
from kb.model import to_jsonable
from kb.query import parse
from kb.service import SearchRequest, SearchService

#: phrases (pair buckets), words (block postings and the frequent-word cache), both
QUERIES = [
    '"parish council"',
    '"the council"',
    '"county council"',
    '"it was agreed"',
    '"minutes of the meeting"',
    '"any other business" OR "anti social"',
    'council -"parish council"',
    "council",
    "planning application",
    "police OR garda",
]


def _pick(manifest: list[dict[str, str]]) -> list[str]:
    wanted: dict[str, int] = {}
    files = []
    for row in manifest:
        top = row["file"].split("/", 1)[0]
        sources = {"limerick-council-meetings", "stokeferry-village-pump", "mscc"}
        if top in sources and wanted.get(top, 0) < 3:
            wanted[top] = wanted.get(top, 0) + 1
            files.append(row["file"])
    return files


def _build(folder: Path, halves: list[list[Path]], protocols: tuple[int, int]) -> Path:
    """One ingest per half, each writing its posting blocks with its protocol."""
    for files, protocol in zip(halves, protocols, strict=True):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(flush, "BLOCK_PICKLE_PROTOCOL", protocol)
            report = ingest(files, folder, batch_size=1000, workers=0)
        assert not report.failed, [r.line() for r in report.failed]
    return folder


@pytest.fixture(scope="module")
def halves(corpus_dir: Path, manifest: list[dict[str, str]]) -> list[list[Path]]:
    files = [corpus_dir / f for f in _pick(manifest)]
    assert len(files) == 9
    return [files[::2], files[1::2]]


@pytest.fixture(scope="module")
def mixed(halves, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("mixed"), halves, (2, flush.BLOCK_PICKLE_PROTOCOL))


@pytest.fixture(scope="module")
def old(halves, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("old"), halves, (2, 2))


@pytest.fixture(scope="module")
def new(halves, tmp_path_factory: pytest.TempPathFactory) -> Path:
    proto = flush.BLOCK_PICKLE_PROTOCOL
    return _build(tmp_path_factory.mktemp("new"), halves, (proto, proto))


def _block_protocols(folder: Path) -> list[dict[str, set[int]]]:
    """Per segment: {"pairs" | "words": the pickle protocols of its posting blocks' data,
    "inlined pairs" | "inlined words": {2} when some terms' postings are inlined in the term
    info (Whoosh pickles those with protocol 2 whatever the block writer does)}."""
    ix = windex.open_dir(str(folder))
    out = []
    with ix.searcher() as s:
        for sub, _offset in s.subsearchers or [(s, 0)]:
            found: dict[str, set[int]] = {"pairs": set(), "words": set()}
            reader = sub.reader()
            for fieldname, text in reader.all_terms():
                m = reader.postings(fieldname, text)
                while not hasattr(m, "_read_ids") and hasattr(m, "child"):
                    m = m.child
                kind = "pairs" if fieldname.endswith("_pairs") else "words"
                if not hasattr(m, "_nextoffset"):  # inlined in the term info (protocol 2)
                    found.setdefault(f"inlined {kind}", set()).add(2)
                    continue
                found[kind].update(data[1] for data in phrases._blocks(m))
            out.append(found)
    ix.close()
    return out


@pytest.mark.corpus
def test_the_mixed_index_holds_both_protocols(mixed: Path, old: Path, new: Path) -> None:
    proto = flush.BLOCK_PICKLE_PROTOCOL
    assert proto >= 3  # bytes values as BINBYTES, not _codecs.encode calls
    got = _block_protocols(mixed)
    assert len(got) == 2
    assert {p for seg in got for p in seg["pairs"]} == {2, proto}
    # Whoosh's codec inlines a term's postings when it has fewer than ``inlinelimit`` (1) of
    # them: never, so every pair bucket, even one in one document, is read from blocks
    inlined: dict[str, set[int]] = {}
    assert sorted(got, key=lambda seg: min(seg["pairs"])) == [
        {"pairs": {2}, "words": {2}, **inlined},
        {"pairs": {proto}, "words": {proto}, **inlined},
    ]
    assert all(seg == {"pairs": {2}, "words": {2}, **inlined} for seg in _block_protocols(old))
    assert all(
        seg == {"pairs": {proto}, "words": {proto}, **inlined} for seg in _block_protocols(new)
    )


def _exhaustive(folder: Path, svc: SearchService, q: str) -> list[tuple[str, float]]:
    """(id, score) of every item matching ``q`` by Whoosh's own evaluation, ranked."""
    text_q = _Compiler(svc.expander).compile(parse(q))
    ix = windex.open_dir(str(folder))
    with ix.searcher() as s:
        allowed = set(s.docs_for_query(wq.Term("doctype", "item")))
        hits = [
            (s.stored_fields(r.docnum)["id"], r.score)
            for r in s.search(text_q, limit=None, filter=allowed)
        ]
    ix.close()
    return hits


@pytest.mark.corpus
@pytest.mark.parametrize("q", QUERIES)
def test_mixed_index_ranks_as_whoosh_does(mixed: Path, q: str) -> None:
    svc = SearchService(mixed, cache_size=0, word_ranking=False)
    expected = _exhaustive(mixed, svc, q)
    assert expected, q
    res = svc.search(SearchRequest(q=q, page_size=1000))
    assert res.total == len(expected)
    assert [h.id for h in res.results] == [i for i, _ in expected]
    assert [h.score for h in res.results] == [round(s, 4) for _, s in expected]  # as shown
    svc.close()


@pytest.mark.corpus
@pytest.mark.parametrize("q", [*QUERIES, ""])
def test_mixed_index_answers_exactly_as_old_and_new(
    mixed: Path, old: Path, new: Path, q: str
) -> None:
    """Order, scores, totals, facets, histogram and snippets: all identical, bit for bit."""
    answers = []
    for folder in (old, mixed, new):
        svc = SearchService(folder, cache_size=0)
        res = svc.search(SearchRequest(q=q, page_size=1000))
        answer = to_jsonable(res)
        answer.pop("elapsed_ms")
        answers.append(answer)
        svc.close()
    assert answers[0]["total"] > 0
    assert any(hit["snippet"] for hit in answers[0]["results"]) or not q
    assert answers[0] == answers[1] == answers[2]


@pytest.mark.parametrize(
    "values",
    [
        (b"\x00\x01\x02\x00\x00\x80?", b"\xff" * 40),
        (b"c_codecs\nencode\n", b"", b"\xc3\xa9"),
        (b"x" * 70_000,),  # over a protocol-4 frame: the bytes stay contiguous
    ],
)
def test_a_needle_is_found_in_either_protocols_pickle(values: tuple[bytes, ...]) -> None:
    """A block can be skipped unread only when no pickled form of the needle is in it: each
    value's bytes show in the block's pickle under either protocol."""
    block = (tuple(range(len(values))), None, values)
    for protocol in (2, flush.BLOCK_PICKLE_PROTOCOL):
        data = zlib.decompress(zlib.compress(pickle.dumps(block, protocol)))
        assert phrases.unpickle_block(data) == block
        for value in values:
            needle = value[-8:]
            assert any(form in data for form in phrases._pickled_forms(needle)), protocol
