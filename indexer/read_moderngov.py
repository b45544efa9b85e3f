"""Read a ModernGov web-service ``GetMeeting`` XML response into a Document.

The XML states the meeting outright, so the Document carries ``hints`` (Meeting field
names): ``committee`` (from ``refertocommittee``/``committeetitle``), ``date``
(``meetingdate``, dd/mm/yyyy) with ``date_evidence``, ``start_time``/``end_time``
('HH:MM', actual times first, then the planned start), ``venue`` (``meetinglocation``
and ``meetingroom``) and ``council`` when a ``councilname`` element states it.

Each agenda item with minutes becomes a heading Block with
``item_hint = (number, title)`` — the number is ``minutesitemnumber`` (+ sub-number), else
the displayed agenda number — followed by the Blocks of its ``minutesnonemptyhtmlbody``
HTML.  A cancelled meeting, or one whose minutes are not published, gives a Document with
no blocks and a warning, not an error.

Parsing is safe: no DTD loading, no entity expansion, no network (lxml with
``resolve_entities=False``, ``no_network=True``, ``load_dtd=False``); a DOCTYPE with entity
declarations is refused.  Other ModernGov responses (meeting or committee lists) raise
NotMinutesError via :func:`indexer.not_minutes.check_xml`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from lxml import etree

from indexer.not_minutes import check_xml
from indexer.read_html import html_blocks
from kb.model import Block, Document, IngestError

_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def read(path: Path, data: bytes) -> Document:
    """Read GetMeeting XML bytes into a Document with hints and item-hinted blocks.

    Raises IngestError for malformed XML or entity declarations, NotMinutesError for
    ModernGov responses that are not a single meeting.
    """
    root = parse_xml(data)
    check_xml(root)
    hints = meeting_hints(root)
    warnings: list[str] = []
    blocks: list[Block] = []
    status = _text(root, "meetingstatus")
    if status.lower() == "cancelled":
        warnings.append("the meeting was cancelled: there are no minutes")
        return Document(path=path, format="moderngov", blocks=[], hints=hints, warnings=warnings)
    for item in root.iterfind("agendaitems/agendaitem"):
        blocks.extend(_item_blocks(item, warnings))
    if not blocks:
        published = _text(root, "minutepublished").lower() == "true"
        warnings.append(
            "no agenda item has minutes text"
            if published
            else "the minutes of this meeting are not published yet"
        )
    return Document(path=path, format="moderngov", blocks=blocks, hints=hints, warnings=warnings)


def parse_xml(data: bytes) -> etree._Element:
    """Parse XML bytes safely (no DTD, entities or network); IngestError if malformed."""
    head = data[:4096].lower()
    if b"<!doctype" in head and b"<!entity" in data.lower():
        raise IngestError("XML declares entities (refused: a possible entity-expansion attack)")
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise IngestError(f"malformed XML: {exc}") from exc
    if root is None:
        raise IngestError("XML has no root element")
    return root


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _parse_date(value: str) -> dt.date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_time(value: str) -> str | None:
    """'10.00 am' / '2:30 pm' / '14:00' → 'HH:MM' (24-hour); None when not a time."""
    match = re.fullmatch(r"(\d{1,2})(?:[.:](\d{2}))?\s*([ap])?\.?\s*m?\.?", value.strip().lower())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if match.group(3) == "p" and hour < 12:
        hour += 12
    if match.group(3) == "a" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def meeting_hints(root: etree._Element) -> dict[str, Any]:
    """The meeting facts a GetMeeting response states (keys are Meeting field names)."""
    hints: dict[str, Any] = {}
    committee = (
        _text(root, "committeetitle")
        or next((c for c in root.xpath(".//refertocommittee/text()") if c.strip()), "")
        or next((c for c in root.xpath(".//linkeddoc/committeetitle/text()") if c.strip()), "")
    )
    if committee.strip():
        hints["committee"] = " ".join(committee.split())
    date = _parse_date(_text(root, "meetingdate"))
    if date:
        hints["date"] = date
        hints["date_evidence"] = f"<meetingdate>{_text(root, 'meetingdate')}</meetingdate>"
    start = parse_time(_text(root, "meetingactualstarttime")) or parse_time(
        _text(root, "meetingtime")
    )
    if start:
        hints["start_time"] = start
    end = parse_time(_text(root, "meetingactualfinishtime"))
    if end:
        hints["end_time"] = end
    venue = ", ".join(v for v in (_text(root, "meetingroom"), _text(root, "meetinglocation")) if v)
    if venue:
        hints["venue"] = venue
    council = _text(root, "councilname")
    if council:
        hints["council"] = council
    return hints


def _item_number(item: etree._Element) -> str:
    """The printed number of an agenda item: minutes number first, else the agenda's."""
    number = _text(item, "minutesitemnumber")
    if number:
        sub = _text(item, "minutesitemsubnumber")
        return f"{number}.{sub}" if sub else number
    shown = _text(item, "fulldisplaynumberformat").rstrip(".")
    return shown or _text(item, "agendaitemnumber")


def _item_blocks(item: etree._Element, warnings: list[str]) -> list[Block]:
    """The heading Block (with item_hint) and minutes Blocks of one agenda item."""
    minutes = _text(item, "minutesnonemptyhtmlbody")
    if not minutes:
        return []
    title = _text(item, "agendaitemtitle") or "Untitled item"
    number = _item_number(item)
    heading = Block(
        text=f"{number}. {title}" if number else title,
        kind="heading",
        bold=True,
        item_hint=(number, title) if number else None,
    )
    if not number:
        warnings.append(f"agenda item {title!r} has no number")
    body_html = item.findtext("minutesnonemptyhtmlbody") or ""
    body, _title = html_blocks(body_html)
    return [heading, *body]
