"""The bulk PDF character reader (``indexer.read_pdf_chars``) gives the same Lines as the
per-character reader before it (``tests/pdf_oracle.py``) on every page of generated and
corpus PDFs, and maps odd character codes (pdfium's hyphen mark, control codes, bullets
in the private-use area, characters past the BMP) as that reader did."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pdf_oracle
import pypdfium2 as pdfium
import pytest

from bench.hostile import write_pdf
from indexer import read_pdf_chars
from indexer.read_pdf_chars import page_lines, page_text, page_text_by_char, textpage_handle
from kb.model import IngestError

canvas_mod = pytest.importorskip("reportlab.pdfgen.canvas", reason="reportlab (dev) builds PDFs")


def _pdf_file(objects: list[bytes]) -> bytes:
    """A PDF file of ``objects`` (numbered from 1, the first the catalog) with its xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _mapped_pdf(text: bytes, to_unicode: dict[int, str]) -> bytes:
    """A one-page PDF drawing ``text`` in Helvetica whose ToUnicode map sends each byte in
    ``to_unicode`` to that string (how a PDF gives its text layer odd characters)."""
    pairs = " ".join(
        f"<{code:02X}> <{uni.encode('utf-16-be').hex().upper()}>"
        for code, uni in to_unicode.items()
    )
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def "
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def "
        "1 begincodespacerange <00> <FF> endcodespacerange "
        f"{len(to_unicode)} beginbfchar {pairs} endbfchar "
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode()
    content = b"BT /F1 12 Tf 72 700 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    return _pdf_file(objects)


def _layout_pdf() -> bytes:
    """Fonts changing within a line and a page, table cells at wide gaps, a bullet in its
    own cell, a superscript, tiny text, a line-end hyphen and a rotated line."""
    buf = io.BytesIO()
    canvas = canvas_mod.Canvas(buf, pagesize=(595, 842))
    canvas.setFont("Helvetica", 9)
    canvas.drawString(72, 810, "Anytown Parish Council - Minutes")
    text = canvas.beginText(72, 760)
    text.setFont("Helvetica-Bold", 11)
    text.textOut("RESOLVED ")
    text.setFont("Times-Roman", 11)
    text.textOut("that the report be noted.")
    canvas.drawText(text)
    for n, row in enumerate(["Payee\tAmount\tCheque", "Village Hall\t£40.00\t300124"]):
        x = 72
        for cell in row.split("\t"):
            canvas.setFont("Helvetica-Bold" if n == 0 else "Helvetica", 11)
            canvas.drawString(x, 720 - 14 * n, cell)
            x += 180
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, 670, "-")
    canvas.drawString(110, 670, "a dash marker in its own cell")
    canvas.drawString(72, 650, "held on 8")
    canvas.setFont("Helvetica", 6)
    canvas.drawString(117, 655, "th")
    canvas.setFont("Helvetica", 1)
    canvas.drawString(72, 630, "tiny")
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, 610, "the regener-")
    canvas.drawString(72, 597, "ation board met")
    canvas.saveState()
    canvas.translate(300, 300)
    canvas.rotate(30)
    canvas.drawString(0, 0, "a rotated line of text")
    canvas.restoreState()
    canvas.showPage()
    canvas.showPage()  # an empty page
    canvas.save()
    return buf.getvalue()


def _dense_pdf() -> bytes:
    """One page of over 2 × CHECK_EVERY characters in small print (the reader asks
    pdfium about a page's characters in runs of CHECK_EVERY), a wide gap now and then."""
    buf = io.BytesIO()
    canvas = canvas_mod.Canvas(buf, pagesize=(595, 842))
    words = [
        "the",
        "council",
        "resolved",
        "that",
        "the",
        "budget",
        "be",
        "approved",
        "subject",
        "to",
        "review",
    ]
    for n in range(130):
        canvas.setFont("Helvetica-Bold" if n % 7 == 0 else "Helvetica", 5 + n % 3)
        line = " ".join(words[(n + k) % len(words)] for k in range(16))
        canvas.drawString(20, 830 - 6.3 * n, line[:90])
        if n % 5 == 0:
            canvas.drawString(420, 830 - 6.3 * n, f"£{n},000.00")
    canvas.save()
    return buf.getvalue()


