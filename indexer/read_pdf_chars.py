"""One PDF page's text layer → :class:`~indexer.pdf_layout.Line` objects, with the fewest
calls into pdfium.

Each line needs its characters' text, and for every character that is not a space its box
(left and right edges, for table-cell gaps and the right margin), its origin (the
baseline), its font size and, for letters, whether its font is bold.  The page's text
comes in one ``FPDFText_GetText`` call; size and boldness belong to a character's text
object (pdfium answers both from the object: ``FPDFText_GetFontSize`` is the object's font
size, weight and name are its font's), so size is asked once per object and boldness once
per font; only the box, the origin and the text object are asked per character.  Calls
go through cffi, which costs about half of what a ctypes call does: the per-character
calls are the reader's hot loop (a 400-page PDF has ~440,000 characters), and they run in
C-level ``map`` loops over a page's characters, writing into reused arrays.
The C types are built with cffi's C module (``_cffi_backend``, what ``cffi.FFI`` drives)
rather than parsed from declarations, which would import pycparser (~27 ms at the start
of every reader process).

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
import threading
import time
from bisect import bisect_left
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import compress, repeat
from operator import not_, sub
from typing import Any

import _cffi_backend as _c
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indexer.pdf_layout import MARKER, Line, median
from kb.model import IngestError

#: characters read between deadline checks
CHECK_EVERY = 4000


def _pointer(ctype: Any) -> Any:
    return _c.new_pointer_type(ctype)


# C types of pdfium's arguments and answers
_VOID = _c.new_void_type()
_INT = _c.new_primitive_type("int")
_UINT = _c.new_primitive_type("unsigned int")
_ULONG = _c.new_primitive_type("unsigned long")
_UINTPTR = _c.new_primitive_type("uintptr_t")  # a text object or font handle, as an int
_FLOAT = _c.new_primitive_type("float")
_DOUBLE = _c.new_primitive_type("double")
_VOID_P = _pointer(_VOID)
_DOUBLE_P = _pointer(_DOUBLE)
_USHORT_P = _pointer(_c.new_primitive_type("unsigned short"))
_CHAR_P = _pointer(_c.new_primitive_type("char"))
_INT_P = _pointer(_INT)
#: ``double[]``, ``unsigned short[]``, ``char[128]``
_DOUBLES = _c.new_array_type(_DOUBLE_P, None)
_UTF16 = _c.new_array_type(_USHORT_P, None)
_NAME_SIZE = 128
_NAME = _c.new_array_type(_CHAR_P, _NAME_SIZE)

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


def _function(name: str, result: Any, *args: Any) -> Any:
    """pdfium's exported ``name`` as a cffi function taking ``args`` and returning
    ``result`` (C types): the same function pypdfium2 binds, called through its address."""
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value
    return _c.cast(_c.new_function_type(args, result, False), address)


_load_page = _function("FPDF_LoadPage", _VOID_P, _VOID_P, _INT)
_close_page = _function("FPDF_ClosePage", _VOID, _VOID_P)
_page_height = _function("FPDF_GetPageHeightF", _FLOAT, _VOID_P)
_load_textpage = _function("FPDFText_LoadPage", _VOID_P, _VOID_P)
_close_textpage = _function("FPDFText_ClosePage", _VOID, _VOID_P)
_count_chars = _function("FPDFText_CountChars", _INT, _VOID_P)
_get_text = _function("FPDFText_GetText", _INT, _VOID_P, _INT, _INT, _USHORT_P)
_get_unicode = _function("FPDFText_GetUnicode", _UINT, _VOID_P, _INT)
_get_box = _function("FPDFText_GetCharBox", _INT, _VOID_P, _INT, *[_DOUBLE_P] * 4)
_get_origin = _function("FPDFText_GetCharOrigin", _INT, _VOID_P, _INT, _DOUBLE_P, _DOUBLE_P)
_get_object = _function("FPDFText_GetTextObject", _UINTPTR, _VOID_P, _INT)
_get_size = _function("FPDFText_GetFontSize", _DOUBLE, _VOID_P, _INT)
_get_object_font = _function("FPDFTextObj_GetFont", _UINTPTR, _UINTPTR)
_get_weight = _function("FPDFText_GetFontWeight", _INT, _VOID_P, _INT)
_get_font = _function("FPDFText_GetFontInfo", _ULONG, _VOID_P, _INT, _CHAR_P, _ULONG, _INT_P)


def check_deadline(deadline: float, page: int) -> None:
    """Raise IngestError naming ``page`` once ``deadline`` (``time.monotonic``) is past."""
    if time.monotonic() > deadline:
        raise IngestError(f"reading the PDF took too long (gave up at page {page})")


def textpage_handle(textpage: pdfium.PdfTextPage) -> Any:
    """The pdfium text page of pypdfium2's ``textpage`` as the cffi pointer this module's
    functions take."""
    return _c.cast(_VOID_P, ctypes.cast(textpage.raw, ctypes.c_void_p).value)


def page_text(textpage: Any, count: int) -> str:
    """The page's ``count`` characters, one str character per pdfium character index, as
    the lines hold them (see :func:`_code_table`; codes outside Unicode → U+FFFD)."""
    if count <= 0:
        return ""
    buf = _c.newp(_UTF16, count + 1)
    got = _get_text(textpage, 0, count, buf) - 1  # the answer counts the closing NUL
    if got == count:
        # A surrogate pair would decode to one character for pdfium's two: not aligned.
        text = _c.buffer(buf, 2 * count)[:].decode("utf-16-le", "surrogatepass")
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


def _in_order(objects: list[int], chars: list[int], ask: Callable[[int], Any]) -> list[Any]:
    """Each character's answer, asked one character at a time in page order as the
    per-character reader did: once per text object (with its first character), alone for
    a character without one (0)."""
    known: dict[int, Any] = {}
    got: list[Any] = []
    for obj, char in zip(objects, chars, strict=True):
        if obj and obj in known:
            got.append(known[obj])
        else:
            got.append(ask(char))
            if obj:
                known[obj] = got[-1]
    return got


class _Fonts:
    """Font size and boldness of one page's characters ``chars`` (page indexes) whose text
    objects are ``objects``: pdfium answers both from a character's text object (boldness
    from the object's font), so each is asked once per object, boldness once per font.

    Where the answers could depend on the order of the asks they are asked one character at
    a time in page order, as the per-character reader did: when a character has no text
    object (0), or a font's name is too long for the name buffer — pdfium then writes no
    name, and the name asked before it is read again."""

    def __init__(self, textpage: Any, objects: list[int], chars: list[int]) -> None:
        self.textpage, self.objects, self.chars = textpage, objects, chars
        self._name = _c.newp(_NAME, None)
        self._flags = _c.newp(_INT_P, None)
        self._long_name = False
        #: each object's first character (reversed: the first one is kept), None for asks in order
        self._first = (
            None if 0 in objects else dict(zip(reversed(objects), reversed(chars), strict=True))
        )

    def sizes(self) -> list[float]:
        """Each character's font size."""
        if self._first is None:
            return _in_order(self.objects, self.chars, self._ask_size)
        size_of = {obj: self._ask_size(char) for obj, char in self._first.items()}
        return list(map(size_of.get, self.objects))

    def bold(self, is_letter: list[bool]) -> list[bool]:
        """Whether each letter (``is_letter``) is bold — weight ≥ 600 or Bold/Black/Heavy in
        its font's name; False for the other characters."""
        if self._first is not None:
            of_font: dict[int, bool] = {}
            bold_of: dict[int, bool] = {}
            for obj, char in self._first.items():
                font = _get_object_font(obj)
                if font not in of_font:
                    of_font[font] = self._ask_bold(char)
                bold_of[obj] = of_font[font]
            if not self._long_name:
                return list(map(bold_of.get, self.objects))
            self._name = _c.newp(_NAME, None)  # the empty buffer the first ask found
        letters = list(compress(range(len(self.objects)), is_letter))
        got = _in_order(
            [self.objects[k] for k in letters], [self.chars[k] for k in letters], self._ask_bold
        )
        bold = [False] * len(self.objects)
        for k, value in zip(letters, got, strict=True):
            bold[k] = value
        return bold

    def _ask_size(self, i: int) -> float:
        return float(_get_size(self.textpage, i))

    def _ask_bold(self, i: int) -> bool:
        weight = _get_weight(self.textpage, i)
        if _get_font(self.textpage, i, self._name, _NAME_SIZE, self._flags) > _NAME_SIZE:
            self._long_name = True  # no name written: the buffer holds the one before
        name = _c.string(self._name).lower()
        return weight >= 600 or b"bold" in name or b"black" in name or b"heavy" in name


