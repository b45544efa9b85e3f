"""Which committee a meeting is of, from its title lines and the file's metadata.

:func:`find_committee` answers ``(committee, parent_body)``:

1. a committee named in a title line of the preamble — '… Committee / Sub-Committee /
   Board / Panel / Cabinet / Forum / Commission / Working Group / Task Group', read back to
   the first word that cannot be part of a name ('MINUTES OF THE OSB – CRIME AND DISORDER
   COMMITTEE' → 'Crime and Disorder Committee' with parent 'Overview and Scrutiny Board';
   'Amenities, Leisure and Community Services Committee'), 'Committee of the Whole' /
   'Board of Selectmen', a bare 'Cabinet' or 'Executive' line, a labelled 'Committee:
   Planning' row, or 'Municipal/Metropolitan District of X'.  Title lines are the blocks up
   to the one holding the meeting's date (table rows only when labelled, or short and
   among the first five); heading, bold and 'Minutes of' lines after it
   count only when they name the committee at their start.  A name followed by a colon
   ('Public Forum:') labels an agenda item and is not a title;
2. else, unless a title line says outright that this is a meeting of the council itself
   ('Extraordinary Meeting of the Parish Council', 'Annual Parish Meeting', 'Regular
   Council Meeting', 'AGM'), a committee named in the metadata (front matter
   ``committee``, PDF/DOCX title and subject, running header) or, last, the file name
   ('Cabinet 05.03.24 minutes.pdf');
3. else :data:`FULL_COUNCIL`.

:func:`normalise_committee` gives one committee one name: '&' → 'and', no leading 'the' or
trailing 'Meeting', 'Sub Committee'/'Subcommittee' → 'Sub-Committee', capitals → title
case, and every form of the full council ('Parish Council', 'Ordinary Council Meeting',
'Annual Parish Meeting', 'AGM') → 'Full Council'.  Whether a meeting is annual or
extraordinary is its kind, not its committee.
"""

from __future__ import annotations

import re

from indexer.names import PARENT_BODIES, STOP, name_before, title_case
from kb.config import FULL_COUNCIL
from kb.model import Block

_BODY_WORDS = (
    r"sub[- ]?committee|committee|board|panel|cabinet|forum|commission|"
    r"working\s+(?:group|party)|task\s+(?:group|force)|scrutiny\s+commission"
)
_COMMITTEE_RX = re.compile(rf"\b(?:{_BODY_WORDS})\b", re.I)
#: 'Committee of the Whole', 'Board of Selectmen', 'Committee of Adjustment'.
_OF_RX = re.compile(
    r"\b(?P<word>(?i:committee|board))\s+(?i:of)\s+(?P<the>(?i:the)\s+)?"
    r"(?P<what>(?!(?i:meeting|minutes|held)\b)[A-Z][\w'’-]*"
    r"(?:\s+(?:and\s+)?(?!(?i:meeting|minutes|held)\b)[A-Z][\w'’-]*)*)"
)
#: Bodies that are named by their word alone ('CABINET', 'Minutes of the Executive').
_BARE_RX = re.compile(
    r"(?:^\W*|\b(?:of|the)\s+)(?:the\s+)?(?P<word>cabinet|executive)\b"
    r"(?!\s+(?:member|officer|leader|report|decision|director|board|committee|sub|panel|"
    r"summary|portfolio|councillor|lead)|\s*:)",
    re.I,
)
_LABEL_RX = re.compile(
    r"^\s*(?P<word>committee|meeting|body|board|panel)\s*(?:name)?\s*[:\t]\s*(?P<v>.+)$", re.I
)
_DISTRICT_RX = re.compile(
    r"\b(?:municipal|metropolitan)\s+district\s+of\s+[A-Z][\w'’-]*(?:(?:-\s?|\s)[A-Z][\w'’-]*)*",
    re.I,
)
_COMMITTEE_STOP = (STOP - {"joint", "policing", "and", "&", "public"}) | {
    "members", "member", "chair", "chairman", "chief", "vice",
}  # fmt: skip
_COUNCIL_TYPE_WORDS = (
    "parish",
    "town",
    "community",
    "city",
    "county",
    "borough",
    "district",
    "village",
)
_COUNCIL_TYPE = "(?:" + "|".join(_COUNCIL_TYPE_WORDS) + ")"
#: A title line that says the meeting is the council's own.
_FULL_RX = re.compile(
    rf"\b(?:full|ordinary|regular|monthly|annual|extraordinary|special|statutory)\s+"
    rf"(?:{_COUNCIL_TYPE}\s+)?(?:council\b|meeting\s+of\s+(?:the\s+)?(?:\w+\s+){{0,3}}council\b)"
    rf"|\bcouncil\s+meeting\b|\bfull\s+council\b"
    rf"|\bmeeting\s+of\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s+){{0,4}}(?:{_COUNCIL_TYPE}\s+)?council\b"
    rf"|\bannual\s+(?:{_COUNCIL_TYPE}|parish|town)\s+(?:meeting|assembly)\b"
    r"|\bannual\s+general\s+meeting\b|\bAGM\b",
    re.I,
)
#: Attendance lines name people's other committees ('Also present: J Smith (Police Panel)').
_ATTENDANCE_RX = re.compile(
    r"\W*(?:present|also\s+present|apologies|in\s+attendance|attendees|absent|officers)\b",
    re.I,
)
#: What may open a line before the committee's name ('Draft minutes of a meeting of the').
_LEAD_RX = re.compile(
    r"^\W*(?:(?:draft|unconfirmed)\s+)?(?:minutes\s+of\s+)?(?:(?:a|the)\s+)?"
    r"(?:meeting\s+of\s+)?(?:the\s+)?(?:[\w ]{0,30}council['’]s\s+)?",
    re.I,
)
_SMALL = {"and", "of", "the", "for", "on", "in", "to", "a", "an", "with"}
_KIND_WORDS = (
    r"full|ordinary|regular|monthly|annual|extraordinary|special|statutory|general|"
    r"emergency|additional|reconvened|adjourned|inaugural|virtual|remote|public"
)


