"""Agenda items and speakers on layouts the shared corpus lacks, scored on written fixtures.

``tests/fixtures/layouts/`` holds small minutes written for this test, one layout each
(minute references with prefixes or years, resolution-numbered township minutes, headings
without numbers, numbers on their own line, unfamiliar speaker forms, attendance as tables,
comma lists or one name per line); ``expected.json`` there holds the items (number as
printed, title) and the speakers of each.  Two more documents are built here: a DOCX with
bold unnumbered headings and a PDF with ``Min 56`` references.  The score is item-title F1
(titles compared folded to letters and digits) and speaker recall over every fixture; it is
printed, and each document's items and numbers are also checked one by one.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from indexer.pipeline import process_file
from kb.model import Meeting, PersonRef

FIXTURES = Path(__file__).parent / "fixtures" / "layouts"
EXPECTED: dict[str, dict] = {
    k: v for k, v in json.loads((FIXTURES / "expected.json").read_text()).items() if k[0] != "_"
}

# A DOCX and a PDF built here: (name, paragraphs as (text, bold)), expectations as above.
DOCX_LINES = [
    ("Hartwell Parish Council", True),
    ("Minutes of the Parish Council meeting held on Monday 3 June 2024 at 7.30pm", False),
    ("Present: Cllr Owen Price (Chair), Cllr Jane Moss, Cllr Ed Quill", False),
    ("In attendance: Mrs Ann Hale (Clerk)", False),
    ("Apologies", True),
    ("Cllr Tom Reed.", False),
    ("Village hall roof", True),
    ("Cllr Moss reported that two quotes had been received. Mrs Hale advised that a grant "
     "of £2,000 was available.", False),
    ("1. Quote from Smith Roofing – £8,400.", False),
    ("2. Quote from Vale Builders – £9,150.", False),
    ("Playing field", True),
    ("Cllr Quill asked whether the goalposts could be replaced this summer.", False),
    ("Any other business", True),
    ("None.", False),
]  # fmt: skip
DOCX_EXPECTED = {
    "items": [[None, "Apologies"], [None, "Village hall roof"], [None, "Playing field"],
              [None, "Any other business"]],
    "speakers": {"Village hall roof": ["moss", "hale"], "Playing field": ["quill"]},
}  # fmt: skip
PDF_LINES = [
    ("PENTRE COMMUNITY COUNCIL", "Helvetica-Bold"),
    ("Minutes of the meeting held on Tuesday 14 May 2024 at 7pm, Pentre Hall", "Helvetica"),
    ("Present: Cllr G. Lewis (Chair), Cllr H. Owen, Cllr I. Pugh", "Helvetica"),
    ("Clerk: Mrs J. Rowlands", "Helvetica"),
    ("Min 101 Apologies", "Helvetica-Bold"),
    ("Cllr K. Thomas.", "Helvetica"),
    ("Min 102 Police report", "Helvetica-Bold"),
    ("PCSO Morris reported two incidents of speeding on the A470.", "Helvetica"),
    ("Min 103 Finance", "Helvetica-Bold"),
    ("Mrs Rowlands presented the accounts. Cllr Pugh asked about the audit fee.", "Helvetica"),
    ("2023/24 accounts were approved for signing.", "Helvetica"),
    ("Min 104 Correspondence", "Helvetica-Bold"),
    ("None.", "Helvetica"),
]
PDF_EXPECTED = {
    "items": [["101", "Apologies"], ["102", "Police report"], ["103", "Finance"],
              ["104", "Correspondence"]],
    "speakers": {"Police report": ["morris"], "Finance": ["rowlands", "pugh"]},
}  # fmt: skip


def _write_docx(path: Path) -> None:
    docx = pytest.importorskip("docx", reason="python-docx reads DOCX")
    document = docx.Document()
    for text, bold in DOCX_LINES:
        document.add_paragraph().add_run(text).bold = bold
    document.save(str(path))


def _write_pdf(path: Path) -> None:
    canvas_mod = pytest.importorskip("reportlab.pdfgen.canvas", reason="reportlab builds PDFs")
    buf = io.BytesIO()
    canvas = canvas_mod.Canvas(buf, pagesize=(595, 842))
    y = 780
    for text, font in PDF_LINES:
        canvas.setFont(font, 11)
        canvas.drawString(72, y, text)
        y -= 30 if font.endswith("Bold") else 20
    canvas.showPage()
    canvas.save()
    path.write_bytes(buf.getvalue())


def norm(title: str) -> str:
    """A title folded for comparison: lower-case letters and digits only."""
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def person_key(ref: PersonRef) -> str:
    """A speaker's key: surname letters, or the post slug when the post is unnamed."""
    if "/role/" in ref.person_id:
        return ref.person_id.split("/role/", 1)[1]
    return re.sub(r"[^a-z]", "", ref.name.split()[-1].lower())


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    spk_found: int = 0
    spk_expected: int = 0
    spk_extra: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, name: str, meeting: Meeting, expected: dict) -> None:
        got = {norm(i.title): i for i in meeting.items}
        want = {norm(t) for _, t in expected["items"]}
        self.tp += len(want & set(got))
        self.fp += len(set(got) - want)
        self.fn += len(want - set(got))
        for title in sorted(set(got) - want):
            self.errors.append(f"{name}: extra item {got[title].number} {title!r}")
        for title in sorted(want - set(got)):
            self.errors.append(f"{name}: missed item {title!r}")
        for _, title in expected["items"]:
            keys = set(expected["speakers"].get(title, []))
            item = got.get(norm(title))
            found = {person_key(r) for r in item.speakers} if item else set()
            self.spk_expected += len(keys)
            self.spk_found += len(keys & found)
            self.spk_extra += len(found - keys)
            if keys - found or found - keys:
                self.errors.append(
                    f"{name}: {title!r} speakers missed {sorted(keys - found)}"
                    f" extra {sorted(found - keys)}"
                )

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn)

    @property
    def recall(self) -> float:
        return self.spk_found / self.spk_expected


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict]]:
    """Every fixture document (written ones and the DOCX/PDF built here) with expectations."""
    folder = tmp_path_factory.mktemp("layouts")
    docs = {name: (FIXTURES / name, exp) for name, exp in EXPECTED.items()}
    _write_docx(folder / "parish_bold_headings.docx")
    _write_pdf(folder / "community_min_refs.pdf")
    docs["parish_bold_headings.docx"] = (folder / "parish_bold_headings.docx", DOCX_EXPECTED)
    docs["community_min_refs.pdf"] = (folder / "community_min_refs.pdf", PDF_EXPECTED)
    return docs


