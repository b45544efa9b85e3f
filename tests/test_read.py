"""indexer.read: a file's bytes choose its reader; a name that lies gets a clear line."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfgen import canvas as canvas_mod

from indexer import read as read_module
from indexer.pipeline import ingest
from indexer.read import read_file, sniff, sniff_kind
from kb.model import IngestError

HTML_ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
    b"<body><h1>Not Found</h1><p>The requested document was not found.</p></body></html>"
)
#: bytes 0-255 over and over: a third are control bytes
NOISE = bytes(range(256)) * 40
MINUTES_LINES = [
    "Anytown Parish Council",
    "Minutes of the meeting held on 5 May 2021",
    "1. Apologies for absence",
    "Apologies were received from Cllr Smith.",
    "2. CCTV in the park",
    "Members agreed to fund two CCTV cameras for the park.",
    "3. Date of next meeting",
    "The next meeting will be held on 2 June 2021.",
]


def minutes_pdf() -> bytes:
    buf = io.BytesIO()
    canvas = canvas_mod.Canvas(buf, pagesize=(595, 842))
    for n, line in enumerate(MINUTES_LINES):
        canvas.setFont("Helvetica-Bold" if line[:2] in {"1.", "2.", "3."} else "Helvetica", 11)
        canvas.drawString(72, 780 - 20 * n, line)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def minutes_docx() -> bytes:
    document = docx.Document()
    for line in MINUTES_LINES:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (minutes_pdf, "pdf"),
        (lambda: b"\r\n  junk before the header\n" + minutes_pdf(), "pdf"),
        (minutes_docx, "docx"),
        (lambda: b"PK\x03\x04" + b"\0" * 26 + b"data/sheet1.csv", "zip"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "ole"),
        (lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image"),
        (lambda: HTML_ERROR_PAGE, "html"),
        (lambda: b"\xef\xbb\xbf  <html><body>x</body></html>", "html"),
        (lambda: b'<?xml version="1.0"?>\n<!DOCTYPE html>\n<html xmlns="x"></html>', "html"),
        (lambda: b'<?xml version="1.0"?>\n<meeting/>', "xml"),
        (lambda: b"<h1 class='x'>Minutes</h1>", "text"),  # a fragment: the suffix decides
        (lambda: b"Minutes of the meeting\n1. Apologies", "text"),
        (lambda: NOISE, "binary"),
    ],
)
def test_sniff_kind_reads_the_bytes(make, kind: str) -> None:  # type: ignore[no-untyped-def]
    assert sniff_kind(make()) == kind


@pytest.mark.parametrize(
    ("name", "make", "fmt", "warning"),
    [
        ("a.pdf", minutes_pdf, "pdf", None),
        ("a.txt", minutes_pdf, "pdf", "named .txt but it is a PDF; read as a PDF"),
        ("a", minutes_docx, "docx", "with no file extension but it is a Word document"),
        ("a.txt", lambda: HTML_ERROR_PAGE, "html", "named .txt but it is an HTML page"),
        ("a.php", lambda: b"<button>x</button><p>Minutes</p>", "html", None),
        ("a.xml", lambda: b"<meeting><title>x</title></meeting>", "moderngov", None),
        ("a.xml", lambda: b'<?xml version="1.0"?><meeting/>', "moderngov", None),
        ("a.md", lambda: b"# Minutes", "markdown", None),
        ("a.txt", lambda: b"Minutes", "text", None),
    ],
)
def test_sniff_chooses_the_reader_and_warns_when_the_name_lies(  # type: ignore[no-untyped-def]
    name: str, make, fmt: str, warning: str | None
) -> None:
    got_fmt, got_warning = sniff(Path(name), make())
    assert got_fmt == fmt
    if warning is None:
        assert got_warning is None
    else:
        assert got_warning is not None and got_warning.startswith(warning)


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("a.pdf", lambda: HTML_ERROR_PAGE, "not a PDF (it is an HTML page, despite its .pdf name)"),
        ("a.pdf", minutes_docx, "not a PDF (it is a Word document, despite its .pdf name)"),
        ("a.pdf", lambda: b"Minutes of the meeting", "not a PDF (it is text, despite its .pdf"),
        ("a.docx", minutes_pdf, "not a Word document (it is a PDF, despite its .docx name)"),
        ("a.txt", lambda: b"PK\x03\x04" + b"\0" * 40, "(it is a ZIP archive)"),
        ("a.html", lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "(it is an image)"),
        ("a.pdf", lambda: NOISE, "not a PDF (it is binary data, despite its .pdf name)"),
        ("a.htm", lambda: NOISE, "not an HTML page (it is binary data)"),
    ],
)
def test_a_binary_format_name_that_lies_is_refused(name: str, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IngestError) as exc:
        sniff(Path(name), make())
    assert reason in str(exc.value)


def test_a_pdf_named_txt_is_read_as_a_pdf_with_the_warning_first(tmp_path: Path) -> None:
    path = tmp_path / "minutes.txt"
    path.write_bytes(minutes_pdf())
    doc = read_file(path)
    assert doc.format == "pdf"
    assert doc.warnings[0] == "named .txt but it is a PDF; read as a PDF"
    assert any("CCTV cameras" in b.text for b in doc.blocks)


def test_each_mismatch_gives_one_clear_line_and_the_rest_are_indexed(
    tmp_path: Path, seed_path: Path
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "error-page.pdf").write_bytes(HTML_ERROR_PAGE)
    (src / "agenda.pdf").write_bytes(minutes_docx())
    (src / "scan.txt").write_bytes(minutes_pdf())
    (src / "seed.txt").write_bytes(seed_path.read_bytes())
    report = ingest([src], tmp_path / "ix", workers=0)
    by_name = {r.path.name: r for r in report.results}
    assert by_name["error-page.pdf"].line() == (
        f"FAILED {src / 'error-page.pdf'}: not a PDF (it is an HTML page, despite its .pdf name)"
    )
    assert by_name["agenda.pdf"].status == "failed"
    assert "not a PDF (it is a Word document" in by_name["agenda.pdf"].message
    assert by_name["scan.txt"].status == "new" and by_name["scan.txt"].items >= 2
    assert "named .txt but it is a PDF; read as a PDF" in by_name["scan.txt"].warnings
    assert by_name["seed.txt"].status == "new" and by_name["seed.txt"].items > 5


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab \t\n\x1b[]0;?@Z\\_\x07\x00\x0b\x7f\x9f\xa0é"), max_size=12)
)
def test_control_search_agrees_with_the_escape_pattern(text: str) -> None:
    """strip_controls looks for a control character before cleaning a block: found exactly
    where the escape pattern finds a match."""
    assert (read_module._CONTROL_CHAR.search(text) is None) == (
        read_module._ESCAPES.search(text) is None
    )


def test_strip_controls_removes_escapes_and_blanks_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "minutes.txt"
    plain = "Members agreed to fund two CCTV cameras for the park. " * 4
    path.write_text(
        f"1. Title\x1b]0;evil\x07 here\n\n{plain}\n\nBody\x0bline\x1b[31m red\n", encoding="utf-8"
    )
    doc = read_file(path)
    assert [b.text for b in doc.blocks] == ["1. Title here", plain.strip(), "Body line red"]
    assert any("3 control character(s)" in w for w in doc.warnings)
