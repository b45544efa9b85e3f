"""PDF lines → Blocks: the layout rules shared by the text-layer and OCR paths.

A :class:`Line` is one printed line with what is known of its layout (font size, baseline,
boldness, right edge, table cells).  :func:`clean` drops print furniture — running
headers/footers (the same line, digits aside, in the top or bottom band of most pages),
page numbers and signature lines — and rejoins superscript ordinals ('8' + 'th JULY').
:func:`group` turns the cleaned lines into paragraph, heading, list and table-row Blocks:

* a paragraph ends at a new page, a change of boldness or size, a numbered or bulleted
  line, a vertical gap over 1.6 line steps, or after a short numbered line (a heading);
* hyphenated line breaks are mended ('regener-' + 'ation' → 'regeneration');
* two or more consecutive lines split by wide gaps are ``table-row`` Blocks with ``cells``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from indexer.text import symbol_glyphs
from kb.model import Block

_PAGE_NUMBER = re.compile(
    r"(?i)^\s*(?:(?:page|p\.|tudalen)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|-\s*\d{1,4}\s*-"
    r"|\d{1,4}\s*(?:of|/)\s*\d{1,4}|\d{1,3})\s*$"
)
_LEADER = r"[.…_·]{4,}"
_SIGNATURE = re.compile(
    rf"(?i)^\s*(?:(?:signed|dated?|chair(?:man|person)?|\(chair(?:man|person)?\)|cadeirydd|llofnod)"
    rf"\b.*{_LEADER}"
    rf"|{_LEADER})"
)
_SIGN_OFF = re.compile(r"(?i)^\s*\(?(?:chair(?:man|person)?|cadeirydd|date|dated)\)?[\s:.]*$")
_ORDINAL_TAIL = re.compile(r"(?i)^(?:st|nd|rd|th)\b")
_NUMBERED = re.compile(r"^\s*(?:\d{1,4}(?:\.\d{1,3})*[.):]?\s|\(?[ivx]{1,5}\)\s|\(?[a-z]\)\s)")
#: A lone list marker ("•", "1.", "(a)", "iv)") that may sit in its own cell before the text.
MARKER = re.compile(r"^(?:[•▪➢❖✓*o-]|\(?(?:\d{1,4}(?:\.\d{1,3})*|[ivx]{1,5}|[a-z])[.):]?\)?)$")
_BULLET = re.compile(r"^\s*[•▪➢❖✓*-]\s+")


@dataclass
class Line:
    """One printed line: its text and, when known, its layout."""

    text: str
    page: int
    cells: list[str] = field(default_factory=list)
    bold: bool = False
    size: float = 0.0
    baseline: float | None = None  # PDF units from the page bottom
    band: bool = False  # in the top or bottom 12 % of the page (header/footer zone)
    right: float | None = None  # right edge of the last character, PDF units
    lead_bold: bool = False  # the first letters are bold (a heading running into text)
    para_break: bool = False  # OCR: a blank line came before it


def median(values: Iterable[float]) -> float:
    """The median of non-empty ``values``: ``statistics.median``'s answer (the middle
    value, or the mean of the middle two), without importing ``statistics`` (and with it
    ``fractions``, ``decimal`` and ``random``) into every reader process."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


# --------------------------------------------------------------------------- clean-up


def is_furniture_line(text: str) -> bool:
    """True for a page number ('Page 2 of 5', '- 3 -', '4') or a signature line
    ('Signed ……… Chairman', 'Dated ……'): print furniture, not minutes text."""
    return bool(_PAGE_NUMBER.match(text) or _SIGNATURE.match(text))


def _furniture_key(text: str) -> str:
    """A line with digits and case ironed out, to spot running headers and footers."""
    return re.sub(r"\d+", "#", text.lower()).strip(" .")


