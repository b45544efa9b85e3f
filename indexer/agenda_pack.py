"""Agenda packs that carry the minutes of an earlier meeting.

A council's agenda pack (the agenda for a coming meeting, with its reports) usually
includes the minutes of the previous meeting, to be approved.  Such a file's only minutes
are those of the earlier meeting, so that is the meeting it records: its own heading
('Minutes of the meeting of the Planning Committee held on Tuesday 13 February 2024')
gives the committee and date, not the pack's cover.

:func:`embedded_minutes_start` finds where those minutes begin: a line among the file's
first blocks says it is an agenda or a pack ('Public Document Pack', 'AGENDA', 'Planning
Committee Agenda', 'Notice of meeting', 'You are hereby summoned to attend'), no title
line says 'Minutes of', and a later block starts '(Draft|Unconfirmed) Minutes of a/the …
held …' with a date, followed within a few blocks
by an attendance line ('Present', 'Members present', 'In attendance'); a short line
just above it that names a committee ('Cabinet') is part of the minutes.  Agenda lines that
only refer to those minutes ('2. Minutes of the meeting held on …', 'To approve the
minutes …', '… (Pages 1 - 4)') are not the minutes themselves.
"""

from __future__ import annotations

import re

from indexer.committee import committee_in_line
from indexer.dates import find_dates
from kb.model import Block

#: How many leading blocks are the pack's cover, read for the words that make it a pack.
_COVER_BLOCKS = 12
#: How many blocks after a minutes heading may come before its attendance line.
_ATTENDANCE_WITHIN = 8

#: A cover line that says what the file is: 'Public Document Pack', 'AGENDA', 'Planning
#: Committee Agenda', 'Notice of Meeting' ('Agenda item 4' or 'items on the agenda' are not).
_PACK_LINE_RX = re.compile(
    r"^\W*(?:public\s+document\s+pack|(?:[\w&,'’ -]{0,60}\s)?(?:supplementary\s+)?agenda"
    r"(?:\s+(?:pack|and\s+reports?|papers))?|notice\s+of\s+(?:the\s+)?meeting|summons|"
    r"reports?\s+pack)\W*$",
    re.I,
)
_SUMMONS_RX = re.compile(
    r"\byou\s+are\s+(?:hereby\s+)?(?:summoned|requested|invited)\s+to\s+attend\b", re.I
)
_OWN_MINUTES_RX = re.compile(r"^\W*(?:(?:draft|unconfirmed)\s+)?minutes\s+of\b", re.I)
_MINUTES_HEADING_RX = re.compile(
    r"^\W*(?:(?:draft|unconfirmed|confirmed)\s+)?minutes\s+of\s+(?:a|an|the)\b.{0,200}?\bheld\b",
    re.I | re.S,
)
_REFERENCE_RX = re.compile(r"\bpages?\s+\d|\bto\s+(?:approve|confirm|receive|agree|sign)\b", re.I)
_ATTENDANCE_RX = re.compile(
    r"^\W*(?:present|members\s+present|councillors\s+present|in\s+attendance|attendance|"
    r"attendees|members\s+in\s+attendance)\b",
    re.I,
)


def is_agenda_pack(blocks: list[Block]) -> bool:
    """True when the file's cover says it is an agenda or document pack, not minutes."""
    cover = blocks[:_COVER_BLOCKS]
    if any(_OWN_MINUTES_RX.match(b.text) for b in cover[:4]):
        return False
    return any(_PACK_LINE_RX.match(b.text) or _SUMMONS_RX.search(b.text) for b in cover)


def embedded_minutes_start(blocks: list[Block]) -> int | None:
    """Index of the block where an agenda pack's embedded minutes begin, or None (rules in
    the module docstring)."""
    if not is_agenda_pack(blocks):
        return None
    for i, block in enumerate(blocks):
        if i < 2:
            continue
        text = block.text + (" " + blocks[i + 1].text if i + 1 < len(blocks) else "")
        if not _MINUTES_HEADING_RX.match(text) or _REFERENCE_RX.search(block.text):
            continue
        if not any(d.year for d in find_dates(text)):
            continue
        after = blocks[i + 1 : i + 1 + _ATTENDANCE_WITHIN]
        if any(_ATTENDANCE_RX.match(b.text) for b in after):
            return _title_above(blocks, i)
    return None


def _title_above(blocks: list[Block], start: int) -> int:
    """``start``, or the index of a short line just above it that names the committee
    ('Cabinet' over 'Minutes of the meeting held on …'), which belongs to the minutes."""
    previous = blocks[start - 1] if start > 0 else None
    if previous is not None and len(previous.text) <= 80 and committee_in_line(previous.text):
        return start - 1
    return start
