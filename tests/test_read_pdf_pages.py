"""A long PDF's later pages read by a helper process (``indexer.read_pdf_pages``): the same
Document as one process reads, and the reader's own reading when the helper fails."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.hostile import write_pdf
from indexer import read_pdf_pages as pages
from indexer.read_pdf import read
from kb.model import IngestError

pytest.importorskip("reportlab.pdfgen.canvas", reason="reportlab (dev) builds PDFs")


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pdf(tmp_path_factory.mktemp("pages") / "pack.pdf", 120)


@pytest.mark.parametrize(
    ("count", "cpus", "load", "least", "worth"),
    [
        (400, 2, 0.5, 100, True),
        (400, 2, 1.0, 100, True),
        (400, 2, 1.5, 100, False),  # both CPUs busy
        (400, 1, 0.0, 100, False),  # one CPU: nothing to run it on
        (400, 8, 6.9, 100, True),
        (99, 8, 0.0, 100, False),  # too short to pay its start-up
        (100, 8, 0.0, 100, True),
        (400, 8, 0.0, 0, False),  # KB_PDF_HELPER_PAGES=0: never
    ],
)
def test_worth_a_helper(count: int, cpus: int, load: float, least: int, worth: bool) -> None:
    assert pages.worth_a_helper(count, cpus, load, least) is worth


def test_worth_a_helper_reads_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_PDF_HELPER_PAGES", "500")
    assert not pages.worth_a_helper(499, 8, 0.0)
    assert pages.worth_a_helper(500, 8, 0.0)
    monkeypatch.setenv("KB_PDF_HELPER_PAGES", "0")
    assert not pages.worth_a_helper(10_000, 8, 0.0)


@pytest.mark.parametrize("count", [2, 3, 120, 401])
def test_the_helper_reads_the_later_pages(count: int) -> None:
    start = pages.helper_start(count)
    assert 0 < start < count and count - start <= count // 2


def test_helper_gives_the_same_document(pack: Path) -> None:
    data = pack.read_bytes()
    alone = read(pack, data, helper=False)
    helped = read(pack, data, helper=True)
    assert helped == alone
    assert helped.pages == 120 and len(helped.blocks) > 300


def test_corpus_pdfs_read_with_a_helper_give_the_same_documents(corpus_dir: Path) -> None:
    longest = sorted(corpus_dir.rglob("*.pdf"), key=lambda p: p.stat().st_size)[-8:]
    for path in longest:
        data = path.read_bytes()
        assert read(path, data, helper=True) == read(path, data, helper=False), path.name


def test_helper_answers_each_page_in_order(pack: Path) -> None:
    data = pack.read_bytes()
    helper = pages.PageHelper(data, 100, 120, time.monotonic() + 60)
    try:
        answers = helper.result()
    finally:
        helper.close()
    assert answers is not None and len(answers) == 20
    assert {line.page for lines in answers for line in lines} == set(range(101, 121))


@pytest.mark.parametrize(
    ("data", "seconds"),
    [
        (b"%PDF-1.4 not really a PDF", 60.0),  # the helper fails to open it
        (None, -1.0),  # past its deadline before it starts
    ],
)
def test_a_failed_helper_answers_none(pack: Path, data: bytes | None, seconds: float) -> None:
    helper = pages.PageHelper(data or pack.read_bytes(), 10, 20, time.monotonic() + seconds)
    try:
        assert helper.result() is None
    finally:
        helper.close()


def test_a_helper_that_cannot_start_leaves_the_pages_to_the_reader(
    pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = pack.read_bytes()
    alone = read(pack, data, helper=False)
    monkeypatch.setattr(pages.sys, "executable", str(pack.parent / "no-such-python"))
    assert read(pack, data, helper=True) == alone


def test_the_deadline_still_holds_with_a_helper(pack: Path) -> None:
    with pytest.raises(IngestError, match="took too long"):
        read(pack, pack.read_bytes(), time_limit=0.0, helper=True)
