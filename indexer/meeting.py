"""Meeting metadata from a read Document: ``extract_meeting(doc, *, council=None) -> Meeting``.

What is found, and where (the *preamble* is the blocks before the first agenda item):

* **date** — ``doc.hints['date']`` (ModernGov XML) wins outright (``date_source`` "xml").
  Else the first date in the preamble that is not about another meeting (words such as
  'previous', 'last', 'next', 'that the minutes', 'approved', 'dated' just before it rule
  it out): "text".  Else the first such date anywhere in a "held on / meeting held / date
  held" sentence: "text".  A date printed without a year takes it from the file name, or
  else from the commonest year in the text, checked against a printed weekday.  Else the
  file name's date (``20221128.txt``, ``minutes_20-01-08.php``, ``… - 23rd May 2016.md``):
  "filename".  Else None / "unknown".  ``date_evidence`` quotes the line (≤ 200 chars).
* **council** — hints, else the first '<Name> Parish/Community/Town/Borough/City/County/
  District/City and County Council' (or '<Name> Council' printed twice, or Welsh 'Cyngor
  Cymuned X') in the preamble, else the ``council`` argument, else a typed council name
  printed anywhere whose place is in the title lines, else "Unknown council".  Principal
  councils are shortened to the place ('LUTON BOROUGH COUNCIL', 'Luton Council' → 'Luton';
  'Limerick City and County Council' → 'Limerick'); parish, community and town councils
  keep their full name.
* **committee** — hints, else a '… Committee / Sub-Committee / Board / Panel / Cabinet'
  named in a title line of the preamble ('MINUTES OF THE OSB – CRIME AND DISORDER
  COMMITTEE' → 'Crime and Disorder Committee' with ``parent_body`` 'Overview and
  Scrutiny Board'), or 'Municipal/Metropolitan District of X'; else "Full Council".
* **start_time** — first time in the date line, else in the preamble; **end_time** — a
  time in a 'meeting ended/closed …' line near the end; **venue** — 'held in/at X', 'AT
  THE COUNCIL CHAMBER', 'via Zoom' in the preamble, title-cased when printed in capitals.
* **attendance** — :func:`indexer.attendance.extract_attendance`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from indexer.attendance import extract_attendance
from indexer.dates import DateMatch, complete_year, find_dates, find_times
from kb.model import Block, Document, Meeting, meeting_id

UNKNOWN_COUNCIL = "Unknown council"
FULL_COUNCIL = "Full Council"
#: Acronyms for parent bodies printed in committee titles.
PARENT_BODIES = {
    "OSB": "Overview and Scrutiny Board",
    "OSC": "Overview and Scrutiny Committee",
    "O&S": "Overview and Scrutiny",
    "OSMB": "Overview and Scrutiny Management Board",
}
_PREAMBLE_MAX = 40
#: Blocks after the preamble searched for a 'meeting held on …' line.
_BODY_LOOKAHEAD = 6
_NEGATIVE = re.compile(
    r"previous|\blast\b|\bnext\b|that the minutes|approv|confirm|signed|\bdated\b|since|"
    r"until|adopted|deadline|\bby\b\s*$|\bdue\b|received on|sheet|statement|diwethaf|nesaf",
    re.I,
)
_NEGATIVE_AFTER = re.compile(
    r"\b(?:were|was|be|being)\s+(?:agreed|approved|signed|confirmed|accepted|adopted|taken)|"
    r"true record|correct record",
    re.I,
)
#: How minutes name their own meeting in a sentence: 'Minutes of a meeting … held on'.
_SELF = re.compile(
    r"^\W*(?:draft\s+)?minutes of (?:a|the)\b.*\bheld\b|held their meeting|date held|cynhaliwyd",
    re.I,
)
_HELD = re.compile(
    r"held|meeting|date held|minutes|cyfarfod|cynhaliwyd|\bon\b\s*(?:the\s*)?$", re.I
)
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


# --------------------------------------------------------------------------- dates


def filename_date(path: Path) -> tuple[dt.date | None, int | None, dt.date | None]:
    """``(full date, year, latest possible date)`` printed in a file name.

    ``20221128.txt`` and ``minutes_20-01-08.php`` (YY-MM-DD) and ``… - 23rd May 2016.md``
    give a full date; ``2005-08_minutes….md`` (a post month) gives only a year and the
    month's last day as the latest possible meeting date.
    """
    stem = path.stem
    for rx, yy in (
        (r"(?<!\d)((?:19|20)\d\d)[-_]?([01]\d)[-_]?([0-3]\d)(?!\d)", False),
        (r"(?<!\d)(\d\d)-([01]\d)-([0-3]\d)(?!\d)", True),
    ):
        m = re.search(rx, stem)
        if m:
            y = int(m.group(1)) + (2000 if yy else 0)
            try:
                d = dt.date(y, int(m.group(2)), int(m.group(3)))
                return d, d.year, d
            except ValueError:
                pass
    full = [f for f in find_dates(re.sub(r"[_]+", " ", stem)) if f.year]
    if full and (d := full[-1].to_date()):
        return d, d.year, d
    m = re.search(r"(?<!\d)((?:19|20)\d\d)-([01]\d)(?![\d-])", stem)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12:
            last = (dt.date(y + mo // 12, mo % 12 + 1, 1)) - dt.timedelta(days=1)
            return None, y, last
    m = re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", stem)
    return None, (int(m.group(1)) if m else None), None


def _evidence(text: str, start: int, end: int) -> str:
    """The line quoted, cut to about 200 characters around the match."""
    text = text.replace("\t", " ")
    if len(text) <= 200:
        return text
    lo = max(0, start - 100)
    return ("…" if lo else "") + text[lo : lo + 200].strip() + "…"


def _acceptable(text: str, match: DateMatch, *, in_preamble: bool) -> bool:
    """Whether a date found in ``text`` can be this meeting's date (see module docstring)."""
    before = text[max(0, match.start - 60) : match.start]
    before = re.split(r"[.;!?]\s", before)[-1]
    after = re.split(r"[.;!?](?:\s|$)", text[match.end : match.end + 60])[0]
    if _NEGATIVE.search(before) or _NEGATIVE_AFTER.search(after):
        return False
    if not in_preamble:
        return bool(_SELF.search(before.strip()))
    if match.year is None:
        return match.weekday is not None or bool(_HELD.search(before))
    return True