def _is_full_council(name: str) -> bool:
    """True when ``name`` is a form of the full council ('Extraordinary Parish Council
    Meeting', 'AGM', 'Annual Parish Meeting', 'Council')."""
    low = re.sub(
        rf"\b(?:{_KIND_WORDS}|{_COUNCIL_TYPE}|the|of|meeting|meetings)\b", " ", name.lower()
    )
    low = " ".join(low.split())
    return low in {"", "council", "agm", "parish", "town"} or bool(
        re.fullmatch(r"(?:annual\s+)?(?:general\s+)?(?:parish\s+|town\s+)?meeting", name.lower())
    )


def normalise_committee(name: str) -> str:
    """One committee, one name (rules in the module docstring)."""
    text = " ".join(name.replace("&", " and ").split()).strip(" .,:;–—-")
    text = re.sub(r"^(?:minutes\s+of\s+)?(?:the\s+)?", "", text, flags=re.I)
    text = re.sub(r"(?:\s+(?:meetings?|minutes))+$", "", text, flags=re.I)
    if not text or _is_full_council(text):
        return FULL_COUNCIL
    words = title_case(text).split()
    text = " ".join(
        w.lower() if i and w.lower() in _SMALL else w[:1].upper() + w[1:]
        for i, w in enumerate(words)
    )
    text = re.sub(r"\bsub[\s-]?committee\b", "Sub-Committee", text, flags=re.I)
    return _COMMITTEE_RX.sub(lambda m: m.group(0)[:1].upper() + m.group(0)[1:], text)


def _parent(text: str, name: str, start: int) -> str | None:
    """A parent body printed before the committee's name ('OSB – Crime and Disorder…')."""
    before = text[: text.rfind(name.split()[0], 0, start)].rstrip()
    p = re.search(r"([A-Z&]{2,6}|[\w ]+?(?:Board|Committee))\s*[–—-]\s*$", before)
    if not p:
        return None
    word = p.group(1).strip()
    parent = PARENT_BODIES.get(word.upper(), title_case(word))
    return re.sub(r"^(?:Minutes\s+)?(?:of\s+)?(?:the\s+)?", "", parent, flags=re.I) or None


def _without_council(name: str, council: str) -> str:
    """``name`` without the council's own words in front ('Brighton Committee' of the
    Municipality of Brighton → '', 'Luton Planning' of Luton → 'Planning')."""
    if not council:
        return name
    kinds = {"of", "the", "and", "council", "township", "municipality", *_COUNCIL_TYPE_WORDS}
    own = {w.lower() for w in re.findall(r"[\w'’-]+", council)} - kinds
    words = name.split()
    while words and words[0].lower() in own:
        words.pop(0)
    return " ".join(words)


