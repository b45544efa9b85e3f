"""Hostile documents: each ends in a per-file error or a warning, never a crash, and the rest
of the ingest is committed (a good file in the same run is searchable).  The corpus is built
in tmp_path by tests/fixtures/hostile/make.py (the 200 MB file is sparse)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from indexer.pipeline import FileResult, IngestReport, ingest
from kb.engine.whoosh.check import check_index
from kb.service import SearchRequest, SearchService

_spec = importlib.util.spec_from_file_location(
    "hostile_make", Path(__file__).parent / "fixtures" / "hostile" / "make.py"
)
assert _spec and _spec.loader
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)

#: file → (status, regex the message or a warning must match, items when indexed)
EXPECTED: dict[str, tuple[str, str, int]] = {
    "zero-byte.txt": ("failed", r"^empty file \(0 bytes\)$", 0),
    "noise.txt": ("failed", r"^binary data, not text \([\d,]+ control bytes", 0),
    "noise.pdf": ("failed", r"PDF", 0),
    "truncated.pdf": ("failed", r"truncated", 0),
    "encrypted.pdf": ("failed", r"encrypted", 0),
    "bomb.docx": ("failed", r"zip bomb", 0),
    "huge.txt": ("failed", r"^file too large \(209,715,200 bytes; the limit is", 0),
    "cp1252.txt": ("new", r"decoded as cp1252", 2),
    "utf16.txt": ("new", r"", 2),
    "nested.html": ("new", r"", 2),
    "nul-bytes.txt": ("new", r"10 NUL byte\(s\) removed", 2),
    "ten-thousand-items.txt": ("new", r"", 10_000),
    "good.txt": ("new", r"", 2),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make.build(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def run(
    hostile: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, IngestReport]:
    """One ingest of the whole hostile folder."""
    ix = tmp_path_factory.mktemp("hostile-index") / "index"
    folder = next(iter(hostile.values())).parent
    return ix, ingest([folder], ix)


def result_for(report: IngestReport, name: str) -> FileResult:
    (found,) = [r for r in report.results if r.path.name == name]
    return found


def test_the_table_covers_every_case(hostile: dict[str, Path]) -> None:
    assert set(hostile) == set(EXPECTED)
    assert hostile["huge.txt"].stat().st_size == 200 * 1024 * 1024
    assert hostile["huge.txt"].stat().st_blocks * 512 < 1024 * 1024  # sparse: no disk used


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_file_ends_in_an_error_or_warning(
    run: tuple[Path, IngestReport], name: str
) -> None:
    status, pattern, items = EXPECTED[name]
    result = result_for(run[1], name)
    assert result.status == status, result.line()
    assert result.items == items
    texts = [result.message, *result.warnings]
    assert any(re.search(pattern, t) for t in texts), texts
    assert "Traceback" not in result.message and "internal error" not in result.message


@pytest.mark.slow
def test_the_rest_of_the_ingest_is_committed_and_searchable(
    run: tuple[Path, IngestReport],
) -> None:
    ix, report = run
    assert len(report.results) == len(EXPECTED)
    assert check_index(ix).ok
    service = SearchService(ix, expander=None)
    try:
        hits = service.search(SearchRequest(q="zephyrine bandstand")).results
        assert [h.item_title for h in hits] == ["BANDSTAND RESTORATION"]
        assert service.search(SearchRequest(q="café licence")).total == 2  # cp1252, decoded
        assert service.search(SearchRequest(q="über")).total == 2  # UTF-16
        assert service.stats()["items"] == sum(e[2] for e in EXPECTED.values())
    finally:
        service.close()


def test_huge_file_is_refused_without_reading_it(
    hostile: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.read_bytes

    def guarded(self: Path) -> bytes:
        assert self.name != "huge.txt", "the 200 MB file was read"
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", guarded)
    report = ingest([hostile["huge.txt"], hostile["good.txt"]], tmp_path / "ix")
    assert [r.status for r in report.results] == ["failed", "new"]
    assert report.results[0].message.startswith("file too large")


def test_per_file_time_limit_fails_that_file_only(
    hostile: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_FILE_TIME_LIMIT", "0.2")  # the 10,000-item file needs seconds
    report = ingest([hostile["ten-thousand-items.txt"], hostile["good.txt"]], tmp_path / "ix")
    slow, good = report.results
    assert slow.status == "failed"
    assert slow.message == "took longer than the per-file limit of 0.2 s (KB_FILE_TIME_LIMIT)"
    assert good.status == "new" and good.items == 2
    assert check_index(tmp_path / "ix").ok


def test_time_limit_setting_must_be_a_number(monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer.timelimit import seconds

    monkeypatch.setenv("KB_FILE_TIME_LIMIT", "soon")
    with pytest.raises(ValueError, match="KB_FILE_TIME_LIMIT must be a number of seconds"):
        seconds()