#: characters of text searched for the commonest year (bounded: a 10 MB file costs the same)
_YEAR_SCAN_CHARS = 200_000


def _opening(blocks: list[Block], chars: int) -> list[Block]:
    """The first blocks of ``blocks`` holding about ``chars`` characters of text."""
    total = 0
    for n, block in enumerate(blocks):
        total += len(block.text)
        if total > chars:
            return blocks[: n + 1]
    return blocks


def find_meeting_date(
    doc: Document, preamble: list[Block], rest: list[Block]
) -> tuple[dt.date | None, str, str]:
    """``(date, date_source, date_evidence)`` by the rules in the module docstring."""
    hinted = doc.hints.get("date")
    if hinted:
        try:
            date = hinted if isinstance(hinted, dt.date) else dt.date.fromisoformat(str(hinted))
        except ValueError:  # an unreadable stated date: fall back to the text
            date = None
        if date is not None:
            return date, "xml", str(doc.hints.get("date_evidence", f"date {date.isoformat()}"))
    fdate, fyear, latest = filename_date(doc.path)
    near = fyear
    if near is None:  # only needed for a date printed without a year
        years = Counter(
            d.year
            for b in _opening(preamble + rest, _YEAR_SCAN_CHARS)
            for d in find_dates(b.text)
            if d.year is not None
        )
        near = years.most_common(1)[0][0] if years else None
    for blocks, in_preamble in ((preamble, True), (rest[:_BODY_LOOKAHEAD], False)):
        for i, block in enumerate(blocks):
            # A date may be cut by a line break ('… ON THURSDAY, 21st' / 'September, 2023'):
            # look at each block joined to the next, keeping matches that start in this one.
            text = block.text
            if in_preamble and i + 1 < len(blocks):
                text = f"{block.text} {blocks[i + 1].text}"
            for match in find_dates(text):
                if match.start >= len(block.text):
                    break
                if not _acceptable(text, match, in_preamble=in_preamble):
                    continue
                year = complete_year(match, near, before=latest if fdate is None else None)
                date = match.to_date(year)
                if date is not None:
                    line = block.text if match.end <= len(block.text) else text
                    return date, "text", _evidence(line, match.start, match.end)
    if fdate is not None:
        return fdate, "filename", f"file name {doc.path.name}"
    return None, "unknown", "no meeting date in the text or the file name"