def _running_keys(pages_lines: list[list[Line]], page_count: int) -> set[str]:
    """Furniture keys of the band lines printed on at least 60 % of the pages (and two)."""
    seen_on: Counter[str] = Counter()
    for lines in pages_lines:
        seen_on.update({_furniture_key(line.text) for line in lines if line.band})
    repeat_min = max(2, -(-page_count * 6 // 10))
    return {key for key, n in seen_on.items() if n >= repeat_min and page_count >= 2}


def running_headers(pages_lines: list[list[Line]], page_count: int) -> list[str]:
    """The running header/footer lines that :func:`clean` drops, as printed on the first
    page that has any ('Cabinet – 12 March 2024'), page numbers left out: a committee's
    name is often printed there and nowhere else."""
    running = _running_keys(pages_lines, page_count)
    for lines in pages_lines:
        found = [
            line.text
            for line in lines
            if line.band
            and _furniture_key(line.text) in running
            and not _PAGE_NUMBER.match(line.text)
            and re.search(r"[^\W\d_]{3}", line.text)
        ]
        if found:
            return found
    return []


def clean(pages_lines: list[list[Line]], page_count: int) -> list[Line]:
    """Drop headers/footers, page numbers and signature lines; rejoin split ordinals."""
    running = _running_keys(pages_lines, page_count)
    kept: list[Line] = []
    for lines in pages_lines:
        after_signature = False
        for line in lines:
            if line.band and (
                _furniture_key(line.text) in running or _PAGE_NUMBER.match(line.text)
            ):
                continue
            if _SIGNATURE.match(line.text):
                after_signature = True
                continue
            if after_signature and _SIGN_OFF.match(line.text):
                continue
            after_signature = False
            previous = kept[-1] if kept and kept[-1].page == line.page else None
            if (
                previous is not None
                and previous.text[-1:].isdigit()
                and _ORDINAL_TAIL.match(line.text)
            ):
                previous.text += line.text
                previous.cells = [previous.text]
                continue
            kept.append(line)
    return kept


# --------------------------------------------------------------------------- grouping


def _is_table_line(line: Line) -> bool:
    return len(line.cells) >= 2


def _typical_step(lines: list[Line]) -> float | None:
    """The usual distance between consecutive baselines (the body text's line spacing)."""
    steps = [
        a.baseline - b.baseline
        for a, b in zip(lines, lines[1:], strict=False)
        if a.page == b.page
        and a.baseline is not None
        and b.baseline is not None
        and 0 < a.baseline - b.baseline < 3 * max(a.size, 4.0)
    ]
    return median(steps) if len(steps) >= 3 else None


def _right_margin(lines: list[Line]) -> float | None:
    """Where full lines of body text end: the 90th percentile of right edges."""
    rights = sorted(line.right for line in lines if line.right is not None)
    return rights[int(0.9 * (len(rights) - 1))] if len(rights) >= 5 else None


def _starts_block(
    previous: Line, line: Line, typical: float | None, margin: float | None = None
) -> bool:
    """True when ``line`` cannot continue the paragraph that ``previous`` is in.

    Breaks: a new page; a blank line (OCR); a change of boldness or size; a numbered or
    bulleted line; a vertical gap over 1.6 line steps; a numbered line that stopped well
    short of the right margin (a heading such as '1. Apologies', then its text).
    """
    if line.page != previous.page or line.para_break:
        return True
    continues_heading = previous.bold and line.lead_bold  # 'Committee' / 'Meeting: text…'
    if (line.bold != previous.bold and not continues_heading) or abs(
        line.size - previous.size
    ) > 1.5:
        return True
    if _NUMBERED.match(line.text) or _BULLET.match(line.text):
        return True
    if line.baseline is not None and previous.baseline is not None:
        step = previous.baseline - line.baseline
        spacing = typical or 1.2 * max(line.size, previous.size, 4.0)
        if step > 1.6 * spacing or step < -0.5 * spacing:  # a gap, or a jump up the page
            return True
    if margin is not None and previous.right is not None and _NUMBERED.match(previous.text):
        return previous.right < 0.75 * margin
    return False


def _join(text: str, more: str) -> str:
    """Join two lines of a paragraph, mending a word hyphenated across the break.

    A line-end hyphen (or pdfium's soft-hyphen mark) before a lowercase letter is dropped
    ('regener-' + 'ation' → 'regeneration'); before anything else it stays, without a space
    ('well-' + 'Designed' → 'well-Designed', '3-' + '4' → '3-4').
    """
    if text.endswith("\u00ad") or (len(text) >= 2 and text.endswith("-") and text[-2].isalnum()):
        stem = text[:-1]
        if more[:1].islower() and stem[-1:].isalpha():
            return stem + more
        return f"{stem}-{more}"
    return f"{text} {more}"


def _soft_hyphens(text: str) -> str:
    """Resolve soft-hyphen marks left inside a line: dropped before lowercase, else '-'."""
    return re.sub("\u00ad(?![a-z])", "-", text).replace("\u00ad", "")


def group(lines: list[Line]) -> list[Block]:
    """Paragraph, heading, list and table-row Blocks from cleaned lines."""
    sizes = [line.size for line in lines if line.size > 0]
    body_size = median(sizes) if sizes else 0.0
    typical = _typical_step(lines)
    margin = _right_margin(lines)
    table = [
        _is_table_line(line)
        and (
            (i > 0 and _is_table_line(lines[i - 1]) and lines[i - 1].page == line.page)
            or (i + 1 < len(lines) and _is_table_line(lines[i + 1]))
        )
        for i, line in enumerate(lines)
    ]
    groups: list[list[Line]] = []
    for i, line in enumerate(lines):
        if (
            table[i]
            or not groups
            or table[i - 1]
            or _starts_block(groups[-1][-1], line, typical, margin)
        ):
            groups.append([line])
        else:
            groups[-1].append(line)
    blocks: list[Block] = []
    index = 0
    for group in groups:
        first = group[0]
        if table[index]:
            blocks.append(
                Block(
                    text="\t".join(first.cells),
                    kind="table-row",
                    page=first.page,
                    bold=first.bold,
                    cells=list(first.cells),
                )
            )
        else:
            blocks.append(_paragraph(group, body_size))
        index += len(group)
    return [block for block in blocks if block.text]


def _paragraph(group: list[Line], body_size: float) -> Block:
    text = symbol_glyphs(group[0].text)
    for line in group[1:]:
        text = _join(text, symbol_glyphs(line.text))
    text = _soft_hyphens(text)
    bold = all(line.bold for line in group)
    kind = "paragraph"
    bullet = _BULLET.match(text)
    if bullet and not _NUMBERED.match(text):
        kind, text = "list", text[bullet.end() :]
    elif (bold and len(group) <= 2 and len(text) <= 150) or (
        body_size and group[0].size >= 1.25 * body_size and len(text) <= 200
    ):
        kind = "heading"
    return Block(text=text, kind=kind, page=group[0].page, bold=bold)
