"""Name forms as printed in minutes: parse them and find them in running text.

A :class:`NameForm` is one way a person is written: ``Councillor M. Dolling (Chair)``,
``Cllr Mrs Y``, ``Cllr. P. Harries``, ``Collins (J)``, ``Superintendent Greg Horsford``,
``Chief Executive (Dr. P. Daly)``, ``Vicky Hawkes``.  :func:`find_mentions` returns every
person mention in a sentence (titled names, untitled names the meeting knows, the Chair,
role phrases such as "the Strategic Regulatory Manager, Neighbourhood Delivery").
Deciding who *spoke* is :mod:`indexer.people`'s job.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from indexer.people_words import (
    CHAIR_POSTS,
    HONORIFICS,
    NOT_NAMES,
    PLACE_WORDS,
    ROLE_WORDS,
    TITLES,
    VICE_POSTS,
    chair_kind,
)
from kb.config import data_dir

__all__ = [
    "HONORIFICS",
    "NOT_NAMES",
    "PLACE_WORDS",
    "ROLE_WORDS",
    "TITLES",
    "NameForm",
    "chair_kind",
    "find_mentions",
    "fold_name",
    "norm_surname",
    "parse_name",
]


_CAP = r"(?:[A-Z](?:['’][A-Z][a-z]+|[a-z]*[A-Z][a-z]+|[a-záéíóú]+)(?:-[A-Z][a-z]+)?)"
_INITIALS = r"(?:(?:[A-Z]\.\s?){1,3}\s*|(?:[A-Z]\s){1,2})"
_TITLE_RE = "|".join(re.escape(t) for t in TITLES)
TITLED = re.compile(
    rf"\b(?P<title>{_TITLE_RE})(?:\.|\b)\s*"
    rf"(?:(?P<hon>{'|'.join(HONORIFICS)})\.?\s+)?"
    rf"(?P<initials>{_INITIALS})?"
    rf"(?:(?P<given>{_CAP})\s+)?(?P<surname>{_CAP})\b"
)
#: 'Cllrs Dean and Abel', 'Councillors Ford, Hart & Ives': the names after the first.
_PLURAL_TITLE = re.compile(
    rf"\b(?P<title>Cllrs|Councillors)\.?\s+(?P<first>{_CAP})"
    rf"(?:(?:\s*,\s*|\s+and\s+|\s*&\s*){_CAP})+"
)
#: An initial and a surname the meeting knows: 'J Jay presented', 'P. Abel said'.
_INITIAL_SURNAME = re.compile(rf"\b(?P<initials>(?:[A-Z]\.?\s){{1,2}})(?P<surname>{_CAP})\b")
_SINGULAR = {"Cllrs": "Cllr", "Councillors": "Councillor"}
_LISTED_NAME = re.compile(rf"(?:\s*,\s*|\s+and\s+|\s*&\s*)(?P<surname>{_CAP})\b")
#: Every chair or vice post contains one of these (case as written).
_CHAIR_KEYS = ("Chair", "athaoirleach", "Conven", "Mayor", "Reeve")
#: Every title contains one of these (the titles that contain no other title).
_TITLE_KEYS = tuple(t for t in TITLES if not any(o != t and o in t for o in TITLES))
#: Whether a text contains any of the keys, as one search in C (a substring test per key
#: in a Python loop cost ~2.5 µs a sentence, this ~0.9).
_TITLE_KEY = re.compile("|".join(map(re.escape, _TITLE_KEYS)))
_CHAIR_KEY = re.compile("|".join(map(re.escape, _CHAIR_KEYS)))
UNTITLED = re.compile(rf"\b(?=(?P<given>{_CAP})\s+(?P<surname>{_CAP})\b)")
SURNAME_INITIAL = re.compile(rf"\b(?P<surname>{_CAP})\s*\((?P<initials>[A-Z])\)")
CHAIR = re.compile(
    rf"\b(?:[Tt]he\s+)?(?P<chair>{VICE_POSTS}|{CHAIR_POSTS})\b(?!['’]s|\s+of\b|\s*\))"
)
ROLE = re.compile(
    r"\b[Tt]he\s+(?P<role>[A-Z][\w'’\-]*\.?(?:(?:\s+|\s*,\s*|\s*[–&]\s*)"
    r"(?:(?!The\b)[A-Z][\w'’\-]*\.?|and|of|for))*)"
)


@lru_cache(maxsize=4)
def given_names(folder: str | None = None) -> frozenset[str]:
    """The given-name word list from ``data/names/given.txt`` (empty if the file is absent)."""
    path = Path(folder) if folder else data_dir() / "names" / "given.txt"
    if path.is_dir():
        path = path / "names" / "given.txt"
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip() for s in lines if s.strip() and not s.startswith("#"))


@lru_cache(maxsize=65_536)
def fold_name(name: str) -> str:
    """A name folded for comparison: case and accents ('Seán' = 'Sean', 'Ó' = 'O').
    Cached: the same few hundred names are compared again and again."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=65_536)