# --------------------------------------------------------------------------- council/committee

_COUNCIL_TYPES = (
    r"(?:city\s+and\s+county|metropolitan\s+borough|royal\s+borough|parish|community|town|"
    r"borough|city|county|district|cyngor\s+cymuned)"
)
_COUNCIL_RX = re.compile(rf"(?P<type>{_COUNCIL_TYPES}\s+)?council\b", re.I)
_STOP = {
    "of", "the", "minutes", "meeting", "meetings", "held", "at", "in", "for", "a", "an",
    "full", "annual", "ordinary", "extraordinary", "special", "draft", "to", "on", "by",
    "proceedings", "above", "this", "that", "with", "council", "from", "our", "your",
    "agenda", "item", "extract", "joint", "policing", "committee", "and", "&",
}  # fmt: skip
_LOCAL_TYPES = ("parish", "community", "town", "cyngor")


def _title(text: str) -> str:
    """Title-case words printed in capitals; leave mixed-case words as printed."""

    def fix(word: str) -> str:
        acronym = len(word) <= 4 and not re.search(r"[AEIOUY]", word)
        if word.isupper() and len(word) > 1 and word not in PARENT_BODIES and not acronym:
            low = word.lower()
            return low if low in {"and", "of", "the"} else word.capitalize()
        return word

    return re.sub(r"[^\W\d_][\w'’.&]*", lambda m: fix(m.group(0)), text)


def _name_before(text: str, end: int, *, stop: set[str]) -> str:
    """Capitalised words directly before ``end`` (joined by 'and'/'&'), as printed."""
    words = re.findall(r"[^\s,;:()–—]+|[,;:()–—]", text[:end])
    name: list[str] = []
    for word in reversed(words):
        low = word.lower()
        if low in {"and", "&"} and name:
            name.insert(0, word)
            continue
        if low in stop or not word[:1].isupper() or not re.match(r"\w", word):
            break
        name.insert(0, word)
    while name and name[0].lower() in {"and", "&"}:
        name.pop(0)
    return " ".join(name)


def find_council(blocks: list[Block]) -> str | None:
    """The council named in ``blocks`` (short display form), or None.

    A typed name ('West Dereham Parish Council', 'LUTON BOROUGH COUNCIL') wins at its
    first mention; a bare '<Place> Council' counts only when printed at least twice, and
    then the commonest place wins (the seed's members table: 'Luton Council').
    """
    bare: Counter[str] = Counter()
    for i, block in enumerate(blocks):
        typed_ok = i < _TITLE_BLOCKS  # a typed name far into the preamble is a mention
        joined = block.text + (" " + blocks[i + 1].text if i + 1 < len(blocks) else "")
        w = _WELSH_COUNCIL.search(joined)
        if w:
            name = re.sub(r"\s+a\s+", " and ", w.group("name"))
            return _title(f"{name} Community Council")
        for cell in block.cells or [joined]:
            for m in _COUNCIL_RX.finditer(cell):
                name = _name_before(cell, m.start(), stop=_STOP)
                if not name:
                    continue
                kind = re.sub(r"\s+", " ", (m.group("type") or "").strip().lower())
                if kind and not typed_ok:
                    continue
                if kind.startswith(_LOCAL_TYPES):
                    return _title(f"{name} {kind.title().replace(' And ', ' and ')} Council")
                if kind:  # a principal council: the place only ('Gardaí and Limerick' → 'Limerick')
                    return _title(re.split(r"\s+(?:and|&)\s+", name)[-1])
                bare[_title(name.split()[-1])] += 1
    common = bare.most_common(1)
    return common[0][0] if common and common[0][1] >= 2 else None