#: PDFs built here, by name: each gives the page reader something the corpus may not
GENERATED: dict[str, Callable[[Path], bytes]] = {
    "minutes pack (bench.hostile, 12 pages)": lambda tmp: write_pdf(
        tmp / "pack.pdf", 12
    ).read_bytes(),
    "fonts, cells, superscript, rotation, empty page": lambda tmp: _layout_pdf(),
    "page text past the BMP (U+1D400)": lambda tmp: _mapped_pdf(b"AB D", {0x41: "\U0001d400"}),
    "control code 3 (left out of pdfium's page text)": lambda tmp: _mapped_pdf(
        b"ABC", {0x42: "\x03"}
    ),
    "hyphen mark 2": lambda tmp: _mapped_pdf(b"ABC", {0x42: "\x02"}),
    "private-use bullet": lambda tmp: _mapped_pdf(b"A BC", {0x41: "\uf0b7"}),
    "ligature": lambda tmp: _mapped_pdf(b"ABC", {0x43: "\ufb01"}),
    "a dense page (several runs of CHECK_EVERY characters)": lambda tmp: _dense_pdf(),
}


def _assert_same_lines(data: bytes, name: str) -> int:
    """Every page of ``data`` read by both readers gives equal Lines; the page count."""
    pdf = pdfium.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            expected = pdf_oracle.page_lines(pdf, index, float("inf"))
            assert page_lines(pdf, index, float("inf")) == expected, f"{name} page {index + 1}"
        return len(pdf)
    finally:
        pdf.close()


@pytest.mark.parametrize("name", list(GENERATED))
def test_generated_pdfs_give_the_per_character_readers_lines(name: str, tmp_path: Path) -> None:
    assert _assert_same_lines(GENERATED[name](tmp_path), name) >= 1


def test_every_corpus_pdf_gives_the_per_character_readers_lines(corpus_dir: Path) -> None:
    paths = sorted(corpus_dir.rglob("*.pdf"))
    assert len(paths) >= 70
    pages = sum(_assert_same_lines(path.read_bytes(), path.name) for path in paths)
    assert pages >= 200


@pytest.mark.parametrize(
    ("text", "to_unicode", "lines"),
    [
        (b"ABC DEF", {}, ["ABC DEF"]),
        # pdfium splits a character past the BMP into two surrogate halves: two U+FFFD
        (b"ABC DEF", {0x41: "\U0001d400"}, ["\ufffd\ufffdBC DEF"]),
        # a control code is a space; pdfium's page text leaves it out
        (b"ABC", {0x42: "\x03"}, ["A C"]),
        # pdfium's mark for a hyphen at a line end: a soft hyphen in the text
        (b"ABC", {0x42: "\x02"}, ["A\u00adC"]),
        (b"A BC", {0x41: "\uf0b7"}, ["• BC"]),  # Symbol-font bullet → its glyph
        (b"ABC", {0x43: "\ufb01"}, ["ABfi"]),  # pdfium splits the ligature
    ],
)
def test_odd_character_codes_read_as_before(
    text: bytes, to_unicode: dict[int, str], lines: list[str]
) -> None:
    pdf = pdfium.PdfDocument(_mapped_pdf(text, to_unicode))
    try:
        got = page_lines(pdf, 0, float("inf"))
        assert [line.text for line in got] == lines
        assert got == pdf_oracle.page_lines(pdf, 0, float("inf"))
    finally:
        pdf.close()


def _assert_same_text(data: bytes) -> int:
    """Every page's text in one call equals its text asked per character; the page count."""
    pdf = pdfium.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            textpage = pdf[index].get_textpage()
            handle, count = textpage_handle(textpage), textpage.count_chars()
            text = page_text(handle, count)
            assert text == page_text_by_char(handle, count)
            assert len(text) == max(count, 0)
        return len(pdf)
    finally:
        pdf.close()


@pytest.mark.parametrize("name", list(GENERATED))
def test_page_text_in_one_call_is_the_text_asked_per_character(name: str, tmp_path: Path) -> None:
    assert _assert_same_text(GENERATED[name](tmp_path)) >= 1


def test_corpus_page_text_in_one_call_is_the_text_asked_per_character(corpus_dir: Path) -> None:
    assert sum(_assert_same_text(p.read_bytes()) for p in sorted(corpus_dir.rglob("*.pdf"))) >= 200