def norm_surname(surname: str) -> str:
    """A surname folded for comparison (case, accents, apostrophe style, spaces)."""
    return fold_name(re.sub(r"[\s'’]", "", surname))


@dataclass
class NameForm:
    """One printed form of a person, parsed.

    ``chair`` is 'chair' / 'vice' when the form is "the Chair" / "the Vice Chair";
    ``role`` is a post named beside the name or, for a bare role phrase, the post alone.
    """

    form: str
    surname: str | None = None
    given: str | None = None
    initials: str = ""
    titles: list[str] = field(default_factory=list)
    role: str | None = None
    chair: str | None = None

    @property
    def is_named(self) -> bool:
        return self.surname is not None

    @property
    def key(self) -> str:
        """A short readable label: the surname, else the role or chair word."""
        return self.surname or self.chair or (self.role or self.form)


def _initials(text: str | None) -> str:
    return re.sub(r"[^A-Z]", "", text or "")


#: Words in NOT_NAMES or PLACE_WORDS that are also surnames after a known given name
#: ("Mr Peter Lane", "Cllr Anne Hall").
_SURNAME_TOO = frozenset(["Lane", "Hall", "Church", "Park", "Green", "Grove", "Bridge", "Head"])


def _from_titled(m: re.Match[str]) -> NameForm | None:
    given, surname = m.group("given"), m.group("surname")
    person = surname in _SURNAME_TOO and given in given_names()  # 'Mr Peter Lane'
    if surname in NOT_NAMES and given and given not in NOT_NAMES and not person:
        given, surname = None, given
    if (surname in NOT_NAMES and not person) or (given in NOT_NAMES):
        if given in NOT_NAMES and surname not in NOT_NAMES:
            given = None
        else:
            return None
    title = _SINGULAR.get(m.group("title"), m.group("title"))  # 'Cllrs Hayward, …'
    titles = [title] + ([m.group("hon")] if m.group("hon") else [])
    inits = _initials(m.group("initials"))
    if given and not inits:
        inits = given[0]
    return NameForm(m.group(0).strip(), surname, given, inits, titles)


def _leading_post(part: str) -> tuple[str, str]:
    """Split a post printed before a name ('Clerk Heather Boyd', 'Fire Chief Rob Fraser')
    into (post, name); ('', part) when the entry does not open with a post."""
    words = part.split()
    cut = 0
    for k, word in enumerate(words[:-1]):
        if not word[:1].isupper() or word.strip(".") in TITLES:
            break  # 'Superintendent Greg Horsford': a title, read by TITLED
        if word.lower().strip(".") in ROLE_WORDS:
            cut = k + 1
    if not cut or not re.fullmatch(_CAP, words[cut]) and not re.match(_INITIALS, words[cut]):
        return "", part
    return " ".join(words[:cut]), " ".join(words[cut:])


def parse_name(text: str) -> NameForm | None:
    """Parse one attendance entry or table cell text into a NameForm (None if no name).

    Handles "Councillor M. Dolling (Chair)", "Agbley (Vice Chair)", "T. Malik",
    "Mr. C. O'Connor, Senior Exec. Officer, Corporate Services",
    "Chief Superintendent, Mr. D. Sheahan", "Chief Executive (Dr. P. Daly)".
    """
    text = " ".join(text.split()).strip(" ,;.")
    role_bits: list[str] = []
    chair = None
    inner = re.search(r"\(([^)]*)\)", text)
    if inner:
        word = inner.group(1).strip()
        if chair_kind(word):
            chair = chair_kind(word)
        elif parse_name(word) and parse_name(word).is_named:  # type: ignore[union-attr]
            found = parse_name(word)
            assert found is not None
            found.role = text[: inner.start()].strip(" ,") or None
            found.form = text
            return found
        else:
            role_bits.append(word)
        text = (text[: inner.start()] + text[inner.end() :]).strip(" ,")
    parts = [p.strip() for p in text.split(",") if p.strip()]
    for i, part in enumerate(parts):
        part = re.sub(r"^Councillors\s+", "Councillor ", part)
        m = TITLED.fullmatch(part) or TITLED.match(part)
        form = _from_titled(m) if m else None
        post, part = _leading_post(part)
        if post:
            role_bits.append(post)
            m = TITLED.fullmatch(part)
            form = _from_titled(m) if m else None
        if form is None:
            bare = re.fullmatch(
                rf"(?P<initials>{_INITIALS})?(?:(?P<given>{_CAP})\s+)?(?P<surname>{_CAP})", part
            )
            if not bare:
                continue
            given = bare.group("given")
            if given in NOT_NAMES or (bare.group("surname") in NOT_NAMES and not given):
                continue
            inits = _initials(bare.group("initials")) or (given[0] if given else "")
            form = NameForm(part, bare.group("surname"), given, inits, [])
        if form.surname and form.surname.lower() in ROLE_WORDS:
            continue
        rest = [p for j, p in enumerate(parts) if j != i and not re.fullmatch(r"T\.?D\.?", p)]
        form.role = ", ".join(role_bits + rest) or None
        form.chair = chair
        form.form = text
        return form
    return None


