"""The PDF reader: pages, clean-up, joins, tables, errors and the OCR fallback.

Small PDFs are built here with reportlab (a dev dependency); corpus checks use the shared
Wye Valley PDFs through the ``corpus_dir`` fixture.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from indexer import ocr, pdf_layout
from indexer.pdf_layout import Line, median
from indexer.read_pdf import read
from kb.model import Document, IngestError

canvas_mod = pytest.importorskip("reportlab.pdfgen.canvas", reason="reportlab (dev) builds PDFs")
A4_HEIGHT = 842


def _pdf(pages: list[list[tuple[str, str, float]]], **canvas_kwargs: object) -> bytes:
    """A PDF whose pages hold (text, font, y) lines, each page with a header and footer."""
    buf = io.BytesIO()
    canvas = canvas_mod.Canvas(buf, pagesize=(595, A4_HEIGHT), **canvas_kwargs)
    for number, lines in enumerate(pages, start=1):
        canvas.setFont("Helvetica", 9)
        canvas.drawString(72, 810, "Anytown Parish Council - Minutes of 5 May 2021")
        canvas.drawString(260, 30, f"Page {number} of {len(pages)}")
        for text, font, y in lines:
            canvas.setFont(font, 11)
            x = 72
            for cell in text.split("\t"):
                canvas.drawString(x, y, cell)
                x += 180
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


BODY = "Helvetica"
BOLD = "Helvetica-Bold"

MINUTES_PAGES = [
    [
        ("1. Apologies for absence", BOLD, 760),
        ("Apologies were received from Cllr Smith and Cllr Jones, who were", BODY, 740),
        ("both away on council business at the regener-", BODY, 727),
        ("ation board.", BODY, 714),
        ("2. Finance", BOLD, 680),
        ("Payee\tAmount\tCheque", BODY, 660),
        ("Village Hall\t£40.00\t300124", BODY, 647),
        ("Merlin Waste\t£30.00\t300125", BODY, 634),
    ],
    [
        ("3. Planning", BOLD, 760),
        ("The council noted the application for a well-", BODY, 740),
        ("Designed extension at Forge Road.", BODY, 727),
        ("4. Date of next meeting", BOLD, 690),
        ("The next meeting will be held on 8", BODY, 670),
    ],
    [
        ("5. Any other business", BOLD, 760),
        ("There being no further business the meeting closed at 8.40pm.", BODY, 740),
        ("Signed .................................... Chairman", BODY, 700),
        ("Dated .....................................", BODY, 680),
    ],
]


@pytest.fixture(scope="module")
def minutes_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "minutes.pdf"
    path.write_bytes(_pdf(MINUTES_PAGES))
    return path


def _read(path: Path) -> Document:
    return read(path, path.read_bytes())


def test_blocks_keep_their_pages_and_page_count(minutes_pdf: Path) -> None:
    doc = _read(minutes_pdf)
    assert doc.pages == 3 and doc.format == "pdf" and not doc.ocr
    pages = {b.text: b.page for b in doc.blocks}
    assert pages["1. Apologies for absence"] == 1
    assert pages["3. Planning"] == 2
    assert pages["5. Any other business"] == 3
    assert [b.page for b in doc.blocks] == sorted(b.page for b in doc.blocks)


def test_running_header_page_numbers_and_signature_lines_are_removed(minutes_pdf: Path) -> None:
    text = "\n".join(b.text for b in _read(minutes_pdf).blocks)
    assert "Anytown Parish Council" not in text
    assert "Page " not in text
    assert "Signed" not in text and "Dated" not in text and "....." not in text
    assert "the meeting closed at 8.40pm." in text


def test_hyphenated_line_break_is_joined_but_real_hyphen_before_capital_kept(
    minutes_pdf: Path,
) -> None:
    texts = [b.text for b in _read(minutes_pdf).blocks]
    assert any("at the regeneration board." in t for t in texts)
    assert any("a well-Designed extension" in t for t in texts)


def test_bold_numbered_lines_are_headings_and_body_is_one_paragraph(minutes_pdf: Path) -> None:
    blocks = _read(minutes_pdf).blocks
    heading = next(b for b in blocks if b.text == "1. Apologies for absence")
    assert heading.kind == "heading" and heading.bold
    body = blocks[blocks.index(heading) + 1]
    assert body.kind == "paragraph" and not body.bold
    assert body.text.startswith("Apologies were received") and body.text.endswith("board.")


def test_aligned_columns_become_table_rows(minutes_pdf: Path) -> None:
    rows = [b for b in _read(minutes_pdf).blocks if b.kind == "table-row"]
    assert [r.cells for r in rows] == [
        ["Payee", "Amount", "Cheque"],
        ["Village Hall", "£40.00", "300124"],
        ["Merlin Waste", "£30.00", "300125"],
    ]
    assert rows[1].text == "Village Hall\t£40.00\t300124"


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("at the regener-", "ation board", "at the regeneration board"),
        ("a well-", "Designed plan", "a well-Designed plan"),
        ("marketing sub\u00ad", "group formed", "marketing subgroup formed"),
        ("items 3-", "4 were deferred", "items 3-4 were deferred"),
        ("Cllr Smith -", "Chairman", "Cllr Smith - Chairman"),
        ("no hyphen", "here", "no hyphen here"),
    ],
)
def test_join_mends_hyphenated_words(first: str, second: str, joined: str) -> None:
    assert pdf_layout._join(first, second) == joined


@pytest.mark.parametrize(
    ("text", "dropped"),
    [
        ("Page 2 of 5", True),
        ("- 3 -", True),
        ("4", True),
        ("Tudalen 2", True),
        ("2709. Police Report", False),
        ("Signed ........................ Chairman", True),
        ("Dated …………………………..", True),
        ("………………………..........…13th March 2019", True),
        ("Signed by the Chair", False),
        ("Chairman ………………………", True),
        ("Chairperson: ______________", True),
        ("Cadeirydd ...............", True),
        ("The Chairman thanked members.", False),
    ],
)
def test_clean_drops_page_numbers_and_signatures(text: str, dropped: bool) -> None:
    lines = [
        Line("Opening line of the page", page=1, band=False),
        Line(text, page=1, band=True),
        Line("Closing line", page=1, band=False),
    ]
    kept = [line.text for line in pdf_layout.clean([lines], 1)]
    assert (text not in kept) is dropped


def test_clean_rejoins_superscript_ordinal() -> None:
    lines = [Line("MEETING 8", page=1), Line("th JULY 2015", page=1)]
    assert [line.text for line in pdf_layout.clean([lines], 1)] == ["MEETING 8th JULY 2015"]


# --------------------------------------------------------------------------- errors


def _encrypted() -> bytes:
    from reportlab.lib import pdfencrypt

    enc = pdfencrypt.StandardEncryption("secret", ownerPassword="owner", strength=128)
    return _pdf(MINUTES_PAGES[:1], encrypt=enc)


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("zero-byte", lambda: b"", "empty file"),
        ("html", lambda: b"<!doctype html><html><body>Minutes</body></html>", "not a PDF"),
        ("truncated", lambda: _pdf(MINUTES_PAGES)[:1500], "truncated"),
        (
            "cut-update",
            lambda: _pdf(MINUTES_PAGES) + b"\n9 0 obj\n<< /Type /Annot >>\nendobj\n10 0 obj\n<<",
            "truncated",
        ),
        ("encrypted", _encrypted, "encrypted"),
        ("damaged", lambda: b"%PDF-1.4\nthis is not really a pdf\n%%EOF\n", "damaged"),
    ],
)
def test_bad_pdfs_raise_ingest_error_with_reason(
    tmp_path: Path, name: str, make: object, reason: str
) -> None:
    data = make()  # type: ignore[operator]
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=reason):
        read(path, data)


def test_junk_after_the_end_marker_is_ignored(tmp_path: Path) -> None:
    data = _pdf(MINUTES_PAGES) + b"\n<html><body>" + b"a livestream served by a web server " * 400
    doc = read(tmp_path / "junk.pdf", data)
    assert doc.pages == 3 and doc.blocks[0].text == "1. Apologies for absence"


def test_time_limit_gives_clear_error(minutes_pdf: Path) -> None:
    with pytest.raises(IngestError, match="took too long"):
        read(minutes_pdf, minutes_pdf.read_bytes(), time_limit=0.0)


# --------------------------------------------------------------------------- OCR


@pytest.mark.parametrize(
    ("pages", "problem"),
    [
        (["Minutes of the meeting of the parish council held on 5 May. " * 5], None),
        (["Cofnodion cyfarfod y cyngor a gynhaliwyd ar 14 Ionawr yn y neuadd. " * 5], None),
        ([""], "no text layer"),
        (["(cid:12)(cid:7)(cid:44) " * 50], "glyph codes"),
        (["\ue001\ue002\ue003 ab " * 60], "private-use"),
        (["Wkh phhwlqj zdv khog lq wkh ylooodjh kdoo rq Prqgdb " * 30], "garbage"),
        (["Xq zzt bgh ttk qrst " * 60], "garbage"),
    ],
)
def test_text_layer_problem(pages: list[str], problem: str | None) -> None:
    found = ocr.text_layer_problem(pages)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize(
    "text",
    [
        "Minutes of the meeting held on 5 May 2021",
        "Cofnodion: Cynghorydd Siân Lewis, Gŵyl Dewi, ŵ ŷ",
        "x² + ½ and ³⁄₄ are not letters; 1st_2nd__3rd",
        "e\u0301 (a combining accent), ǅ titlecase, ª ordinal",
        "\ue001\ue002 private-use bullets \U000f0001 and • ▪ ➢",
        "数字 ١٢٣ ৩ are digits, كلمة is Arabic",
        "",
    ],
)
def test_count_letters_is_the_isalpha_count(text: str) -> None:
    assert ocr.count_letters(text) == sum(ch.isalpha() for ch in text)


def _old_wordlike(word: str) -> bool:
    """The word test as ``text_layer_problem`` first wrote it (a generator over letters)."""
    return len(word) <= 4 or word.isupper() or any(ch in ocr._VOWELS for ch in word.lower())


@pytest.mark.parametrize(
    "text",
    [
        "Minutes of the meeting held on 5 May 2021 by the PARISH COUNCIL",
        "Cofnodion: Cynghorydd Siân Lewis, Gŵyl Dewi, ŵ ŷ, crwth cwm CWMBRAN",
        "Wkh phhwlqj zdv khog lq wkh ylooodjh kdoo rq Prqgdb rhythms tsktsk",
        # 'İ' lowers to 'i' and a combining dot: a vowel only once lowered
        "İSTNBL İstnbl ǅxyzw rhythm's nth's strength’s",
        "",
    ],
)
def test_word_counts_are_the_per_word_loops(text: str) -> None:
    words = ocr._WORD.findall(text)
    assert ocr.count_wordlike(words) == sum(_old_wordlike(w) for w in words)
    assert ocr.count_common(words) == sum(w.lower() in ocr._COMMON_WORDS for w in words)


def test_corpus_word_counts_are_the_per_word_loops(corpus_dir: Path) -> None:
    """Every word of the corpus's text files, counted both ways."""
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in corpus_dir.rglob("*.txt")]
    words = ocr._WORD.findall("\n".join(texts))
    assert len(words) > 50_000
    assert ocr.count_wordlike(words) == sum(_old_wordlike(w) for w in words)
    assert ocr.count_common(words) == sum(w.lower() in ocr._COMMON_WORDS for w in words)


