"""The writer's flush CPU alone: ``SegmentWriter._flush_segment`` timed during a writer run.

``python -m bench.run_flush --items 5000 --workdir /tmp/f`` writes generated items as
:mod:`bench.run_writer` does (with the worker's term analysis handed over) and prints the CPU
seconds spent in the segment writer's flush (all segments of the run), per item and per
block, with the load average.  ``--profile`` prints the cProfile functions costing most
inside the flush only.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import time
from pathlib import Path

from bench.run_writer import run
from kb.engine.whoosh import bulk


def timed_run(items: int, workdir: Path, *, seed: int = 7, profile: bool = False) -> dict:
    """Run :func:`bench.run_writer.run` with ``_flush_segment`` timed (and profiled)."""
    original = bulk.SegmentWriter._flush_segment
    spent = [0.0, 0]
    prof = cProfile.Profile() if profile else None

    def flush(self: bulk.SegmentWriter) -> None:
        started = time.process_time()
        if prof is not None:
            prof.enable()
        try:
            original(self)
        finally:
            if prof is not None:
                prof.disable()
            spent[0] += time.process_time() - started
            spent[1] += 1

    bulk.SegmentWriter._flush_segment = flush
    try:
        figures = run(items, workdir, seed=seed, worker_analysis=True)
    finally:
        bulk.SegmentWriter._flush_segment = original
    pst = sum(p.stat().st_size for p in workdir.rglob("*.pst"))
    figures.update(
        flush_cpu_s=round(spent[0], 3),
        flushes=spent[1],
        flush_cpu_ms_per_item=round(1000 * spent[0] / figures["items"], 3),
        pst_bytes=pst,
        load=os.getloadavg()[0],
    )
    if prof is not None:
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_flush", description=__doc__)
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(timed_run(args.items, args.workdir, seed=args.seed, profile=args.profile)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
