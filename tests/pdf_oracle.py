"""The PDF character reader as it was before issue 12's bulk extraction (commit 2c5c731's
``indexer/read_pdf.py`` ``_page_lines``/``_make_line``, unchanged but for this docstring and
the names it imports): the oracle that ``tests/test_read_pdf_chars.py`` holds
:func:`indexer.read_pdf_chars.page_lines` identical to, line for line, on every page of
every test and corpus PDF.  It asks pdfium for each character's code, box, origin, font
size and (per text object) boldness, one call each."""

from __future__ import annotations

import ctypes
import re
import time
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indexer.pdf_layout import MARKER, Line
from kb.model import IngestError

_GLYPH_MAP = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf076": "❖", "\uf0fc": "✓"}

_TEXT_OBJECT_ADDRESS = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value
)


def _check_deadline(deadline: float, page: int) -> None:
    if time.monotonic() > deadline:
        raise IngestError(f"reading the PDF took too long (gave up at page {page})")


@dataclass
class _Char:
    ch: str
    x0: float
    x1: float
    baseline: float
    size: float
    bold: bool


def page_lines(pdf: pdfium.PdfDocument, index: int, deadline: float) -> list[Line]:
    """The lines of one page in content order, each with bold/size/baseline/cells.

    Boldness is a property of a character's text object (its font's weight and name), so
    it is asked of pdfium once per text object, not once per letter: the same answer for
    a fraction of the calls (a page's characters are the reader's hot loop)."""
    _check_deadline(deadline, index + 1)
    page = pdf[index]
    height = page.get_height() or 792.0
    textpage = page.get_textpage()
    raw = textpage.raw
    count = textpage.count_chars()
    name_buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    x, y = ctypes.c_double(), ctypes.c_double()
    get_unicode, get_box = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_GetCharBox
    get_origin, get_size = pdfium_c.FPDFText_GetCharOrigin, pdfium_c.FPDFText_GetFontSize
    get_object = _TEXT_OBJECT_ADDRESS
    bold_of: dict[int, bool] = {}  # text object address -> bold

    def font_bold(i: int) -> bool:
        weight = pdfium_c.FPDFText_GetFontWeight(raw, i)
        pdfium_c.FPDFText_GetFontInfo(raw, i, name_buf, 128, flags)
        name = name_buf.value.lower()
        return weight >= 600 or b"bold" in name or b"black" in name or b"heavy" in name

    lines: list[Line] = []
    chars: list[_Char] = []
    for i in range(max(count, 0)):
        if i % 4000 == 3999:
            _check_deadline(deadline, index + 1)
        code = get_unicode(raw, i)  # by index: never out of step
        if code == 2:  # pdfium's mark for a hyphen it found at a line end
            ch = "\ufffe"
        elif code in (10, 13) or 32 <= code < 0x110000 and not 0xD800 <= code < 0xE000:
            ch = chr(code)
        else:
            ch = " " if code < 32 else "\ufffd"
        if ch == "\n":
            lines.extend(_make_line(chars, index + 1, height))
            chars = []
            continue
        if ch == "\r":
            continue
        ch = _GLYPH_MAP.get(ch, ch)
        if ch.isspace():  # a space's box, size and font are never looked at
            chars.append(_Char(ch, 0.0, 0.0, 0.0, 0.0, False))
            continue
        get_box(raw, i, left, right, bottom, top)
        get_origin(raw, i, x, y)
        size = get_size(raw, i)
        bold = False
        if ch.isalpha():
            address = get_object(raw, i)
            if address is None:  # a character pdfium generated: ask for it alone
                bold = font_bold(i)
            else:
                known = bold_of.get(address)
                if known is None:
                    known = bold_of[address] = font_bold(i)
                bold = known
        chars.append(_Char(ch, left.value, right.value, y.value, size, bold))
    lines.extend(_make_line(chars, index + 1, height))
    return lines


def _median(values: list[float]) -> float:
    """The median of a non-empty list (``statistics.median``'s answer, without its
    generality: this runs twice for every line of a PDF)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _make_line(chars: list[_Char], page: int, height: float) -> list[Line]:
    """Zero or one Line from the characters of one pdfium line (cells split at wide gaps)."""
    text = "".join(c.ch for c in chars).replace("\ufffe", "\u00ad")
    if not text.strip():
        return []
    ink = [c for c in chars if not c.ch.isspace()]
    sizes = [c.size for c in ink if c.size > 1.5] or [10.0]
    size = _median(sizes)
    cells: list[str] = []
    current: list[str] = []
    previous: _Char | None = None
    for c in chars:
        if c.ch.isspace():
            current.append(" ")
            continue
        if previous is not None and c.x0 - previous.x1 > 2.0 * max(size, 4.0):
            cells.append("".join(current))
            current = []
        current.append(c.ch)
        previous = c
    cells.append("".join(current))
    cells = [_fold(cell) for cell in cells if cell.strip()]
    if len(cells) >= 2 and MARKER.match(cells[0]):  # '•' or '1.' then a tab: not a table
        cells[:2] = [f"{cells[0]} {cells[1]}"]
    letters = [c for c in ink if c.ch.isalpha()]
    baseline = _median([c.baseline for c in ink]) if ink else None
    band = baseline is not None and (baseline > 0.88 * height or baseline < 0.12 * height)
    return [
        Line(
            text=_fold(text),
            page=page,
            cells=cells,
            bold=bool(letters) and sum(c.bold for c in letters) >= 0.9 * len(letters),
            size=size,
            baseline=baseline,
            band=band,
            right=max(c.x1 for c in ink) if ink else None,
            lead_bold=bool(letters) and all(c.bold for c in letters[:3]),
        )
    ]


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