def test_bold_is_read_per_font_within_one_page(tmp_path: Path) -> None:
    """Bold and regular text objects alternating on one page, and a bold lead word before
    regular text on one line: each line's boldness is its own characters' fonts."""
    buf = io.BytesIO()
    canvas = canvas_mod.Canvas(buf, pagesize=(595, A4_HEIGHT))
    rows = [("Helvetica-Bold", "1. Apologies"), ("Helvetica", "None were received today.")]
    rows += [("Helvetica-Bold", "2. Minutes"), ("Times-Roman", "The minutes were agreed.")]
    for n, (font, text) in enumerate(rows):
        canvas.setFont(font, 11)
        canvas.drawString(72, 760 - 40 * n, text)
    text = canvas.beginText(72, 560)
    text.setFont("Helvetica-Bold", 11)
    text.textOut("RESOLVED ")
    text.setFont("Helvetica", 11)
    text.textOut("that the report be noted by the committee.")
    canvas.drawText(text)
    canvas.showPage()
    canvas.save()
    path = tmp_path / "fonts.pdf"
    path.write_bytes(buf.getvalue())
    blocks = _read(path).blocks
    assert [(b.text, b.bold) for b in blocks[:4]] == [
        ("1. Apologies", True),
        ("None were received today.", False),
        ("2. Minutes", True),
        ("The minutes were agreed.", False),
    ]
    assert blocks[4].text == "RESOLVED that the report be noted by the committee."
    assert not blocks[4].bold


