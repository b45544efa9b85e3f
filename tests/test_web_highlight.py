"""web.highlight: query terms marked inside escaped text; nothing else becomes markup."""

from __future__ import annotations

import pytest

from web.highlight import highlight, query_terms


@pytest.mark.parametrize(
    ("q", "terms"),
    [
        ("CCTV", ["cctv"]),
        ('"anti-social behaviour" AND cctv', ["anti", "social", "behaviour", "cctv"]),
        ("speaker:hawkes committee:licensing", ["hawkes", "licensing"]),
        ("cctv NOT funding OR a", ["cctv", "funding"]),
        ("year:2018 parking", ["2018", "parking"]),
        ("", []),
    ],
)
def test_query_terms(q: str, terms: list[str]) -> None:
    assert query_terms(q) == terms


@pytest.mark.parametrize(
    ("text", "terms", "html"),
    [
        ("The CCTV cameras", ["cctv"], "The <mark>CCTV</mark> cameras"),
        ("camera and cameras", ["camera"], "<mark>camera</mark> and <mark>cameras</mark>"),
        ("scctv is not a match", ["cctv"], "scctv is not a match"),
        ("a <b>cctv</b>", ["cctv"], "a &lt;b&gt;<mark>cctv</mark>&lt;/b&gt;"),
        ('" onmouseover="x', ["onmouseover"], "&#34; <mark>onmouseover</mark>=&#34;x"),
        ("no terms", [], "no terms"),
    ],
)
def test_highlight(text: str, terms: list[str], html: str) -> None:
    assert str(highlight(text, terms)) == html


def test_hostile_term_cannot_inject() -> None:
    out = str(highlight("<script>alert(1)</script>", query_terms("<script>")))
    assert "<script>" not in out
    assert out == "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