class _Slots:
    """Where pdfium writes one run of up to ``size`` characters' edges and baselines: three
    arrays of doubles and a pointer to each slot, made once per thread (making a pointer
    costs about what the call it is passed to does)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.lefts = _c.newp(_DOUBLES, size)
        self.rights = _c.newp(_DOUBLES, size)
        self.baselines = _c.newp(_DOUBLES, size)
        self.left_at = [self.lefts + k for k in range(size)]
        self.right_at = [self.rights + k for k in range(size)]
        self.baseline_at = [self.baselines + k for k in range(size)]
        spare = _c.newp(_DOUBLES, 2)
        self.spare, self.spare_a, self.spare_b = spare, spare, spare + 1


_local = threading.local()


def _slots(size: int) -> _Slots:
    """This thread's :class:`_Slots`, made anew when they hold fewer than ``size``."""
    slots: _Slots | None = getattr(_local, "slots", None)
    if slots is None or slots.size < size:
        slots = _local.slots = _Slots(size)
    return slots


def _char_layout(
    textpage: Any, chars: list[int], deadline: float, page: int
) -> tuple[list[float], list[float], list[float], list[int]]:
    """Left and right edges, baseline and text object of each character in ``chars`` (in
    order), asked of pdfium one call each in C-level loops (``map``), in runs of
    :data:`CHECK_EVERY` characters with a deadline check between runs.  A call that fails
    leaves the value of the character before it (0.0 for the first): what reading them
    into one reused buffer gave."""
    slots = _slots(CHECK_EVERY)
    x0s: list[float] = []
    x1s: list[float] = []
    ys: list[float] = []
    objects: list[int] = []
    failed_box: list[int] = []
    failed_origin: list[int] = []
    for a in range(0, len(chars), CHECK_EVERY):
        if a:
            check_deadline(deadline, page)
        run = chars[a : a + CHECK_EVERY]
        ok = list(
            map(
                _get_box,
                repeat(textpage),
                run,
                slots.left_at,
                slots.right_at,
                repeat(slots.spare_a),
                repeat(slots.spare_b),
            )
        )
        if 0 in ok:
            failed_box += [a + k for k, done in enumerate(ok) if not done]
        ok = list(map(_get_origin, repeat(textpage), run, repeat(slots.spare), slots.baseline_at))
        if 0 in ok:
            failed_origin += [a + k for k, done in enumerate(ok) if not done]
        x0s += _c.unpack(slots.lefts, len(run))
        x1s += _c.unpack(slots.rights, len(run))
        ys += _c.unpack(slots.baselines, len(run))
        objects += map(_get_object, repeat(textpage), run)
    for k in failed_box:
        x0s[k], x1s[k] = (x0s[k - 1], x1s[k - 1]) if k else (0.0, 0.0)
    for k in failed_origin:
        ys[k] = ys[k - 1] if k else 0.0
    return x0s, x1s, ys, objects