def test_corpus_pdfs_have_usable_text_layers(corpus_dir: Path) -> None:
    for path in sorted(corpus_dir.glob("*/*.pdf")):
        pdf = pdfium.PdfDocument(path.read_bytes())
        texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        pdf.close()
        assert ocr.text_layer_problem(texts) is None, path.name


@pytest.fixture(scope="module")
def scanned_pdf(tmp_path_factory: pytest.TempPathFactory, minutes_pdf: Path) -> Path:
    """An image-only PDF: page 1 of the minutes rendered to pixels and wrapped as a PDF."""
    pytest.importorskip("PIL", reason="Pillow (with reportlab) wraps the image")
    from reportlab.lib.utils import ImageReader

    pdf = pdfium.PdfDocument(minutes_pdf.read_bytes())
    image = pdf[0].render(scale=200 / 72).to_pil()
    pdf.close()
    buf = io.BytesIO()
    canvas = canvas_mod.Canvas(buf, pagesize=(595, A4_HEIGHT))
    canvas.drawImage(ImageReader(image), 0, 0, width=595, height=A4_HEIGHT)
    canvas.showPage()
    canvas.save()
    path = tmp_path_factory.mktemp("scan") / "scan.pdf"
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.slow
def test_image_only_pdf_is_read_by_ocr(scanned_pdf: Path) -> None:
    if ocr.tesseract_path() is None:
        pytest.skip("tesseract is not installed (make browser-deps installs tesseract-ocr)")
    doc = _read(scanned_pdf)
    assert doc.ocr is True and doc.pages == 1
    assert any(w.startswith("text from a scan (OCR)") for w in doc.warnings)
    text = " ".join(b.text for b in doc.blocks)
    for phrase in ("Apologies for absence", "regeneration board", "Merlin Waste"):
        assert phrase in text
    assert all(b.page == 1 for b in doc.blocks)
    assert "Anytown Parish Council" in text  # one page: a header cannot be seen to repeat


