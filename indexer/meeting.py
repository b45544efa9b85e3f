"""Meeting metadata from a read Document: ``extract_meeting(doc, *, council=None) -> Meeting``.

What is found, and where (the *preamble* is the blocks before the first agenda item):

* **agenda packs** — a file whose cover says it is an agenda or document pack and that
  carries the minutes of an earlier meeting records that meeting: everything below is read
  from where those minutes begin (:mod:`indexer.agenda_pack`), the council and a missing
  committee from the pack's cover.
* **date** — :func:`indexer.meeting_date.find_meeting_date`: the XML's date, else the
  body's dated heading (over a page title, file name or metadata date that disagrees,
  with a warning), else the title's, the file name's, the metadata's; ``date_source`` and
  ``date_evidence`` say where it came from.
* **council** — hints, else :func:`indexer.council.find_council` on the preamble (typed
  names, letterheads, townships and municipalities), else the file's metadata (site name,
  author, title, front matter) and name, else the ``council`` argument, else a typed
  council name printed anywhere whose place is in the title lines, else the place a Joint
  Policing
  Committee's title names, else :data:`UNKNOWN_COUNCIL` ("Council not stated") with a
  warning.  Principal councils are shortened to the place ('LUTON BOROUGH COUNCIL' →
  'Luton'); parish, community and town councils keep their full name.
* **committee** — hints, else :func:`indexer.committee.find_committee` (title lines, then
  metadata and the file name, else :data:`FULL_COUNCIL`), always in its one normal form
  (:func:`indexer.committee.normalise_committee`), with ``parent_body`` when printed
  ('OSB – Crime and Disorder Committee').
* **start_time** — first time in the date line, else in the preamble; **end_time** — a
  time in a 'meeting ended/closed …' line near the end; **venue** — 'held in/at X', 'AT
  THE COUNCIL CHAMBER', 'via Zoom' in the preamble, title-cased when printed in capitals.
* **attendance** — :func:`indexer.attendance.extract_attendance`.
"""

from __future__ import annotations

import re

from indexer.agenda_pack import embedded_minutes_start
from indexer.attendance import extract_attendance
from indexer.committee import find_committee, normalise_committee
from indexer.council import (
    TITLE_BLOCKS,
    council_from_metadata,
    file_name_words,
    find_council,
    find_council_in_body,
    find_council_in_committee_title,
)
from indexer.dates import find_dates, find_times
from indexer.meeting_date import filename_date, find_meeting_date
from indexer.names import title_case
from kb.config import FULL_COUNCIL, UNKNOWN_COUNCIL
from kb.model import Block, Document, Meeting, meeting_id

__all__ = [
    "FULL_COUNCIL",
    "UNKNOWN_COUNCIL",
    "extract_meeting",
    "filename_date",
    "find_council_in_committee_title",
    "split_preamble",
]

_PREAMBLE_MAX = 40
#: Blocks after the preamble searched for a 'meeting held on …' line.
_BODY_LOOKAHEAD = 6
_ITEM_START = re.compile(
    r"^\s*(?:item\s+)?\d{1,4}\s*[.)]?\s*[.)]\s*\\?\s*[A-Za-z(]|^\d{3,4}\s*[A-Z]"
)

# --------------------------------------------------------------------------- preamble


def is_item_start(block: Block) -> bool:
    """True when a block looks like the start of a numbered agenda item."""
    if block.item_hint:
        return True
    if block.kind == "table-row" and block.cells:
        first = next((c for c in block.cells if c), "")
        return bool(re.fullmatch(r"\d{1,4}\.?\d*\.?", first))
    return bool(_ITEM_START.match(block.text))


