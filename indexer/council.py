"""Which council a meeting belongs to, from the document's own words and metadata.

:func:`find_council` reads the preamble: a typed name ('West Dereham Parish Council',
'LUTON BOROUGH COUNCIL', 'Limerick City and County Council', Welsh 'Cyngor Cymuned X') or a
municipality ('The Corporation of the Township of Puslinch', 'Municipality of Brighton') in
the title lines, else a bare '<Place> Council' printed at least twice.  Principal councils
are shortened to the place ('Luton'); parish, community and town councils, townships and
municipalities keep their full name, with '&' written 'and' so one council has one name.
:func:`council_from_metadata` reads the same forms from the file's metadata (site name,
author, title, subject).  :func:`find_council_in_body` and
:func:`find_council_in_committee_title` are last resorts (see their docstrings).
"""

from __future__ import annotations

import re
from collections import Counter

from indexer.names import STOP, name_before, title_case
from kb.model import Block

_COUNCIL_TYPES = (
    r"(?:city\s+(?:and|&)\s+county|metropolitan\s+borough|royal\s+borough|parish|community|town|"
    r"borough|city|county|district|cyngor\s+cymuned)"
)
_COUNCIL_RX = re.compile(rf"(?P<type>{_COUNCIL_TYPES}\s+)?council\b", re.I)
_LOCAL_TYPES = ("parish", "community", "town", "cyngor")
#: How many preamble blocks can hold the council's name as a title (after that: mentions).
TITLE_BLOCKS = 10
_WELSH_STOP = r"(?!(?i:cyfarfod|cofnodion|a\s+gynhaliwyd|am|ar|yn|community|council)\b)"
_WELSH_COUNCIL = re.compile(
    r"\b(?i:cyngor\s+cymuned)\s+(?P<name>"
    + _WELSH_STOP
    + r"[A-Z][\w'’-]*(?:\s+(?:(?i:a|&)\s+)?"
    + _WELSH_STOP
    + r"[A-Z][\w'’-]*)*)"
)
#: North American and Irish municipalities named 'Township of X', 'Municipality of X' …
_MUNICIPAL_RX = re.compile(
    r"\b(?P<kind>(?i:township|municipality|town|village|city|county|borough))\s+(?i:of)\s+"
    r"(?P<name>[A-Z][\w'’-]*(?:[ -](?:[A-Z][\w'’-]*|(?i:on|upon)(?=[ -][A-Z])))*)"
)
_NOT_MUNICIPAL = {"the", "this", "our", "a"}
#: 'Parish Council of Great Snoring' (the type before the place).
_COUNCIL_OF_RX = re.compile(
    r"\b(?P<kind>(?i:parish|town|community))\s+(?i:council)\s+(?i:of)\s+"
    r"(?P<name>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)"
)
#: 'Stoke Ferry PC Minutes': a parish council abbreviated in a title ('PC Smith' is not).
_PC_RX = re.compile(
    r"^\W*(?:minutes\s+of\s+)?(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3})\s+P\.?C\.?"
    r"(?=\s+(?i:minutes|meeting|agenda)\b|\s*$)"
)
#: What may come before 'Township of X' on a title line.
_MUNICIPAL_LEAD = re.compile(
    r"\W*(?:the\s+)?(?:corporation\s+of\s+the\s+)?(?:(?:draft\s+)?minutes\s+of\s+(?:the\s+)?)?"
    r"(?:(?:regular\s+|special\s+)?(?:council\s+)?meeting\s+of\s+(?:the\s+)?)?"
    r"(?:council\s+of\s+the\s+)?",
    re.I,
)
_BODY_WORDS = {"board", "committee", "council", "minutes", "meeting", "regular", "special"}


def _local_name(name: str, kind: str) -> str:
    """'Manordeilo & Salem' + 'community' → 'Manordeilo and Salem Community Council'."""
    name = re.sub(r"\s+(?:&|and|AND|And)\s+", " and ", name)
    return title_case(f"{name} {kind.title().replace(' And ', ' and ')} Council")


def _municipality(text: str) -> str | None:
    """'Township of Puslinch' from 'THE CORPORATION OF THE TOWNSHIP OF PUSLINCH' (and
    'Great Snoring Parish Council' from 'Parish Council of Great Snoring'), else None.

    The name must open the line or a part of it set off by a dash or bar (after 'The
    Corporation of the', 'Minutes of the', 'Meeting of the'); it ends before a word such
    as 'Board', 'Council' or 'Minutes'."""
    for part in re.split(r"\s[–—|-]\s|[–—|]", text):
        found = _municipality_in(part)
        if found:
            return found
    return None


