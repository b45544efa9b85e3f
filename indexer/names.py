"""Name helpers shared by the council and committee finders.

* :func:`title_case` title-cases words printed in capitals and leaves mixed case alone;
* :func:`name_before` reads the capitalised words printed just before a position
  ('… the Amenities, Leisure and Community Services' before 'Committee');
* :data:`STOP` — words that end a name when read backwards (articles, 'minutes', 'held',
  'council' …); :data:`PARENT_BODIES` — acronyms of parent bodies kept in capitals.
"""

from __future__ import annotations

import re

from indexer.dates import month_number

#: Acronyms for parent bodies printed in committee titles.
PARENT_BODIES = {
    "OSB": "Overview and Scrutiny Board",
    "OSC": "Overview and Scrutiny Committee",
    "O&S": "Overview and Scrutiny",
    "OSMB": "Overview and Scrutiny Management Board",
}

STOP = {
    "of", "the", "minutes", "meeting", "meetings", "held", "at", "in", "for", "a", "an",
    "full", "annual", "ordinary", "extraordinary", "special", "draft", "to", "on", "by",
    "proceedings", "above", "this", "that", "with", "council", "from", "our", "your",
    "agenda", "item", "extract", "joint", "policing", "committee", "and", "&",
    "cyfarfod", "cofnodion", "regular", "public", "document", "pack", "unconfirmed",
    "approved", "confirmed", "record", "notes", "summary", "report", "reports",
    "council's", "council’s",
}  # fmt: skip


def title_case(text: str) -> str:
    """Title-case words printed in capitals; leave mixed-case words as printed."""

    def fix(word: str) -> str:
        acronym = len(word) <= 4 and not re.search(r"[AEIOUY]", word)
        if word.isupper() and len(word) > 1 and word not in PARENT_BODIES and not acronym:
            low = word.lower()
            return low if low in {"and", "of", "the"} else word.capitalize()
        return word

    return re.sub(r"[^\W\d_][\w'’.&]*", lambda m: fix(m.group(0)), text)


def name_before(text: str, end: int, *, stop: set[str]) -> str:
    """Capitalised words directly before ``end``, as printed.

    Words may be joined by 'and'/'&', and by commas when the list ends in 'and'/'&'
    ('Amenities, Leisure and Community Services'); a year after a capitalised word is part
    of the name ('Licensing Act 2003'); a word in ``stop`` or in lower case ends the name.
    """
    words = re.findall(r"[^\s,;:()–—]+|[,;:()–—]", text[:end])
    name: list[str] = []
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        low = word.lower()
        if low in {"and", "&"} and name:
            name.insert(0, word)
            continue
        if word == "," and name and any(w.lower() in {"and", "&"} for w in name):
            prev = words[i - 1] if i else ""
            if prev[:1].isupper() and prev.lower() not in stop:
                name.insert(0, word)
                continue
        year = (
            re.fullmatch(r"(?:19|20)\d\d", word)
            and i
            and words[i - 1][:1].isupper()
            and month_number(words[i - 1]) is None  # 'January 2020' is a date
        )
        if not year and (low in stop or not word[:1].isupper() or not re.match(r"\w", word)):
            break
        name.insert(0, word)
    while name and name[0].lower() in {"and", "&", ","}:
        name.pop(0)
    return " ".join(name).replace(" ,", ",")
