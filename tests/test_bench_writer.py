"""The writer bench (bench.run_writer): it writes every generated item, and with the worker's
analysis shipped the index holds the same postings, the analysis timed apart."""

from __future__ import annotations

from pathlib import Path

from whoosh import index

from bench.run_flush import timed_run
from bench.run_writer import run
from kb.engine.whoosh import bulk
from tests.test_bulk import all_postings


def postings(folder: Path) -> list[tuple]:
    ix = index.open_dir(str(folder / "kb-index"))
    with ix.reader() as r:
        out = all_postings(r)
    ix.close()
    return out


def test_writer_bench_writes_every_item_with_or_without_worker_analysis(tmp_path: Path) -> None:
    plain = run(40, tmp_path / "plain")
    shipped = run(40, tmp_path / "shipped", worker_analysis=True)
    assert plain["items"] == shipped["items"] == 40
    assert plain["writer_cpu_s"] > 0 and plain["worker_analysis_cpu_ms_per_item"] == 0
    assert shipped["worker_analysis_cpu_ms_per_item"] > 0
    expected = postings(tmp_path / "plain")
    assert any(p[0] == "body_pairs" for p in expected)
    assert postings(tmp_path / "shipped") == expected


def test_flush_bench_times_each_flush_and_puts_the_writer_back(tmp_path: Path) -> None:
    """bench.run_flush times the segment writer's flush inside a writer run (a part of the
    writer's CPU) and leaves ``SegmentWriter._flush_segment`` as it found it."""
    original = bulk.SegmentWriter._flush_segment
    figures = timed_run(40, tmp_path / "f")
    assert bulk.SegmentWriter._flush_segment is original
    assert figures["items"] == 40 and figures["flushes"] >= 1
    assert 0 < figures["flush_cpu_s"] <= figures["writer_cpu_s"]
    assert figures["pst_bytes"] > 0
    assert any(p[0] == "body_pairs" for p in postings(tmp_path / "f"))
