"""bench.report: RESULTS.md keeps other runners' sections once, and one section per size."""

from __future__ import annotations

from pathlib import Path

from bench.report import Run, write_results


def test_rewriting_keeps_other_sections_once(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    machine = {"nproc": "2", "memory": "24 GiB", "python": "3.11", "platform": "linux"}
    machine |= {"date": "2026-11-26", "load": "0.1"}
    write_results(Run(size=1000, command="python -m bench --size 1000", machine=machine), path)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n<!-- soak -->\n## Soak\n\n37,957 requests, 0 errors\n<!-- /soak -->\n")
        fh.write(
            "\n<!-- optimisations -->\n## Optimisations\n\nbefore/after\n<!-- /optimisations -->\n"
        )
    for size in (1000, 2000, 1000):
        write_results(
            Run(size=size, command=f"python -m bench --size {size}", machine=machine), path
        )
    text = path.read_text(encoding="utf-8")
    assert text.count("<!-- soak -->") == 1 and text.count("37,957 requests") == 1
    assert text.count("<!-- optimisations -->") == 1
    assert text.count("<!-- size:1000 -->") == 1 and text.count("<!-- size:2000 -->") == 1
    assert text.index("<!-- size:1000 -->") < text.index("<!-- size:2000 -->")
