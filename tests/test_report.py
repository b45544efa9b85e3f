"""indexer.report: the line ``kb ingest`` prints per file and its summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.report import FileResult, IngestReport

A = "hollin/full-council/2020-03-11"


@pytest.mark.parametrize(
    ("result", "line"),
    [
        (FileResult(Path("a.txt"), "new", 5, A, meeting_ids=[A]), f"new a.txt: 5 items ({A})"),
        (
            FileResult(Path("b.pdf"), "new", 9, A, meeting_ids=[f"{A}-agm", A]),
            f"new b.pdf: 9 items ({A}-agm, {A})",
        ),
        (
            FileResult(Path("/w/c.txt"), "merged", 0, A, merged={A: "/x/c.pdf"}),
            f"merged /w/c.txt: merged with {A} (same meeting as /x/c.pdf)",
        ),
        (
            FileResult(Path("/x/d.html"), "new", 5, A, meeting_ids=[A], took_over={A: "/x/d.txt"}),
            f"new /x/d.html: 5 items ({A}); merged with {A} (a better copy than /x/d.txt, "
            "which stays a source)",
        ),
        (
            FileResult(Path("e.txt"), "changed", 2, A, ["w1"], meeting_ids=[f"{A}-2"]),
            f"changed e.txt: 2 items, 1 warning(s) ({A}-2)",
        ),
    ],
)
def test_file_result_line(result: FileResult, line: str) -> None:
    assert result.line() == line


@pytest.mark.parametrize(
    ("path", "merged", "took_over", "tail"),
    [
        # a relative path given: the other source is shown relative to the cwd too
        ("c.txt", "{cwd}/c.pdf", None, "merged c.txt: merged with {A} (same meeting as c.pdf)"),
        (
            "in/c.txt",
            "{cwd}/in/sub/c.pdf",
            None,
            "merged in/c.txt: merged with {A} (same meeting as in/sub/c.pdf)",
        ),
        (
            "c.txt",
            "{parent}/elsewhere/c.pdf",
            None,
            "merged c.txt: merged with {A} (same meeting as ../elsewhere/c.pdf)",
        ),
        (
            "d.html",
            None,
            "{cwd}/d.txt",
            "new d.html: 5 items ({A}); merged with {A} (a better copy than d.txt, "
            "which stays a source)",
        ),
        # an absolute path given: the other source stays absolute
        (
            "{cwd}/c.txt",
            "{cwd}/c.pdf",
            None,
            "merged {cwd}/c.txt: merged with {A} (same meeting as {cwd}/c.pdf)",
        ),  # fmt: skip
        # a source key that is not a path is shown as stored
        (
            "c.txt",
            "moderngov:123",
            None,
            "merged c.txt: merged with {A} (same meeting as moderngov:123)",
        ),  # fmt: skip
    ],
)
def test_both_sources_are_written_alike(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    merged: str | None,
    took_over: str | None,
    tail: str,
) -> None:
    cwd = tmp_path / "work"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    names = {"cwd": str(cwd), "parent": str(tmp_path), "A": A}
    result = FileResult(
        Path(path.format(**names)),
        "merged" if merged else "new",
        0 if merged else 5,
        A,
        meeting_ids=[] if merged else [A],
        merged={A: merged.format(**names)} if merged else {},
        took_over={A: took_over.format(**names)} if took_over else {},
    )
    assert result.line() == tail.format(**names)


def test_summary_counts_every_file_recorded_as_a_copy() -> None:
    report = IngestReport(
        [
            FileResult(Path("a.txt"), "new", 5, A, meeting_ids=[A]),
            FileResult(Path("b.txt"), "merged", 0, A, merged={A: "a.txt"}),
            FileResult(Path("c.html"), "new", 5, "x", took_over={"x": "y.txt"}),
            FileResult(Path("d.xml"), "not-minutes", message="a calendar"),
        ]
    )
    assert report.summary() == "2 new, 0 changed, 0 unchanged, 0 failed (1 not-minutes, 2 merged)"