def _hints(sentence: str) -> tuple[bool, bool, bool, bool]:
    """Whether ``sentence`` may hold a titled name, a "Surname (J)", a chair, a role phrase:
    each pattern needs a fixed word (case as written), which a substring test rules out far
    faster than the regex."""
    return (
        _TITLE_KEY.search(sentence) is not None,
        "(" in sentence,
        _CHAIR_KEY.search(sentence) is not None,
        "he" in sentence,  # [Tt]he
    )


#: What each of :func:`find_mentions`' patterns needs somewhere in a sentence, as a pattern
#: that starts with a literal or a character class (so the regex engine skips ahead in C,
#: unlike the ``\b``-led patterns it stands for), in the order of :data:`Cues`: a title key
#: (TITLED, _PLURAL_TITLE), "(" (SURNAME_INITIAL), a chair key (CHAIR), "he" before a
#: capital (ROLE's "[Tt]he"), a capitalised word before another (UNTITLED), a capital,
#: optional dot and one space before a capital (_INITIAL_SURNAME's last initial and
#: surname).  None of them matches "\x00", so over sentences joined by it each match lies
#: inside one sentence.
_CUE_PATTERNS = (
    _TITLE_KEY,
    re.compile(r"\("),
    _CHAIR_KEY,
    re.compile(r"he\s+[A-Z]"),  # of '[Tt]he' + capital: a literal start, found fastest
    re.compile(r"[A-Z][a-zA-Z\-'’áéíóú]*\s+[A-Z]"),
    re.compile(r"[A-Z]\.?\s[A-Z]"),
)
#: Which patterns :func:`find_mentions` may need for one sentence: (titled, paren, chair,
#: role, untitled, initial) -- False only where that pattern cannot match.
Cues = tuple[bool, bool, bool, bool, bool, bool]
#: Cues of a sentence with no pattern to try (:func:`find_mentions` returns [] for it).
NO_CUES: Cues = (False, False, False, False, False, False)


def sentence_cues(sentences: list[str]) -> list[Cues]:
    """The :data:`Cues` of each of ``sentences``, found with searches per cue pattern over
    all of them (a sentence with no cue at all needs no :func:`find_mentions`): after a
    match the search goes on from the next sentence (a second match in one sentence adds
    nothing; no match crosses the "\x00" between two)."""
    joined = "\x00".join(sentences)
    starts, at = [], 0
    for sentence in sentences:
        starts.append(at)
        at += len(sentence) + 1
    flags = [[False] * len(_CUE_PATTERNS) for _ in sentences]
    last = len(sentences) - 1
    for k, pattern in enumerate(_CUE_PATTERNS):
        m = pattern.search(joined)
        while m is not None:
            n = bisect_right(starts, m.start()) - 1
            flags[n][k] = True
            m = pattern.search(joined, starts[n + 1]) if n < last else None
    return [tuple(f) for f in flags]  # type: ignore[misc]