def split_preamble(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """``(preamble, rest)``: blocks before the first agenda item (at most 40), and the rest."""
    for i, block in enumerate(blocks[:_PREAMBLE_MAX]):
        if is_item_start(block):
            return blocks[:i], blocks[i:]
    cut = min(len(blocks), 25)
    return blocks[:cut], blocks[cut:]


# --------------------------------------------------------------------------- times and venue

_VENUE_WORDS = re.compile(
    r"hall|chamber|room|cent(?:re|er)|church|house|hotel|office|school|pavilion|library|"
    r"institute|club|building|quay|áras|aras|zoom|teams|online|skype|chapel|neuadd|ystafell",
    re.I,
)
_VENUE_RX = re.compile(
    r"\b(?:held\s+)?(?:in|at|yn)\s+(?:the\s+|yr?\s+)?(?P<v>[A-ZÁÉÍÓÚ][^.;()]*?)"
    r"(?=\s+(?:on|at|held|commencing|starting|am|ar|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b"
    r"|\s*[.;(]|\s*$|,\s*(?:on|at)\b|\s+\d)",
    re.I,
)
_REMOTE_RX = re.compile(
    r"\b(?:via|by|trwy)\s+(?P<v>zoom|microsoft teams|teams|skype|telephone conferencing|"
    r"video conference|e-?mail)",
    re.I,
)
_ENDED = re.compile(
    r"(?:meeting|which)\s+(?:was\s+)?(?:ended|closed|finished|concluded|terminated|"
    r"adjourned)|closed\s+(?:the\s+meeting\s+)?at|ended\s+at|close\s+of\s+(?:the\s+)?meeting|"
    r"daeth y cyfarfod i ben",
    re.I,
)


#: Every match of _ENDED holds one of these, in any case.
_ENDED_WORDS = ("ended", "close", "finished", "concluded", "terminated", "adjourned", "daeth")


def _may_end(text: str) -> bool:
    """Whether _ENDED may match ``text``: for ASCII text, only when the lowered text holds
    one of :data:`_ENDED_WORDS` (a substring test, far faster than the case-blind regex);
    other text always (IGNORECASE also folds a few non-ASCII letters onto ASCII ones)."""
    if not text.isascii():
        return True
    lowered = text.lower()
    return any(word in lowered for word in _ENDED_WORDS)


def find_venue(lines: list[str]) -> str | None:
    """Where the meeting was held, from the date line and other preamble lines."""
    found: list[str] = []
    for text in lines:
        for m in _VENUE_RX.finditer(text):
            venue = re.sub(r",(?=\S)", ", ", m.group("v").strip(" ,"))
            if _VENUE_WORDS.search(venue) and not find_dates(venue) and len(venue) < 90:
                found.append(venue)
    if found:
        first = found[0]
        if " " not in first:  # cut by a line break ('HELD IN ARAS' / 'MAINCHIN SEOIGHE')
            first = max((v for v in found if v.startswith(first + " ")), key=len, default=first)
        return title_case(first)
    for text in lines:
        m = _REMOTE_RX.search(text)
        if m:
            remote = m.group("v")
            return title_case(remote) if not remote.islower() else remote.capitalize()
    return None


def find_end_time(blocks: list[Block], *, after: str | None = None) -> str | None:
    """The time a 'meeting ended/closed …' line near the end gives, as HH:MM.

    A morning-looking time earlier than the start time ``after`` ('closed at 9.09' after a
    19:00 start) is read as evening.
    """
    for block in reversed(blocks[-15:]):
        m = _ENDED.search(block.text) if _may_end(block.text) else None
        if m:
            times = find_times(block.text[m.start() :])
            if times:
                value = times[0].value
                hour = int(value[:2])
                if after and value < after and hour < 12 and not times[0].explicit:
                    value = f"{hour + 12:02d}{value[2:]}"
                return value
    return None


# --------------------------------------------------------------------------- entry point


def extract_meeting(doc: Document, *, council: str | None = None) -> Meeting:
    """The Meeting a Document records (items left empty; id set with ``meeting_id``).

    Never raises for missing facts: what cannot be found is None/"unknown"/
    :data:`UNKNOWN_COUNCIL`/:data:`FULL_COUNCIL`, and a warning says which facts were
    missing or where the file's sources disagreed.
    """
    blocks = doc.blocks
    warnings: list[str] = []
    start_at = embedded_minutes_start(blocks) if not doc.hints else None
    if start_at is not None:  # an agenda pack: the meeting is the one whose minutes it holds
        blocks = blocks[start_at:]
    preamble, rest = split_preamble(blocks)
    found = find_meeting_date(doc, preamble, rest)
    date, source, evidence = found.date, found.source, found.evidence
    warnings.extend(found.warnings)
    hints = doc.hints
    metadata = {**doc.metadata, "file_name": file_name_words(doc.path.stem)}
    cover, _ = split_preamble(doc.blocks) if start_at is not None else (preamble, rest)
    title_text = " ".join(b.text for b in preamble[:TITLE_BLOCKS] if not b.cells)
    name = (
        hints.get("council")
        or find_council(preamble)
        or (find_council(cover) if start_at is not None else None)
        or council_from_metadata(metadata)
        or council
        or find_council_in_body(doc.blocks, title_text)
        or find_council_in_committee_title(title_text)
        or UNKNOWN_COUNCIL
    )
    evidence_line = evidence.strip("…") if source == "text" else ""
    committee, parent = find_committee(preamble, name, evidence_line, metadata)
    if start_at is not None and committee == FULL_COUNCIL:
        committee, parent = find_committee(cover, name, "", metadata)
    committee = normalise_committee(hints["committee"]) if hints.get("committee") else committee
    if name == UNKNOWN_COUNCIL and re.search(r"joint\s+policing\s+committee", committee, re.I):
        # The minutes of a JPC often name it in full only in the body ('the next Meeting of
        # Limerick Joint Policing Committee'); that names this meeting's own council.
        places = (find_council_in_committee_title(b.text) for b in doc.blocks)
        name = next((place for place in places if place), name)
    start = hints.get("start_time")
    if not start:
        times = find_times(evidence_line) or [
            t for b in preamble for t in find_times(b.text) if t.explicit
        ]
        start = times[0].value if times else None
    titles = [b.text for b in preamble if b.kind != "table-row"][:TITLE_BLOCKS]
    joined = [f"{a} {b}" for a, b in zip(titles, titles[1:] + [""], strict=False)]
    venue = hints.get("venue") or find_venue([evidence_line] + joined)
    meeting = Meeting(
        id=meeting_id(name, committee, date),
        council=name,
        committee=committee,
        date=date,
        date_source=source,  # type: ignore[arg-type]
        date_evidence=evidence,
        parent_body=hints.get("parent_body") or parent,
        start_time=start,
        end_time=hints.get("end_time") or find_end_time(blocks, after=start),
        venue=venue,
        source=str(doc.path),
        format=doc.format,
        pages=doc.pages,
        attendance=extract_attendance(preamble, rest),
        warnings=warnings,
    )
    if start_at is not None:
        meeting.warnings.append(
            "an agenda pack: the meeting recorded is the earlier one whose minutes it "
            f"contains ({evidence[:120]})"
        )
    if date is None:
        meeting.warnings.append("no meeting date found in the text or the file name")
    if name == UNKNOWN_COUNCIL:
        meeting.warnings.append(
            "council not stated in the document: pass --council or add a council.toml"
        )
    return meeting
