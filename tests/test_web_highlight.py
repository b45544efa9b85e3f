"""web.highlight: the item page's marks come from kb.highlight; nothing else becomes markup."""

from __future__ import annotations

import pytest

from kb.expansion import Expander
from kb.highlight import Matcher, matcher_for_query
from web.highlight import highlight

EXPANDER = Expander.load()


@pytest.mark.parametrize(
    ("text", "q", "html"),
    [
        ("The CCTV footage", "cctv", "The <mark>CCTV</mark> footage"),
        ("camera and cameras", "camera", "<mark>camera</mark> and <mark>cameras</mark>"),
        ("policing the police", "policing", "<mark>policing</mark> the <mark>police</mark>"),
        ("scctv is not a match", "cctv", "scctv is not a match"),
        ("a <b>cctv</b>", "cctv", "a &lt;b&gt;<mark>cctv</mark>&lt;/b&gt;"),
        ('" onmouseover="x', "onmouseover", "&#34; <mark>onmouseover</mark>=&#34;x"),
        (
            "tackling ASB and anti-social behaviour",
            "ASB",
            "tackling <mark>ASB</mark> and "
            "<mark>anti</mark>-<mark>social</mark> <mark>behaviour</mark>",
        ),
        ("safer and safety", "safe*", "<mark>safer</mark> and <mark>safety</mark>"),
        ("no terms", "", "no terms"),
    ],
)
def test_highlight(text: str, q: str, html: str) -> None:
    out = str(highlight(text, matcher_for_query(q, EXPANDER)))
    assert out.replace("&quot;", "&#34;") == html


def test_no_matcher_escapes_only() -> None:
    assert str(highlight("<i>x</i>", None)) == "&lt;i&gt;x&lt;/i&gt;"
    assert str(highlight("<i>x</i>", Matcher())) == "&lt;i&gt;x&lt;/i&gt;"


def test_hostile_term_cannot_inject() -> None:
    out = str(highlight("<script>alert(1)</script>", matcher_for_query("<script>")))
    assert "<script>" not in out
    assert out == "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
