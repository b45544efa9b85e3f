"""The domain model: plain dataclasses shared by every stage.

Data flows one way (see README, "Architecture"):

    file --read_*--> Document(blocks) --meeting--> Meeting --segment--> Items
                                                   --people/topics--> tagged Items --write--> index

Nothing here imports Whoosh, Flask or any reader library.  Ids are readable and stable
across re-ingest: a meeting id is ``council/committee/date`` (slugs), qualified by its kind
and language when not ordinary and English (``…/2019-02-06-extraordinary``, see
:func:`identity_id`); an item id is the meeting id plus the item number as a slug
(``luton/crime-and-disorder-committee/2018-03-27/07``).
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
class Source:
    """One file a meeting was read from: its path, format and language (ISO 639-1 code,
    ``en`` or ``cy`` as :mod:`indexer.language` tells them)."""

    path: str
    format: str = ""
    language: str = "en"


@dataclass
class Meeting:
    """One meeting.  ``kind`` is one of :data:`MEETING_KINDS`; ``sources`` lists every file
    the meeting was read from (a second copy of the same minutes is merged in, not indexed
    twice); ``language`` is the language of the text its items were taken from."""

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
    kind: str = "ordinary"
    language: str = "en"
    sources: list[Source] = field(default_factory=list)
    #: what recognises a copy of this meeting (``indexer.identity.identity_record``), worked
    #: out where the file is read (an ingest worker; empty: worked out when it is placed);
    #: not stored with the meeting
    identity: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def council_id(self) -> str:
        return slugify(self.council)

    @property
    def committee_id(self) -> str:
        return slugify(self.committee)


#: The kinds of meeting (``Meeting.kind``), each with the label shown to users.  Every kind
#: but ``ordinary`` qualifies the meeting id (``…/2019-02-06-extraordinary``), so two
#: meetings of one committee on one day keep apart; :mod:`indexer.kind` reads them from
#: the document's headings.
MEETING_KINDS: dict[str, str] = {
    "ordinary": "Ordinary meeting",
    "annual": "Annual meeting",
    "agm": "Annual general meeting",
    "extraordinary": "Extraordinary meeting",
    "special": "Special meeting",
    "annual-parish": "Annual parish meeting",
    "annual-town": "Annual town meeting",
}
#: The languages :mod:`indexer.language` tells apart (``Meeting.language``, ``Source``).
LANGUAGES: dict[str, str] = {"en": "English", "cy": "Welsh (Cymraeg)"}
#: The language that is not qualified in a meeting id; any other (``cy``) is (``…-cy``):
#: a Welsh edition of an English meeting is kept as a meeting of its own, searchable.
DEFAULT_LANGUAGE = "en"


def meeting_id(council: str, committee: str, date: dt.date | None, *qualifiers: str | None) -> str:
    """The readable, stable id of a meeting: ``council/committee/YYYY-MM-DD``, then each
    non-empty qualifier as ``-qualifier`` (a kind, a language, a start time or a counter:
    ``…/2019-02-06-extraordinary``, ``…/2020-03-11-cy``)."""
    day = date.isoformat() if date else "undated"
    tail = "".join(f"-{slugify(q)}" for q in qualifiers if q)
    return f"{slugify(council)}/{slugify(committee)}/{day}{tail}"


def identity_id(meeting: Meeting) -> str:
    """``meeting``'s id from its facts: council, committee, date, then its kind unless
    ordinary, then its language unless :data:`DEFAULT_LANGUAGE`."""
    kind = None if meeting.kind == "ordinary" else meeting.kind
    lang = None if meeting.language == DEFAULT_LANGUAGE else meeting.language
    return meeting_id(meeting.council, meeting.committee, meeting.date, kind, lang)


def rename_meeting(meeting: Meeting, new_id: str) -> None:
    """Give ``meeting`` the id ``new_id``; its items' ids and ``meeting_id`` follow."""
    old = meeting.id
    for item in meeting.items:
        if item.id.startswith(old + "/"):
            item.id = new_id + item.id[len(old) :]
        item.meeting_id = new_id
    meeting.id = new_id


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