def find_mentions(
    sentence: str, known_surnames: set[str], cues: Cues | None = None
) -> list[tuple[int, int, NameForm]]:
    """Every person mention in ``sentence`` as (start, end, NameForm), in order, no overlaps.

    Untitled "Given Surname" counts when the given name is in the word list or the surname is
    in ``known_surnames`` (normalised); a bare known surname counts only as "Surname (J)".
    ``cues`` (from :func:`sentence_cues`) may say which patterns cannot match, so they are
    not tried; the answer is the same with or without them.
    """
    found: list[tuple[int, int, NameForm]] = []
    names = given_names()

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e, _ in found)

    if cues is None:
        titled, paren, chair, the = _hints(sentence)
        untitled = initial = True
    else:
        titled, paren, chair, the, untitled, initial = cues
    for m in TITLED.finditer(sentence) if titled else ():
        if m.group("title") in ("Mayor", "Deputy") and m.group("surname") in NOT_NAMES:
            continue
        form = _from_titled(m)
        if form is None and norm_surname(m.group("surname")) in known_surnames:
            form = NameForm(m.group(0).strip(), m.group("surname"), m.group("given"), "", [])
            form.titles = [m.group("title")]  # 'PCSO Lane' when attendance names Kim Lane
        if form and free(m.start(), m.end()):
            end = m.end()
            paren = re.match(r"\s*\(([^()]{1,30})\)", sentence[end:])
            if paren and chair_kind(paren.group(1)):
                form.chair = chair_kind(paren.group(1))
                end += paren.end()
            found.append((m.start(), end, form))
    for m in _PLURAL_TITLE.finditer(sentence) if titled else ():  # 'Cllrs Dean and Abel'
        for n in _LISTED_NAME.finditer(sentence, m.end("first"), m.end()):
            if n.group("surname") not in NOT_NAMES and free(n.start(), n.end()):
                title = _SINGULAR.get(m.group("title"), m.group("title"))
                form = NameForm(n.group("surname"), n.group("surname"), None, "", [title])
                found.append((n.start("surname"), n.end(), form))
    # overlapping: 'Clerk Heather Boyd' tries both pairs
    for m in UNTITLED.finditer(sentence) if untitled else ():
        given, surname = m.group("given"), m.group("surname")
        start, end = m.start("given"), m.end("surname")
        if (
            given in NOT_NAMES
            or surname in PLACE_WORDS  # 'Robert Street', 'Catherine Place'
            or surname in NOT_NAMES
            and norm_surname(surname) not in known_surnames
            and given not in names
        ):
            continue
        if (given in names or norm_surname(surname) in known_surnames) and free(start, end):
            found.append((start, end, NameForm(sentence[start:end], surname, given, given[0])))
    # 'J Jay presented'
    for m in _INITIAL_SURNAME.finditer(sentence) if known_surnames and initial else ():
        if norm_surname(m.group("surname")) in known_surnames and free(m.start(), m.end()):
            inits = _initials(m.group("initials"))
            found.append(
                (m.start(), m.end(), NameForm(m.group(0), m.group("surname"), None, inits))
            )
    for m in SURNAME_INITIAL.finditer(sentence) if paren else ():
        if m.group("surname") not in NOT_NAMES and free(m.start(), m.end()):
            form = NameForm(m.group(0), m.group("surname"), None, m.group("initials"))
            found.append((m.start(), m.end(), form))
    for m in CHAIR.finditer(sentence) if chair else ():
        if free(m.start(), m.end()):
            kind = chair_kind(m.group("chair")) or "chair"
            found.append((m.start(), m.end(), NameForm(m.group(0), chair=kind)))
    for m in ROLE.finditer(sentence) if the else ():
        role = m.group("role")
        stops = [s for s, _, _ in found if m.start("role") <= s < m.end()]
        if stops:
            role = sentence[m.start("role") : min(stops)]
        role = re.sub(r"(?:[\s,–&]+|\b(?:and|of|for))+$", "", role).strip()
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", role)}  # "Clerk-Treasurer"
        if not words & ROLE_WORDS or not free(m.start(), m.start("role") + len(role)):
            continue
        if words <= {"chair", "chairman", "chairperson", "chairwoman", "vice", "officer"}:
            continue
        end = m.start("role") + len(role)
        found.append((m.start(), end, NameForm(sentence[m.start() : end], role=role)))
    return _merge_role_brackets(sentence, sorted(found, key=lambda t: t[0]))


_ROLE_BEFORE = re.compile(r"((?:[A-Z][\w'’\-]*\.?\s+)*[A-Z][\w'’\-]*\.?)\s*\($")


def _merge_role_brackets(
    sentence: str, found: list[tuple[int, int, NameForm]]
) -> list[tuple[int, int, NameForm]]:
    """Fold "[the] Chief Executive (Dr. P. Daly)" into one mention of Daly with that role."""
    out: list[tuple[int, int, NameForm]] = []
    for start, end, form in found:
        before = _ROLE_BEFORE.search(sentence[:start])
        closed = sentence[end:].lstrip().startswith(")")
        if form.surname and before and closed:
            role = re.sub(r"^[Tt]he\s+", "", before.group(1))
            words = {w.lower().strip(".") for w in role.split()}
            if words & ROLE_WORDS:
                form.role = form.role or role
                if out and out[-1][2].surname is None and out[-1][1] >= before.start() - 1:
                    start = out.pop()[0]
                else:
                    start = before.start()
                close = sentence.index(")", end) + 1
                out.append((start, close, form))
                continue
        out.append((start, end, form))
    return out
