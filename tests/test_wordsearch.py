"""kb.wordsearch through SearchService on small real indexes: the relaxed AND, synonyms at a
lower weight, proximity and phrase boosts, near-identical items grouped; and what the CLI's
JSON, the API and the page say about them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kb import ranking, wordsearch
from kb.search import SearchRequest, SearchService

HEADER = """{council} PARISH COUNCIL
Minutes of the meeting of {council} Parish Council held on Tuesday {day} at 7.30pm in the
Village Hall.

Present: Cllr A. Smith (Chair), Cllr B. Jones.

"""

MEETINGS = {
    "testham-parish-council-2019-03-05.txt": (
        "Testham",
        "5th March 2019",
        [
            ("Apologies for absence", "Apologies were received from Cllr C. Brown."),
            (
                "Village hall grant",
                "The council agreed a grant of 200 pounds to the village hall "
                "committee for new chairs.",
            ),
            ("Highways", "The bus shelter on Mill Road needs a new roof and the parish will pay."),
            ("Footways", "The bus on Mill Road needs a new roof shelter and the parish will pay."),
            ("Play area", "Vandalism to the swings was reported to the police."),
            (
                "Notice board",
                "The notice board by the church is rotten and will be replaced "
                "by the clerk before the summer.",
            ),
            (
                "Notice board",
                "The notice board by the church is rotten and will be replaced "
                "by the clerk before the summer.",
            ),
            ("Any other business", "The clerk reported that the hall roof needs attention."),
        ],
    ),
    "otherby-parish-council-2020-06-02.txt": (
        "Otherby",
        "2nd June 2020",
        [
            ("Apologies for absence", "None."),
            ("Play park", "Criminal damage to the swings was reported to the police."),
            (
                "Church clock",
                "The church clock has stopped again and the clerk will ask for quotes.",
            ),
        ],
    ),
}


def _write(folder: Path) -> list[Path]:
    paths = []
    for name, (council, day, items) in MEETINGS.items():
        text = HEADER.format(council=council.upper(), day=day)
        text += "\n".join(f"{n}. {t}\n{b}\n" for n, (t, b) in enumerate(items, start=1))
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from indexer.pipeline import ingest

    work = tmp_path_factory.mktemp("wordsearch")
    paths = _write(work)
    index_dir = work / "index"
    report = ingest(paths, index_dir)
    assert not report.failed
    return index_dir


def _titles(svc: SearchService, q: str, **kw) -> list[str]:
    return [h.item_title for h in svc.search(SearchRequest(q=q, **kw)).results]


def test_and_first_then_any_word_when_and_finds_few(folder: Path, monkeypatch) -> None:
    svc = SearchService(folder, cache_size=0)
    res = svc.search(SearchRequest(q="village hall grant"))
    assert res.match == "any"  # one item has all three words: too few
    assert res.results[0].item_title == "Village hall grant"
    # the item with one of the words ("hall roof") is found, after the one with all
    assert "Any other business" in [h.item_title for h in res.results[1:]]
    monkeypatch.setattr(ranking, "FALLBACK_BELOW", 1)
    strict = svc.search(SearchRequest(q="village hall grant"))
    assert (strict.match, strict.total) == ("all", 1)
    svc.close()


def test_most_of_the_words_before_any(folder: Path, monkeypatch) -> None:
    monkeypatch.setattr(ranking, "FALLBACK_BELOW", 1)
    svc = SearchService(folder, cache_size=0)
    # no item has all of church, clock, clerk, quotes, rotten; "Church clock" has 4 of the
    # 5 (most: 4 = 2/3 rounded up), the notice boards 3, other items 1
    res = svc.search(SearchRequest(q="church clock clerk quotes rotten"))
    assert res.match == "most"
    assert [h.item_title for h in res.results] == ["Church clock"]
    monkeypatch.setattr(ranking, "FALLBACK_BELOW", 2)
    relaxed = svc.search(SearchRequest(q="church clock clerk quotes rotten"))
    assert relaxed.match == "any"
    assert [h.item_title for h in relaxed.results][:2] == ["Church clock", "Notice board"]
    svc.close()


def test_words_near_each_other_and_in_order_rank_first(folder: Path) -> None:
    """ "Highways" and "Footways" hold the same words; only "Highways" has "bus shelter"."""
    svc = SearchService(folder, cache_size=0)
    assert _titles(svc, "bus shelter")[:2] == ["Highways", "Footways"]
    assert _titles(svc, "roof shelter")[:2] == ["Footways", "Highways"]
    plain = SearchService(folder, cache_size=0, word_ranking=False)
    hits = plain.search(SearchRequest(q="bus shelter")).results
    assert hits[0].score == hits[1].score  # BM25 alone cannot tell them apart
    plain.close()
    svc.close()


def test_synonyms_found_at_a_lower_weight_and_listed(folder: Path) -> None:
    svc = SearchService(folder, cache_size=0)
    res = svc.search(SearchRequest(q="vandalism"))
    assert [h.item_title for h in res.results] == ["Play area", "Play park"]
    assert res.results[0].score > res.results[1].score
    assert "criminal damage" in res.also_searched
    # and the other way round: the words typed first
    assert _titles(svc, "criminal damage") == ["Play park", "Play area"]
    svc.close()


def test_near_identical_items_of_a_meeting_are_one_result(folder: Path) -> None:
    svc = SearchService(folder, cache_size=0)
    res = svc.search(SearchRequest(q="notice board rotten"))
    assert [h.item_title for h in res.results] == ["Notice board"]
    assert res.total == 1
    assert res.results[0].grouped == [res.results[0].id[:-1] + "7"]
    svc.close()


def test_filters_and_exclusions_apply_to_word_queries(folder: Path) -> None:
    svc = SearchService(folder, cache_size=0)
    assert _titles(svc, "swings year:2020") == ["Play park"]
    assert _titles(svc, "swings -criminal") == ["Play area"]
    assert _titles(svc, "swings", council=["otherby-parish-council"]) == ["Play park"]
    # a token with inner punctuation is one clause, its words side by side: never relaxed
    # to one of them (so "source_key:secret" cannot find what "key" finds)
    church = svc.search(SearchRequest(q="church:clock"))
    assert [h.item_title for h in church.results] == ["Church clock"]
    assert svc.search(SearchRequest(q="clock:church")).total == 0
    # a phrase or OR is not a plain word query: searched exactly, no match level
    assert svc.search(SearchRequest(q='"bus shelter"')).match == ""
    svc.close()


def test_json_api_and_page_say_which_match_was_used(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/search?q=cctv+firearms").json
    assert data["match"] == "any" and data["total"] == 2
    page = client.get("/search?q=cctv+firearms").get_data(as_text=True)
    assert "showing items with any of the words" in page
    asb = client.get("/search?q=asb").get_data(as_text=True)
    assert "Also searched: anti social behaviour" in asb


@pytest.mark.parametrize(
    "sequences",
    [
        (("bus",),),
        (("bus",), ("shelter",)),
        (("bus", "shelter"),),
        (("notic", "board"), ("clerk",)),
    ],
)
def test_clause_scores_are_whoosh_scores(folder: Path, sequences) -> None:
    """The per-clause scores (numpy BM25F) equal Whoosh's own scoring of the same query."""
    svc = SearchService(folder, cache_size=0)
    with svc.searcher() as s:
        cache = svc._facet_cache(s)
        q = wordsearch._sequence_query(sequences)
        fast = wordsearch._dense(s, q, cache.lengths, None, cache.size)
        slow = np.zeros(cache.size)
        for hit in s.search(q, limit=None):
            slow[hit.docnum] = hit.score
    assert (fast > 0).sum() == (slow > 0).sum() > 0
    assert np.allclose(fast, slow)
    svc.close()


def test_synonyms_found_are_marked_in_snippets(folder: Path) -> None:
    svc = SearchService(folder, cache_size=0)
    hit = svc.search(SearchRequest(q="vandalism")).results[1]
    assert hit.item_title == "Play park"
    assert "<mark>Criminal</mark> <mark>damage</mark>" in hit.snippet_html
    svc.close()


def test_page_links_the_grouped_items(folder: Path) -> None:
    from web import create_app

    client = create_app({"index": str(folder), "TESTING": True}).test_client()
    html = client.get("/search?q=notice+board+rotten").get_data(as_text=True)
    assert "Same text also at:" in html
    assert html.count('class="hit"') == 1