def page_lines(pdf: pdfium.PdfDocument, index: int, deadline: float) -> list[Line]:
    """The lines of page ``index`` in content order, each with bold/size/baseline/cells
    (a line is what pdfium ends with a line feed; blank lines are left out).  Raises
    IngestError once ``deadline`` is past (checked every :data:`CHECK_EVERY` characters),
    pdfium.PdfiumError for a damaged page."""
    check_deadline(deadline, index + 1)
    with _text_page(pdf, index) as (height, handle, count):
        return _lines(handle, page_text(handle, count), index, height, deadline)


@contextmanager
def _text_page(pdf: pdfium.PdfDocument, index: int) -> Iterator[tuple[float, Any, int]]:
    """Page ``index``'s height (792 when it has none), pdfium text page and character
    count, its page and text page closed on leaving; what pypdfium2's ``pdf[index]``,
    ``get_height``, ``get_textpage`` and ``count_chars`` give, with their errors, without
    their Python objects."""
    page = _load_page(_c.cast(_VOID_P, ctypes.cast(pdf.raw, ctypes.c_void_p).value), index)
    if not page:
        raise pdfium.PdfiumError("Failed to load page.")
    try:
        height = _page_height(page) or 792.0
        textpage = _load_textpage(page)
        if not textpage:
            raise pdfium.PdfiumError("Failed to load text page.")
        try:
            count = _count_chars(textpage)
            if count == -1:
                raise pdfium.PdfiumError("Failed to count chars.")
            yield height, textpage, count
        finally:
            _close_textpage(textpage)
    finally:
        _close_page(page)


