"""ModernGov web-service URLs and XML (indexer/harvest/moderngov.py): generated answers, and
the real Manchester answers in ../shared where present."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fake_moderngov import committees_xml, meeting_xml, meetings_xml

from indexer.harvest import moderngov as mg
from kb.model import IngestError


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("https://democracy.luton.gov.uk", "https://democracy.luton.gov.uk"),
        ("https://democracy.luton.gov.uk/", "https://democracy.luton.gov.uk"),
        ("https://democracy.luton.gov.uk/mgWebService.asmx", "https://democracy.luton.gov.uk"),
        (
            "https://democracy.luton.gov.uk/mgWebService.asmx/GetCommittees?lDays=0",
            "https://democracy.luton.gov.uk",
        ),
        (
            "https://www.example.gov.uk/moderngov/mgwebservice.asmx",
            "https://www.example.gov.uk/moderngov",
        ),
        (
            "https://example.gov.uk/moderngov/mgCalendarMonthView.aspx?GL=1",
            "https://example.gov.uk/moderngov",
        ),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ],
)
def test_base_url(given: str, base: str) -> None:
    assert mg.base_url(given) == base


@pytest.mark.parametrize(
    "bad", ["democracy.luton.gov.uk", "ftp://x.org", "https://", "javascript:x"]
)
def test_base_url_refuses(bad: str) -> None:
    with pytest.raises(ValueError, match="not an http"):
        mg.base_url(bad)


def test_service_urls() -> None:
    base = "https://d.example.gov.uk"
    assert mg.committees_url(base) == f"{base}/mgWebService.asmx/GetCommittees?lDays=0"
    assert mg.meetings_url(base, "144", dt.date(2026, 1, 2), dt.date(2026, 12, 31)) == (
        f"{base}/mgWebService.asmx/GetMeetings?lCommitteeId=144"
        "&sFromDate=02%2F01%2F2026&sToDate=31%2F12%2F2026"
    )
    assert mg.meeting_url(base, "4967") == f"{base}/mgWebService.asmx/GetMeeting?lMeetingId=4967"


def test_parse_generated_lists() -> None:
    committees = mg.parse_committees(committees_xml([("1", "A & B", False), ("2", "Old", True)]))
    assert committees == [mg.Committee("1", "A & B"), mg.Committee("2", "Old", deleted=True)]
    refs = mg.parse_meetings(meetings_xml("1", "A & B", [("7", "03/04/2026", "Confirmed")]))
    assert refs == [mg.MeetingRef("7", "1", "A & B", dt.date(2026, 4, 3), "Confirmed")]


@pytest.mark.parametrize(
    ("body", "call", "message"),
    [
        (b"<committees><committee>", mg.parse_committees, "malformed XML"),
        (b"<getmeetings/>", mg.parse_committees, "GetCommittees answered <getmeetings>"),
        (b"<html><body>Service unavailable</body></html>", mg.parse_meetings, "not <getmeetings>"),
        (b"", mg.parse_meetings, "malformed XML"),
    ],
)
def test_lists_refuse_what_they_are_not(body: bytes, call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IngestError, match=message):
        call(body)


def test_real_manchester_lists(corpus_dir: Path) -> None:
    samples = corpus_dir.parent / "moderngov-samples"
    committees = mg.parse_committees((samples / "committees.xml").read_bytes())
    assert [(c.id, c.title, c.expired) for c in committees] == [
        ("312", "Appointment Sub Committee for Director of Adult Social Services", True),
        ("163", "Art Galleries Committee", False),
        ("144", "Audit Committee", False),
    ]
    refs = mg.parse_meetings((samples / "meetings.xml").read_bytes())
    assert [(r.id, r.date, r.status) for r in refs] == [
        ("4966", dt.date(2026, 1, 13), "Cancelled"),
        ("4967", dt.date(2026, 2, 10), "Confirmed"),
    ]
    folder = corpus_dir / "moderngov-lgsf"
    assert mg.meeting_state((folder / "meeting_no_minutes.xml").read_bytes()).kind == "cancelled"
    # minutes in the XML; its linked "CHAIR APPROVED Minutes … 25 Nov 2025" is the last meeting's
    with_minutes = (folder / "meeting_with_minutes.xml").read_bytes()
    assert mg.meeting_state(with_minutes) == mg.MeetingState("minutes")
    assert mg.minutes_document(mg.parse_xml(with_minutes)) is None


PRINTED = ("Printed minutes 14th-Apr-2026 18.00 Crime and Disorder", "http://h/p.pdf")


@pytest.mark.parametrize(
    ("xml", "state"),
    [
        (meeting_xml("1", "14/04/2026", "C", [("1", "A", "Text.")]), mg.MeetingState("minutes")),
        (
            meeting_xml("1", "14/04/2026", "C", [("1", "A", "")], links=[PRINTED]),
            mg.MeetingState("document", PRINTED[1], PRINTED[0]),
        ),
        (  # a meeting-level document named "Minutes" with no date is this meeting's
            meeting_xml("1", "14/04/2026", "C", [], links=[("Minutes", "http://h/m.docx")]),
            mg.MeetingState("document", "http://h/m.docx", "Minutes"),
        ),
        (  # an item's document naming this meeting's date counts
            meeting_xml(
                "1",
                "14/04/2026",
                "C",
                [("9", "Minutes", "")],
                item_links={"9": [("Draft minutes 14/04/2026", "http://h/d.pdf")]},
            ),
            mg.MeetingState("document", "http://h/d.pdf", "Draft minutes 14/04/2026"),
        ),
        (  # the previous meeting's minutes, up for approval, do not
            meeting_xml(
                "1",
                "14/04/2026",
                "C",
                [("1", "Minutes", "")],
                item_links={"1": [("Minutes 10 March 2026", "http://h/old.pdf")]},
            ),
            mg.MeetingState("pending"),
        ),
        (  # an agenda is not minutes
            meeting_xml(
                "1", "14/04/2026", "C", [], links=[("Agenda frontsheet 14th-Apr-2026", "x")]
            ),
            mg.MeetingState("pending"),
        ),
        (meeting_xml("1", "14/04/2026", "C", [], status="Cancelled"), mg.MeetingState("cancelled")),
        (
            meeting_xml("1", "14/04/2026", "C", [("1", "A", "")], published=False),
            mg.MeetingState("pending"),
        ),
    ],
    ids=[
        "xml",
        "printed",
        "undated-own",
        "item-dated",
        "previous",
        "agenda",
        "cancelled",
        "pending",
    ],
)
def test_meeting_state(xml: bytes, state: mg.MeetingState) -> None:
    assert mg.meeting_state(xml) == state


@pytest.mark.parametrize(
    ("body", "ctype", "problem"),
    [
        (b"%PDF-1.7\n...", "application/pdf", None),
        (b"PK\x03\x04....", "application/octet-stream", None),
        (
            b"<!DOCTYPE html><html><head><title>Runtime Error</title></head></html>",
            "application/pdf",
            "got an HTML page titled 'Runtime Error'",
        ),
        (b"  <html><body>Sorry</body></html>", "application/pdf", "got an HTML page"),
        (b"GIF89a....", "image/gif", "got something else (image/gif)"),
        (b"", "", "got something else (no content type)"),
    ],
)
def test_check_document(body: bytes, ctype: str, problem: str | None) -> None:
    found = mg.check_document(body, ctype)
    assert (found is None) if problem is None else (problem in (found or ""))
