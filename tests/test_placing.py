"""indexer.placing (through ``ingest``): meetings that share an id, copies of one meeting,
two meetings in one file; prune, re-ingest and rebuild keep every file's content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.check import check_index
from indexer.pipeline import IngestReport, ingest
from indexer.write import read_manifest
from kb.search import SearchRequest, SearchService

FIXTURES = Path(__file__).parent / "fixtures" / "identity"
HOLLIN = "hollin-moor-town-council/full-council/2020-03-11"
ASHFORD = "ashford-cross-community-council/full-council/2019-02-06"
BRAMBLE = "bramble-heath-parish-council/full-council/2021-06-15"


def copy(tmp: Path, *names: str) -> list[Path]:
    """The fixtures ``names`` copied into ``tmp/src`` (so a test may delete or edit them)."""
    src = tmp / "src"
    src.mkdir(exist_ok=True)
    return [Path(shutil.copy(FIXTURES / name, src / name)) for name in names]


def run(files: list[Path], index: Path, **options: object) -> IngestReport:
    report = ingest([], index, files=files, workers=0, **options)  # type: ignore[arg-type]
    assert not report.failed, [r.line() for r in report.failed]
    problems = check_index(index, sources=False)
    assert problems.ok, problems.lines()
    return report


def meetings(index: Path) -> dict[str, dict]:
    svc = SearchService(index)
    return {mid: svc.get_meeting(mid) for mid in svc.meeting_ids()}


def source_names(meeting: dict) -> list[str]:
    return [Path(s["path"]).name for s in meeting["sources"]]


@pytest.mark.parametrize("reverse", [False, True])
def test_two_meetings_of_one_committee_on_one_day_keep_apart(tmp_path: Path, reverse) -> None:
    files = copy(tmp_path, "ordinary-2019-02-06.txt", "extraordinary-2019-02-06.txt")
    report = run(files[::-1] if reverse else files, tmp_path / "ix")
    assert [r.status for r in report.results] == ["new", "new"]
    found = meetings(tmp_path / "ix")
    assert set(found) == {ASHFORD, f"{ASHFORD}-extraordinary"}  # whatever the file order
    assert found[f"{ASHFORD}-extraordinary"]["kind"] == "extraordinary"
    assert found[ASHFORD]["kind"] == "ordinary"
    items = found[f"{ASHFORD}-extraordinary"]["items"]
    assert [i["id"] for i in items] == [f"{ASHFORD}-extraordinary/{n}" for n in "123"]


@pytest.mark.parametrize("rebuild", [False, True])
@pytest.mark.parametrize("order", [("txt", "html"), ("html", "txt")])
def test_a_copy_in_another_format_is_merged_and_listed(tmp_path: Path, order, rebuild) -> None:
    files = copy(tmp_path, *(f"copy-2020-03-11.{ext}" for ext in order))
    report = run(files, tmp_path / "ix", rebuild=rebuild)
    first, second = report.results
    assert first.status == "new"
    # a worse second copy is merged; a better one takes the items and the first is merged
    assert second.status == ("merged" if order[0] == "html" else "new")
    assert f"merged with {HOLLIN} " in second.line()
    (meeting,) = meetings(tmp_path / "ix").values()
    # the better copy (HTML ranks above plain text) holds the items, whichever came first
    assert meeting["format"] == "html" and Path(meeting["source"]).suffix == ".html"
    assert source_names(meeting) == ["copy-2020-03-11.html", "copy-2020-03-11.txt"]
    assert [s["format"] for s in meeting["sources"]] == ["html", "text"]
    assert {s["language"] for s in meeting["sources"]} == {"en"}
    assert len(meeting["items"]) == 5
    svc = SearchService(tmp_path / "ix")
    assert svc.stats()["merged_files"] == 1
    assert svc.search(SearchRequest(q="allotments")).total == 1  # indexed once
    assert "merged" in report.summary()


def test_another_meeting_with_the_same_id_is_kept_qualified(tmp_path: Path) -> None:
    files = copy(tmp_path, "copy-2020-03-11.txt", "clash-2020-03-11.txt")
    report = run(files, tmp_path / "ix")
    clash = report.results[1]
    assert clash.status == "new" and clash.meeting_ids == [f"{HOLLIN}-2015"]
    assert any("different items" in w and f"{HOLLIN}-2015" in w for w in clash.warnings)
    found = meetings(tmp_path / "ix")
    assert set(found) == {HOLLIN, f"{HOLLIN}-2015"}
    assert found[f"{HOLLIN}-2015"]["items"][0]["id"] == f"{HOLLIN}-2015/1"
    again = run(files, tmp_path / "ix")  # unchanged: nothing moves
    assert [r.status for r in again.results] == ["unchanged", "unchanged"]
    rebuilt = run(files, tmp_path / "ix", rebuild=True)
    assert rebuilt.results[1].meeting_ids == [f"{HOLLIN}-2015"]  # the same on a rebuild


def test_a_welsh_edition_is_its_own_searchable_meeting(tmp_path: Path) -> None:
    files = copy(tmp_path, "copy-2020-03-11.txt", "welsh-2020-03-11.txt")
    run(files, tmp_path / "ix", council="Hollin Moor Town Council")
    found = meetings(tmp_path / "ix")
    assert set(found) == {HOLLIN, f"{HOLLIN}-cy"}
    assert found[f"{HOLLIN}-cy"]["language"] == "cy"
    assert found[f"{HOLLIN}-cy"]["sources"][0]["language"] == "cy"
    hits = SearchService(tmp_path / "ix").search(SearchRequest(q="Rhandiroedd")).results
    assert [h.meeting_id for h in hits] == [f"{HOLLIN}-cy"]


@pytest.mark.parametrize("gone", ["copy-2020-03-11.html", "copy-2020-03-11.txt"])
def test_removing_one_copy_keeps_the_meeting_removing_both_removes_it(
    tmp_path: Path, gone: str
) -> None:
    files = copy(tmp_path, "copy-2020-03-11.txt", "copy-2020-03-11.html")
    ix = tmp_path / "ix"
    run(files, ix)
    (tmp_path / "src" / gone).unlink()
    left = [f for f in files if f.exists()]
    report = run(left, ix, prune=True)
    assert report.pruned == [str((tmp_path / "src" / gone).resolve())]
    (meeting,) = meetings(ix).values()
    assert source_names(meeting) == [left[0].name]
    assert len(meeting["items"]) == 5
    assert meeting["source"] == str(left[0])
    left[0].unlink()
    run([], ix, prune=True)
    assert meetings(ix) == {}
    assert read_manifest(ix) == {}


def test_a_changed_holder_that_no_longer_matches_frees_its_copy(tmp_path: Path) -> None:
    txt, html = copy(tmp_path, "copy-2020-03-11.txt", "copy-2020-03-11.html")
    ix = tmp_path / "ix"
    run([txt, html], ix)
    # the HTML holder is replaced by other minutes of the same day
    lines = (FIXTURES / "clash-2020-03-11.txt").read_text(encoding="utf-8").splitlines()
    html.write_text("".join(f"<p>{line}</p>\n" for line in lines if line), encoding="utf-8")
    report = run([txt, html], ix)
    reread = [r for r in report.results if r.path == txt]
    assert reread and reread[-1].status == "changed"  # the text copy was read again
    found = meetings(ix)
    assert len(found) == 2
    assert {len(m["items"]) for m in found.values()} == {5, 3}
    assert {n for m in found.values() for n in source_names(m)} == {txt.name, html.name}


def test_two_meetings_in_one_file(tmp_path: Path) -> None:
    (path,) = copy(tmp_path, "agm-then-ordinary.txt")
    ix = tmp_path / "ix"
    report = run([path], ix)
    (result,) = report.results
    assert result.meeting_ids == [f"{BRAMBLE}-agm", BRAMBLE] and result.items == 9
    found = meetings(ix)
    assert (found[f"{BRAMBLE}-agm"]["kind"], found[BRAMBLE]["kind"]) == ("agm", "ordinary")
    assert (len(found[f"{BRAMBLE}-agm"]["items"]), len(found[BRAMBLE]["items"])) == (3, 6)
    assert found[BRAMBLE]["items"][0]["id"] == f"{BRAMBLE}/1"
    assert found[BRAMBLE]["start_time"] == "19:30"
    assert all(source_names(m) == [path.name] for m in found.values())
    assert run([path], ix).results[0].status == "unchanged"
    path.unlink()
    run([], ix, prune=True)
    assert meetings(ix) == {}


def test_kind_is_a_facet_and_a_filter(tmp_path: Path) -> None:
    files = copy(tmp_path, "agm-then-ordinary.txt", "extraordinary-2019-02-06.txt")
    run(files, tmp_path / "ix")
    svc = SearchService(tmp_path / "ix")
    res = svc.search(SearchRequest())
    kinds = {fv.value: (fv.label, fv.count) for fv in res.facets["kind"]}
    assert kinds == {
        "agm": ("Annual general meeting", 3),
        "ordinary": ("Ordinary meeting", 6),
        "extraordinary": ("Extraordinary meeting", 3),
    }
    agm = svc.search(SearchRequest(kind=["agm"]))
    assert agm.total == 3 and {h.meeting_id for h in agm.results} == {f"{BRAMBLE}-agm"}
    assert svc.search(SearchRequest(q="kind:extraordinary")).total == 3


def test_a_copy_left_without_its_holder_is_read_again_on_the_next_ingest(tmp_path: Path) -> None:
    """An ingest cut short after the holder's removal was committed (before its copy was
    read again) loses nothing: the next ingest reads the copy again, unchanged as it is."""
    from indexer.write import IndexWriterSession

    txt, html = copy(tmp_path, "copy-2020-03-11.txt", "copy-2020-03-11.html")
    ix = tmp_path / "ix"
    run([txt, html], ix)
    with IndexWriterSession(ix) as session:  # what a crash after this commit leaves
        session.remove(str(html.resolve()))
    assert meetings(ix) == {}
    html.unlink()
    report = run([txt], ix)
    assert [(r.path, r.status) for r in report.results] == [(txt, "unchanged"), (txt, "changed")]
    (meeting,) = meetings(ix).values()
    assert source_names(meeting) == [txt.name] and len(meeting["items"]) == 5