def _municipality_in(text: str) -> str | None:
    """:func:`_municipality` for one part of a line."""
    for m in _COUNCIL_OF_RX.finditer(text):
        words = []
        for word in m.group("name").split():
            if word.lower() in _BODY_WORDS | STOP:
                break
            words.append(word)
        if words and _MUNICIPAL_LEAD.fullmatch(text[: m.start()]):
            return _local_name(" ".join(words), m.group("kind").lower())
    for m in _MUNICIPAL_RX.finditer(text):
        if not _MUNICIPAL_LEAD.fullmatch(text[: m.start()]):
            continue  # 'a resident of the City of X' is a mention, not a title
        name = m.group("name").strip(" -")
        if not name or name.split()[0].lower() in _NOT_MUNICIPAL:
            continue
        words = []
        for word in name.split():
            if word.lower() in _BODY_WORDS:
                break
            words.append(word)
        while words and words[-1].lower() in STOP | {"council", "minutes"}:
            words.pop()
        if words:
            return title_case(f"{m.group('kind').title()} of {' '.join(words)}")
    return None


def find_council(blocks: list[Block]) -> str | None:
    """The council named in ``blocks`` (short display form), or None.

    A typed name ('West Dereham Parish Council', 'LUTON BOROUGH COUNCIL') or municipality
    ('Township of X') in the first :data:`TITLE_BLOCKS` blocks wins at its first mention,
    and so does a letterhead line '<Place> Council' (or '<Place> PC Minutes') among the
    first three blocks; else a
    bare '<Place> Council' counts only when printed at least twice, and then the
    commonest place wins (the seed's members table: 'Luton Council').
    """
    bare: Counter[str] = Counter()
    for i, block in enumerate(blocks):
        typed_ok = i < TITLE_BLOCKS  # a typed name far into the preamble is a mention
        joined = block.text + (" " + blocks[i + 1].text if i + 1 < len(blocks) else "")
        w = _WELSH_COUNCIL.search(joined)
        if w:
            welsh = re.sub(r"\s+(?i:a)\s+", " and ", w.group("name"))
            return _local_name(welsh, "community")
        for cell in block.cells or [joined]:
            for m in _COUNCIL_RX.finditer(cell):
                name = name_before(cell, m.start(), stop=STOP)
                if not name:
                    continue
                kind = re.sub(r"\s+", " ", (m.group("type") or "").strip().lower())
                if kind and not typed_ok:
                    continue
                if kind.startswith(_LOCAL_TYPES):
                    return _local_name(name, kind)
                if kind:  # a principal council: the place only ('Gardaí and Limerick' → 'Limerick')
                    return title_case(re.split(r"\s+(?:and|&)\s+", name)[-1])
                letterhead = rf"\W*(?:the\s+)?{re.escape(name)}\s+council\W*"
                if i < 3 and re.fullmatch(letterhead, block.text, re.I):
                    return title_case(name)  # a letterhead line: 'WILTSHIRE COUNCIL'
                words = name.split()
                bare[title_case(" ".join(words[-2:] if len(words) == 2 else words[-1:]))] += 1
        if typed_ok and (place := _municipality(block.text)):
            return place
        pc = _PC_RX.match(block.text) if i < 3 else None
        if pc and pc.group("name").split()[-1].lower() not in STOP:
            return _local_name(pc.group("name"), "parish")
    common = bare.most_common(1)
    return common[0][0] if common and common[0][1] >= 2 else None


#: Metadata keys read for the council, in order of trust.
_METADATA_KEYS = (
    "council", "site_name", "author", "title", "subject", "h1", "running_header", "file_name",
)  # fmt: skip


def council_from_metadata(metadata: dict[str, str]) -> str | None:
    """The council a file's metadata names (front matter ``council``, site name, author,
    title …, and last the ``file_name`` that :func:`file_name_words` gives), by
    :func:`find_council`'s typed forms, or None.  A front matter ``council``
    value is taken as written when no form matches."""
    for key in _METADATA_KEYS:
        value = metadata.get(key, "")
        if not value:
            continue
        for part in re.split(r"\s+[|–—]\s+|\s+-\s+", value):
            found = find_council([Block(part)])
            if found and (len(found.split()) > 1 or re.search(r"council", part, re.I)):
                return found
        if key == "council":
            return " ".join(value.split())[:120]
    return None


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
_NOT_PLACES = {"metropolitan", "municipal", "district", "county", "city", "local", "national"}


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
            if before and before[-1].lower() not in STOP:
                continue
            if place.lower() in _NOT_PLACES:
                continue
        if place.lower() not in STOP:
            return title_case(place)
    return None


def file_name_words(stem: str) -> str:
    """A file name as words for the council and committee finders: separators become
    spaces and an all-lower-case slug is title-cased ('stoke-ferry-parish-council-minutes'
    → 'Stoke Ferry Parish Council Minutes')."""
    words = re.sub(r"[-_+.]+", " ", stem).strip()
    if words.islower():
        words = " ".join(w if w in {"of", "and", "the"} else w.capitalize() for w in words.split())
    return words
