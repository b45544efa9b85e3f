"""Read a PDF into Blocks: one per paragraph, heading or table row, each with its page.

Text comes from pypdfium2 character by character, so each line knows its font size, its
baseline, whether it is bold (font weight or a 'Bold' font name) and where wide gaps split it
into table cells.  Lines are then cleaned up and grouped by :mod:`indexer.pdf_layout`
(running headers/footers, page numbers and signature lines dropped; paragraphs, headings,
lists and table rows formed; hyphenated line breaks mended).

When the text layer is missing or garbage (:func:`indexer.ocr.text_layer_problem`) the
pages are rendered and read with Tesseract; ``Document.ocr`` is then True with a warning.
Errors (encrypted, truncated, damaged, not a PDF, too slow) are IngestError with the reason.
The Info dictionary's Title, Subject, Author and Keywords, and the running header lines
that are dropped from the text (``running_header``), go to ``Document.metadata``.
"""

from __future__ import annotations

import ctypes
import re
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indexer import ocr
from indexer.pdf_layout import MARKER, Line, clean, group, running_headers
from kb.model import Document, IngestError

#: Seconds one PDF may spend in text extraction (and OCR) before it is given up.
TIME_LIMIT_S = 120.0

#: pdfium is not thread-safe: every call into it goes through this lock.
_PDFIUM_LOCK = threading.Lock()

_LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "the PDF is encrypted (password-protected)",
    pdfium_c.FPDF_ERR_SECURITY: "the PDF uses an unsupported security handler (encrypted)",
    pdfium_c.FPDF_ERR_FORMAT: "the PDF is damaged or not a PDF (format error)",
    pdfium_c.FPDF_ERR_FILE: "the PDF could not be opened",
}

# Symbol-font bullets that PDFs put in the private-use area.
_GLYPH_MAP = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf076": "❖", "\uf0fc": "✓"}

#: ``FPDFText_GetTextObject`` answering the text object's address as an int (None for a
#: character pdfium generated): the binding's pointer result would need a slow cast to
#: serve as a dictionary key.
_TEXT_OBJECT_ADDRESS = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value
)


def read(path: Path, data: bytes, *, time_limit: float = TIME_LIMIT_S) -> Document:
    """Read PDF bytes into a Document with page-numbered Blocks and ``pages`` set.

    Raises IngestError for a zero-byte, non-PDF, truncated, damaged or encrypted file, for a
    text-less PDF when Tesseract is missing, and when extraction exceeds ``time_limit``
    seconds (checked between pages and every few thousand characters).
    """
    _check_bytes(data)
    deadline = time.monotonic() + time_limit
    warnings: list[str] = []
    with _PDFIUM_LOCK:
        pdf = _open(data)
        try:
            metadata = pdf_metadata(pdf)
            page_count = len(pdf)
            if page_count == 0:
                raise IngestError("the PDF has no pages")
            pages_lines = [
                _page_lines_or_warn(pdf, i, deadline, warnings) for i in range(page_count)
            ]
            if len(warnings) == page_count:
                raise IngestError("the PDF is damaged: no page could be read")
            problem = ocr.text_layer_problem(
                ["\n".join(line.text for line in lines) for lines in pages_lines]
            )
            if problem is not None:
                if ocr.tesseract_path() is None:
                    raise IngestError(
                        f"{path.name} has no text layer and OCR is unavailable "
                        f"(install tesseract-ocr): {problem}"
                    )
                to_ocr = list(range(page_count))
            else:
                to_ocr = [i for i in range(page_count) if _is_scanned_page(pdf, i, pages_lines[i])]
                if to_ocr and ocr.tesseract_path() is None:
                    warnings.append(
                        f"page(s) {_page_list(to_ocr)} are images without text and were skipped "
                        "(install tesseract-ocr to read them)"
                    )
                    to_ocr = []
            images: dict[int, bytes] = {}
            for i in to_ocr:
                try:
                    images[i] = _render_gray(pdf, i, deadline)
                except pdfium.PdfiumError as exc:
                    warnings.append(f"page {i + 1} could not be rendered for OCR ({exc})")
        finally:
            pdf.close()
    if images:
        tsvs = ocr.ocr_page_images(list(images.values()), deadline=deadline)
        for (index, image), tsv in zip(images.items(), tsvs, strict=True):
            pages_lines[index] = _ocr_lines(tsv, index + 1, _pgm_height(image))
        if problem is not None:
            warnings.append(f"text from a scan (OCR): {problem}")
        else:
            warnings.append(f"text from a scan (OCR) on page(s) {_page_list(list(images))}")
    headers = running_headers(pages_lines, page_count)
    if headers:
        metadata["running_header"] = " | ".join(headers)[:300]
    blocks = group(clean(pages_lines, page_count))
    if not blocks:
        warnings.append("no text found in the PDF")
    return Document(
        path=path,
        format="pdf",
        blocks=blocks,
        warnings=warnings,
        pages=page_count,
        ocr=bool(images),
        metadata=metadata,
    )


#: PDF Info keys → ``Document.metadata`` keys.
_INFO_KEYS = {"Title": "title", "Subject": "subject", "Author": "author", "Keywords": "keywords"}


