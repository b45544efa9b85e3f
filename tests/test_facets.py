"""The numpy counting shortcuts of FacetCache and fastscore equal plain Python counting."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from kb.engine.whoosh import fastscore
from kb.engine.whoosh.facets import FACETS, FacetCache
from kb.service import SearchRequest, SearchService


def _cache_of(index: Path) -> FacetCache:
    svc = SearchService(index, cache_size=0)
    with svc.searcher() as s:
        found = svc._facet_cache(s)
    svc.close()
    return found


@pytest.fixture(scope="module")
def corpus_index(
    corpus_dir: Path, manifest: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Real minutes of several councils: the first three files of each corpus folder."""
    from indexer.pipeline import ingest

    taken: dict[str, int] = {}
    files = []
    for row in manifest:
        top = row["file"].split("/", 1)[0]
        if taken.get(top, 0) < 3:  # noqa: PLR2004 - a few files per source
            taken[top] = taken.get(top, 0) + 1
            files.append(corpus_dir / row["file"])
    folder = tmp_path_factory.mktemp("facets-corpus")
    report = ingest(files, folder, batch_size=1000)
    assert not report.failed, [r.line() for r in report.failed]
    return folder


@pytest.fixture(scope="module", params=["seed", "corpus"])
def cache(request: pytest.FixtureRequest, seed_index: Path) -> FacetCache:
    if request.param == "seed":
        return _cache_of(seed_index)
    return _cache_of(request.getfixturevalue("corpus_index"))


def _masks(cache: FacetCache) -> list[np.ndarray]:
    """All items, none, and random samples from dense (every pair tested against the
    mask) to sparse (each match's own pairs looked up)."""
    rng = np.random.default_rng(4)
    out = [cache.items.copy(), cache.items & False]
    for share in (0.5, 0.2, 0.05, 0.01, 0.002):
        out.append(cache.items & (rng.random(cache.size) < share))
    one = cache.items & False
    one[np.flatnonzero(cache.items)[-1]] = True  # the last docnum alone
    return [*out, one]


def _pairs(cache: FacetCache, facet: str, mask: np.ndarray) -> Counter[str]:
    return Counter(
        cache.values[facet][c]
        for d, c in zip(cache.docs[facet].tolist(), cache.codes[facet].tolist(), strict=True)
        if mask[d]
    )


def test_counts_and_top_equal_python_counting(cache: FacetCache) -> None:
    for mask in _masks(cache):
        for facet in FACETS:
            plain = _pairs(cache, facet, mask)
            assert cache.counts(facet, mask) == dict(plain)
            if facet == "year":
                want = sorted(plain.items(), reverse=True)
            else:
                want = sorted(plain.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
            limit = None if facet == "year" else 3
            assert cache.top(facet, mask, limit=limit) == want
            # the matches' docnums given (a search counts six facets from one array)
            assert cache.top(facet, mask, limit=limit, docs=np.flatnonzero(mask)) == want


def test_histogram_equals_python_counting(cache: FacetCache) -> None:
    for mask in _masks(cache):
        plain: dict[int, Counter[str]] = {}
        for d in np.flatnonzero(mask).tolist():
            y, c = cache.dense["year"][d], cache.dense["committee"][d]
            if y >= 0 and c >= 0 and cache.values["year"][y].isdigit():
                year = int(cache.values["year"][y])
                plain.setdefault(year, Counter())[cache.values["committee"][c]] += 1
        got = cache.histogram(mask)
        assert got == {y: dict(c) for y, c in plain.items()}
        assert cache.histogram(mask, np.flatnonzero(mask)) == got
        assert list(got) == sorted(got)
        for per in got.values():  # committees in value order within a year
            assert list(per) == sorted(per)


def test_page_equals_sorting_everything() -> None:
    rng = random.Random(9)
    for _ in range(200):
        n = rng.randrange(0, 60)
        docs = np.array(sorted(rng.sample(range(500), n)), dtype=np.int64)
        scores = np.array([rng.choice([0.5, 1.0, 1.5, rng.random()]) for _ in range(n)])
        order = np.lexsort((docs, -scores))
        start, count = rng.randrange(0, 40), rng.randrange(1, 15)
        got_docs, got_scores = fastscore.page(docs, scores, start, count)
        assert got_docs.tolist() == docs[order][start : start + count].tolist()
        assert got_scores.tolist() == scores[order][start : start + count].tolist()


def test_every_page_of_a_search_equals_slicing_the_full_ranking(seed_index: Path) -> None:
    svc = SearchService(seed_index, cache_size=0)
    full = svc.search(SearchRequest(q="council OR police", page_size=1000)).results
    assert len(full) >= 6
    pages = [svc.search(SearchRequest(q="council OR police", page=n, page_size=3)) for n in (1, 2)]
    assert [h.id for p in pages for h in p.results] == [h.id for h in full[:6]]
    svc.close()


QUERIES = ["council", "police report", "cctv OR cameras", "council -police", '"sex trade"']


def test_postings_cache_answers_like_reading_postings(seed_index: Path) -> None:
    cached = SearchService(seed_index, cache_size=0)
    plain = SearchService(seed_index, cache_size=0, postings_cache_mb=0)
    for _ in range(2):  # the second round is answered from the postings cache
        for q in QUERIES:
            req = SearchRequest(q=q, page_size=100)
            assert cached.search(req).to_json() == plain.search(req).to_json()
    assert cached.postings.hits > 0 and plain.postings.hits == 0
    cached.close()
    plain.close()


def test_postings_cache_keeps_to_its_budget() -> None:
    cache = fastscore.PostingsCache(max_bytes=10_000)
    for n in range(50):
        ids = np.arange(100, dtype=np.int32)
        cache.put(("seg", "body", str(n).encode()), (ids, ids.astype(np.float64)))
        assert cache.bytes <= cache.max_bytes
    assert cache.get(("seg", "body", b"49")) is not None
    assert cache.get(("seg", "body", b"0")) is None  # the oldest went first
    big = np.zeros(5_000, dtype=np.float64)
    cache.put(("seg", "body", b"big"), (big.astype(np.int32), big))
    assert cache.get(("seg", "body", b"big")) is None  # larger than the whole budget


def test_values_mask_equals_the_docs_having_the_values(cache: FacetCache) -> None:
    """A filter's mask (an array slice per value) is exactly the docs with any of the values."""
    checked = 0
    for facet in FACETS:
        pairs = list(zip(cache.docs[facet].tolist(), cache.codes[facet].tolist(), strict=True))
        values = cache.values[facet]
        for chosen in ([values[0]], values[-2:], values[::3][:5]) if values else []:
            want = {d for d, c in pairs if values[c] in chosen}
            got = cache.values_mask(facet, chosen)
            assert got is not None and set(np.flatnonzero(got).tolist()) == want, (facet, chosen)
            one = cache.value_mask(facet, chosen[0])
            assert one is not None
            assert set(np.flatnonzero(one).tolist()) == {
                d for d, c in pairs if values[c] == chosen[0]
            }
            checked += 1
        assert cache.values_mask(facet, ["no such value"]) is None
        assert cache.value_mask(facet, "no such value") is None
    assert checked >= 6
