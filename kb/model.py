"""The domain model: plain dataclasses shared by every stage.

Data flows one way (see README, "Architecture"):

    file --read_*--> Document(blocks) --meeting--> Meeting --segment--> Items
                                                   --people/topics--> tagged Items --write--> index

Nothing here imports a search engine, Flask or any reader library.  Ids are readable and stable
across re-ingest: a meeting id is ``council/committee/date`` (slugs), an item id is the
meeting id plus the item number as a slug (``luton/crime-and-disorder-committee/2018-03-27/07``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "list", "table-row"]
DateSource = Literal["text", "filename", "xml", "folder", "metadata", "unknown"]


def slugify(text: str, *, keep_dots: bool = False) -> str:
    """Return a lowercase ASCII slug: words joined by '-', nothing else.

    ``keep_dots`` keeps '.' between digits so item numbers like ``15.11.1`` stay readable.
    An empty or symbol-only text gives ``"unknown"`` so an id is never blank.
    """
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.lower().replace("&", " and ")
    allowed = r"a-z0-9." if keep_dots else r"a-z0-9"
    text = re.sub(rf"[^{allowed}]+", "-", text).strip("-.")
    text = re.sub(r"\.(?!\d)|(?<!\d)\.", "-", text) if keep_dots else text
    text = re.sub(r"-{2,}", "-", text).strip("-")
    return text or "unknown"


# --------------------------------------------------------------------------- reading


@dataclass
class Block:
    """One unit of text as a reader found it, before any notion of agenda items.

    ``text`` is plain text (tags stripped, entities decoded, whitespace folded; table cells
    joined by a tab).  ``page`` is 1-based where the format has pages (PDF, text with form
    feeds, Markdown with ``---`` page rules), else None.  ``bold`` is True when the whole
    block was bold/strong or a Markdown ``**…**`` run.  ``item_hint`` is set only by formats
    that state agenda items outright (ModernGov XML, Word automatic numbering): the visible
    (number, title) of the item this block starts.
    """

    text: str
    kind: BlockKind = "paragraph"
    page: int | None = None
    bold: bool = False
    level: int = 0
    cells: list[str] | None = None
    item_hint: tuple[str, str] | None = None


@dataclass
class Document:
    """What a reader returns for one file: blocks in reading order plus stated facts.

    ``hints`` holds meeting facts that the format states outright (ModernGov XML gives
    ``committee``, ``date``, ``council``, ``start_time``, ``venue``); keys are Meeting
    field names.  ``metadata`` holds what the file says about itself outside its body text,
    as short strings: ``title``, ``subject``, ``author``, ``site_name``, ``h1``, ``date``,
    ``committee``, ``council`` (PDF Info, DOCX core properties, HTML ``<title>``/``<meta>``,
    Markdown front matter); readers fill the keys they know and leave the rest out.
    ``warnings`` are human-readable, one per problem, and never stop an ingest.
    """

    path: Path
    format: str
    blocks: list[Block]
    hints: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    pages: int | None = None
    ocr: bool = False
    metadata: dict[str, str] = field(default_factory=dict)


class IngestError(Exception):
    """A file cannot be turned into a meeting; the message says why, for the user."""


class NotMinutesError(IngestError):
    """The file is readable but is not a minutes document (a meeting list, a calendar…)."""


# --------------------------------------------------------------------------- meetings


@dataclass
class MembersTable:
    """A table of members as printed (e.g. 'MEMBERS OF COMMUNITY SAFETY PARTNERSHIP')."""

    title: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Attendance:
    chair: str | None = None
    vice_chairs: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    apologies: list[str] = field(default_factory=list)
    officers: list[str] = field(default_factory=list)  # officers and others in attendance
    members_tables: list[MembersTable] = field(default_factory=list)


@dataclass
class Resolution:
    """One decision recorded in an item.

    ``kind`` is 'resolved', 'agreed', 'recommended' or 'noted'; ``label`` is the printed
    sub-number such as '(i)' or 'a)'; ``proposer``/``seconder`` are names as printed.
    """

    text: str
    kind: str = "resolved"
    label: str | None = None
    proposer: str | None = None
    seconder: str | None = None


@dataclass
class Evidence:
    term: str
    count: int
    where: Literal["title", "body"]


@dataclass
class Tag:
    """A topic on an item with the reason it is there."""

    topic: str
    label: str
    strength: Literal["primary", "mentioned"]
    score: float
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class PersonRef:
    """A person as named in one item: resolved id, canonical name, the form printed."""

    person_id: str
    name: str
    form: str
    role: str | None = None


@dataclass
class Item:
    """One agenda item: the unit that is indexed, searched and linked to."""

    id: str
    meeting_id: str
    number: str  # as printed, e.g. '07', '2674', '15.11.1'
    title: str
    body: str
    order: int
    ref: str | None = None  # e.g. 'REF: 9'
    resolutions: list[Resolution] = field(default_factory=list)
    speakers: list[PersonRef] = field(default_factory=list)
    mentioned: list[PersonRef] = field(default_factory=list)
    topics: list[Tag] = field(default_factory=list)
    page_start: int | None = None
    page_end: int | None = None
    ocr: bool = False
    # Meeting facts copied on for the index and for display without a join.
    council: str = ""
    committee: str = ""
    date: dt.date | None = None
    source: str = ""


@dataclass
class Meeting:
    id: str
    council: str
    committee: str
    date: dt.date | None
    date_source: DateSource = "unknown"
    date_evidence: str = ""
    parent_body: str | None = None  # e.g. 'Overview and Scrutiny Board'
    start_time: str | None = None  # 'HH:MM', 24-hour
    end_time: str | None = None
    venue: str | None = None
    source: str = ""
    format: str = ""
    pages: int | None = None
    attendance: Attendance = field(default_factory=Attendance)
    items: list[Item] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def council_id(self) -> str:
        return slugify(self.council)

    @property
    def committee_id(self) -> str:
        return slugify(self.committee)


def meeting_id(council: str, committee: str, date: dt.date | None) -> str:
    """The readable, stable id of a meeting: ``council/committee/YYYY-MM-DD``."""
    day = date.isoformat() if date else "undated"
    return f"{slugify(council)}/{slugify(committee)}/{day}"


def item_id(meeting: str, number: str, taken: set[str] | None = None) -> str:
    """The id of an item: meeting id + '/' + the item number as a slug.

    When ``taken`` is given and already holds the id (a number printed twice in one
    meeting), '-2', '-3', … is appended, and the new id is added to ``taken``.
    """
    base = f"{meeting}/{slugify(number, keep_dots=True)}"
    candidate, n = base, 1
    while taken is not None and candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    if taken is not None:
        taken.add(candidate)
    return candidate


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "__dataclass_fields__") and not isinstance(obj, type):
        return {name: getattr(obj, name) for name in _field_names(type(obj))}
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def to_json(obj: Any, *, leave_out: tuple[str, ...] = ()) -> str:
    """``json.dumps(to_jsonable(obj), ensure_ascii=False)`` without building the
    intermediate dicts (the JSON encoder asks for each dataclass's fields as it goes);
    ``leave_out`` drops top-level fields of a dataclass ``obj``."""
    if leave_out and hasattr(obj, "__dataclass_fields__"):
        names = _field_names(type(obj))
        obj = {name: getattr(obj, name) for name in names if name not in leave_out}
    return json.dumps(obj, ensure_ascii=False, default=_json_default)


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, dates and paths as JSON-ready dicts/strings (for --json and export).

    The same as ``to_jsonable(dataclasses.asdict(obj))``, walking the fields directly
    instead of deep-copying them first (the index writer calls this for every item)."""
    if hasattr(obj, "__dataclass_fields__") and not isinstance(obj, type):
        return {name: to_jsonable(getattr(obj, name)) for name in _field_names(type(obj))}
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    return obj