def pdf_metadata(pdf: pdfium.PdfDocument) -> dict[str, str]:
    """The PDF's Title, Subject, Author and Keywords (Info dictionary), folded and cut to
    300 characters; empty or unreadable values are left out, never an error."""
    try:
        info = pdf.get_metadata_dict(skip_empty=True)
    except (pdfium.PdfiumError, UnicodeDecodeError, ValueError):
        return {}
    out: dict[str, str] = {}
    for key, name in _INFO_KEYS.items():
        value = " ".join(str(info.get(key) or "").replace("\x00", "").split())
        if value:
            out[name] = value[:300]
    return out


# --------------------------------------------------------------------------- opening


def _check_bytes(data: bytes) -> None:
    """Refuse empty, non-PDF and visibly truncated bytes before pdfium sees them."""
    if not data:
        raise IngestError("empty file (0 bytes)")
    if b"%PDF" not in data[:1024]:
        raise IngestError("not a PDF (no %PDF header)")
    end = data.rfind(b"%%EOF")
    tail = data[end:] if end >= 0 else b""
    # Objects after the last end marker mean a later revision was cut off; other bytes
    # there (a web server's HTML, padding) are harmless and ignored.
    if end < 0 or re.search(rb"\d+\s+\d+\s+obj\b|\bendobj\b", tail):
        raise IngestError("the PDF is truncated (no %%EOF end marker): download it again")


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = _LOAD_ERRORS.get(exc.err_code or -1, f"the PDF cannot be read ({exc})")
        raise IngestError(reason) from exc


def _render_gray(pdf: pdfium.PdfDocument, index: int, deadline: float) -> bytes:
    """Page ``index`` rendered at :data:`ocr.OCR_DPI` as PGM bytes for Tesseract."""
    _check_deadline(deadline, index + 1)
    bitmap = pdf[index].render(scale=ocr.OCR_DPI / 72, grayscale=True)
    pixels = bitmap.to_numpy()
    height, width = pixels.shape[0], pixels.shape[1]
    return ocr.pgm_bytes(width, height, pixels.reshape(height, width).tobytes())


def _page_list(indexes: list[int]) -> str:
    return ", ".join(str(i + 1) for i in indexes)


def _is_scanned_page(pdf: pdfium.PdfDocument, index: int, lines: list[Line]) -> bool:
    """True for a page with (almost) no text whose images cover over a third of it."""
    if ocr.count_letters("".join(line.text for line in lines)) >= ocr.MIN_LETTERS_PER_PAGE:
        return False
    try:
        page = pdf[index]
    except pdfium.PdfiumError:
        return False  # a damaged page (already warned about)
    width, height = page.get_size()
    covered = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        covered += max(0.0, right - left) * max(0.0, top - bottom)
    return covered > 0.33 * width * height


def _pgm_height(image: bytes) -> int:
    """The height in pixels written in a PGM header (``P5\\nW H\\n255\\n``)."""
    return int(image.split(b"\n", 2)[1].split()[1])


def _check_deadline(deadline: float, page: int) -> None:
    if time.monotonic() > deadline:
        raise IngestError(f"reading the PDF took too long (gave up at page {page})")


# --------------------------------------------------------------------------- extraction


@dataclass
class _Char:
    ch: str
    x0: float
    x1: float
    baseline: float
    size: float
    bold: bool


def _page_lines_or_warn(
    pdf: pdfium.PdfDocument, index: int, deadline: float, warnings: list[str]
) -> list[Line]:
    """The lines of one page; a damaged page adds a warning and gives no lines."""
    try:
        return _page_lines(pdf, index, deadline)
    except pdfium.PdfiumError as exc:
        warnings.append(f"page {index + 1} is damaged and was skipped ({exc})")
        return []


def _page_lines(pdf: pdfium.PdfDocument, index: int, deadline: float) -> list[Line]:
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


def _ocr_lines(tsv: str, page: int, height_px: int) -> list[Line]:
    """Lines of one OCR'd page, with sizes, baselines and cells from the word boxes.

    Pixel measures are turned into points (the page was rendered at :data:`ocr.OCR_DPI`),
    so the same grouping rules apply as for a text layer.
    """
    to_pt = 72 / ocr.OCR_DPI
    words_by_line = ocr.ocr_lines(tsv)
    if not words_by_line:
        return []
    page_height = max(height_px, 1)
    lines: list[Line] = []
    for words in words_by_line:
        size = statistics.median(w.height for w in words) * to_pt
        bottom = statistics.median(w.top + w.height for w in words)
        cells: list[list[str]] = [[]]
        for previous, word in zip([None, *words[:-1]], words, strict=True):
            if previous is not None and (word.left - previous.left - previous.width) * to_pt > (
                2.0 * max(size, 4.0)
            ):
                cells.append([])
            cells[-1].append(word.text)
        cell_texts = [" ".join(cell) for cell in cells]
        if len(cell_texts) >= 2 and MARKER.match(cell_texts[0]):
            cell_texts[:2] = [f"{cell_texts[0]} {cell_texts[1]}"]
        baseline = (page_height - bottom) * to_pt
        band = bottom < 0.12 * page_height or bottom > 0.88 * page_height
        text = _fold(" ".join(w.text for w in words))
        right = max(w.left + w.width for w in words) * to_pt
        lines.append(
            Line(text, page, cells=cell_texts, size=size, baseline=baseline, band=band, right=right)
        )
    return lines


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
