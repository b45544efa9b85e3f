"""One PDF page's text layer → :class:`~indexer.pdf_layout.Line` objects, with the fewest
calls into pdfium.

Each line needs its characters' text, and for every character that is not a space its box
(left and right edges, for table-cell gaps and the right margin), its origin (the
baseline), its font size and, for letters, whether its font is bold.  The page's text
comes in one ``FPDFText_GetText`` call; size and boldness belong to a character's text
object (pdfium answers both from the object: ``FPDFText_GetFontSize`` is the object's font
size), so they are asked once per object; only the box and the origin are asked per
character.  Calls go through cffi, which costs about half of what a ctypes call does: the
per-character calls are the reader's hot loop (a 400-page PDF has ~440,000 characters).

The Lines are exactly those of the per-character reader that came before (one call per
character for its code, box, origin and size): ``tests/test_read_pdf_chars.py`` holds
them identical on every page of every test and corpus PDF.  Where the page text cannot be
trusted to line up with the character indexes (it has fewer or more units than the page
has characters — pdfium leaves control characters out of it — or a surrogate pair), the
codes are read one character at a time as before.
"""

from __future__ import annotations

import ctypes
import re
import time
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from cffi import FFI

from indexer.pdf_layout import MARKER, Line
from kb.model import IngestError

#: characters read between deadline checks
CHECK_EVERY = 4000

_ffi = FFI()

# Symbol-font bullets that PDFs put in the private-use area.
_GLYPH_MAP = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf076": "❖", "\uf0fc": "✓"}


def _code_table() -> dict[int, str]:
    """``str.translate`` table from a pdfium character code to the character the lines
    hold: 2 (pdfium's mark for a hyphen it found at a line end) → U+FFFE, other control
    codes but CR and LF → space, private-use bullets → their glyphs."""
    table: dict[int, str] = {code: " " for code in range(32) if code not in (10, 13)}
    table[2] = "\ufffe"
    table.update({ord(k): v for k, v in _GLYPH_MAP.items()})
    return table


_CODES = _code_table()
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACE_RUN = re.compile(r"\s+")


def _function(name: str, signature: str) -> Any:
    """pdfium's exported ``name`` as a cffi function of C type ``signature``: the same
    function pypdfium2 binds, called through its address."""
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value
    return _ffi.cast(signature, address)


_get_text = _function("FPDFText_GetText", "int(*)(void*, int, int, unsigned short*)")
_get_unicode = _function("FPDFText_GetUnicode", "unsigned int(*)(void*, int)")
_get_box = _function(
    "FPDFText_GetCharBox", "int(*)(void*, int, double*, double*, double*, double*)"
)
_get_origin = _function("FPDFText_GetCharOrigin", "int(*)(void*, int, double*, double*)")
_get_size = _function("FPDFText_GetFontSize", "double(*)(void*, int)")
_get_object = _function("FPDFText_GetTextObject", "uintptr_t(*)(void*, int)")
_get_weight = _function("FPDFText_GetFontWeight", "int(*)(void*, int)")
_get_font = _function(
    "FPDFText_GetFontInfo", "unsigned long(*)(void*, int, char*, unsigned long, int*)"
)


def check_deadline(deadline: float, page: int) -> None:
    """Raise IngestError naming ``page`` once ``deadline`` (``time.monotonic``) is past."""
    if time.monotonic() > deadline:
        raise IngestError(f"reading the PDF took too long (gave up at page {page})")


def textpage_handle(textpage: pdfium.PdfTextPage) -> Any:
    """The pdfium text page of pypdfium2's ``textpage`` as the cffi pointer this module's
    functions take."""
    return _ffi.cast("void*", ctypes.cast(textpage.raw, ctypes.c_void_p).value)


def page_text(textpage: Any, count: int) -> str:
    """The page's ``count`` characters, one str character per pdfium character index, as
    the lines hold them (see :func:`_code_table`; codes outside Unicode → U+FFFD)."""
    if count <= 0:
        return ""
    buf = _ffi.new("unsigned short[]", count + 1)
    got = _get_text(textpage, 0, count, buf) - 1  # the answer counts the closing NUL
    if got == count:
        # A surrogate pair would decode to one character for pdfium's two: not aligned.
        text = _ffi.buffer(buf, 2 * count)[:].decode("utf-16-le", "surrogatepass")
        if len(text) == count and not _SURROGATE.search(text):
            return text.translate(_CODES)
    return page_text_by_char(textpage, count)


def page_text_by_char(textpage: Any, count: int) -> str:
    """:func:`page_text` asked one character at a time (for a page whose text does not
    line up with its character indexes)."""
    return "".join(_char(_get_unicode(textpage, i)) for i in range(count)).translate(_CODES)


def _char(code: int) -> str:
    """One pdfium character code as a str character (U+FFFD for a surrogate or past
    Unicode; control codes are mapped later by :data:`_CODES`)."""
    if code < 0x110000 and not 0xD800 <= code < 0xE000:
        return chr(code)
    return "\ufffd"


