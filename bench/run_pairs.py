"""Issue 15: the word-pair fields' cost and gain, same process, same meetings.

``python -m bench.run_pairs --size N --workdir DIR`` writes the same generated items twice
with ``IndexWriterSession`` (batch 50, as ``kb ingest``): with the schema without the pair
fields (an index from before them: phrases take the word-postings path) and with them;
prints each write's CPU time, items/s and index size, then times the 50 bench phrase
queries on both indexes (CPU time of the searching thread, result cache off) and counts the
queries whose total and first page agree.  Run by hand; never a timed unit test.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import time
from pathlib import Path

import numpy as np
from whoosh import index as windex

from bench.generate import GenConfig, iter_meetings
from bench.measure import dir_size
from bench.queries import build_queries, warm_queries
from bench.run_engine import committees_of, kb_request


def main(argv: list[str] | None = None) -> int:
    from kb.engine.whoosh import phrases
    from kb.engine.whoosh.search import SCHEMA
    from kb.engine.whoosh.write import IndexWriterSession
    from kb.service import SearchService

    parser = argparse.ArgumentParser(prog="python -m bench.run_pairs")
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--workdir", type=Path, required=True)
    args = parser.parse_args(argv)
    cfg = GenConfig(items=args.size, seed=7)
    meetings = list(iter_meetings(cfg))
    items = sum(len(m.items) for m in meetings)
    for pairs in (False, True):
        folder = args.workdir / f"pairs-{pairs}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        windex.create_in(str(folder), SCHEMA if pairs else phrases.without_pair_fields(SCHEMA))
        cpu0, wall0 = time.process_time(), time.perf_counter()
        with IndexWriterSession(folder, batch_size=50) as session:
            for m in meetings:
                key = f"synthetic/{m.source}"
                session.put(key, hashlib.sha256(key.encode()).hexdigest(), m)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        print(
            f"write pairs={pairs}: {items} items, CPU {cpu:.1f} s = {items / cpu:.0f} items/s"
            f" (wall {wall:.0f} s), index {dir_size(folder) / 2**20:.1f} MiB",
            flush=True,
        )
    comms = committees_of(cfg)
    queries = [q for q in build_queries(comms, seed=7) if q.kind == "phrase"]
    services = {p: SearchService(args.workdir / f"pairs-{p}", cache_size=0) for p in (False, True)}
    for svc in services.values():
        for q in warm_queries(comms, seed=7)[:60]:
            svc.search(kb_request(q))
    cpu_ms: dict[bool, list[float]] = {False: [], True: []}
    same = 0
    for q in queries:
        answers = {}
        for p, svc in services.items():
            start = time.thread_time()
            r = svc.search(kb_request(q))
            cpu_ms[p].append((time.thread_time() - start) * 1e3)
            answers[p] = (r.total, [h.id for h in r.results])
        same += answers[False] == answers[True]
    for p, samples in cpu_ms.items():
        a = np.array(samples)
        print(
            f"phrase pairs={p}: CPU ms p50 {np.percentile(a, 50):.2f}"
            f" p95 {np.percentile(a, 95):.2f} max {a.max():.2f}"
        )
    print(f"identical total and first page: {same}/{len(queries)}")
    for svc in services.values():
        svc.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
