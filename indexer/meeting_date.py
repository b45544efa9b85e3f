"""A meeting's date from its document: ``find_meeting_date(doc, preamble, rest)``.

Order of trust (each step only when the earlier ones found nothing):

1. ``doc.hints['date']`` (ModernGov XML): ``date_source`` "xml".
2. The body's dated heading: the first date in the preamble that is not about another
   meeting (words such as 'previous', 'last', 'next', 'that the minutes', 'approved',
   'dated' just before it rule it out), else the first such date in a 'held on / meeting
   held / date held' sentence of the next blocks: "text".  The page's title (HTML
   ``<title>``, Markdown front matter ``title``) is not the body: when the title is dated,
   only a *dated heading* of the body counts against it (a heading or bold line, a date
   at the start of a line, or after 'held' / 'meeting of' / 'minutes of' / 'date' in its
   sentence); that
   heading wins and a warning says so (a typo'd year in a post title).
   A file name's full date that disagrees is warned about the same way, and so is a front
   matter date (when the post was published) earlier than the meeting.
3. The title's date ("text", evidence 'title: …').
4. The file name's date (``20221128.txt``, ``minutes_20-01-08.php``, ``… - 23rd May
   2016.md``): "filename".
5. A date in the PDF/DOCX metadata title or subject: "metadata".
6. None / "unknown".

A date printed without a year takes it from the file name, else from the front matter
date (a post's date, which the meeting cannot be after), else from the commonest year in
the text, checked against a printed weekday.  ``date_evidence`` quotes the line (≤ 200
characters).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from indexer.dates import DateMatch, complete_year, find_dates
from kb.model import Block, Document

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


@dataclass
class DateFinding:
    """The meeting's date, where it came from, the line quoted and any disagreement."""

    date: dt.date | None
    source: str
    evidence: str
    warnings: list[str] = field(default_factory=list)


def _first_date(
    blocks: list[Block],
    *,
    in_preamble: bool,
    near: int | None,
    before: dt.date | None,
    heading: bool = False,
) -> tuple[dt.date, str] | None:
    """The first acceptable date in ``blocks`` and its quoted line, or None.

    ``heading`` accepts only a dated heading: a date in a heading or bold block, at the
    start of its block, or after 'held' / 'meeting of' / 'minutes of' / 'date' in its
    sentence."""
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
            if heading and not _is_dated_heading(block, text, match):
                continue
            date = match.to_date(complete_year(match, near, before=before))
            if date is not None:
                line = block.text if match.end <= len(block.text) else text
                return date, _evidence(line, match.start, match.end)
    return None


_HEADING_WORDS = re.compile(
    r"\bheld\b|\bdate\b|minutes\s+of|meeting\s+(?:of|on)\b|cynhaliwyd|cyfarfod", re.I
)


def _is_dated_heading(block: Block, text: str, match: DateMatch) -> bool:
    """True when ``match`` dates the block as a heading would (see :func:`_first_date`)."""
    spelt = bool(re.search(r"[^\W\d_]|\d{4}", match.text))  # not '14/09/10', an item ref
    if spelt and (block.kind == "heading" or block.bold or match.start <= 25):
        return True
    sentence = re.split(r"[.;!?]\s", text[max(0, match.start - 120) : match.start])[-1]
    return bool(_HEADING_WORDS.search(sentence))


def _hinted(doc: Document) -> DateFinding | None:
    hinted = doc.hints.get("date")
    if not hinted:
        return None
    try:
        date = hinted if isinstance(hinted, dt.date) else dt.date.fromisoformat(str(hinted))
    except ValueError:  # an unreadable stated date: fall back to the text
        return None
    evidence = str(doc.hints.get("date_evidence", f"date {date.isoformat()}"))
    return DateFinding(date, "xml", evidence)


def _metadata_day(value: str) -> dt.date | None:
    """A front matter / metadata date ('2019-03-06', '2019-03-06T10:00:00Z'), or None."""
    m = re.match(r"\s*((?:19|20)\d\d)-(\d\d)-(\d\d)", value)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def find_meeting_date(doc: Document, preamble: list[Block], rest: list[Block]) -> DateFinding:
    """The meeting's date by the order of trust in the module docstring."""
    hinted = _hinted(doc)
    if hinted is not None:
        return hinted
    fdate, fyear, latest = filename_date(doc.path)
    posted = _metadata_day(doc.metadata.get("date", ""))
    if fdate is None and latest is None and posted is not None:
        latest = posted
    near = fyear or (posted.year if posted else None)
    if near is None:  # only needed for a date printed without a year
        years = Counter(
            d.year
            for b in _opening(preamble + rest, _YEAR_SCAN_CHARS)
            for d in find_dates(b.text)
            if d.year is not None
        )
        near = years.most_common(1)[0][0] if years else None
    before = latest if fdate is None else None
    title = doc.metadata.get("title", "")
    titled = bool(preamble) and bool(title) and preamble[0].text == title
    in_title = (
        _first_date(preamble[:1], in_preamble=True, near=near, before=before) if titled else None
    )
    body_preamble = preamble[1:] if titled else preamble
    # Against a dated title, only a dated heading in the body counts.
    strict = in_title is not None
    found = _first_date(
        body_preamble, in_preamble=True, near=near, before=before, heading=strict
    ) or _first_date(rest[:_BODY_LOOKAHEAD], in_preamble=False, near=near, before=before)
    if found is not None:
        date, evidence = found
        finding = DateFinding(date, "text", evidence)
        if in_title and in_title[0] != date:
            finding.warnings.append(
                f"the title's date ({in_title[0].isoformat()}) disagrees with the minutes' "
                f"dated heading ({date.isoformat()}): the heading's date is used"
            )
        if posted is not None and date > posted:
            finding.warnings.append(
                f"the front matter's date ({posted.isoformat()}) is before the meeting's "
                f"({date.isoformat()}): one of them is mistyped; the text's date is used"
            )
        if fdate is not None and fdate != date:
            finding.warnings.append(
                f"the file name's date ({fdate.isoformat()}) disagrees with the text's "
                f"({date.isoformat()}): the text's date is used"
            )
        return finding
    if in_title is not None:
        return DateFinding(in_title[0], "text", f"title: {in_title[1]}")
    if fdate is not None:
        return DateFinding(fdate, "filename", f"file name {doc.path.name}")
    for key in ("title", "subject"):
        value = doc.metadata.get(key, "")
        full = [d for d in find_dates(value) if d.year is not None]
        if full and (date := full[0].to_date()):
            return DateFinding(date, "metadata", f"document {key}: {_evidence(value, 0, 0)}")
    return DateFinding(None, "unknown", "no meeting date in the text or the file name")