#: How many preamble blocks can hold the council's name as a title (after that: mentions).
_TITLE_BLOCKS = 10
_WELSH_COUNCIL = re.compile(
    r"\b(?i:cyngor\s+cymuned)\s+(?P<name>[A-Z][\w'’-]*(?:\s+(?:a\s+)?[A-Z][\w'’-]*)*)"
)


def find_council_in_body(blocks: list[Block], title_text: str) -> str | None:
    """A typed council name from anywhere whose place also appears in the title lines.

    A last resort ('LIMERICK JOINT POLICING COMMITTEE' titles a file that names 'Limerick
    City and County Council' only in its body); a council merely mentioned in the body
    (a neighbouring town council) does not qualify because its place is not in the title.
    """
    names: Counter[str] = Counter()
    for block in blocks:
        for m in _COUNCIL_RX.finditer(block.text):
            if m.group("type"):
                name = find_council([Block(block.text[: m.end()])])
                place = name.split()[0] if name else ""
                if name and re.search(rf"\b{re.escape(place)}\b", title_text, re.I):
                    names[name] += 1
    common = names.most_common(1)
    return common[0][0] if common else None


_PLACE_TITLE_RX = re.compile(
    r"\b(?i:metropolitan\s+district\s+of)\s+(?P<district>[A-Z][\w'’-]+)"
    r"|\b(?P<jpc>[A-Z][\w'’-]+)\s+(?i:joint\s+policing\s+(?:sub[- ]?)?committee)"
)


def find_council_in_committee_title(title_text: str) -> str | None:
    """The place a committee's title names as its council, or None.

    An Irish Joint Policing Committee is a committee of its county's council ('LIMERICK
    JOINT POLICING COMMITTEE' → 'Limerick'), and a metropolitan district is its city's
    ('Metropolitan District of Limerick' → 'Limerick').  Municipal districts name only
    themselves, so they give nothing here.
    """
    for m in _PLACE_TITLE_RX.finditer(title_text):
        place = m.group("district") or m.group("jpc")
        if m.group("jpc"):
            # The place must be the whole name: 'Newcastle West Joint Policing…' names a
            # municipal district, 'METROPOLITAN JOINT POLICING…' a kind of committee.
            before = title_text[: m.start()].split()
            if before and before[-1].lower() not in _STOP:
                continue
            if place.lower() in _NOT_PLACES:
                continue
        if place.lower() not in _STOP:
            return _title(place)
    return None


_NOT_PLACES = {"metropolitan", "municipal", "district", "county", "city", "local", "national"}


_COMMITTEE_RX = re.compile(
    r"\b(?:sub[- ]?committee|committee|board|panel|cabinet|forum|commission)\b", re.I
)
_DISTRICT_RX = re.compile(
    r"\b(?:municipal|metropolitan)\s+district\s+of\s+[A-Z][\w'’-]*(?:(?:-\s?|\s)[A-Z][\w'’-]*)*",
    re.I,
)
_COMMITTEE_STOP = (_STOP - {"joint", "policing", "and", "&"}) | {"members", "member"}


