"""Property-based fuzz of /api/search parameters: whatever a client sends, never a 5xx."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

KEYS = [
    "q",
    "council",
    "committee",
    "speaker",
    "topic",
    "year",
    "date_from",
    "date_to",
    "sort",
    "page",
    "page_size",
    "bogus",
]
QUERYISH = st.sampled_from(
    ['"', "(", ")", "AND", "OR", "NOT", "-", "*", "speaker:", "year:", "..", "cctv", " ", ":"]
)
VALUES = st.one_of(
    st.text(max_size=60),
    st.lists(QUERYISH, max_size=12).map("".join),
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["relevance", "newest", "oldest", "2018", "2018-03-27", "luton", ""]),
    st.text(alphabet="\x00\x01\ud7ff\ufffe\u202e<>&'\"%", max_size=20),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=8))
def test_api_search_never_5xx(client, pairs: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/api/search?" + urlencode(pairs))
    assert resp.status_code in (200, 400), resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    if resp.status_code == 400:
        assert set(body) == {"error"} and body["error"]["code"] == "bad_request"
        assert body["error"]["message"]
    else:
        assert {"query", "total", "results", "facets"} <= set(body)


COMPLETE_KEYS = ["q", "kind", "limit", "bogus"]
COMPLETE_VALUES = st.one_of(
    VALUES, st.sampled_from(["speaker", "committee", "council", "topic", "year", "1", "50", "51"])
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.sampled_from(COMPLETE_KEYS), COMPLETE_VALUES), max_size=6))
def test_api_autocomplete_never_5xx(client, pairs: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/api/autocomplete?" + urlencode(pairs))
    assert resp.status_code in (200, 400), resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    if resp.status_code == 200:
        assert set(body) == {"query", "suggestions"}
        assert all(s["count"] > 0 for s in body["suggestions"])
    else:
        assert body["error"]["code"] == "bad_request" and body["error"]["message"]


NAMEISH = st.lists(
    st.sampled_from(
        ["speaker:", "committee:", "council:", "topic:", '"', "hors", "frod", "x", " "]
    ),
    min_size=1,
    max_size=8,
).map("".join)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.one_of(NAMEISH, st.text(max_size=30).map(lambda t: "speaker:" + t)))
def test_name_corrections_never_5xx(client, q: str) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/api/search?" + urlencode({"q": q}))
    assert resp.status_code in (200, 400), resp.get_data(as_text=True)[:300]
    if resp.status_code == 200 and resp.get_json()["suggestion"]:
        again = client.get("/api/search?" + urlencode({"q": resp.get_json()["suggestion"]}))
        assert again.status_code == 200 and again.get_json()["total"] > 0