def _lines(handle: Any, text: str, index: int, height: float, deadline: float) -> list[Line]:
    """The Lines of page ``index`` (``height`` high) whose text page is ``handle`` and
    text ``text`` (:func:`page_text`)."""
    # The page's ink (characters that are not spaces; line feeds and CRs are spaces), its
    # layout asked in bulk; each line is then a slice of these lists.
    ink = list(compress(range(len(text)), map(not_, map(str.isspace, text))))
    x0s, x1s, baselines, objects = _char_layout(handle, ink, deadline, index + 1)
    fonts = _Fonts(handle, objects, ink)
    sizes = fonts.sizes()
    is_letter = list(map(str.isalpha, map(text.__getitem__, ink)))
    bold = fonts.bold(is_letter)
    lines: list[Line] = []
    start, a = 0, 0
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        b = bisect_left(ink, end, a)
        if a < b:  # not blank
            lines.append(
                _line(
                    text[start:end],
                    ink[a:b],
                    start,
                    x0s[a:b],
                    x1s[a:b],
                    baselines[a:b],
                    sizes[a:b],
                    list(compress(bold[a:b], is_letter[a:b])),
                    index + 1,
                    height,
                )
            )
        a = b
        start = end + 1
    return lines


def _line(
    raw: str,
    chars: list[int],
    start: int,
    x0s: list[float],
    x1s: list[float],
    baselines: list[float],
    sizes: list[float],
    letters_bold: list[bool],
    page: int,
    height: float,
) -> Line:
    """The Line of one pdfium line (not blank): ``raw`` is its text as the page has it
    (from page character ``start``; a CR in it is left out of the Line), ``chars`` the
    page indexes of its characters that are not spaces, with their edges, baselines and
    sizes; ``letters_bold`` says for each letter whether it is bold.  A gap wider than
    twice the size (at least 8 points) between two characters starts a new table cell."""
    first = sizes[0]
    if sizes.count(first) == len(sizes):  # one size (the usual line): its own median
        size = first if first > 1.5 else 10.0
    else:
        size = median(list(filter((1.5).__lt__, sizes)) or [10.0])
    gap = 2.0 * max(size, 4.0)
    # the characters after a gap wider than ``gap`` (x0s[k] - x1s[k - 1] > gap)
    after_gaps = list(compress(chars[1:], map(gap.__lt__, map(sub, x0s[1:], x1s))))
    text = raw.replace("\r", "") if "\r" in raw else raw
    if after_gaps:
        cuts = [i - start for i in after_gaps]
        if text is not raw:
            cuts = [p - raw.count("\r", 0, p) for p in cuts]
        bounds = [0, *cuts, len(text)]
        cells = [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
        cells = [_fold(cell) for cell in cells if cell.strip()]
        if len(cells) >= 2 and MARKER.match(cells[0]):  # '•' or '1.' then a tab: not a table
            cells[:2] = [f"{cells[0]} {cells[1]}"]
        folded = _fold(text)
    else:
        cells = [_fold(text)]  # the line is not blank: one cell
        folded = cells[0]
    baseline = median(baselines)
    return Line(
        # the hyphen mark and the soft hyphen are both ink: folding spaces commutes
        text=folded.replace("\ufffe", "\u00ad") if "\ufffe" in folded else folded,
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
