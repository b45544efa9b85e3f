"""The writer's CPU per item: generated items written by ``IndexWriterSession`` (rebuild).

``python -m bench.run_writer --items 20000 --workdir /tmp/w`` generates the items first (not
timed), writes them and prints the writer's CPU and wall time per item and its peak RSS.
``--worker-analysis`` hands each file's term analysis over first, as an ingest worker does
(``IndexWriterSession.worker_analysis``, pickled and unpickled as the process pool ships
it); that analysis's CPU is printed apart and left out of the writer's.  ``--profile`` prints
the cProfile functions costing most.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pickle
import pstats
import resource
import shutil
import time
from pathlib import Path

from bench.generate import GenConfig, iter_meetings


def run(items: int, workdir: Path, *, seed: int = 7, worker_analysis: bool = False) -> dict:
    """Write ``items`` generated items into ``workdir/kb-index`` (rebuilt); the figures."""
    from kb.engine.whoosh.write import IndexWriterSession

    meetings = list(iter_meetings(GenConfig(items=items, seed=seed)))
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    analysis = 0.0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with IndexWriterSession(workdir / "kb-index", rebuild=True) as session:
        for meeting in meetings:
            if worker_analysis:
                started = time.process_time()
                shipped = pickle.dumps(session.worker_analysis([meeting]), pickle.HIGHEST_PROTOCOL)
                session.offer_analysis(pickle.loads(shipped))  # noqa: S301 - our own bytes
                analysis += time.process_time() - started
            key = f"synthetic/{meeting.source}"
            session.put(key, hashlib.sha256(key.encode()).hexdigest(), meeting)
    cpu = time.process_time() - cpu0 - analysis
    wall = time.perf_counter() - wall0
    count = sum(len(m.items) for m in meetings)
    return {
        "items": count,
        "writer_cpu_s": round(cpu, 2),
        "writer_cpu_ms_per_item": round(1000 * cpu / count, 3),
        "worker_analysis_cpu_ms_per_item": round(1000 * analysis / count, 3),
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_writer", description=__doc__)
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--worker-analysis", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    profile = cProfile.Profile() if args.profile else None
    if profile is not None:
        profile.enable()
    figures = run(args.items, args.workdir, seed=args.seed, worker_analysis=args.worker_analysis)
    if profile is not None:
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
