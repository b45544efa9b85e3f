"""Issue 15: CPU milliseconds per item of each ingest stage, in one process, no profiler.

``python -m bench.run_stages [--items 3000] [--workdir /tmp/kb-stages]``

Generates ``--items`` items of minutes text (``bench.generate``, the files ``bench.run_ingest``
times), then runs the worker's stages file by file, timing each with ``time.process_time``:
read, meeting facts (``_extract``: committee, council, date, kind, language, id), segment,
people (found and given ids), topics, identity record.  Then a sequential ``ingest``
(``workers=0``, rebuild) of the same files: its CPU less the stages' is the writer's share
(hashing, manifest, index documents, term analysis, postings, commit).  CPU time is what
to compare on a shared machine: wall time there is mostly waiting for a CPU.
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STAGES = ("read", "extract", "segment", "people", "topics", "identity")


def stage_cpu(src: Path) -> tuple[int, dict[str, float]]:
    """(items, CPU seconds per stage) of the worker's stages over every file under ``src``."""
    from indexer import pipeline
    from indexer.people_registry import PeopleRegistry
    from indexer.read import read_file
    from indexer.segment import ReadEnough

    taxonomy, registry = pipeline.load_taxonomy(), PeopleRegistry()
    spent = dict.fromkeys(STAGES, 0.0)

    def timed(stage: str, step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        result = step(*args, **kwargs)
        spent[stage] += time.process_time() - start
        return result

    items = 0
    for path in pipeline.discover([src]):
        doc = timed("read", read_file, path, enough=ReadEnough())
        for part in pipeline.split_meetings(doc):
            meeting = timed("extract", pipeline._extract, part, None, None, None)
            meeting.items = timed("segment", pipeline.segment, part, meeting)
            items += len(meeting.items)
            timed("people", pipeline.add_people, meeting, registry)
            timed("topics", pipeline._tag, meeting, taxonomy)
            meeting.identity = timed("identity", pipeline.identity_record, meeting)
    return items, spent


def ingest_cpu(src: Path, index_dir: Path) -> float:
    """CPU seconds of a sequential rebuild ingest of ``src`` into ``index_dir``."""
    from indexer.pipeline import ingest

    shutil.rmtree(index_dir, ignore_errors=True)
    start = time.process_time()
    ingest([src], index_dir, council_from_folder=True, rebuild=True, workers=0)
    return time.process_time() - start


def main(argv: list[str] | None = None) -> None:
    """Print CPU ms per item for each stage, the worker's sum, the whole ingest and the rest
    (the writer's share)."""
    from bench.generate import GenConfig, write_minutes

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=3000)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/kb-stages"))
    args = ap.parse_args(argv)
    src = args.workdir / f"minutes-{args.items}"
    if not src.exists():
        write_minutes(GenConfig(items=args.items), src)
    items, spent = stage_cpu(src)
    whole = ingest_cpu(src, args.workdir / "index")
    for stage in STAGES:
        print(f"{stage:10s} {1000 * spent[stage] / items:7.3f} ms/item")
    worker = sum(spent.values())
    print(f"{'worker':10s} {1000 * worker / items:7.3f} ms/item")
    print(f"{'writer':10s} {1000 * (whole - worker) / items:7.3f} ms/item (ingest less stages)")
    print(f"{'ingest':10s} {1000 * whole / items:7.3f} ms/item ({items} items, {whole:.2f} CPU s)")


if __name__ == "__main__":
    main()
