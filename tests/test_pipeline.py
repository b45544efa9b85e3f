"""indexer.pipeline: stages per file, discovery, councils, skip-unchanged, failures per file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import indexer.people
import indexer.pipeline as pipeline
from indexer.pipeline import discover, folder_council, ingest, process_file
from indexer.write import read_manifest
from kb.model import IngestError
from kb.search import SearchRequest, SearchService


def test_process_file_runs_every_stage_on_the_seed(seed_path: Path) -> None:
    meeting = process_file(seed_path)
    assert meeting.id == "luton/crime-and-disorder-committee/2018-03-27"
    assert [i.number for i in meeting.items] == [f"{n:02d}" for n in range(1, 10)]
    item7 = meeting.items[6]
    assert item7.id == f"{meeting.id}/07" and item7.council == "Luton"
    assert any(t.topic == "cctv" for t in item7.topics)
    assert any(p.name.endswith("Hawkes") for p in item7.speakers)
    assert meeting.source == str(seed_path)


def test_an_explicit_council_beats_the_text(seed_path: Path) -> None:
    meeting = process_file(seed_path, council="Elsewhere Borough Council")
    assert meeting.council == "Elsewhere Borough Council"
    assert meeting.items[0].id.startswith("elsewhere-borough-council/")


def test_discover_walks_folders_and_skips_hidden_and_unknown(tmp_path: Path) -> None:
    for name in ["a.txt", "b.md", "c.jpg", "sub/d.pdf", ".hidden/e.txt", "sub/.f.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    named = tmp_path / "c.jpg"
    found = discover([tmp_path, named])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.txt",
        "b.md",
        "sub/d.pdf",
        "c.jpg",
    ]
    with pytest.raises(IngestError, match="no such file"):
        discover([tmp_path / "missing"])


@pytest.mark.parametrize(
    ("folder", "council"),
    [("wye-valley", "wye valley"), ("minutes", None), ("Data", None), ("mscc", "mscc")],
)
def test_folder_council(folder: str, council: str | None) -> None:
    assert folder_council(Path(folder) / "x.txt") == council


def bad_pdf(folder: Path) -> Path:
    path = folder / "broken.pdf"
    path.write_bytes(b"")
    return path


def test_one_bad_file_is_reported_and_the_rest_committed(tmp_path: Path, seed_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(seed_path, src)
    bad = bad_pdf(src)
    report = ingest([src], tmp_path / "index")
    by_status = {r.status: r for r in report.results}
    assert set(by_status) == {"new", "failed"}
    assert by_status["failed"].path == bad and "empty file" in by_status["failed"].message
    assert by_status["new"].items == 9
    assert report.summary() == "1 new, 0 changed, 0 unchanged, 1 failed"
    svc = SearchService(tmp_path / "index")
    assert svc.search(SearchRequest(q="cctv")).total == 1
    assert str(bad.resolve()) not in read_manifest(tmp_path / "index")


def test_second_ingest_skips_unchanged_and_a_change_replaces(
    tmp_path: Path, seed_path: Path
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    copy = src / seed_path.name
    shutil.copy(seed_path, copy)
    index = tmp_path / "index"
    assert ingest([src], index).summary() == "1 new, 0 changed, 0 unchanged, 0 failed"
    assert ingest([src], index).summary() == "0 new, 0 changed, 1 unchanged, 0 failed"
    copy.write_text(
        copy.read_text(encoding="utf-8").replace("10 CCTV units", "12 CCTV units"), encoding="utf-8"
    )
    assert ingest([src], index).summary() == "0 new, 1 changed, 0 unchanged, 0 failed"
    svc = SearchService(index)
    res = svc.search(SearchRequest(q="cctv"))
    assert res.total == 1 and "12 CCTV units" in res.results[0].snippet
    assert svc.stats()["items"] == 9
    assert (index / "people.json").exists()


def test_prune_drops_items_of_deleted_files(tmp_path: Path, seed_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    copy = src / seed_path.name
    shutil.copy(seed_path, copy)
    index = tmp_path / "index"
    ingest([src], index)
    copy.unlink()
    report = ingest([src], index, prune=True)
    assert report.pruned == [str(copy.resolve())]
    assert SearchService(index).stats()["items"] == 0


def test_a_stage_bug_fails_that_file_only(tmp_path: Path, seed_path: Path, monkeypatch) -> None:
    def broken(doc, meeting):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(pipeline, "segment", broken)
    report = ingest([seed_path], tmp_path / "index")
    (result,) = report.results
    assert result.status == "failed" and "internal error: ZeroDivisionError" in result.message


def test_a_people_bug_is_a_warning(tmp_path: Path, seed_path: Path, monkeypatch) -> None:
    def broken(meeting, registry=None):
        raise KeyError("x")

    monkeypatch.setattr(indexer.people, "resolve_people", broken)
    meeting = process_file(seed_path)
    assert len(meeting.items) == 9
    assert any("people not resolved" in w for w in meeting.warnings)


@pytest.mark.corpus
def test_not_minutes_is_not_a_failure(tmp_path: Path, corpus_dir: Path, seed_path: Path) -> None:
    sample = corpus_dir.parent / "moderngov-samples" / "meetings.xml"
    report = ingest([sample, seed_path], tmp_path / "index")
    statuses = [r.status for r in report.results]
    assert statuses == ["not-minutes", "new"]
    assert "not a minutes document" in report.results[0].line()
    again = ingest([sample, seed_path], tmp_path / "index")
    assert [r.status for r in again.results] == ["unchanged", "unchanged"]


@pytest.mark.corpus
def test_council_from_toml_and_folder(tmp_path: Path, corpus_dir: Path) -> None:
    original = corpus_dir / "wyevalleycc" / "20241028.txt"
    toml_dir, folder_dir = tmp_path / "a", tmp_path / "wye-valley"
    for d in (toml_dir, folder_dir):
        d.mkdir()
        shutil.copy(original, d)
    (toml_dir / "council.toml").write_text('name = "Wye Valley Community Council"\n')
    r1 = ingest([toml_dir], tmp_path / "i1").results[0]
    r2 = ingest([folder_dir], tmp_path / "i2", council_from_folder=True).results[0]
    r3 = ingest([folder_dir], tmp_path / "i3").results[0]
    assert r1.meeting_id.startswith("wye-valley-community-council/")
    assert r2.meeting_id.startswith("wye-valley/")
    assert r3.meeting_id.startswith("council-not-stated/")


def test_cancelled_moderngov_meeting_is_recorded_with_no_items(
    tmp_path: Path, corpus_dir: Path
) -> None:
    source = corpus_dir / "moderngov-lgsf" / "meeting_no_minutes.xml"
    report = ingest([source], tmp_path / "ix")
    (result,) = report.results
    assert result.status == "new" and result.items == 0
    assert any("cancelled" in w for w in result.warnings)
    assert not report.failed
    entry = read_manifest(tmp_path / "ix")[str(source.resolve())]
    assert entry["status"] == "indexed" and entry["item_ids"] == []


def test_not_minutes_line_names_the_reason_once(tmp_path: Path, corpus_dir: Path) -> None:
    sample = corpus_dir.parent / "moderngov-samples" / "committees.xml"
    (result,) = ingest([sample], tmp_path / "ix").results
    line = result.line()
    assert line.count("not a minutes document") == 1
    assert "committee list" in line
