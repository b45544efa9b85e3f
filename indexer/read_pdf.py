"""Read a PDF into Blocks: one per paragraph, heading or table row, each with its page.

Text comes from pdfium's text layer (:mod:`indexer.read_pdf_chars`: the page's text in one
call, each character's box and origin, font size and boldness per text object), so each line
knows its font size, its baseline, whether it is bold (font weight or a 'Bold' font name) and
where wide gaps split it into table cells.  Lines are then cleaned up and grouped by
:mod:`indexer.pdf_layout` (running headers/footers, page numbers and signature lines dropped;
paragraphs, headings, lists and table rows formed; hyphenated line breaks mended).

When the text layer is missing or garbage (:func:`indexer.ocr.text_layer_problem`) the
pages are rendered and read with Tesseract; ``Document.ocr`` is then True with a warning.
Errors (encrypted, truncated, damaged, not a PDF, too slow) are IngestError with the reason.
The Info dictionary's Title, Subject, Author and Keywords, and the running header lines
that are dropped from the text (``running_header``), go to ``Document.metadata``.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indexer import ocr
from indexer import read_pdf_pages as pages
from indexer.pdf_layout import MARKER, Line, clean, group, median, running_headers
from indexer.read_pdf_chars import check_deadline, page_lines
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


def read(
    path: Path, data: bytes, *, time_limit: float = TIME_LIMIT_S, helper: bool | None = None
) -> Document:
    """Read PDF bytes into a Document with page-numbered Blocks and ``pages`` set.

    ``helper``: whether a helper process reads the later pages
    (:mod:`indexer.read_pdf_pages`; the Document is the same either way); None lets
    :func:`~indexer.read_pdf_pages.worth_a_helper` decide (a long PDF, a CPU to spare).

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
            pages_lines = _read_pages(pdf, data, deadline, warnings, helper)
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
    check_deadline(deadline, index + 1)
    bitmap = pdf[index].render(scale=ocr.OCR_DPI / 72, grayscale=True)
    pixels = bitmap.to_numpy()
    height, width = pixels.shape[0], pixels.shape[1]
    return ocr.pgm_bytes(width, height, pixels.reshape(height, width).tobytes())


def _page_list(indexes: list[int]) -> str:
    return ", ".join(str(i + 1) for i in indexes)


def _is_scanned_page(pdf: pdfium.PdfDocument, index: int, lines: list[Line]) -> bool:
    """True for a page with (almost) no text whose images cover over a third of it."""
    letters = 0
    for line in lines:  # most pages pass in their first line or two
        letters += ocr.count_letters(line.text)
        if letters >= ocr.MIN_LETTERS_PER_PAGE:
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


# --------------------------------------------------------------------------- extraction


def _read_pages(
    pdf: pdfium.PdfDocument,
    data: bytes,
    deadline: float,
    warnings: list[str],
    helper: bool | None,
) -> list[list[Line]]:
    """Every page's lines (a damaged page: none, and a warning), the later pages read by a
    helper process when ``helper`` says so (None: when it is worth it); pages the helper
    did not answer for are read here."""
    count = len(pdf)
    if not (pages.worth_a_helper(count) if helper is None else helper and count > 1):
        return [_page_lines_or_warn(pdf, i, deadline, warnings) for i in range(count)]
    split = pages.helper_start(count)
    page_helper = pages.PageHelper(data, split, count, deadline)
    try:
        lines = [_page_lines_or_warn(pdf, i, deadline, warnings) for i in range(split)]
        answers = page_helper.result()
    finally:
        page_helper.close()
    if answers is None:
        return lines + [
            _page_lines_or_warn(pdf, i, deadline, warnings) for i in range(split, count)
        ]
    for answer in answers:
        if isinstance(answer, str):
            warnings.append(answer)
            lines.append([])
        else:
            lines.append(answer)
    return lines


def _page_lines_or_warn(
    pdf: pdfium.PdfDocument, index: int, deadline: float, warnings: list[str]
) -> list[Line]:
    """The lines of one page; a damaged page adds a warning and gives no lines."""
    try:
        return page_lines(pdf, index, deadline)
    except pdfium.PdfiumError as exc:
        warnings.append(f"page {index + 1} is damaged and was skipped ({exc})")
        return []


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
        size = median(w.height for w in words) * to_pt
        bottom = median(w.top + w.height for w in words)
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
