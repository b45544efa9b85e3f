"""Property-based fuzzing: readers and the segmenter on arbitrary text, index round trips,
and every indexed word findable.  Example counts are modest; bench/fuzz/ has the atheris
harness for long runs."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from indexer import read_html, read_text
from indexer.meeting import extract_meeting
from indexer.segment import segment
from indexer.write import IndexWriterSession
from kb import analysis
from kb.model import IngestError, Item, Meeting, Resolution, item_id, meeting_id
from kb.search import SearchRequest, SearchService

FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

#: Lines that look like minutes furniture, mixed into arbitrary text.
FURNITURE = st.sampled_from(
    [
        "1. APOLOGIES",
        "2.1 Minutes",
        "RESOLVED: That it be noted.",
        "Present: Councillors Smith (Chair) and Jones.",
        "Minutes of the Licensing Committee held on 3 April 2019",
        "<b>07.</b>\t<b>CCTV</b>",
        "| a | b |\n|---|---|",
        "---",
        "\f",
        "# Heading",
        "  * list item",
        "Item 12 – Planning",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=80), FURNITURE), max_size=30).map("\n".join)


def read_or_refuse(reader, name: str, data: bytes):  # type: ignore[no-untyped-def]
    """A reader's Document, or None when it refused with a clear IngestError."""
    try:
        return reader.read(Path(name), data)
    except IngestError as exc:
        assert str(exc).strip(), "an IngestError must say why"
        return None


@FUZZ
@given(text=TEXT, encoding=st.sampled_from(["utf-8", "cp1252", "utf-16", "latin-1"]))
def test_text_and_markdown_readers_never_crash(text: str, encoding: str) -> None:
    data = text.encode(encoding, "replace")
    for name in ("minutes.txt", "minutes.md"):
        doc = read_or_refuse(read_text, name, data)
        if doc is not None:
            assert all(isinstance(b.text, str) for b in doc.blocks)


HTML_BITS = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<table><tr><td>",
        "</td></tr></table>",
        "<b>",
        "</b>",
        "<br>",
        "<!--",
        "-->",
        "<script>",
        "</script>",
        "&amp;",
        "&#0;",
        "&#x110000;",
        "<h1>",
        "</h1>",
        "<li>",
        "<ul>",
        "<",
        ">",
        "<title>",
        "</title>",
    ]  # fmt: skip
)


@FUZZ
@given(parts=st.lists(st.one_of(st.text(max_size=40), HTML_BITS, FURNITURE), max_size=60))
def test_html_reader_never_crashes(parts: list[str]) -> None:
    doc = read_or_refuse(read_html, "minutes.html", "".join(parts).encode("utf-8", "replace"))
    if doc is not None:
        assert doc.format == "html"
        assert all(isinstance(b.text, str) for b in doc.blocks)


@FUZZ
@given(text=TEXT)
def test_segmenter_never_crashes_and_ids_are_unique(text: str) -> None:
    doc = read_or_refuse(read_text, "minutes.txt", text.encode("utf-8", "replace"))
    assume(doc is not None)
    meeting = extract_meeting(doc, council="Fuzz Council")
    items = segment(doc, meeting)
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids))
    assert [i.order for i in items] == sorted(i.order for i in items)
    assert all(i.meeting_id == meeting.id for i in items)


# --------------------------------------------------------------------------- index round trip

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=12)
FIELD_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=200)


@st.composite
def meetings(draw: st.DrawFn, body: st.SearchStrategy[str] = FIELD_TEXT) -> Meeting:
    council = draw(st.text(min_size=1, max_size=30).filter(lambda s: s.strip()))
    committee = draw(st.text(min_size=1, max_size=30).filter(lambda s: s.strip()))
    day = draw(st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))))
    m = Meeting(meeting_id(council, committee, day), council, committee, day)
    taken: set[str] = set()
    for order in range(draw(st.integers(1, 4))):
        number = draw(st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,2})?", fullmatch=True))
        start = draw(st.one_of(st.none(), st.integers(1, 500)))
        m.items.append(
            Item(
                id=item_id(m.id, number, taken),
                meeting_id=m.id,
                number=number,
                title=draw(FIELD_TEXT),
                body=draw(body),
                order=order,
                ref=draw(st.one_of(st.none(), st.text(max_size=10))),
                resolutions=[Resolution(t) for t in draw(st.lists(FIELD_TEXT, max_size=2))],
                page_start=start,
                page_end=start,
                ocr=draw(st.booleans()),
                council=council,
                committee=committee,
                date=day,
                source="/fuzz/source.txt",
            )
        )
    return m


@settings(max_examples=25, deadline=None, derandomize=True)
@given(meeting=meetings())
def test_every_stored_item_round_trips(meeting: Meeting) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        with IndexWriterSession(tmp) as session:
            session.put("/fuzz/source.txt", "h", meeting)
        service = SearchService(tmp, expander=None)
        try:
            for item in meeting.items:
                got = service.get_item(item.id)
                assert got is not None, item.id
                for name in ("title", "body", "number", "ref", "order", "ocr", "source"):
                    assert got[name] == getattr(item, name), name
                assert got["page_start"] == item.page_start
                assert [r["text"] for r in got["resolutions"]] == [r.text for r in item.resolutions]
                assert got["meeting"]["council"] == meeting.council
                assert got["meeting"]["date"] == (
                    meeting.date.isoformat() if meeting.date else None
                )
        finally:
            service.close()


def indexable(word: str) -> bool:
    """A word the analyzer keeps and the query parser reads as a plain word."""
    return bool(analysis.terms(word)) and word.upper() not in {"AND", "OR", "NOT", "TO"}


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    meeting=meetings(body=st.lists(WORD, min_size=1, max_size=30).map(" ".join)),
    pick=st.randoms(use_true_random=False),
)
def test_every_word_of_an_item_finds_it(meeting: Meeting, pick) -> None:  # type: ignore[no-untyped-def]
    item = pick.choice(meeting.items)
    words = [w for w in analysis.WORD_RE.findall(f"{item.title} {item.body}") if indexable(w)]
    assume(words)
    word = pick.choice(words)
    with tempfile.TemporaryDirectory() as tmp:
        with IndexWriterSession(tmp) as session:
            session.put("/fuzz/source.txt", "h", meeting)
        service = SearchService(tmp, expander=None)
        try:
            res = service.search(SearchRequest(q=word, page_size=100))
        finally:
            service.close()
    # an item with the same words as another of its meeting is shown once, as that one
    found = [h.id for h in res.results] + [g for h in res.results for g in h.grouped]
    assert item.id in found, (word, item.title, item.body[:80])


@pytest.mark.parametrize("word", ["the", "and", "zz"])
def test_indexable_excludes_stopwords_and_operators(word: str) -> None:
    """The guard above is not vacuous: it drops words the search cannot be asked for."""
    assert not indexable(word) or word == "zz"
