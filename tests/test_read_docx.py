"""The Word reader: visible automatic numbers, item hints, headings, tables, pages, safety.

Documents are built here with python-docx (plus a little numbering.xml for direct
numbering with restarts), so each test states the document it reads.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from indexer.read import read_file
from indexer.read_docx import _format, read
from kb.model import Block, IngestError


def _save(document: docx.document.Document, tmp_path: Path, name: str = "m.docx") -> Path:
    path = tmp_path / name
    document.save(str(path))
    return path


def _bold(document: docx.document.Document, text: str, style: str | None = None) -> None:
    document.add_paragraph(style=style).add_run(text).bold = True


@pytest.fixture()
def styled_minutes(tmp_path: Path) -> Path:
    """Minutes numbered by the 'List Number' style (numbering inherited from the style)."""
    d = docx.Document()
    d.add_heading("Anytown Parish Council", 0)
    d.add_heading("Minutes of the meeting held on 5 May 2021", 1)
    _bold(d, "Apologies for absence", "List Number")
    d.add_paragraph("Apologies were received from Cllr Smith.")
    _bold(d, "Finance", "List Number")
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([["Payee", "Amount", "Cheque"], ["Village Hall", "£40.00", "300124"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "Total"
    table.cell(2, 2).text = "£40.00"
    d.add_paragraph("An unnumbered note that is not bold.", style="List Number")
    _bold(d, "Planning", "List Number")
    d.add_paragraph("Page 2 of 2")
    d.add_paragraph("Signed ................................ Chairman")
    return _save(d, tmp_path)


def test_style_numbering_becomes_visible_numbers_and_item_hints(styled_minutes: Path) -> None:
    doc = read_file(styled_minutes)
    assert doc.format == "docx"
    hinted = [(b.text, b.item_hint) for b in doc.blocks if b.item_hint]
    assert hinted == [
        ("1. Apologies for absence", ("1", "Apologies for absence")),
        ("2. Finance", ("2", "Finance")),
        ("4. Planning", ("4", "Planning")),
    ]
    note = next(b for b in doc.blocks if "unnumbered note" in b.text)
    assert note.text == "3. An unnumbered note that is not bold." and note.kind == "list"
    assert note.item_hint is None


def test_headings_tables_and_furniture(styled_minutes: Path) -> None:
    blocks = read_file(styled_minutes).blocks
    assert blocks[0] == Block("Anytown Parish Council", "heading", level=1)
    assert blocks[1].kind == "heading" and blocks[1].level == 1
    rows = [b.cells for b in blocks if b.kind == "table-row"]
    assert rows == [["Payee", "Amount", "Cheque"], ["Village Hall", "£40.00", "300124"],
                    ["Total", "£40.00"]]  # fmt: skip
    texts = [b.text for b in blocks]
    assert "Page 2 of 2" not in texts and not any(t.startswith("Signed") for t in texts)
    assert all(b.page is None for b in blocks)  # no page breaks recorded


NUMBERING = (
    f"<w:abstractNum {nsdecls('w')} w:abstractNumId='90'>"
    "<w:lvl w:ilvl='0'><w:start w:val='5'/><w:numFmt w:val='decimal'/>"
    "<w:lvlText w:val='%1.'/></w:lvl>"
    "<w:lvl w:ilvl='1'><w:start w:val='1'/><w:numFmt w:val='lowerLetter'/>"
    "<w:lvlText w:val='(%2)'/></w:lvl>"
    "<w:lvl w:ilvl='2'><w:start w:val='1'/><w:numFmt w:val='lowerRoman'/>"
    "<w:lvlText w:val='%1.%2.%3'/></w:lvl></w:abstractNum>"
)


def _numbered(document: docx.document.Document, text: str, num_id: int, ilvl: int,
              bold: bool = False) -> None:  # fmt: skip
    paragraph = document.add_paragraph()
    paragraph.add_run(text).bold = bold
    paragraph._p.get_or_add_pPr().append(
        parse_xml(
            f"<w:numPr {nsdecls('w')}><w:ilvl w:val='{ilvl}'/><w:numId w:val='{num_id}'/></w:numPr>"
        )
    )


@pytest.fixture()
def direct_numbering(tmp_path: Path) -> Path:
    d = docx.Document()
    root = d.part.numbering_part.element
    first_num = root.find(qn("w:num"))
    first_num.addprevious(parse_xml(NUMBERING))  # abstractNums come before nums
    root.append(
        parse_xml(f"<w:num {nsdecls('w')} w:numId='91'><w:abstractNumId w:val='90'/></w:num>")
    )
    root.append(
        parse_xml(
            f"<w:num {nsdecls('w')} w:numId='92'><w:abstractNumId w:val='90'/>"
            "<w:lvlOverride w:ilvl='0'><w:startOverride w:val='1'/></w:lvlOverride></w:num>"
        )
    )
    _numbered(d, "Declarations of interest", 91, 0, bold=True)
    _numbered(d, "Cllr Jones declared an interest in item 6.", 91, 1)
    _numbered(d, "Cllr Smith declared none.", 91, 1)
    _numbered(d, "A sub-sub point.", 91, 2)
    _numbered(d, "Highways", 91, 0, bold=True)
    _numbered(d, "The potholes were reported.", 91, 1)
    d.paragraphs[-1].runs[0].add_break(WD_BREAK.PAGE)
    _numbered(d, "A new list restarting at one", 92, 0, bold=True)
    _numbered(d, "This paragraph is numbered and bold but far too long to be an agenda item " * 3,
              92, 0, bold=True)  # fmt: skip
    return _save(d, tmp_path)


def test_direct_numbering_levels_formats_and_restart(direct_numbering: Path) -> None:
    doc = read(direct_numbering, direct_numbering.read_bytes())
    labels = [b.text.split(" ")[0] for b in doc.blocks]
    assert labels == ["5.", "(a)", "(b)", "5.b.i", "6.", "(a)", "1.", "2."]
    assert [b.item_hint for b in doc.blocks if b.item_hint] == [
        ("5", "Declarations of interest"), ("6", "Highways"),
        ("1", "A new list restarting at one"),
    ]  # fmt: skip
    assert doc.blocks[1].kind == "list" and doc.blocks[1].level == 1


def test_page_breaks_give_pages(direct_numbering: Path) -> None:
    doc = read(direct_numbering, direct_numbering.read_bytes())
    assert doc.pages == 2
    assert [b.page for b in doc.blocks] == [1, 1, 1, 1, 1, 1, 2, 2]


def test_text_in_insertions_links_and_smart_tags_is_kept_deletions_dropped(
    tmp_path: Path,
) -> None:
    d = docx.Document()
    paragraph = d.add_paragraph("Meeting held on ")
    for xml in (
        "<w:smartTag %s w:element='date'><w:r><w:t>10 June 2015</w:t></w:r></w:smartTag>",
        "<w:ins %s w:id='1' w:author='c'><w:r><w:t xml:space='preserve'> at the</w:t></w:r></w:ins>",  # noqa: E501
        "<w:del %s w:id='2' w:author='clerk'><w:r><w:delText> old</w:delText></w:r></w:del>",
        "<w:hyperlink %s><w:r><w:t xml:space='preserve'> Reading Room</w:t></w:r></w:hyperlink>",
    ):
        paragraph._p.append(parse_xml(xml % nsdecls("w")))
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Payee"
    table.cell(0, 1).paragraphs[0]._p.append(
        parse_xml(f"<w:ins {nsdecls('w')} w:id='3' w:author='c'><w:r><w:t>£5</w:t></w:r></w:ins>")
    )
    doc = read_file(_save(d, tmp_path))
    assert doc.blocks[0].text == "Meeting held on 10 June 2015 at the Reading Room"
    assert doc.blocks[1].cells == ["Payee", "£5"]


@pytest.mark.parametrize(
    ("n", "fmt", "shown"),
    [(3, "decimal", "3"), (3, "lowerLetter", "c"), (28, "upperLetter", "BB"),
     (4, "lowerRoman", "iv"), (14, "upperRoman", "XIV"), (7, "decimalZero", "07"),
     (5, "ordinalText", "5")],
)  # fmt: skip
def test_number_formats(n: int, fmt: str, shown: str) -> None:
    assert _format(n, fmt) == shown


# --------------------------------------------------------------------------- safety


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buf.getvalue()


def _unsupported_zip_version() -> bytes:
    """A zip whose central directory claims "version needed to extract" 6.4, which zipfile
    refuses with NotImplementedError (found by the damaged-input property below)."""
    data = bytearray(_zip({"word/document.xml": b"<w:document/>"}))
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 64
    return bytes(data)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: _zip({"word/document.xml": b"\0" * (40 * 1024 * 1024)}), "zip bomb"),
        (lambda: _zip({f"f{i}": b"" for i in range(10_001)}), "10,001 parts"),
        (lambda: _zip({"xl/workbook.xml": b"<workbook/>"}), "not a Word document"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected"),
        (lambda: _zip({"word/document.xml": random.Random(1).randbytes(5000)})[:300], "truncated"),
        (lambda: _zip({"word/document.xml": b"<not-closed>"}), "damaged Word document"),
        (lambda: b"", "empty file"),
        (_unsupported_zip_version, "not a valid zip: zip file version 6.4"),
    ],
)
def test_unsafe_or_broken_docx_is_refused(make: object, reason: str) -> None:
    with pytest.raises(IngestError, match=reason):
        read(Path("bad.docx"), make())  # type: ignore[operator]


# --------------------------------------------------------------------------- damaged input

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cuts=st.lists(st.tuples(st.integers(0, 100_000), st.binary(min_size=1, max_size=8)), max_size=6)
)
def test_damaged_docx_gives_document_or_ingest_error(
    direct_numbering: Path, cuts: list[tuple[int, bytes]]
) -> None:
    data = bytearray(direct_numbering.read_bytes())
    for position, junk in cuts:
        at = position % len(data)
        data[at : at + len(junk)] = junk
    try:
        doc = read(direct_numbering, bytes(data))
    except IngestError as exc:
        assert str(exc)
    else:
        assert doc.format == "docx"


@pytest.mark.parametrize(
    ("xml", "label"),
    [
        ("<w:lvl w:ilvl='0'><w:start w:val='x'/><w:lvlText w:val='%1.'/></w:lvl>", "1."),
        ("<w:lvl w:ilvl='zz'><w:start w:val='3'/><w:lvlText w:val='%1.'/></w:lvl>", "3."),
    ],
)
def test_malformed_numbering_values_fall_back(tmp_path: Path, xml: str, label: str) -> None:
    d = docx.Document()
    root = d.part.numbering_part.element
    root.find(qn("w:num")).addprevious(
        parse_xml(f"<w:abstractNum {nsdecls('w')} w:abstractNumId='90'>{xml}</w:abstractNum>")
    )
    root.append(
        parse_xml(f"<w:num {nsdecls('w')} w:numId='91'><w:abstractNumId w:val='90'/></w:num>")
    )
    _numbered(d, "Apologies", 91, 0, bold=True)
    doc = read_file(_save(d, tmp_path))
    assert doc.blocks[0].text == f"{label} Apologies"
