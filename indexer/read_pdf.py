"""Read a PDF into Blocks: one per paragraph, heading or table row, each with its page.

Text comes from pypdfium2 character by character, so each line knows its font size, its
baseline, whether it is bold (font weight or a 'Bold' font name) and where wide gaps split it
into table cells.  Lines are then cleaned up and grouped:

* running headers/footers (the same line, digits aside, near the top or bottom of most
  pages), page numbers ('Page 2 of 3', '- 2 -', a bare number) and signature lines
  ('Signed ……… Chairman', 'Dated ………') are dropped;
* a superscript ordinal split onto its own line ('8' + 'th JULY') is joined back;
* lines become one paragraph until a vertical gap, a change of boldness or size, a numbered
  or bulleted line, or a table row; hyphenated line breaks are joined ('regener-' + 'ation');
* runs of two or more lines split by wide gaps become ``table-row`` Blocks with ``cells``.

When the text layer is missing or garbage (:func:`indexer.ocr.text_layer_problem`) the
pages are rendered and read with Tesseract; ``Document.ocr`` is then True with a warning.
Errors (encrypted, truncated, damaged, not a PDF, too slow) are IngestError with the reason.
"""

from __future__ import annotations

import ctypes
import re
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indexer import ocr
from kb.model import Block, Document, IngestError

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
_MARKER = re.compile(r"^(?:[•▪➢❖✓*o-]|\(?(?:\d{1,4}(?:\.\d{1,3})*|[ivx]{1,5}|[a-z])[.):]?\)?)$")
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
    lines = _clean(pages_lines, page_count)
    blocks = _group(lines)
    if not blocks:
        warnings.append("no text found in the PDF")
    return Document(
        path=path,
        format="pdf",
        blocks=blocks,
        warnings=warnings,
        pages=page_count,
        ocr=bool(images),
    )


# --------------------------------------------------------------------------- opening


def _check_bytes(data: bytes) -> None:
    """Refuse empty, non-PDF and visibly truncated bytes before pdfium sees them."""
    if not data:
        raise IngestError("empty file (0 bytes)")
    if b"%PDF" not in data[:1024]:
        raise IngestError("not a PDF (no %PDF header)")
    end = data.rfind(b"%%EOF")
    if end < 0 or end < len(data) - 4096:
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
    if sum(ch.isalpha() for line in lines for ch in line.text) >= ocr.MIN_LETTERS_PER_PAGE:
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
    """The lines of one page in content order, each with bold/size/baseline/cells."""
    _check_deadline(deadline, index + 1)
    page = pdf[index]
    height = page.get_height() or 792.0
    textpage = page.get_textpage()
    raw = textpage.raw
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count > 0 else ""
    name_buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    x, y = ctypes.c_double(), ctypes.c_double()
    lines: list[Line] = []
    chars: list[_Char] = []
    for i, ch in enumerate(text[:count]):
        if i % 4000 == 3999:
            _check_deadline(deadline, index + 1)
        if ch == "\n":
            lines.extend(_make_line(chars, index + 1, height))
            chars = []
            continue
        if ch == "\r":
            continue
        ch = _GLYPH_MAP.get(ch, ch)
        pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top)
        pdfium_c.FPDFText_GetCharOrigin(raw, i, x, y)
        size = pdfium_c.FPDFText_GetFontSize(raw, i)
        bold = False
        if ch.isalpha():
            weight = pdfium_c.FPDFText_GetFontWeight(raw, i)
            pdfium_c.FPDFText_GetFontInfo(raw, i, name_buf, 128, flags)
            name = name_buf.value.lower()
            bold = weight >= 600 or b"bold" in name or b"black" in name or b"heavy" in name
        chars.append(_Char(ch, left.value, right.value, y.value, size, bold))
    lines.extend(_make_line(chars, index + 1, height))
    return lines


def _make_line(chars: list[_Char], page: int, height: float) -> list[Line]:
    """Zero or one Line from the characters of one pdfium line (cells split at wide gaps)."""
    text = "".join(c.ch for c in chars).replace("\ufffe", "\u00ad")
    if not text.strip():
        return []
    ink = [c for c in chars if not c.ch.isspace()]
    sizes = [c.size for c in ink if c.size > 1.5] or [10.0]
    size = statistics.median(sizes)
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
    if len(cells) >= 2 and _MARKER.match(cells[0]):  # '•' or '1.' then a tab: not a table
        cells[:2] = [f"{cells[0]} {cells[1]}"]
    letters = [c for c in ink if c.ch.isalpha()]
    baseline = statistics.median(c.baseline for c in ink) if ink else None
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
        if len(cell_texts) >= 2 and _MARKER.match(cell_texts[0]):
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


# --------------------------------------------------------------------------- clean-up


def is_furniture_line(text: str) -> bool:
    """True for a page number ('Page 2 of 5', '- 3 -', '4') or a signature line
    ('Signed ……… Chairman', 'Dated ……'): print furniture, not minutes text."""
    return bool(_PAGE_NUMBER.match(text) or _SIGNATURE.match(text))


def _furniture_key(text: str) -> str:
    """A line with digits and case ironed out, to spot running headers and footers."""
    return re.sub(r"\d+", "#", text.lower()).strip(" .")


def _clean(pages_lines: list[list[Line]], page_count: int) -> list[Line]:
    """Drop headers/footers, page numbers and signature lines; rejoin split ordinals."""
    seen_on: Counter[str] = Counter()
    for lines in pages_lines:
        seen_on.update({_furniture_key(line.text) for line in lines if line.band})
    repeat_min = max(2, -(-page_count * 6 // 10))  # on at least 60 % of pages (and two)
    running = {key for key, n in seen_on.items() if n >= repeat_min and page_count >= 2}
    kept: list[Line] = []
    for lines in pages_lines:
        after_signature = False
        for line in lines:
            furniture = _furniture_key(line.text) in running or _PAGE_NUMBER.match(line.text)
            if line.band and furniture:
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
    return statistics.median(steps) if len(steps) >= 3 else None


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


def _group(lines: list[Line]) -> list[Block]:
    """Paragraph, heading, list and table-row Blocks from cleaned lines."""
    sizes = [line.size for line in lines if line.size > 0]
    body_size = statistics.median(sizes) if sizes else 0.0
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
    text = group[0].text
    for line in group[1:]:
        text = _join(text, line.text)
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
