"""Every speed shortcut of the engine gives the same answer as the plain way.

* ranking: one exhaustive scored pass, sliced to the page, equals Whoosh's ``limit=None``
  ranking of the same query (Whoosh's block-skipping ``limit=10`` may differ; we do not use it);
* cached responses equal uncached ones, a caller cannot change the cache, and a new commit
  is never answered from the cache;
* an index written in many small commits (segments merged only now and then) answers
  exactly like one written in a single commit;
* a rebuild committed a segment every ``segment_items`` documents answers exactly like a
  one-segment rebuild (same results, order, totals and facets) and like plain Whoosh;
* the spelling words computed once per distinct word equal those of analysing the text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as windex
from whoosh import query as wq

from indexer.pipeline import ingest, process_file
from kb import analysis
from kb.engine.whoosh import fastscore
from kb.engine.whoosh.querybuild import _Compiler
from kb.engine.whoosh.write import MAX_SEGMENTS, meeting_words
from kb.query import parse
from kb.service import SearchRequest, SearchService

QUERIES = [
    "council",
    "planning",
    "police OR garda",
    "council meeting",  # a multi-field AND: title OR body for each word
    "road safety",
    '"parish council"',
    '"anti social"',
    "report -police",
    "plan*",
]


def _pick(manifest: list[dict[str, str]], per_source: int) -> list[str]:
    wanted: dict[str, int] = {}
    files = []
    for row in manifest:
        top = row["file"].split("/", 1)[0]
        sources = {"limerick-council-meetings", "stokeferry-village-pump", "mscc"}
        if top in sources and wanted.get(top, 0) < per_source:
            wanted[top] = wanted.get(top, 0) + 1
            files.append(row["file"])
    return files


@pytest.fixture(scope="module")
def corpus_files(corpus_dir: Path, manifest: list[dict[str, str]]) -> list[Path]:
    return [corpus_dir / f for f in _pick(manifest, 4)]


@pytest.fixture(scope="module")
def one_commit(corpus_files: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("one-commit")
    report = ingest(corpus_files, folder, batch_size=1000)
    assert not report.failed, [r.line() for r in report.failed]
    return folder


@pytest.fixture(scope="module")
def many_commits(corpus_files: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("many-commits")
    for path in corpus_files:  # one ingest (and final merge) per file, one commit per source
        ingest([path], folder, batch_size=1)
    return folder


#: documents per segment of the segmented rebuild: the 12 files (151 documents) make several
SEGMENT_ITEMS = 40


def _rebuilt(files: list[Path], folder: Path, segment_items: int) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KB_SEGMENT_ITEMS", str(segment_items))
        report = ingest(files, folder, rebuild=True, workers=0)
    assert not report.failed, [r.line() for r in report.failed]
    return folder


@pytest.fixture(scope="module")
def rebuilt_whole(corpus_files: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _rebuilt(corpus_files, tmp_path_factory.mktemp("rebuilt-whole") / "ix", 0)


@pytest.fixture(scope="module")
def rebuilt_split(corpus_files: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _rebuilt(corpus_files, tmp_path_factory.mktemp("rebuilt-split") / "ix", SEGMENT_ITEMS)


def _exhaustive_ids(svc: SearchService, req: SearchRequest, folder: Path) -> tuple[int, list]:
    """(total, ids in order) by plain Whoosh: every match scored (``limit=None``), items only,
    the committee filter as a plain term filter."""
    text_q = _Compiler(svc.expander).compile(parse(req.q))
    ix = windex.open_dir(str(folder))
    with ix.searcher() as s:
        allowed_q: wq.Query = wq.Term("doctype", "item")
        if req.committee:
            allowed_q = wq.And([allowed_q, wq.Term("committee_key", req.committee[0])])
        allowed = set(s.docs_for_query(allowed_q))
        results = s.search(text_q, limit=None, filter=allowed)
        ids = [s.stored_fields(r.docnum)["id"] for r in results]
    ix.close()
    return len(ids), ids


@pytest.mark.corpus
@pytest.mark.parametrize("q", QUERIES)
def test_ranking_equals_exhaustive_whoosh_ranking(one_commit: Path, q: str) -> None:
    svc = SearchService(one_commit, cache_size=0, word_ranking=False)
    total, ids = _exhaustive_ids(svc, SearchRequest(q=q), one_commit)
    assert total > 0, q
    for page in (1, 2):
        res = svc.search(SearchRequest(q=q, page=page, page_size=10))
        assert res.total == total
        assert [h.id for h in res.results] == ids[(page - 1) * 10 : page * 10]
    svc.close()


@pytest.mark.corpus
@pytest.mark.parametrize("q", ["council", "council meeting", '"parish council"'])
def test_filtered_ranking_equals_exhaustive_whoosh_ranking(one_commit: Path, q: str) -> None:
    svc = SearchService(one_commit, cache_size=0, word_ranking=False)
    committees = [fv.value for fv in svc.search(SearchRequest(q=q)).facets["committee"]]
    assert committees
    for committee in committees[:3]:
        req = SearchRequest(q=q, committee=[committee], page_size=5)
        total, ids = _exhaustive_ids(svc, req, one_commit)
        res = svc.search(req)
        assert (res.total, [h.id for h in res.results]) == (total, ids[:5]), committee
    svc.close()


@pytest.mark.corpus
def test_cached_responses_equal_uncached(one_commit: Path) -> None:
    cached, plain = SearchService(one_commit), SearchService(one_commit, cache_size=0)
    for q in [*QUERIES, ""]:
        for req in (SearchRequest(q=q), SearchRequest(q=q, sort="newest", page=2)):
            first = cached.search(req).to_json()
            again = cached.search(req).to_json()  # from the cache
            assert first == again == plain.search(req).to_json(), q
    cached.close()
    plain.close()


@pytest.mark.corpus
def test_editing_a_response_does_not_change_the_cache(one_commit: Path) -> None:
    svc = SearchService(one_commit)
    res = svc.search(SearchRequest(q="council"))
    expected = res.to_json()
    res.results.clear()
    res.facets["council"].clear()
    assert svc.search(SearchRequest(q="council")).to_json() == expected
    svc.close()


def test_a_commit_is_never_answered_from_the_cache(tmp_index, seed_path: Path, tmp_path) -> None:
    folder = tmp_index()
    svc = SearchService(folder)
    req = SearchRequest(q="cctv")
    assert svc.search(req).total == svc.search(req).total == 1  # the second is cached
    other = tmp_path / "copy" / "luton-crime-2019.txt"
    other.parent.mkdir()
    text = seed_path.read_text(encoding="utf-8")
    other.write_text(text.replace("27<sup>TH</sup> MARCH 2018", "26TH MARCH 2019"), "utf-8")
    tmp_index(other, index_dir=folder)
    assert svc.search(req).total == 2
    svc.close()


@pytest.mark.corpus
@pytest.mark.parametrize("q", [*QUERIES, ""])
def test_many_small_commits_answer_like_one(one_commit: Path, many_commits: Path, q: str) -> None:
    """Same matches, counts and facets.  Scores agree to about 1 %, not exactly: Whoosh
    stores each document's field length in one lossy byte and a merge re-sums the segment's
    total from those bytes, so the average length BM25 divides by moves a little."""
    a, b = SearchService(one_commit, cache_size=0), SearchService(many_commits, cache_size=0)
    ra = a.search(SearchRequest(q=q, page_size=1000))
    rb = b.search(SearchRequest(q=q, page_size=1000))
    assert ra.total == rb.total == len(ra.results)
    assert ra.facets == rb.facets and ra.histogram == rb.histogram
    scores_b = {h.id: h.score for h in rb.results}
    assert scores_b.keys() == {h.id for h in ra.results}
    if "*" in q:  # a prefix expands to the terms of each segment: its scores follow them
        return
    for hit in ra.results:
        assert scores_b[hit.id] == pytest.approx(hit.score, rel=0.03), hit.id
    a.close()
    b.close()


@pytest.mark.corpus
@pytest.mark.parametrize(("q", "pos", "neg"), [
    ("report -police", "report", "police"),
    ("council -planning", "council", "planning"),
    ("meeting -minutes -council", "meeting", "minutes OR council"),
])  # fmt: skip
def test_not_removes_exactly_the_excluded_matches(
    one_commit: Path, many_commits: Path, q: str, pos: str, neg: str
) -> None:
    """Whoosh 2.7.4's AndNot let an excluded document through at the start of a segment."""
    for folder in (one_commit, many_commits):
        svc = SearchService(folder, cache_size=0)

        def ids(text: str, svc: SearchService = svc) -> set[str]:
            return {h.id for h in svc.search(SearchRequest(q=text, page_size=1000)).results}

        expected = ids(pos) - ids(neg)
        assert expected, (q, folder)
        assert ids(q) == expected, (q, folder)
        svc.close()


