"""Every PDF in the shared corpus reads, dates right, and segments like its text twin.

Figures are printed (run with ``-s`` to see them): dates per format, and the agreement of
item numbers + titles between the Wye Valley meetings that exist as both PDF and TXT.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from indexer.read import read_file
from kb.model import Document

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def pdf_docs(corpus_dir: Path, manifest: list[dict[str, str]]) -> dict[str, Document]:
    """The corpus PDFs read once for this module, by their MANIFEST ``file`` name."""
    rows = [r for r in manifest if r["file"].lower().endswith(".pdf")]
    assert len(rows) >= 70, "the corpus should list its PDFs"
    return {r["file"]: read_file(corpus_dir / r["file"]) for r in rows}


def test_every_pdf_reads_with_text_on_known_pages(pdf_docs: dict[str, Document]) -> None:
    for name, doc in pdf_docs.items():
        assert doc.format == "pdf" and not doc.ocr, name
        assert doc.pages and doc.pages >= 1, name
        letters = sum(ch.isalpha() for b in doc.blocks for ch in b.text)
        assert letters >= 500, (name, letters)
        pages = [b.page for b in doc.blocks]
        assert all(p is not None and 1 <= p <= doc.pages for p in pages), name
        assert pages == sorted(pages), name  # reading order never goes back a page


def test_no_page_furniture_survives(pdf_docs: dict[str, Document]) -> None:
    furniture = re.compile(r"(?i)^(page \d+( of \d+)?|\d{1,3}|signed\s*[.…_]{4,}.*)$")
    for name, doc in pdf_docs.items():
        left = [b.text for b in doc.blocks if furniture.match(b.text)]
        assert left == [], name


def test_meeting_dates_match_manifest(
    pdf_docs: dict[str, Document], manifest: list[dict[str, str]]
) -> None:
    meeting = pytest.importorskip("indexer.meeting", reason="indexer.meeting not written yet")
    expected = {r["file"]: (r["meeting_date"], r["format"]) for r in manifest}
    right: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    wrong = []
    for name, doc in pdf_docs.items():
        date, fmt = expected[name]
        found = meeting.extract_meeting(doc).date
        seen[fmt] += 1
        if found is not None and found.isoformat() == date:
            right[fmt] += 1
        else:
            wrong.append((name, found, date))
    for fmt in sorted(seen):
        print(f"\nPDF meeting dates, {fmt}: {right[fmt]}/{seen[fmt]}")
    share = sum(right.values()) / sum(seen.values())
    print(f"PDF meeting dates overall: {sum(right.values())}/{sum(seen.values())} = {share:.1%}")
    assert share >= 0.95, wrong


def _norm(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def test_wye_valley_pdf_and_txt_items_agree(corpus_dir: Path) -> None:
    meeting = pytest.importorskip("indexer.meeting", reason="indexer.meeting not written yet")
    segment = pytest.importorskip("indexer.segment", reason="indexer.segment not written yet")
    pairs = [
        (pdf, pdf.with_suffix(".txt"))
        for pdf in sorted((corpus_dir / "wyevalleycc").glob("*.pdf"))
        if pdf.with_suffix(".txt").exists()
    ]
    assert len(pairs) >= 12
    both = either = 0
    for pdf, txt in pairs:
        found = []
        for path in (pdf, txt):
            doc = read_file(path)
            items = segment.segment(doc, meeting.extract_meeting(doc))
            found.append({(item.number, _norm(item.title)) for item in items})
        both += len(found[0] & found[1])
        either += len(found[0] | found[1])
    share = both / either
    print(
        f"\nWye Valley PDF/TXT items agree ({len(pairs)} meetings): {both}/{either} = {share:.1%}"
    )
    assert share >= 0.90