def test_a_page_past_the_deadline_is_refused_with_its_number(tmp_path: Path) -> None:
    pdf = pdfium.PdfDocument(write_pdf(tmp_path / "pack.pdf", 3).read_bytes())
    try:
        with pytest.raises(IngestError, match=r"took too long \(gave up at page 3\)"):
            page_lines(pdf, 2, 0.0)
    finally:
        pdf.close()


def test_the_dense_page_spans_several_runs() -> None:
    pdf = pdfium.PdfDocument(_dense_pdf())
    try:
        text = pdf[0].get_textpage().get_text_range()
        assert len("".join(text.split())) > 2 * read_pdf_chars.CHECK_EVERY
    finally:
        pdf.close()


def test_a_failed_character_call_keeps_the_values_before_it(tmp_path: Path) -> None:
    """pdfium refuses a character index outside the page (the call writes nothing): the
    bulk reader gives it the character before it's edges and baseline (0.0 first), as one
    reused buffer did."""
    pdf = pdfium.PdfDocument(write_pdf(tmp_path / "pack.pdf", 1).read_bytes())
    try:
        textpage = pdf[0].get_textpage()
        handle, count = textpage_handle(textpage), textpage.count_chars()
        good = read_pdf_chars._char_layout(handle, [0, 1], float("inf"), 1)
        got = read_pdf_chars._char_layout(handle, [-1, 0, count + 5, 1, -1], float("inf"), 1)
        (x0, x1, y0, _), (x0b, x1b, y1, _) = (
            [column[0] for column in good],
            [column[1] for column in good],
        )
        assert good[0][0] != 0.0 and good[2][0] != 0.0
        assert got[0] == [0.0, x0, x0, x0b, x0b]
        assert got[1] == [0.0, x1, x1, x1b, x1b]
        assert got[2] == [0.0, y0, y0, y1, y1]
    finally:
        pdf.close()


@pytest.mark.parametrize(
    ("objects", "asked", "answers"),
    [
        # each object asked once, with its first character, in page order
        ([3, 3, 8, 3, 2], [0, 2, 4], [1, 1, 2, 1, 3]),
        # a character without a text object (0) is asked alone, in its place in the order
        ([5, 5, 0, 7, 0, 5, 9], [0, 2, 3, 4, 6], [1, 1, 2, 3, 4, 1, 5]),
    ],
)
def test_font_asks_in_order_come_in_page_order(
    objects: list[int], asked: list[int], answers: list[int]
) -> None:
    """pdfium's font-name buffer keeps the last name written (a name too long for it, or a
    character without an object, writes none), so those pages are asked in the order that
    one character at a time made: the n-th ask answers n here."""
    calls: list[int] = []

    def ask(char: int) -> int:
        calls.append(char)
        return len(calls)

    chars = list(range(len(objects)))
    assert read_pdf_chars._in_order(objects, chars, ask) == answers
    assert calls == asked


def _long_font_name_pdf() -> bytes:
    """Lines in a bold font, in a font whose name is longer than the reader's name buffer
    (pdfium writes no name for it: the name asked before is read again), then regular."""
    long_name = b"Minutes" + b"X" * 200
    content = (
        b"BT /F2 11 Tf 72 760 Td (set in the long-named font first) Tj ET "
        b"BT /F1 11 Tf 72 730 Td (A bold heading) Tj ET "
        b"BT /F2 11 Tf 72 700 Td (then the long-named font again) Tj ET "
        b"BT /F3 11 Tf 72 670 Td (and a regular line) Tj ET "
        b"BT /F2 11 Tf 72 640 Td (and the long-named font last) Tj ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R /F3 6 0 R >> >> /Contents 7 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /" + long_name + b" >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    return _pdf_file(objects)


def test_a_font_name_too_long_for_the_buffer_reads_as_before() -> None:
    """The long-named font's lines take their boldness from the name asked before them,
    as the per-character reader's were (so the page is asked in order)."""
    data = _long_font_name_pdf()
    assert _assert_same_lines(data, "long font name") == 1
    pdf = pdfium.PdfDocument(data)
    try:
        bold = [(line.text, line.bold) for line in page_lines(pdf, 0, float("inf"))]
    finally:
        pdf.close()
    assert bold == [
        ("set in the long-named font first", False),  # nothing asked before it
        ("A bold heading", True),
        ("then the long-named font again", True),  # Helvetica-Bold's name, read again
        ("and a regular line", False),
        ("and the long-named font last", False),
    ]
