"""Reading, segmenting and topic tagging in worker processes beside the index writer.

:func:`ingest_files` yields one :class:`~indexer.pipeline.FileResult` per file, in the order
given, like the sequential loop of :func:`indexer.pipeline.ingest`:

* the writing process hashes each file and checks the manifest (``check_file``), then hands
  the file to a worker (``prepare`` with ``people=False``: read, meeting facts, items,
  topics, under the per-file time limit);
* at most ``2 × workers + 2`` files are in flight (a bounded queue: memory stays flat);
* results are taken back **in file order**; people are resolved here, through the one shared
  registry, in that order, then the meeting is staged (``finish_file``), so commits and the
  manifest come out exactly as in the sequential loop;
* a bad file fails alone (``prepare`` never raises); a worker that dies (a crash in a native
  reader) fails the file it held with a clear message, and the files queued behind it are
  given to a fresh pool.

Workers are started with ``spawn`` (no fork of a process that may hold reader locks).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from indexer.pipeline import (
    Checked,
    FileResult,
    IndexWriterSession,
    add_people,
    check_file,
    finish_file,
    prepare,
)

#: Fewer files than this are not worth starting a worker for (≈ 1 s of start-up).
MIN_FILES = 16


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def ingest_files(
    session: IndexWriterSession,
    todo: list[Path],
    council: str | None,
    council_from_folder: bool,
    registry: Any | None,
    workers: int,
) -> Iterator[FileResult]:
    """Ingest ``todo`` through ``session`` with ``workers`` worker processes (see the module
    docstring); yields each file's result in order."""
    paths = iter(todo)
    ahead: deque[tuple[Path, Checked | FileResult, Future[Any] | None]] = deque()
    in_flight: dict[str, int] = {}  # key → how many of it are in ``ahead``
    held: list[Path] = []  # a repeat of a file in flight waits for it (its status depends on it)
    pool = _pool(workers)

    def submit(path: Path) -> Future[Any]:
        return pool.submit(prepare, path, council, council_from_folder, people=False)

    def fill() -> None:
        while len(ahead) < 2 * workers + 2:
            path = held.pop() if held else next(paths, None)
            if path is None:
                return
            key = str(path.resolve())
            if in_flight.get(key):
                held.append(path)
                return
            checked = check_file(session, path)
            future = None if isinstance(checked, FileResult) else submit(path)
            ahead.append((path, checked, future))
            in_flight[key] = in_flight.get(key, 0) + 1

    try:
        fill()
        while ahead:
            path, checked, future = ahead.popleft()
            in_flight[str(path.resolve())] -= 1
            if isinstance(checked, FileResult) or future is None:
                yield checked  # type: ignore[misc]
                fill()
                continue
            try:
                outcome = future.result()
            except BrokenProcessPool:
                outcome = ("failed", "internal error: the reader process died on this file")
                pool.shutdown(wait=False, cancel_futures=True)
                pool = _pool(workers)  # the files queued behind it go to a fresh pool
                ahead = deque((p, c, None if f is None else submit(p)) for p, c, f in ahead)
            if outcome[0] == "ok":
                add_people(outcome[1], registry)
            yield finish_file(session, path, checked, outcome)
            fill()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