@pytest.mark.corpus
def test_small_commits_leave_a_bounded_number_of_segments(many_commits: Path) -> None:
    ix = windex.open_dir(str(many_commits))
    assert 1 <= len(ix._segments()) <= MAX_SEGMENTS
    ix.close()


@pytest.mark.corpus
def test_spelling_words_equal_analysing_the_text(corpus_files: list[Path], seed_path) -> None:
    checked = 0
    for path in [seed_path, *corpus_files]:
        meeting = process_file(path)
        plain: set[str] = set()
        for item in meeting.items:
            for text in (item.title, item.body):
                plain.update(t.text for t in analysis.tokenize(text, do_stem=False))
        assert meeting_words(meeting) == " ".join(sorted(plain)), path
        checked += 1
    assert checked == len(corpus_files) + 1


@pytest.mark.corpus
@pytest.mark.parametrize("q", [
    "council", "planning", "council meeting", "police OR garda", "report -police",
    "road safety housing", '"parish council"', '"anti social"', '"planning application"',
    '"the parish council"', '"joint policing committee"', 'police "parish council"',
    "planning application housing report", "police OR garda OR crime OR safety",
    "(council OR committee) (report OR minutes) -police",
])  # fmt: skip
def test_numpy_scores_equal_whoosh_scores(one_commit: Path, many_commits: Path, q: str) -> None:
    """fastscore ranks plain word queries itself: same documents, order and scores."""
    for folder in (one_commit, many_commits):
        svc = SearchService(folder, cache_size=0)
        text_q = _Compiler(svc.expander).compile(parse(q))
        with svc.searcher() as s:
            fast = fastscore.rank(s, text_q, fastscore.FieldLengths(s.reader().doc_count_all()))
            assert fast is not None, (q, text_q)
            plain = s.search(text_q, limit=None).top_n
            assert fast[0].tolist() == [d for _, d in plain], (q, folder)
            assert fast[1].tolist() == pytest.approx([sc for sc, _ in plain], rel=1e-12, abs=0)
        svc.close()