@pytest.fixture(scope="module")
def mixed_pdf(tmp_path_factory: pytest.TempPathFactory, minutes_pdf: Path) -> Path:
    """Page 1 a text layer, page 2 a scanned image of the minutes' first page."""
    pytest.importorskip("PIL", reason="Pillow (with reportlab) wraps the image")
    from reportlab.lib.utils import ImageReader

    pdf = pdfium.PdfDocument(minutes_pdf.read_bytes())
    image = pdf[0].render(scale=200 / 72).to_pil()
    pdf.close()
    buf = io.BytesIO()
    canvas = canvas_mod.Canvas(buf, pagesize=(595, A4_HEIGHT))
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(72, 760, "7. Closing remarks")
    canvas.setFont("Helvetica", 11)
    for n, words in enumerate(
        ["The chairman thanked the clerk for the annual report,"]
        + ["which was received and noted by all members present at the meeting."] * 3
    ):
        canvas.drawString(72, 740 - 13 * n, words)
    canvas.showPage()
    canvas.drawImage(ImageReader(image), 0, 0, width=595, height=A4_HEIGHT)
    canvas.showPage()
    canvas.save()
    path = tmp_path_factory.mktemp("mixed") / "mixed.pdf"
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.slow
def test_scanned_page_in_a_text_pdf_is_read_by_ocr(mixed_pdf: Path) -> None:
    if ocr.tesseract_path() is None:
        pytest.skip("tesseract is not installed (make browser-deps installs tesseract-ocr)")
    doc = _read(mixed_pdf)
    assert doc.ocr is True and doc.pages == 2
    assert doc.warnings == ["text from a scan (OCR) on page(s) 2"]
    assert doc.blocks[0].text == "7. Closing remarks" and doc.blocks[0].bold
    page2 = " ".join(b.text for b in doc.blocks if b.page == 2)
    assert "Apologies for absence" in page2 and "Merlin Waste" in page2


