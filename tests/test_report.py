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
            FileResult(Path("c.txt"), "merged", 0, A, merged={A: "/x/c.pdf"}),
            f"merged c.txt: merged with {A} (same meeting as /x/c.pdf)",
        ),
        (
            FileResult(Path("d.html"), "new", 5, A, meeting_ids=[A], took_over={A: "/x/d.txt"}),
            f"new d.html: 5 items ({A}); merged with {A} (a better copy than /x/d.txt, "
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
