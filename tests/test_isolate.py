"""indexer.isolate: a reader stuck in C code is killed at the file's time limit, replaced,
and the ingest goes on (the stuck reader is tests/stuck_reader.py: libc sleep via ctypes)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_read import minutes_pdf

from indexer import isolate
from indexer.pipeline import ingest
from indexer.timelimit import FileTimeout
from kb.model import IngestError

STUB = "stuck_reader:read_file"


def test_a_stuck_reader_is_killed_at_the_limit_and_replaced(tmp_path: Path) -> None:
    stuck, good = tmp_path / "stuck.pdf", tmp_path / "good.pdf"
    stuck.write_bytes(minutes_pdf())
    good.write_bytes(minutes_pdf())
    proc = isolate.ReaderProcess(STUB)
    try:
        began = time.monotonic()
        with pytest.raises(FileTimeout, match=r"limit of 1 s .*reader process was stopped"):
            proc.read(stuck, 1.0)
        assert time.monotonic() - began < 30  # killed, not slept out (600 s)
        assert proc.killed == 1
        doc = proc.read(good, 60.0)  # a fresh reader process
        assert doc.format == "pdf" and any("CCTV" in b.text for b in doc.blocks)
    finally:
        proc.close()


def test_a_reader_crash_fails_the_file_only(tmp_path: Path) -> None:
    crash, good = tmp_path / "crash.pdf", tmp_path / "good.pdf"
    crash.write_bytes(minutes_pdf())
    good.write_bytes(minutes_pdf())
    proc = isolate.ReaderProcess(STUB)
    try:
        with pytest.raises(IngestError, match="reader process died"):
            proc.read(crash, 60.0)
        assert proc.read(good, 60.0).format == "pdf"
    finally:
        proc.close()


def test_reader_errors_come_back_as_they_were_raised(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n%%EOF\n")
    proc = isolate.ReaderProcess()
    try:
        with pytest.raises(IngestError, match="damaged"):
            proc.read(bad, 60.0)
    finally:
        proc.close()


def test_text_is_read_in_this_process(tmp_path: Path, seed_path: Path) -> None:
    with isolate.reader_process(STUB) as proc:
        assert isolate.read(seed_path, "text") is None  # the caller reads it here
        assert proc._proc is None  # no reader process was started for it


def test_an_ingest_with_a_stuck_reader_reports_it_and_indexes_the_rest(
    tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_FILE_TIME_LIMIT", "2")
    src = tmp_path / "src"
    src.mkdir()
    (src / "a-stuck.pdf").write_bytes(minutes_pdf())
    (src / "b-good.pdf").write_bytes(minutes_pdf())
    (src / "c-seed.txt").write_bytes(seed_path.read_bytes())
    with isolate.reader_process(STUB) as proc:
        report = ingest([src], tmp_path / "ix", workers=0)
    lines = {r.path.name: r.line() for r in report.results}
    assert lines["a-stuck.pdf"] == (
        f"FAILED {src / 'a-stuck.pdf'}: took longer than the per-file limit of 2 s "
        "(KB_FILE_TIME_LIMIT) (the reader process was stopped)"
    )
    assert proc.killed == 1
    by_name = {r.path.name: r for r in report.results}
    assert by_name["b-good.pdf"].status == "new" and by_name["b-good.pdf"].items >= 2
    assert by_name["c-seed.txt"].status == "new" and by_name["c-seed.txt"].items > 5


@pytest.mark.slow
def test_a_worker_process_stops_its_reader_at_the_limit(
    tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parallel ingest: each worker has its own reader process; a 1,600-page PDF (about
    5 CPU s inside pdfium, 3 with a page helper: 400 pages now read within the limit on a
    quiet machine) is stopped at a 2 s limit and the other files are indexed."""
    from bench.hostile import write_pdf
    from indexer.pipeline import MIN_FILES

    src = tmp_path / "src"
    src.mkdir()
    write_pdf(src / "a-pack.pdf", 1600)
    text = seed_path.read_text(encoding="utf-8")
    for n in range(MIN_FILES):  # enough files for a worker (distinct meetings)
        (src / f"m{n:02}.txt").write_text(text.replace("2018", str(1990 + n)), encoding="utf-8")
    monkeypatch.setenv("KB_FILE_TIME_LIMIT", "2")
    report = ingest([src], tmp_path / "ix", workers=1)
    by_name = {r.path.name: r for r in report.results}
    assert by_name["a-pack.pdf"].line() == (
        f"FAILED {src / 'a-pack.pdf'}: took longer than the per-file limit of 2 s "
        "(KB_FILE_TIME_LIMIT) (the reader process was stopped)"
    )
    assert [r.status for r in report.results if r.path.suffix == ".txt"] == ["new"] * MIN_FILES
