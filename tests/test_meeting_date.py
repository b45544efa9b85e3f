"""The meeting's date: the body's dated heading beats the page title, the file name and
the metadata, with a warning when they disagree; North American and word forms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from indexer.dates import find_dates
from indexer.meeting import extract_meeting
from indexer.read_html import read as read_html
from indexer.read_text import read as read_text
from kb.model import Block, Document

ITEMS = "\n\n1. Apologies\n\nNone.\n\n2. Planning\n\nNo applications.\n"


def test_markdown_title_with_a_typod_year_loses_to_the_body_heading() -> None:
    text = (
        "---\ntitle: Minutes of the meeting on 5th March 2018\n---\n\n"
        "Minutes of the meeting held on Tuesday 5th March 2019 at 7.30pm" + ITEMS
    )
    meeting = extract_meeting(read_text(Path("post.md"), text.encode()))
    assert meeting.date == dt.date(2019, 3, 5)
    assert meeting.date_source == "text" and "2019" in meeting.date_evidence
    assert any("title's date (2018-03-05)" in w for w in meeting.warnings)


def test_html_title_with_a_typod_year_loses_to_the_body_heading() -> None:
    page = (
        "<html><head><title>Parish Council minutes 12 June 2021</title></head><body>"
        "<h1>Minutes of the Parish Council meeting held on 12th June 2022</h1>"
        "<ol><li><h3>Apologies</h3><p>None.</p></li></ol></body></html>"
    )
    meeting = extract_meeting(read_html(Path("june.html"), page.encode()))
    assert meeting.date == dt.date(2022, 6, 12)
    assert any("2021-06-12" in w and "2022-06-12" in w for w in meeting.warnings)


def test_title_date_stands_when_the_body_has_only_other_dates() -> None:
    # stokeferry-village-pump: the post title holds the only dated heading; a date in the
    # body ('visited on the 28 July 2014') is not a dated heading.
    text = (
        "---\ntitle: Northwold Parish Council Minutes TUESDAY 2nd September 2014\n---\n\n"
        "Present: the Clerk.\n\nThe rangers visited Northwold on the 28 July 2014 as planned."
        + ITEMS
    )
    meeting = extract_meeting(read_text(Path("post.md"), text.encode()))
    assert meeting.date == dt.date(2014, 9, 2)
    assert meeting.date_evidence.startswith("title: ")
    assert not any("disagrees" in w for w in meeting.warnings)


def test_title_agreeing_with_the_body_gives_no_warning() -> None:
    text = "---\ntitle: Minutes 5 March 2019\n---\n\nMinutes of the meeting held on 5 March 2019"
    meeting = extract_meeting(read_text(Path("post.md"), (text + ITEMS).encode()))
    assert meeting.date == dt.date(2019, 3, 5)
    assert not any("disagrees" in w for w in meeting.warnings)


def test_front_matter_date_before_the_meeting_is_warned() -> None:
    text = "---\ndate: 2018-03-20\n---\n\nMinutes of the meeting held on 5 March 2019" + ITEMS
    meeting = extract_meeting(read_text(Path("post.md"), text.encode()))
    assert meeting.date == dt.date(2019, 3, 5)
    assert any("front matter's date (2018-03-20)" in w for w in meeting.warnings)


def test_file_name_date_disagreeing_with_the_text_is_warned() -> None:
    text = "Minutes of the meeting held on Monday 25th September 2023 at 7pm" + ITEMS
    meeting = extract_meeting(read_text(Path("20230911.txt"), text.encode()))
    assert meeting.date == dt.date(2023, 9, 25) and meeting.date_source == "text"
    assert any("file name's date (2023-09-11)" in w for w in meeting.warnings)


def test_metadata_title_date_is_the_last_resort() -> None:
    doc = Document(
        path=Path("scan.pdf"),
        format="pdf",
        blocks=[Block("Present: Cllrs Smith and Jones"), Block("1. Apologies"), Block("None.")],
        metadata={"title": "Mins TCC mtg 27th November 2017.pages"},
    )
    meeting = extract_meeting(doc)
    assert meeting.date == dt.date(2017, 11, 27)
    assert meeting.date_source == "metadata"
    assert "27th November 2017" in meeting.date_evidence


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Regular Council Meeting, January 8, 2024, 7:00 p.m.", dt.date(2024, 1, 8)),
        ("Committee of the Whole - Monday, January 8th, 2024", dt.date(2024, 1, 8)),
        ("Meeting date: 2024-01-08", dt.date(2024, 1, 8)),
        ("Regular Meeting of Council held 1/28/2024", dt.date(2024, 1, 28)),  # only US fits
        ("Minutes of the meeting held on 08/01/2024", dt.date(2024, 1, 8)),  # else day first
        ("held on the Eighth day of January 2024", dt.date(2024, 1, 8)),
        ("held on Thursday the twenty-first of March, 2024", dt.date(2024, 3, 21)),
        ("Cyfarfod a gynhaliwyd ar 14 Ionawr 2015", dt.date(2015, 1, 14)),
        ("Minutes of the meeting held on Tuesday 5th March 2019 at 7.30pm", dt.date(2019, 3, 5)),
    ],
)
def test_date_forms_in_a_dated_heading(line: str, expected: dt.date) -> None:
    meeting = extract_meeting(read_text(Path("minutes.txt"), (line + ITEMS).encode()))
    assert meeting.date == expected


@pytest.mark.parametrize(
    "text", ["the first reading", "a second meeting in March", "third", "13/13/2024", "1/28/24"]
)
def test_not_dates_ordinal_words_without_a_month_or_impossible_numbers(text: str) -> None:
    assert find_dates(text) == []