def test_fixture_set_covers_every_layout_and_format() -> None:
    suffixes = {Path(n).suffix for n in EXPECTED}
    assert {".txt", ".md", ".html"} <= suffixes
    assert len(EXPECTED) >= 15
    assert all(e["speakers"] for e in EXPECTED.values())


def test_item_title_f1_and_speaker_recall(built: dict[str, tuple[Path, dict]]) -> None:
    score = Score()
    for name, (path, expected) in sorted(built.items()):
        score.add(name, process_file(path), expected)
    print(
        f"\nlayouts ({len(built)} documents): item-title F1 {score.f1:.3f} "
        f"(tp {score.tp}, fp {score.fp}, fn {score.fn}); speaker recall {score.recall:.3f} "
        f"({score.spk_found}/{score.spk_expected}, {score.spk_extra} extra)"
    )
    print("\n".join(score.errors))
    assert score.f1 >= 0.95
    assert score.recall >= 0.9


@pytest.mark.parametrize("name", sorted([*EXPECTED, "parish_bold_headings.docx",
                                         "community_min_refs.pdf"]))  # fmt: skip
def test_items_and_numbers_per_document(name: str, built: dict[str, tuple[Path, dict]]) -> None:
    path, expected = built[name]
    items = process_file(path).items
    assert [norm(i.title) for i in items] == [norm(t) for _, t in expected["items"]]
    printed = [n for n, _ in expected["items"]]
    if all(printed):
        assert [i.number for i in items] == printed
    else:
        assert [i.number for i in items] == [str(k) for k in range(1, len(items) + 1)]