@pytest.mark.parametrize("q", ["plan*", "year:2016", "-police", "cctv OR plan*"])
def test_numpy_scoring_leaves_other_queries_to_whoosh(seed_index: Path, q: str) -> None:
    svc = SearchService(seed_index, cache_size=0)
    text_q = _Compiler(svc.expander).compile(parse(q))
    with svc.searcher() as s:
        assert fastscore.rank(s, text_q, fastscore.FieldLengths(s.reader().doc_count_all())) is None
    svc.close()


@pytest.mark.corpus
def test_term_spans_equal_tokenize(corpus_files: list[Path], seed_path: Path) -> None:
    """Snippets find matches with the cached per-word analysis; it must equal tokenize()."""
    texts = [seed_path.read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in corpus_files]
    texts = [t for t in texts if t.strip()]
    assert len(texts) >= 2
    for text in texts:
        plain = [(t.start, t.end, t.text) for t in analysis.tokenize(text)]
        assert analysis.term_spans(text) == plain


@pytest.mark.parametrize("q", ["cctv OR police", '"community safety"'])
def test_deleted_documents_never_come_back(tmp_index, seed_path: Path, q: str) -> None:
    """The numpy paths read postings (and the phrase path pair postings) below Whoosh's
    deletion filter; the live-item mask must drop what a commit deleted (a segment with
    deletions, not merged away)."""
    folder = tmp_index()
    svc = SearchService(folder, cache_size=0)
    before = svc.search(SearchRequest(q=q, page_size=100))
    gone = before.results[0].id
    ix = windex.open_dir(str(folder))
    writer = ix.writer()
    writer.delete_by_term("id", gone)
    writer.commit(merge=False)
    with ix.searcher() as s:
        assert s.reader().has_deletions()
    ix.close()
    after = svc.search(SearchRequest(q=q, page_size=100))
    assert after.total == before.total - 1
    assert [h.id for h in after.results] == [h.id for h in before.results if h.id != gone]
    assert sum(f.count for f in after.facets["year"]) == after.total
    text_q = _Compiler(svc.expander).compile(parse(q))
    with svc.searcher() as s:  # the numpy path answered (deleted docs are in its postings)
        lengths = fastscore.FieldLengths(s.reader().doc_count_all())
        assert fastscore.rank(s, text_q, lengths) is not None
    svc.close()


