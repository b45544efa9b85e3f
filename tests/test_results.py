"""kb.results: the response cache hands back equal, independent copies."""

from __future__ import annotations

import pickle

from kb.results import FacetValue, Hit, ResultCache, SearchResponse


def _response() -> SearchResponse:
    hit = Hit(
        id="i1", meeting_id="m1", council="Luton", council_id="luton", committee="OSB",
        committee_id="osb", date="2018-03-27", item_number="4", item_title="CCTV",
        speakers=["Cllr A"], topics=["crime"], snippet="CCTV cameras", score=1.25,
        snippet_html="<mark>CCTV</mark> cameras", url="/items/i1", grouped=["i2"],
    )  # fmt: skip
    facets = {
        "council": [FacetValue("luton", "Luton", 3), FacetValue("é-ward", "É <ward>", 0)],
        "year": [FacetValue("2018", "2018", 2)],
    }
    return SearchResponse(
        query='"cctv cameras"', total=3, page=1, page_size=10, results=[hit], facets=facets,
        histogram={2018: {"luton/osb": 2}}, suggestion=None, match="", also_searched=[],
        elapsed_ms=1.0, corrections={}, partial=False,
    )  # fmt: skip


def test_facet_values_pickle_as_themselves() -> None:
    value = FacetValue("luton", "Luton (Bedfordshire)", 42)
    again = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == value and type(again) is FacetValue
    assert again.value == "luton" and again.label == "Luton (Bedfordshire)" and again.count == 42


def test_cached_response_is_an_equal_independent_copy() -> None:
    cache = ResultCache(4)
    response = _response()
    cache.put("state", ("k",), response)
    response.facets["council"][0].count = 99  # the caller edits its own response after
    got = cache.get("state", ("k",))
    assert got is not None and got.to_json() == _response().to_json()
    got.facets["year"][0].label = "changed"
    assert cache.get("state", ("k",)).facets["year"][0].label == "2018"  # type: ignore[union-attr]
    assert cache.get("other state", ("k",)) is None  # a new commit: nothing cached
