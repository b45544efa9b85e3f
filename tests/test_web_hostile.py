"""Hostile content: minutes whose titles, body, council and speaker names carry markup,
event handlers, ``javascript:`` and spreadsheet formulas.  Everything must come out
escaped (HTML, Atom), encoded (JSON) or neutralised (CSV) — and nothing may be lost.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ENGINES

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "web"
COUNCIL = '=HYPERLINK("http://evil.example","x") <script>alert("c")</script>'
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module", params=ENGINES)
def hostile(request: pytest.FixtureRequest, engine_index):  # type: ignore[no-untyped-def]
    """The web app on the hostile documents, on each engine."""
    from web import create_app

    built = engine_index(request.param, FIXTURE, council=COUNCIL)
    settings = {"index": str(built.folder), "TESTING": True, **built.settings()}
    return create_app(settings).test_client()


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_inert(html: str) -> None:
    """Parsed as a browser would: no script/img/textarea/iframe element, no event-handler
    attribute, no javascript: URL, and the only SVG is the app's own chart."""
    parser = Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in {"script", "img", "textarea", "iframe", "object"}, (tag, attrs)
        if tag == "svg":
            assert ("class", "chart") in attrs
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name)


def test_search_page_escapes_titles_snippets_and_facets(hostile) -> None:  # type: ignore[no-untyped-def]
    html = hostile.get("/search?q=cctv").get_data(as_text=True)
    assert_inert(html)
    # the data is shown, as text
    assert "&lt;script&gt;alert(&#34;c&#34;)&lt;/script&gt;" in html  # council facet/crumbs
    assert re.search(r"&lt;script&gt;alert\((&#34;|&quot;)body", html)  # snippet
    assert "&#34; ONMOUSEOVER=&#34;ALERT(2)" in html  # title
    assert "<mark>" in html


def test_item_and_meeting_pages_escape_everything(hostile) -> None:  # type: ignore[no-untyped-def]
    hits = hostile.get("/api/search?q=cctv").get_json()["results"]
    for hit in hits:
        html = hostile.get(hit["url"] + '?q=<script>" onmouseover="x').get_data(as_text=True)
        assert_inert(html)
        assert "&lt;" in html
    meeting = hostile.get("/meetings/" + hits[0]["meeting_id"]).get_data(as_text=True)
    assert_inert(meeting)
    assert "javascript:alert(3)" in meeting  # shown as text, not a link


def test_json_encodes_markup_but_keeps_the_data(hostile) -> None:  # type: ignore[no-untyped-def]
    resp = hostile.get("/api/search?q=cctv")
    raw = resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "<" not in raw and ">" not in raw and "\\u003cscript\\u003e" in raw
    data = json.loads(raw)
    assert data["results"][0]["council"] == COUNCIL  # nothing lost
    assert '<script>alert("body")</script>' in " ".join(r["snippet"] for r in data["results"])
    assert (
        COUNCIL in [label for label in data["facets"]["council"]] or data["facets"]["council"]
    )  # facet keys are ids; labels are in the HTML


def test_csv_neutralises_formulas(hostile) -> None:  # type: ignore[no-untyped-def]
    text = hostile.get("/search.csv?q=cctv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    for row in rows:
        assert row["council"] == "'" + COUNCIL
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@"))


def test_atom_escapes_and_keeps_the_text(hostile) -> None:  # type: ignore[no-untyped-def]
    xml = hostile.get("/search.atom?q=cctv").get_data()
    assert b"<script" not in xml
    root = ET.fromstring(xml)
    assert root.find(f"{ATOM}entry") is not None
    assert all(el.tag.startswith(ATOM) for el in root.iter())  # no injected elements
    summaries = " ".join(e.findtext(f"{ATOM}summary") or "" for e in root.iter(f"{ATOM}entry"))
    assert COUNCIL in summaries and '<script>alert("body")</script>' in summaries


def test_hostile_query_is_reflected_safely(hostile) -> None:  # type: ignore[no-untyped-def]
    q = '"><script>alert(1)</script> javascript:alert(2) =HYPERLINK("x")'
    resp = hostile.get("/search", query_string={"q": q})
    assert resp.status_code in (200, 400)
    assert_inert(resp.get_data(as_text=True))


def test_source_document_is_sent_as_plain_text(hostile) -> None:  # type: ignore[no-untyped-def]
    meeting_id = hostile.get("/api/search?q=cctv").get_json()["results"][0]["meeting_id"]
    resp = hostile.get("/sources/" + meeting_id)
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    assert b"&lt;script&gt;" in resp.data  # the file as it is, not rendered
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    resp.close()