class _Fonts:
    """Size and boldness of a page's characters, asked of pdfium once per text object (a
    character without one, 0, is asked alone)."""

    def __init__(self, textpage: Any) -> None:
        self.textpage = textpage
        self.size_of: dict[int, float] = {}
        self.bold_of: dict[int, bool] = {}
        self._name = _ffi.new("char[128]")
        self._flags = _ffi.new("int*")

    def sizes(self, objects: list[int], chars: list[int]) -> list[float]:
        """Font sizes of characters ``chars`` whose text objects are ``objects``."""
        got: list[float | None] = list(map(self.size_of.get, objects))
        if None in got:
            for k, value in enumerate(got):
                if value is None:
                    obj = objects[k]
                    value = self.size_of.get(obj) if obj else None
                    if value is None:
                        value = float(_get_size(self.textpage, chars[k]))
                        if obj:
                            self.size_of[obj] = value
                    got[k] = value
        return got  # type: ignore[return-value]

    def bold(self, objects: list[int], chars: list[int]) -> list[bool]:
        """Whether each character's font is bold: weight ≥ 600 or Bold/Black/Heavy in its
        name."""
        got: list[bool | None] = list(map(self.bold_of.get, objects))
        if None in got:
            for k, value in enumerate(got):
                if value is None:
                    obj = objects[k]
                    value = self.bold_of.get(obj) if obj else None
                    if value is None:
                        value = self._ask_bold(chars[k])
                        if obj:
                            self.bold_of[obj] = value
                    got[k] = value
        return got  # type: ignore[return-value]

    def _ask_bold(self, i: int) -> bool:
        weight = _get_weight(self.textpage, i)
        _get_font(self.textpage, i, self._name, 128, self._flags)
        name = _ffi.string(self._name).lower()
        return weight >= 600 or b"bold" in name or b"black" in name or b"heavy" in name


def page_lines(pdf: pdfium.PdfDocument, index: int, deadline: float) -> list[Line]:
    """The lines of page ``index`` in content order, each with bold/size/baseline/cells
    (a line is what pdfium ends with a line feed; blank lines are left out).  Raises
    IngestError once ``deadline`` is past (checked every :data:`CHECK_EVERY` characters),
    pdfium.PdfiumError for a damaged page."""
    check_deadline(deadline, index + 1)
    page = pdf[index]
    height = page.get_height() or 792.0
    textpage = page.get_textpage()
    handle = textpage_handle(textpage)
    text = page_text(handle, textpage.count_chars())
    fonts = _Fonts(handle)
    box = _ffi.new("double[4]")
    left, right, bottom, top = box, box + 1, box + 2, box + 3
    point = _ffi.new("double[2]")
    px, py = point, point + 1
    lines: list[Line] = []
    start, checked = 0, 0
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        if end - checked >= CHECK_EVERY:
            check_deadline(deadline, index + 1)
            checked = end
        segment = text[start:end]
        if "\r" in segment:
            positions = [start + j for j, ch in enumerate(segment) if ch != "\r"]
            segment = segment.replace("\r", "")
        else:
            positions = None
        if segment.strip():
            ink = [j for j, ch in enumerate(segment) if not ch.isspace()]
            chars = [j + start for j in ink] if positions is None else [positions[j] for j in ink]
            x0s, x1s, baselines = [], [], []
            for i in chars:
                _get_box(handle, i, left, right, bottom, top)
                x0s.append(box[0])
                x1s.append(box[1])
                _get_origin(handle, i, px, py)
                baselines.append(point[1])
            objects = [_get_object(handle, i) for i in chars]
            sizes = fonts.sizes(objects, chars)
            alpha = [k for k, j in enumerate(ink) if segment[j].isalpha()]
            letters = fonts.bold([objects[k] for k in alpha], [chars[k] for k in alpha])
            lines.append(
                _line(segment, ink, x0s, x1s, baselines, sizes, letters, index + 1, height)
            )
        start = end + 1
    return lines


def _median(values: list[float]) -> float:
    """The median of a non-empty list (``statistics.median``'s answer)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _line(
    text: str,
    ink: list[int],
    x0s: list[float],
    x1s: list[float],
    baselines: list[float],
    sizes: list[float],
    letters_bold: list[bool],
    page: int,
    height: float,
) -> Line:
    """The Line of one pdfium line's ``text`` (not blank): ``ink`` are the positions in it
    of the characters that are not spaces, with their edges, baselines and sizes;
    ``letters_bold`` says for each letter whether it is bold.  A gap wider than twice the
    size (at least 8 points) between two characters starts a new table cell."""
    size = _median([s for s in sizes if s > 1.5] or [10.0])
    gap = 2.0 * max(size, 4.0)
    cuts = [ink[k] for k in range(1, len(ink)) if x0s[k] - x1s[k - 1] > gap]
    bounds = [0, *cuts, len(text)]
    cells = [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    cells = [_fold(cell) for cell in cells if cell.strip()]
    if len(cells) >= 2 and MARKER.match(cells[0]):  # '•' or '1.' then a tab: not a table
        cells[:2] = [f"{cells[0]} {cells[1]}"]
    baseline = _median(baselines)
    return Line(
        text=_fold(text.replace("\ufffe", "\u00ad")),
        page=page,
        cells=cells,
        bold=bool(letters_bold) and sum(letters_bold) >= 0.9 * len(letters_bold),
        size=size,
        baseline=baseline,
        band=baseline > 0.88 * height or baseline < 0.12 * height,
        right=max(x1s),
        lead_bold=bool(letters_bold) and all(letters_bold[:3]),
    )


def _fold(text: str) -> str:
    return _SPACE_RUN.sub(" ", text).strip()
