"""Finding dates and clock times as British, Irish, Welsh and North American minutes
print them.

:func:`find_dates` returns every date in a line with its position, in the forms
``27TH MARCH 2018``, ``Monday 4th September 2018``, ``1ST MARCH, 2024``, ``THURSDAY JULY 2nd
2009``, ``September 4, 2018``, ``January 8th, 2024``, ``8th of May 2019``, ordinal words
(``the Eighth day of January 2024``, ``twenty-first March``), ``4.9.18``, ``04/09/2018``,
``2018-09-04`` and Welsh ``ar y 9fed Medi 2020`` / ``14 Ionawr 2015``.  Ordinals may be
split (``1 st``) or mangled (``8™``), month names misspelt (``DECEMEBER``).  A date printed
without a year is returned with ``year=None`` so the caller can supply one
(:func:`complete_year`).
Numeric dates are day-first (British order) unless only the US order fits (``1/28/2024``).

:func:`find_times` returns clock times as ``HH:MM`` (24-hour): ``7.00 P.M`` → ``19:00``,
``10.00 a.m.`` → ``10:00``, ``7.30pm``, ``19:30``, ``8p.m.``; ``20.30pm`` (24-hour time with a
redundant suffix) → ``20:30``.  A bare ``7.30`` with no am/pm is taken as evening
(``19:30``) when the hour is 1–8, since council meetings do not start before 9 a.m.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_ABBREV = {name[:3]: n for name, n in MONTHS.items()} | {"sept": 9}
#: Welsh month names, with the soft-mutated forms used after 'o', 'ym', 'mis' etc.
WELSH_MONTHS: dict[str, int] = {
    "ionawr": 1, "chwefror": 2, "mawrth": 3, "fawrth": 3, "ebrill": 4, "mai": 5, "fai": 5,
    "mehefin": 6, "fehefin": 6, "gorffennaf": 7, "orffennaf": 7, "awst": 8, "medi": 9,
    "fedi": 9, "hydref": 10, "tachwedd": 11, "dachwedd": 11, "rhagfyr": 12, "ragfyr": 12,
}  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_ORD = r"(?:\s?(?:st|nd|rd|th|af|il|ydd|ed|fed|eg|ain)\b|\u2122|(?=\W|$))"
_MONTH_WORD = r"[A-Za-z]{3,10}\.?"
_WEEKDAY = r"\b(?:(?P<wd>mon|tues|tue|wednes|wed|thurs|thu|fri|satur|sat|sun)(?:day)?\.?,?\s+)?"
_YEAR = r"(?P<y>(?:19|20)\d\d)\b"

_DMY = re.compile(
    _WEEKDAY
    + r"(?:the\s+|y\s+|yr\s+)?(?<![\d.,/£$€])\b(?P<d>[0-3]?\d)"
    + _ORD
    + r"[\s,*]*(?:of\s+)?(?P<m>"
    + _MONTH_WORD
    + r")(?:[\s,]+(?:of\s+)?"
    + _YEAR
    + r")?",
    re.I,
)
_MDY = re.compile(
    _WEEKDAY
    + r"\b(?P<m>"
    + _MONTH_WORD
    + r")\s+(?P<d>[0-3]?\d)"
    + _ORD
    + r"(?:[\s,]+"
    + _YEAR
    + ")?",
    re.I,
)
_NUMERIC = re.compile(
    r"(?<![\d.,/£$€-])(?P<d>[0-3]?\d)(?P<sep>[./-])(?P<m>[0-3]?\d)(?P=sep)"
    r"(?P<y>(?:19|20)\d\d|\d\d)(?![\d.]?\d)"
)
_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_TEENS = (
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth",
)  # fmt: skip
#: Ordinal words 'first' … 'thirty-first' → day of the month.
ORDINAL_WORDS: dict[str, int] = (
    {w: i + 1 for i, w in enumerate(_UNITS)}
    | {w: i + 10 for i, w in enumerate(_TEENS)}
    | {"twentieth": 20, "thirtieth": 30}
    | {f"twenty-{w}": 21 + i for i, w in enumerate(_UNITS)}
    | {"thirty-first": 31}
)
#: Substrings one of which every ordinal word contains.
_ORDINAL_STEMS = (*_UNITS, "tenth", "eleventh", "twelfth", "teenth", "twentieth", "thirtieth")
_ORD_WORD = (
    r"(?:twenty|thirty)[- ]?(?:"
    + "|".join(_UNITS)
    + r")|"
    + "|".join(
        sorted(set(ORDINAL_WORDS) - {k for k in ORDINAL_WORDS if "-" in k}, key=len, reverse=True)
    )
)
_WORDS = re.compile(
    _WEEKDAY
    + r"(?:the\s+)?\b(?P<d>"
    + _ORD_WORD
    + r")\s+(?:day\s+)?(?:of\s+)?(?P<m>"
    + _MONTH_WORD
    + r")(?:[\s,]+(?:in\s+the\s+year\s+)?"
    + _YEAR
    + r")?",
    re.I,
)
_ISO = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?!\d)")


@dataclass(frozen=True)
class DateMatch:
    """A date found in a line: ``year`` is None when the line printed none."""

    year: int | None
    month: int
    day: int
    start: int
    end: int
    weekday: int | None = None  # 0 = Monday, as printed (may be wrong in the source)
    text: str = ""

    def to_date(self, year: int | None = None) -> dt.date | None:
        """The date, with ``year`` used when none was printed; None if impossible."""
        y = self.year if self.year is not None else year
        if y is None:
            return None
        try:
            return dt.date(y, self.month, self.day)
        except ValueError:
            return None


def month_number(word: str) -> int | None:
    """Month 1–12 for an English or Welsh month name, abbreviation or close misspelling."""
    w = word.lower().rstrip(".")
    if w in MONTHS:
        return MONTHS[w]
    if w in _ABBREV:
        return _ABBREV[w]
    if w in WELSH_MONTHS:
        return WELSH_MONTHS[w]
    if len(w) >= 5 and w[:3] in _ABBREV:
        full = next(name for name in MONTHS if name.startswith(w[:3]))
        if difflib.SequenceMatcher(None, w, full).ratio() >= 0.8:
            return MONTHS[full]
    return None


def _weekday(m: re.Match[str]) -> int | None:
    wd = m.group("wd")
    if not wd:
        return None
    return next(i for i, name in enumerate(WEEKDAYS) if name.startswith(wd.lower()[:3]))


def find_dates(line: str) -> list[DateMatch]:
    """Every date in ``line`` in order of position (see module docstring for the forms)."""
    found: list[DateMatch] = []
    for rx in (_DMY, _MDY):
        for m in rx.finditer(line):
            month = month_number(m.group("m"))
            day = int(m.group("d"))
            if month is None or not 1 <= day <= 31:
                continue
            year = int(m.group("y")) if m.group("y") else None
            found.append(DateMatch(year, month, day, m.start(), m.end(), _weekday(m), m.group(0)))
    low = line.lower()
    words = any(w in low for w in _ORDINAL_STEMS)  # a cheap test before the long pattern
    for m in _WORDS.finditer(line) if words else ():
        month = month_number(m.group("m"))
        word = re.sub(r"[- ]+", "-", m.group("d").lower())
        day = ORDINAL_WORDS.get(word)
        if month is not None and day is not None:
            year = int(m.group("y")) if m.group("y") else None
            found.append(DateMatch(year, month, day, m.start(), m.end(), _weekday(m), m.group(0)))
    for m in _NUMERIC.finditer(line):
        day, month, y = int(m.group("d")), int(m.group("m")), m.group("y")
        year = int(y) if len(y) == 4 else 2000 + int(y)
        if month > 12 and 1 <= day <= 12 and len(y) == 4:  # only US order fits: 1/28/2024
            day, month = month, day
        if 1 <= day <= 31 and 1 <= month <= 12:
            found.append(DateMatch(year, month, day, m.start(), m.end(), None, m.group(0)))
    for m in _ISO.finditer(line):
        found.append(
            DateMatch(
                int(m.group("y")), int(m.group("m")), int(m.group("d")), m.start(), m.end(),
                None, m.group(0),
            )
        )  # fmt: skip
    found = [f for f in found if f.to_date(2000) is not None]  # drop 31 February etc.
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[DateMatch] = []
    for f in found:  # overlapping matches: keep the first, longest
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    return kept


def complete_year(
    match: DateMatch, near: int | None, *, before: dt.date | None = None
) -> int | None:
    """Choose a year for a date printed without one.

    ``near`` is a year known from elsewhere (the file name, other dates in the text);
    ``before`` a date the meeting cannot be after (e.g. a magazine's post date).  Of the
    years near-1 … near+1 the one that matches a printed weekday wins, else the latest
    not after ``before``, else ``near``.
    """
    if match.year is not None:
        return match.year
    if near is None:
        return None
    years = [near, near - 1, near + 1]
    if before is not None:
        years = [y for y in (near, near - 1) if (d := match.to_date(y)) and d <= before] or [near]
    if match.weekday is not None:
        for y in years:
            d = match.to_date(y)
            if d is not None and d.weekday() == match.weekday:
                return y
    return years[0]


_TIME = re.compile(
    r"(?<![\d./£$€])(?P<h>[012]?\d)(?:[.:](?P<mi>[0-5]\d))?\s*"
    r"(?P<ap>[ap]\.?\s?m\b\.?|[ap]\.m\b|hrs\b|o'?clock\b)?",
    re.I,
)


@dataclass(frozen=True)
class TimeMatch:
    """A clock time found in a line, normalised to ``HH:MM`` (24-hour)."""

    value: str
    start: int
    end: int
    explicit: bool  # True when written with am/pm, 'hrs' or as 24-hour HH:MM ≥ 13:00


def find_times(line: str) -> list[TimeMatch]:
    """Every clock time in ``line`` (see module docstring); bare numbers are not times."""
    out: list[TimeMatch] = []
    for m in _TIME.finditer(line):
        hour, minute, ap = int(m.group("h")), m.group("mi"), (m.group("ap") or "").lower()
        if minute is None and not ap:
            continue  # a bare number
        if minute is None and ap in {"hrs", "oclock", "o'clock"}:
            continue
        mins = int(minute or 0)
        if hour > 23:
            continue
        explicit = bool(ap) or hour >= 13
        if ap.startswith("p") and hour < 12:
            hour += 12
        elif ap.startswith("a") and hour == 12:
            hour = 0
        elif not ap and 1 <= hour <= 8:
            hour += 12
        if ":" not in m.group(0) and "." not in m.group(0) and not ap:
            continue
        out.append(TimeMatch(f"{hour:02d}:{mins:02d}", m.start(), m.end(), explicit))
    return out