def committee_in_line(
    text: str, council: str = "", *, at_start: bool = False
) -> tuple[str, str | None] | None:
    """``(committee, parent)`` when ``text`` names a committee, else None.

    ``at_start`` accepts only a name printed at the start of the line (after 'Minutes of
    the'), for lines that are not title lines.
    """
    if re.search(r"\bmembers\s+of\b", text, re.I) or _ATTENDANCE_RX.match(text):
        return None
    label = _LABEL_RX.match(text)
    if label:
        value = label.group("v").strip()
        found = committee_in_line(value, council)
        if found:
            return found
        if 0 < len(value.split()) <= 6 and value[:1].isupper() and not re.search(r"\d", value):
            word = label.group("word").lower()
            if word in {"committee", "board", "panel"} and not _COMMITTEE_RX.search(value):
                value = f"{value} {word}"  # 'Committee: Planning' → 'Planning Committee'
            return normalise_committee(value), None
    bare = _BARE_RX.search(text)
    if bare:
        return normalise_committee(bare.group("word")), None
    for m in _COMMITTEE_RX.finditer(text):
        if re.match(r"\s*:", text[m.end() :]) and not label:
            continue  # 'Public Forum:' is an agenda item's label, not a title
        name = re.sub(r"-\s+", "-", name_before(text, m.start(), stop=_COMMITTEE_STOP))
        name = _without_council(name, council)
        if not name:
            of = _OF_RX.match(text, m.start())
            if of and not re.search(r"council\b", of.group("what"), re.I):
                return normalise_committee(of.group(0)), None
            continue
        before = text[: text.rfind(name, 0, m.start())]
        if re.search(
            r"\b(?:chair(?:man|person)?|member|clerk|officer|secretary|report|"
            r"recommendations?)\s+(?:of|from|to)\s+(?:the\s+)?$",
            before,
            re.I,
        ):
            continue  # 'Chair of the Planning Committee', 'report of the Finance Committee'
        if at_start and not _LEAD_RX.sub("", text).startswith(name):
            return None
        return normalise_committee(f"{name} {m.group(0)}"), _parent(text, name, m.start())
    return None


_PEOPLE_RX = re.compile(r"\b(?:cllrs?|councillors?|mrs?|ms|dr)\b\.?", re.I)


def _is_title_block(block: Block, index: int) -> bool:
    """Whether a preamble block can be a title line: any but a table row, except a
    labelled row ('Committee: Planning') or, among the first five blocks, a short row
    that names no people ('CABINET  |  5 March 2024', a title with its date set right)."""
    if block.kind != "table-row" or _LABEL_RX.match(block.text):
        return True
    cells = [c for c in block.cells or [] if c.strip()]
    return index < 5 and len(cells) <= 3 and not _PEOPLE_RX.search(block.text)


def _title_lines(preamble: list[Block], date_line: str) -> tuple[list[str], list[str]]:
    """``(title lines, later lines)``: preamble lines up to the one holding the date
    (at most twelve), each joined to the next; and the later heading or bold lines and
    lines that start 'Minutes of'."""
    blocks = [b for i, b in enumerate(preamble) if _is_title_block(b, i)][:12]
    cut = len(blocks)
    for i, block in enumerate(blocks):
        text = block.text.replace("\t", " ")
        if date_line and re.search(r"\d", text) and text[:40] in date_line:
            cut = i + 1
            break
    lines = [b.text for b in blocks[:cut]]
    joined = [  # a row is whole; a line may run on into the next
        f"{t} {lines[i + 1]}" if i + 1 < cut and blocks[i].kind != "table-row" else t
        for i, t in enumerate(lines)
    ]
    later = [
        b.text
        for b in blocks[cut:]
        if b.kind == "heading" or b.bold or re.match(r"\W*minutes\s+of\b", b.text, re.I)
    ]
    return joined, later


def find_committee(
    preamble: list[Block],
    council: str,
    date_line: str = "",
    metadata: dict[str, str] | None = None,
) -> tuple[str, str | None]:
    """``(committee, parent_body)`` by the rules in the module docstring."""
    titles, later = _title_lines(preamble, date_line)
    for text in titles:
        found = committee_in_line(text, council)
        if found:
            return found
    for text in later:
        found = committee_in_line(text, council, at_start=True)
        if found:
            return found
    for text in titles:
        d = _DISTRICT_RX.search(text)
        if d:
            words = re.sub(r"-\s+", "-", d.group(0)).split()
            keep = words[:3]
            for word in words[3:]:
                if word.lower() in STOP | {"held", "hotel"}:
                    break
                keep.append(word)
            return title_case(" ".join(keep)), None
    if any(_FULL_RX.search(text) for text in titles):
        return FULL_COUNCIL, None
    meta = metadata or {}
    if meta.get("committee"):
        return normalise_committee(meta["committee"]), None
    for key in ("title", "subject", "running_header", "h1", "category", "keywords", "file_name"):
        for part in re.split(r"\s+[|]\s+", meta.get(key, "")):
            found = committee_in_line(part, council)
            if found:
                return found
    return FULL_COUNCIL, None