@pytest.mark.corpus
def test_worker_process_ingest_equals_sequential(
    corpus_files: list[Path], one_commit: Path, tmp_path: Path
) -> None:
    """indexer.parallel (reading in a worker process) gives the same statuses, the same
    manifest and the same answers as the sequential loop."""
    from indexer import pipeline
    from kb.engine.whoosh.write import read_manifest

    # 12 files, then 4 repeats (each 'unchanged' only once the first is staged)
    files = (corpus_files * 2)[: max(pipeline.MIN_FILES, len(corpus_files) + 4)]
    assert len(set(files)) < len(files) and len(files) >= pipeline.MIN_FILES
    seq, par = tmp_path / "seq", tmp_path / "par"
    a = ingest([], seq, files=files, workers=0)
    b = ingest([], par, files=files, workers=1)
    assert "unchanged" in {r.status for r in b.results}
    assert [(r.path, r.status, r.items, r.meeting_id) for r in a.results] == [
        (r.path, r.status, r.items, r.meeting_id) for r in b.results
    ]
    strip = {"ingested_at"}
    ma, mb = read_manifest(seq), read_manifest(par)
    assert {k: {f: v for f, v in e.items() if f not in strip} for k, e in ma.items()} == {
        k: {f: v for f, v in e.items() if f not in strip} for k, e in mb.items()
    }
    for q in ["council", '"parish council"', ""]:
        ra = SearchService(seq, cache_size=0).search(SearchRequest(q=q, page_size=50))
        rb = SearchService(par, cache_size=0).search(SearchRequest(q=q, page_size=50))
        assert ra.to_json() == rb.to_json()


@pytest.mark.corpus
def test_a_segmented_rebuild_has_several_segments(rebuilt_whole: Path, rebuilt_split: Path) -> None:
    sizes = {}
    for folder in (rebuilt_whole, rebuilt_split):
        ix = windex.open_dir(str(folder))
        sizes[folder] = [seg.doc_count_all() for seg in ix._segments()]
        ix.close()
    assert len(sizes[rebuilt_whole]) == 1
    assert len(sizes[rebuilt_split]) >= 3
    assert sum(sizes[rebuilt_split]) == sum(sizes[rebuilt_whole])


