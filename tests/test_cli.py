"""The kb command line, driven through click's CliRunner on real files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import main, page_span
from kb.engine.manifest import LOCK_NAME

ITEM7 = "luton/crime-and-disorder-committee/2018-03-27/07"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def index(tmp_path_factory, seed_path: Path) -> str:
    folder = tmp_path_factory.mktemp("cli-index")
    result = CliRunner().invoke(main, ["ingest", str(seed_path), "--index", str(folder)])
    assert result.exit_code == 0, result.output
    return str(folder)


def test_ingest_reports_each_file_a_bad_one_and_exits_1(runner, tmp_path, seed_path) -> None:
    src = tmp_path / "minutes"
    src.mkdir()
    shutil.copy(seed_path, src)
    (src / "empty.pdf").write_bytes(b"")
    result = runner.invoke(main, ["ingest", str(src), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 1
    assert f"FAILED {src / 'empty.pdf'}: empty file (0 bytes)" in result.output
    assert "9 items" in result.output
    assert result.output.rstrip().endswith("1 new, 0 changed, 0 unchanged, 1 failed")
    found = runner.invoke(main, ["search", "CCTV", "--index", str(tmp_path / "ix"), "--json"])
    assert json.loads(found.output)["total"] == 1


def test_ingest_twice_skips_everything_the_second_time(runner, tmp_path, seed_path) -> None:
    args = ["ingest", str(seed_path), "--index", str(tmp_path / "ix")]
    assert runner.invoke(main, args).exit_code == 0
    again = runner.invoke(main, args)
    assert again.exit_code == 0
    assert again.output.rstrip().endswith("0 new, 0 changed, 1 unchanged, 0 failed")


def test_make_serve_invocation_works(runner, tmp_path, seed_path, monkeypatch) -> None:
    data = tmp_path / "data" / "minutes"
    data.mkdir(parents=True)
    shutil.copy(seed_path, data)
    monkeypatch.chdir(tmp_path)
    args = ["ingest", "data/minutes", "--index", "instance/index", "--council-from-folder"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "(luton/crime-and-disorder-committee/2018-03-27)" in result.output


def test_index_from_environment(runner, index, monkeypatch) -> None:
    monkeypatch.setenv("KB_INDEX", index)
    result = runner.invoke(main, ["stats", "--json"])
    assert json.loads(result.output)["items"] == 9


def test_locked_index_is_a_clear_error(runner, tmp_path, seed_path) -> None:
    ix = tmp_path / "ix"
    ix.mkdir()
    (ix / LOCK_NAME).write_text(str(os.getppid()))
    result = runner.invoke(main, ["ingest", str(seed_path), "--index", str(ix)])
    assert result.exit_code == 75  # EX_TEMPFAIL: try again later
    assert f"index is being updated by another ingest (pid {os.getppid()})" in result.output


def test_search_human_output(runner, index) -> None:
    result = runner.invoke(main, ["search", "CCTV", "--index", index])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "1–1 of 1 items for 'CCTV'"
    # data/synonyms.toml and the topics' synonyms
    assert lines[1] == "Also searched: closed circuit television, cctv camera"
    assert lines[3].startswith("1. KEEPING LUTON SAFE AND TIDY")
    assert "Luton · Crime and Disorder Committee · 2018-03-27" in result.output
    assert "10 CCTV units" in " ".join(result.output.split())
    assert f"/items/{ITEM7}" in result.output


def test_search_says_when_it_relaxed_and(runner, index) -> None:
    result = runner.invoke(main, ["search", "cctv firearms", "--index", index])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:2] == [
        "1–2 of 2 items for 'cctv firearms'",
        "Few items have every word: showing items with any of the words",
    ]


def test_search_json_shape(runner, index) -> None:
    result = runner.invoke(main, ["search", '"sex trade"', "--index", index, "--json"])
    data = json.loads(result.output)
    assert {r["item_number"] for r in data["results"]} == {"06", "07"}
    assert set(data) >= {"query", "total", "results", "facets"}
    for hit in data["results"]:
        assert set(hit) >= {
            "id", "meeting_id", "council", "committee", "date", "item_number", "item_title",
            "speakers", "topics", "snippet", "url",
        }  # fmt: skip
        assert hit["url"] == f"/items/{hit['id']}"
    assert data["facets"]["year"] == {"2018": 2}


def test_search_filters_sort_and_paging(runner, index) -> None:
    base = ["search", "--index", index, "--json", "--sort", "oldest", "--limit", "2"]
    page2 = json.loads(runner.invoke(main, [*base, "--page", "2"]).output)
    assert [r["item_number"] for r in page2["results"]] == ["03", "04"]
    assert json.loads(runner.invoke(main, [*base, "--year", "2019"]).output)["total"] == 0
    dated = [*base, "--from", "2018-03-01", "--to", "2018-03-31", "--topic", "cctv"]
    assert json.loads(runner.invoke(main, dated).output)["total"] == 1
    both = runner.invoke(main, [*base, "--year", "2018", "--from", "2018-01-01"])
    assert both.exit_code == 2 and "not both" in both.output
    bad_day = runner.invoke(main, [*base, "--from", "March"])
    assert bad_day.exit_code == 2 and "not a date" in bad_day.output


def test_search_of_only_common_words_lists_every_item_with_a_notice(runner, index) -> None:
    blank = json.loads(runner.invoke(main, ["search", "--index", index, "--json"]).output)
    data = json.loads(runner.invoke(main, ["search", "the", "--index", index, "--json"]).output)
    assert data["total"] == blank["total"] > 0
    assert data["notice"].startswith("'the' is too common a word to search")
    human = runner.invoke(main, ["search", "the", "--index", index, "--year", "2018"])
    assert human.exit_code == 0, human.output
    assert "items for 'the'" in human.output
    assert "('the' is too common a word to search: showing every item" in human.output


@pytest.mark.parametrize("q", ["*", "*get", "((((", "x" * 10_000])
def test_hostile_query_is_a_usage_error_not_a_traceback(runner, index, q) -> None:
    result = runner.invoke(main, ["search", q, "--index", index])
    assert result.exit_code == 2
    assert "bad query:" in result.output
    assert "Traceback" not in result.output


def test_show_explains_topics(runner, index) -> None:
    result = runner.invoke(main, ["show", ITEM7, "--index", index])
    assert result.exit_code == 0
    assert result.output.startswith("07. KEEPING LUTON SAFE AND TIDY")
    assert "CCTV [cctv] (primary" in result.output and "'CCTV' ×3 in body" in result.output
    assert "source: " in result.output and "luton-osb-crime" in result.output
    assert "-27.txt, page 2\n" in result.output  # one page, not "pages 2–2"
    as_json = json.loads(runner.invoke(main, ["show", ITEM7, "--index", index, "--json"]).output)
    assert as_json["next_id"].endswith("/08")
    missing = runner.invoke(main, ["show", "no/such/item", "--index", index])
    assert missing.exit_code == 1 and "no item" in missing.output


def test_export_is_one_meeting_per_line(runner, index) -> None:
    lines = runner.invoke(main, ["export", "--index", index]).output.splitlines()
    (meeting,) = [json.loads(line) for line in lines]
    assert len(meeting["items"]) == 9 and meeting["id"] == ITEM7.rsplit("/", 1)[0]


def test_people_person_topics(runner, index) -> None:
    people = json.loads(runner.invoke(main, ["people", "--index", index, "--json"]).output)
    assert people and all(p["council_id"] == "luton" for p in people)
    first = people[0]["id"]
    person = runner.invoke(main, ["person", first, "--index", index])
    assert person.exit_code == 0 and "spoke in:" in person.output
    topics = runner.invoke(main, ["topics", "--index", index])
    assert "CCTV [cctv]  (2018: 1)" in topics.output


def test_ingest_names_both_copies_relative_when_given_relative(
    runner, tmp_path, monkeypatch
) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "identity"
    for name in ("copy-2020-03-11.txt", "copy-2020-03-11.html"):
        shutil.copy(fixtures / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    mid = "hollin-moor-town-council/full-council/2020-03-11"
    args = ["ingest", "copy-2020-03-11.html", "copy-2020-03-11.txt", "--index", "ix"]
    out = runner.invoke(main, [*args, "--workers", "0"])
    assert out.exit_code == 0, out.output
    line = f"merged with {mid} (same meeting as copy-2020-03-11.html)"
    assert f"merged copy-2020-03-11.txt: {line}" in out.output
    assert str(tmp_path) not in out.output


def test_missing_index_is_a_clear_error(runner, tmp_path) -> None:
    result = runner.invoke(main, ["search", "x", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1 and "kb ingest" in result.output


def test_search_help_documents_the_syntax(runner) -> None:
    out = runner.invoke(main, ["search", "--help"]).output
    assert "year:2017..2019" in out and '"sex trade"' in out and "--from" in out


def test_ingest_show_stats_and_export_tell_of_copies(runner, tmp_path) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "identity"
    ix = str(tmp_path / "ix")
    txt, html = fixtures / "copy-2020-03-11.txt", fixtures / "copy-2020-03-11.html"
    mid = "hollin-moor-town-council/full-council/2020-03-11"
    out = runner.invoke(main, ["ingest", str(html), str(txt), "--index", ix, "--workers", "0"])
    assert out.exit_code == 0, out.output
    assert f"merged {txt}: merged with {mid} (same meeting as {html.resolve()})" in out.output
    assert "(1 merged)" in out.output
    shown = runner.invoke(main, ["show", f"{mid}/2", "--index", ix]).output
    assert "· Ordinary meeting" in shown
    assert f"also from: {txt.resolve()} (text, en)" in shown
    stats = json.loads(runner.invoke(main, ["stats", "--index", ix, "--json"]).output)
    assert stats["merged_files"] == 1 and stats["meetings"] == 1
    (line,) = runner.invoke(main, ["export", "--index", ix]).output.splitlines()
    exported = json.loads(line)
    assert [s["format"] for s in exported["sources"]] == ["html", "text"]
    assert exported["kind"] == "ordinary" and exported["language"] == "en"
    found = runner.invoke(main, ["search", "grants", "--kind", "agm", "--index", ix, "--json"])
    assert json.loads(found.output)["total"] == 0


def test_search_repeated_committees_or_and_counts_ignore_their_own_filter(
    runner, multi_index
) -> None:  # type: ignore[no-untyped-def]
    base = ["search", "cctv", "--index", str(multi_index), "--json"]
    one = json.loads(
        runner.invoke(main, [*base, "--committee", "luton/licensing-committee"]).output
    )
    args = [*base, "--committee", "luton/licensing-committee", "--committee", "Planning Committee"]
    two = json.loads(runner.invoke(main, args).output)
    assert (one["total"], two["total"]) == (2, 3)
    assert {r["committee"] for r in two["results"]} == {"Licensing Committee", "Planning Committee"}
    expected = {
        "luton/licensing-committee": 2,
        "luton/planning-committee": 1,
        "luton/crime-and-disorder-committee": 1,
    }
    assert one["facets"]["committee"] == two["facets"]["committee"] == expected
    both = json.loads(runner.invoke(main, [*base, "--year", "2018", "--year", "2019"]).output)
    assert both["total"] == 4 and both["facets"]["year"] == {"2018": 1, "2019": 3}


def test_search_suggests_a_misspelt_speaker(runner, multi_index) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["search", "speaker:horsfrod", "--index", str(multi_index)])
    assert result.exit_code == 0
    assert "0 items for 'speaker:horsfrod'" in result.output
    assert "Did you mean: speaker:Horsford" in result.output
    args = ["search", "--speaker", "horsfrod", "--index", str(multi_index)]
    result = runner.invoke(main, args)
    assert (
        "No speaker matches 'horsfrod'; did you mean: --speaker luton/greg-horsford"
        in result.output
    )


def test_search_past_its_deadline_says_it_took_too_long(runner, index: str) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        main, ["search", "cctv", "--index", index], env={"KB_SEARCH_DEADLINE_MS": "1"}
    )
    assert result.exit_code == 1
    assert "took too long" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(2, 2, "page 2"), (2, None, "page 2"), (2, 3, "pages 2–3"), (None, None, ""), (0, 0, "")],
)
def test_page_span(start: int | None, end: int | None, expected: str) -> None:
    assert page_span(start, end) == expected


def test_ingest_into_an_index_another_version_built_says_rebuild(
    runner: CliRunner, tmp_path: Path, seed_path: Path
) -> None:
    """An index with another schema is refused with one clear line and exit status 65
    (which `make index` answers with a rebuild), not a traceback; nothing is written."""
    from whoosh import fields, index

    folder = tmp_path / "old"
    folder.mkdir()
    index.create_in(str(folder), fields.Schema(id=fields.ID(stored=True, unique=True)))
    before = sorted(p.name for p in folder.iterdir())
    result = runner.invoke(main, ["ingest", str(seed_path), "--index", str(folder)])
    assert result.exit_code == 65
    assert "built by another version; run kb ingest --rebuild" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in folder.iterdir()) == before
    rebuilt = runner.invoke(main, ["ingest", str(seed_path), "--index", str(folder), "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output


def test_the_command_line_imports_no_numpy() -> None:
    """Every process ``kb`` spawns (the ingest worker and reader processes) imports the
    command line again: numpy is left to the commands that use it."""
    import subprocess
    import sys

    code = "import sys, kb.cli; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
