"""kb.didyoumean: did-you-mean and autocomplete over a real index (the seed plus two more
committees' minutes, see ``multi_index``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.search import SearchRequest, SearchService


@pytest.fixture(scope="module")
def svc(multi_index: Path) -> Iterator[SearchService]:
    service = SearchService(multi_index)
    yield service
    service.close()


def total(svc: SearchService, q: str, **filters: list[str]) -> int:
    return svc.search(SearchRequest(q=q, **filters)).total


@pytest.mark.parametrize(
    ("q", "suggestion"),
    [
        ("speaker:horsfrod", "speaker:Horsford"),
        ("speaker:hawkse cctv", "speaker:Hawkes cctv"),
        ("committee:licencing", "committee:Licensing"),
        ('committee:"planing committee"', 'committee:"Planning Committee"'),
        ("council:lutn", "council:Luton"),
        ("topic:hate-crme", 'topic:"Hate crime"'),
        ("polcie", "police"),  # nothing found: the indexed word closest
        ("partnrship", "partnership"),  # one item (a typo in it); the word finds five
        ("speaker:horsford", None),  # right already
        ("partnership", None),
        ("cctv", None),  # rare but right: no commoner word near it
    ],
)
def test_suggestions(svc: SearchService, q: str, suggestion: str | None) -> None:
    res = svc.search(SearchRequest(q=q))
    assert res.suggestion == suggestion
    if suggestion is not None:  # the correction really finds more
        assert total(svc, suggestion) > res.total


def test_few_results_needs_a_correction_that_finds_many_more(svc: SearchService) -> None:
    assert total(svc, "partnrship") == 1 and total(svc, "partnership") >= 5
    # within 2019 the correct word finds too few more to be worth a suggestion
    res = svc.search(SearchRequest(q="partnrship", year=["2019"]))
    assert res.total == 1 and res.suggestion is None


def test_suggestion_keeps_the_rest_of_the_query(svc: SearchService) -> None:
    res = svc.search(SearchRequest(q="speaker:horsfrod -cctv year:2018"))
    assert res.suggestion == "speaker:Horsford -cctv year:2018"


def test_excluded_words_are_not_corrected(svc: SearchService) -> None:
    assert svc.search(SearchRequest(q="speaker:hawkes -partnrship")).suggestion is None


@pytest.mark.parametrize(
    ("prefix", "facets", "first"),
    [
        ("hors", ("speaker",), "luton/greg-horsford"),
        ("greg", ("speaker", "committee"), "luton/greg-horsford"),
        ("licen", ("committee",), "luton/licensing-committee"),
        ("plan", ("committee", "topic"), "luton/planning-committee"),
        ("anti", ("topic",), "anti-social-behaviour"),
        ("lut", ("council",), "luton"),
    ],
)
def test_complete(svc: SearchService, prefix: str, facets: tuple[str, ...], first: str) -> None:
    found = svc.complete(prefix, facets)
    assert found[0].value == first
    assert all(n.facet in facets and n.count > 0 for n in found)
    # each suggestion's query finds exactly its items
    assert total(svc, found[0].query()) == found[0].count


def test_names_are_built_once_per_generation(svc: SearchService) -> None:
    assert svc.names() is svc.names()
    counts = {n.value: n.count for n in svc.names().top("committee", 10)}
    facets = svc.search(SearchRequest()).facets["committee"]
    assert counts == {f.value: f.count for f in facets}


@pytest.mark.parametrize(
    ("filters", "corrections"),
    [
        ({"speaker": ["horsfrod"]}, {"speaker": {"horsfrod": "luton/greg-horsford"}}),
        (
            {"committee": ["luton/licensing-comittee", "planing committee"]},
            {
                "committee": {
                    "luton/licensing-comittee": "luton/licensing-committee",
                    "planing committee": "luton/planning-committee",
                }
            },
        ),
        (
            {"council": ["lutn"], "topic": ["hate crme"]},
            {"council": {"lutn": "luton"}, "topic": {"hate crme": "hate-crime"}},
        ),
        # each facet on its own: a council that exists is not "corrected" for another's sake
        ({"council": ["luton"], "topic": ["hate crme"]}, {"topic": {"hate crme": "hate-crime"}}),
        ({"speaker": ["horsford"]}, {}),  # right: results, nothing to correct
        ({"speaker": ["zzzzzz"]}, {}),  # nothing close
        ({"speaker": ["horsford", "zzzzzz"]}, {}),  # one value matches: the OR finds items
    ],
)
def test_filter_values_that_match_nothing_get_corrections(
    svc: SearchService, filters: dict, corrections: dict
) -> None:
    res = svc.search(SearchRequest(**filters))
    assert res.corrections == corrections
    for facet, fixes in corrections.items():  # each correction finds items
        for meant in fixes.values():
            assert total(svc, "", **{facet: [meant]}) > 0