@pytest.mark.corpus
@pytest.mark.parametrize("q", [*QUERIES, ""])
@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_a_segmented_rebuild_answers_like_one_segment(
    rebuilt_whole: Path, rebuilt_split: Path, q: str, sort: str
) -> None:
    """Same results in the same order, totals, facet counts and histogram; scores equal up to
    float rounding (each segment keeps exact field-length totals: nothing is merged).  A
    prefix query expands to each segment's own terms (Whoosh's rule, as for small commits),
    so its relevance scores and order follow the segments: there, the same set."""
    a, b = SearchService(rebuilt_whole, cache_size=0), SearchService(rebuilt_split, cache_size=0)
    ra = a.search(SearchRequest(q=q, page_size=1000, sort=sort))
    rb = b.search(SearchRequest(q=q, page_size=1000, sort=sort))
    assert ra.total == rb.total == len(ra.results) > 0
    assert rb.facets == ra.facets and rb.histogram == ra.histogram
    if "*" in q and sort == "relevance":
        assert {h.id for h in rb.results} == {h.id for h in ra.results}
        return
    assert [h.id for h in rb.results] == [h.id for h in ra.results]
    for x, y in zip(ra.results, rb.results, strict=True):
        assert y.score == pytest.approx(x.score, rel=1e-9), x.id
    a.close()
    b.close()


@pytest.mark.corpus
@pytest.mark.parametrize("q", QUERIES)
def test_a_segmented_rebuild_ranks_like_exhaustive_whoosh(rebuilt_split: Path, q: str) -> None:
    svc = SearchService(rebuilt_split, cache_size=0, word_ranking=False)
    total, ids = _exhaustive_ids(svc, SearchRequest(q=q), rebuilt_split)
    assert total > 0, q
    res = svc.search(SearchRequest(q=q, page_size=20))
    assert (res.total, [h.id for h in res.results]) == (total, ids[:20])


@pytest.mark.parametrize(
    "arrays",
    [
        [[1, 3, 5], [2, 3, 6, 9]],
        [[0, 4], [], [4, 7]],
        [[], []],
        [[5]],
        [[1, 2, 3], [1, 2, 3], [3, 4]],
        [[10, 20, 30, 40], [40], [5, 10, 40, 50]],
    ],
)
def test_sparse_union_and_intersection_equal_numpys(arrays: list[list[int]]) -> None:
    """fastscore's merge of sorted docnum lists equals numpy's set operations."""
    import functools

    import numpy as np

    parts = [np.array(a, dtype=np.int64) for a in arrays]
    union = functools.reduce(np.union1d, parts)
    inter = functools.reduce(np.intersect1d, parts)
    assert fastscore._union(parts).tolist() == union.tolist()
    assert fastscore._intersection(parts).tolist() == inter.tolist()


@pytest.mark.corpus
@pytest.mark.parametrize("q", [
    "council", "planning application", "road safety housing", "police OR garda OR crime",
    "council meeting report", "report -police",
])  # fmt: skip
def test_facets_and_histogram_equal_counting_whooshs_matches(one_commit: Path, q: str) -> None:
    """Every facet count and the histogram of a search equal counts over the documents
    Whoosh's own query evaluation matches (each facet value's docs by its own term query)."""
    from collections import Counter

    from kb.engine.whoosh.facets import FACET_FIELDS

    svc = SearchService(one_commit, cache_size=0, word_ranking=False)
    res = svc.search(SearchRequest(q=q, page_size=1))
    text_q = _Compiler(svc.expander).compile(parse(q))
    with svc.searcher() as s:
        items = set(s.docs_for_query(wq.Term("doctype", "item")))
        matched = set(s.docs_for_query(text_q)) & items
        assert res.total == len(matched) > 0, q
        for facet, fieldname in FACET_FIELDS.items():
            counts = {}
            for value in s.reader().field_terms(fieldname):
                n = len(set(s.docs_for_query(wq.Term(fieldname, value))) & matched)
                if n:
                    counts[value] = n
            if facet == "year":
                want = sorted(counts.items(), reverse=True)
            else:
                want = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:100]
            assert [(f.value, f.count) for f in res.facets[facet]] == want, (q, facet)
        histogram: dict[int, Counter[str]] = {}
        for d in matched:
            stored = s.stored_fields(d)
            year, committee = str(stored.get("year") or ""), stored.get("committee_key")
            if year.isdigit() and committee:
                histogram.setdefault(int(year), Counter())[committee] += 1
    assert res.histogram == {y: dict(c) for y, c in histogram.items()}, q
    svc.close()
