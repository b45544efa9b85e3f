"""An agenda pack that carries the minutes of an earlier meeting records that meeting:
its own committee and date, not the pack's cover."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from indexer.agenda_pack import embedded_minutes_start, is_agenda_pack
from indexer.meeting import extract_meeting
from indexer.read_text import read as read_text

PACK = """Public Document Pack

Anytown District Council

PLANNING COMMITTEE

AGENDA

Date: Tuesday 12 March 2024

Time: 7.00 pm

Venue: Council Chamber, Town Hall

1. Apologies for absence

2. Minutes of the previous meeting (Pages 1 - 4)

To approve the minutes of the meeting held on 13 February 2024.

3. Planning applications (Pages 5 - 30)

Minutes of the Licensing Sub-Committee held on Tuesday 13 February 2024 at 7.00 pm

Present: Councillors A. Smith (Chair), B. Jones and C. Brown

1. Apologies

Apologies were received from Councillor D. White.

2. Declarations of interest

None.
"""


def test_pack_records_the_minutes_it_contains() -> None:
    meeting = extract_meeting(read_text(Path("pack.txt"), PACK.encode()))
    assert meeting.date == dt.date(2024, 2, 13)
    assert meeting.committee == "Licensing Sub-Committee"
    assert meeting.council == "Anytown"  # from the pack's cover
    assert meeting.attendance.chair is not None and "Smith" in meeting.attendance.chair
    assert any("agenda pack" in w for w in meeting.warnings)


def test_unnamed_minutes_in_a_pack_take_the_packs_committee() -> None:
    text = PACK.replace(
        "Minutes of the Licensing Sub-Committee held", "Minutes of the meeting held"
    )
    meeting = extract_meeting(read_text(Path("pack.txt"), text.encode()))
    assert (meeting.committee, meeting.date) == ("Planning Committee", dt.date(2024, 2, 13))


@pytest.mark.parametrize(
    "text",
    [
        # minutes that mention an agenda are not a pack
        "Minutes of the Planning Committee held on 12 March 2024\n\nPresent: Cllr Smith\n\n"
        "1. Agenda\n\nThe agenda was agreed.\n",
        # a pack with no minutes in it: nothing embedded
        "AGENDA\n\nPlanning Committee\n\nDate: 12 March 2024\n\n1. Apologies\n\n"
        "2. To approve the minutes of the meeting held on 13 February 2024\n",
        # the agenda's own reference to the minutes is not the minutes
        "Agenda\n\nCabinet\n\n1. Apologies\n\nMinutes of the meeting held on 13 February "
        "2024 (Pages 1 - 4)\n\nPresent: to be confirmed\n",
    ],
)
def test_no_embedded_minutes(text: str) -> None:
    doc = read_text(Path("x.txt"), text.encode())
    assert embedded_minutes_start(doc.blocks) is None


@pytest.mark.parametrize(
    "text",
    [
        "Minutes of the Planning Committee held on 12 March 2024\n\nAgenda item 1\n",
        "Anytown Parish Council\n\nPresent: Cllr Smith\n\nItems on the agenda were taken in turn",
        "Anytown Parish Council\n\nAgenda item 4: Planning\n",
    ],
)
def test_minutes_are_not_a_pack(text: str) -> None:
    assert not is_agenda_pack(read_text(Path("x.txt"), text.encode()).blocks)


@pytest.mark.parametrize(
    "cover",
    [
        "Public Document Pack",
        "AGENDA",
        "Planning Committee Agenda",
        "Notice of Meeting",
        "Members of the Council are hereby summoned... you are summoned to attend the meeting",
    ],
)
def test_covers_that_make_a_pack(cover: str) -> None:
    text = f"Anytown Council\n\n{cover}\n\nDate: 12 March 2024\n"
    assert is_agenda_pack(read_text(Path("x.txt"), text.encode()).blocks)


def test_committee_line_above_the_embedded_minutes_belongs_to_them() -> None:
    text = PACK.replace(
        "Minutes of the Licensing Sub-Committee held on",
        "Licensing Sub-Committee\n\nMinutes of the meeting held on",
    )
    doc = read_text(Path("pack.txt"), text.encode())
    start = embedded_minutes_start(doc.blocks)
    assert start is not None and doc.blocks[start].text == "Licensing Sub-Committee"
    meeting = extract_meeting(doc)
    assert (meeting.committee, meeting.date) == ("Licensing Sub-Committee", dt.date(2024, 2, 13))
