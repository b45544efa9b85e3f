"""The writer bench (bench.run_writer): it writes every generated item, and with the worker's
analysis shipped the index holds the same postings, the analysis timed apart."""

from __future__ import annotations

from pathlib import Path

from whoosh import index

from bench.run_writer import run
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