def test_scanned_page_without_tesseract_is_a_warning(
    mixed_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "tesseract_path", lambda: None)
    doc = _read(mixed_pdf)
    assert doc.ocr is False and {b.page for b in doc.blocks} == {1}
    assert doc.warnings == [
        "page(s) 2 are images without text and were skipped (install tesseract-ocr to read them)"
    ]


def test_image_only_pdf_without_tesseract_says_how_to_fix(
    scanned_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "tesseract_path", lambda: None)
    with pytest.raises(IngestError, match=r"has no text layer and OCR is unavailable \(install"):
        _read(scanned_pdf)


# --------------------------------------------------------------------------- corpus


def _squash(text: str) -> str:
    return re.sub(r"[\s\u00ad\ufffe-]+", "", text)


@pytest.mark.parametrize("name", ["20190729.pdf", "20180904.pdf", "20181126.pdf"])
def test_corpus_blocks_come_from_the_page_they_claim(corpus_dir: Path, name: str) -> None:
    path = corpus_dir / "wyevalleycc" / name
    doc = _read(path)
    pdf = pdfium.PdfDocument(path.read_bytes())
    page_text = [_squash(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    pdf.close()
    assert doc.pages == len(page_text) >= 3
    assert {b.page for b in doc.blocks} >= set(range(1, doc.pages))  # last page may be blank
    for block in doc.blocks:
        probe = _squash(block.text.split("\t")[0])[:25]
        assert probe in page_text[block.page - 1], (block.page, block.text[:60])


def test_corpus_minute_numbers_start_paragraphs(corpus_dir: Path) -> None:
    doc = _read(corpus_dir / "wyevalleycc" / "20190729.pdf")
    starts = [m.group(1) for b in doc.blocks if (m := re.match(r"(27\d\d)[.:] ", b.text))]
    assert starts == [str(n) for n in range(2724, 2747)]


# --------------------------------------------------------------------------- damaged input

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cuts=st.lists(st.tuples(st.integers(0, 10_000), st.binary(min_size=1, max_size=8)), max_size=6)
)
def test_damaged_pdf_gives_document_or_ingest_error(
    minutes_pdf: Path, cuts: list[tuple[int, bytes]]
) -> None:
    data = bytearray(minutes_pdf.read_bytes())
    for position, junk in cuts:
        at = position % len(data)
        data[at : at + len(junk)] = junk
    try:
        doc = read(minutes_pdf, bytes(data))
    except IngestError as exc:
        assert str(exc)
    else:
        assert doc.pages is not None and doc.pages >= 1


@pytest.mark.parametrize(
    "values",
    [[3.0], [11.0, 9.5], [1, 5, 2], [4, 1, 3, 2], [0.1, 0.2, 0.7, 0.3], [10.0] * 6, [-2.5, 7, 1e9]],
)
def test_layout_median_is_the_statistics_median(values: list[float]) -> None:
    import statistics

    got, expected = median(values), statistics.median(values)
    assert got == expected and type(got) is type(expected)
    assert median(iter(values)) == expected