def find_committee(
    preamble: list[Block], council: str, date_line: str = ""
) -> tuple[str, str | None]:
    """``(committee, parent_body)`` from the preamble's title lines (rules in the docstring).

    Title lines are the non-table blocks up to the one holding the date (``date_line``),
    at most twelve; each is read joined to the next so a name cut by a line break is whole.
    """
    titles = [b for b in preamble if b.kind != "table-row"][:12]
    for i, block in enumerate(titles):
        if date_line and block.text.replace("\t", " ")[:40] in date_line:
            titles = titles[: i + 1]
            break
    joined = [
        f"{b.text} {titles[i + 1].text}" if i + 1 < len(titles) else b.text
        for i, b in enumerate(titles)
    ]
    joined = [t for t in joined if not re.search(r"\bmembers\s+of\b", t, re.I)]
    for text in joined:
        m = _COMMITTEE_RX.search(text)
        if not m:
            continue
        name = re.sub(r"-\s+", "-", _name_before(text, m.start(), stop=_COMMITTEE_STOP))
        if council and name.lower().startswith(council.lower() + " "):
            name = name[len(council) + 1 :]
        if not name:
            continue
        committee = _title(f"{name} {m.group(0)}")
        parent = None
        before = text[: text.rfind(name.split()[0], 0, m.start())].rstrip()
        p = re.search(r"([A-Z&]{2,6}|[\w ]+?(?:Board|Committee))\s*[–—-]\s*$", before)
        if p:
            word = p.group(1).strip()
            parent = PARENT_BODIES.get(word.upper(), _title(word))
            parent = re.sub(r"^(?:Minutes\s+)?(?:of\s+)?(?:the\s+)?", "", parent, flags=re.I)
        return committee, parent or None
    for text in joined:
        d = _DISTRICT_RX.search(text)
        if d:
            words = re.sub(r"-\s+", "-", d.group(0)).split()
            keep = words[:3]
            for word in words[3:]:
                if word.lower() in _STOP | {"held", "hotel"}:
                    break
                keep.append(word)
            return _title(" ".join(keep)), None
    return FULL_COUNCIL, None


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
        return _title(first)
    for text in lines:
        m = _REMOTE_RX.search(text)
        if m:
            remote = m.group("v")
            return _title(remote) if not remote.islower() else remote.capitalize()
    return None


def find_end_time(blocks: list[Block], *, after: str | None = None) -> str | None:
    """The time a 'meeting ended/closed …' line near the end gives, as HH:MM.

    A morning-looking time earlier than the start time ``after`` ('closed at 9.09' after a
    19:00 start) is read as evening.
    """
    for block in reversed(blocks[-15:]):
        m = _ENDED.search(block.text)
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

    Never raises for missing facts: what cannot be found is None/"unknown"/"Unknown
    council"/"Full Council", and a warning says which facts were missing.
    """
    preamble, rest = split_preamble(doc.blocks)
    date, source, evidence = find_meeting_date(doc, preamble, rest)
    hints = doc.hints
    title_text = " ".join(b.text for b in preamble[:_TITLE_BLOCKS] if not b.cells)
    name = (
        hints.get("council")
        or find_council(preamble)
        or council
        or find_council_in_body(doc.blocks, title_text)
        or find_council_in_committee_title(title_text)
        or UNKNOWN_COUNCIL
    )
    evidence_line = evidence.strip("…") if source == "text" else ""
    committee, parent = find_committee(preamble, name, evidence_line)
    committee = hints.get("committee") or committee
    if name == UNKNOWN_COUNCIL and re.search(r"joint\s+policing", committee, re.I):
        # The minutes of a JPC often name it in full only in the body ('the next Meeting of
        # Limerick Joint Policing Committee'); that names this meeting's own council.
        found = (find_council_in_committee_title(b.text) for b in doc.blocks)
        name = next((place for place in found if place), name)
    start = hints.get("start_time")
    if not start:
        times = find_times(evidence_line) or [
            t for b in preamble for t in find_times(b.text) if t.explicit
        ]
        start = times[0].value if times else None
    titles = [b.text for b in preamble if b.kind != "table-row"][:_TITLE_BLOCKS]
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
        end_time=hints.get("end_time") or find_end_time(doc.blocks, after=start),
        venue=venue,
        source=str(doc.path),
        format=doc.format,
        pages=doc.pages,
        attendance=extract_attendance(preamble, rest),
    )
    if date is None:
        meeting.warnings.append("no meeting date found in the text or the file name")
    if name == UNKNOWN_COUNCIL:
        meeting.warnings.append("council not named in the text; pass --council")
    return meeting
