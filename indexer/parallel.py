"""Reading, segmenting and topic tagging in worker processes beside the index writer.

:func:`ingest_files` yields one :class:`~indexer.pipeline.FileResult` per file, in the order
given, like the sequential loop of :func:`indexer.pipeline.ingest`, running the per-file
steps the pipeline hands it (:class:`FileSteps`; this module imports nothing of it):

* the writing process hashes each file and checks the manifest (``check_file``), then hands
  the file to a worker (``prepare_found``: read, meeting facts, items, topics under the
  per-file time limit, then the people in the text, found but not yet given ids);
* at most ``min(batch size, 64) + 2 × workers + 2`` files are in flight or parsed and
  waiting (a bounded queue: memory stays flat), enough for the workers to read on while
  the writer commits a batch;
* when the session offers a ``worker_analysis`` function (the Whoosh writer: term analysis
  of the text fields, :mod:`kb.engine.whoosh.preanalysis`), the worker runs it on the
  meetings too, and its result is handed to ``session.offer_analysis`` before the file is
  staged, so the writer does not analyse that text again.  The work is balanced: a file
  is sent with the analysis while the workers keep ahead of the writer (most of the last
  :data:`BALANCE_WINDOW` results were ready when the writer took them), without it while
  the writer waits for them (:class:`Balance`), so both CPUs stay busy;
* in a rebuild, at most :data:`SENT_PER_WORKER` files per worker are sent ahead; when the
  writer would wait for the next result, it runs the last queued file not yet sent itself
  (the same ``prepare_found``, without the analysis it does anyway): its CPU is not left
  idle while the workers start up or fall behind (:func:`_steal`);
* results are taken back **in file order**; the people found are given ids here, through the
  one shared registry, in that order (``assign_people``: only the registry look-ups), then
  the meeting is staged (``finish_file``), so commits, the manifest and the people registry
  come out exactly as in the sequential loop;
* a bad file fails alone (``prepare`` never raises); a worker that dies (a crash in a native
  reader) fails the file it held with a clear message, and the files queued behind it are
  given to a fresh pool.

Workers are started with ``spawn`` (no fork of a process that may hold reader locks); they
leave Ctrl-C to the writer and end on their own when the writer dies.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer import isolate

if TYPE_CHECKING:
    from kb.engine.base import WriterSession as IndexWriterSession


@dataclass(frozen=True)
class FileSteps:
    """The per-file steps of the pipeline this module runs, handed in by
    :func:`indexer.pipeline.ingest` (so this module does not import the pipeline)."""

    #: (session, path) -> the manifest check, or an already finished result
    check_file: Callable[[Any, Path], Any]
    #: (session, path, checked, outcome) -> the file's result
    finish_file: Callable[[Any, Path, Any, Any], Any]
    #: (meeting, registry, found people) -> None: ids for the people a worker found
    add_people: Callable[[Any, Any, Any], None]
    #: a worker's job, a module-level function: (path, council, from folder, analyse or
    #: None) -> (outcome, found people, what ``analyse`` gave for the meetings or None)
    prepare_found: Callable[[Path, str | None, bool, Any], tuple[Any, Any, Any]]
    #: the type of a finished result
    result_type: type


#: Most files read ahead of the writer besides ``2 × workers + 2`` (bounds memory).
MAX_AHEAD = 64


#: Results the writer's balance of work looks back on (:class:`Balance`).
BALANCE_WINDOW = 8


class Balance:
    """Whether to hand the writer's term analysis to the workers: yes while the workers
    are ahead (most of the last :data:`BALANCE_WINDOW` results were ready when the writer
    took them: the writer is the slower side), no while the writer waits for them."""

    def __init__(self, window: int = BALANCE_WINDOW) -> None:
        self._seen: deque[bool] = deque(maxlen=window)

    def taken(self, was_ready: bool) -> None:
        """Record whether the result the writer just took was already finished."""
        self._seen.append(was_ready)

    def offload(self) -> bool:
        """Whether the next file should be analysed in the worker (yes at the start)."""
        return 2 * sum(self._seen) >= len(self._seen)


#: How often a worker checks that the writing process is still alive, in seconds.
PARENT_CHECK = 0.2


def _watch_parent(parent: int) -> None:
    """End this worker as soon as the writing process is gone (killed with SIGKILL, say):
    an orphan would hold the terminal's pipes open and a CPU busy for nothing."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(1)


def _worker_init(parent: int) -> None:
    """Set up a worker process: Ctrl-C is the writer's to handle (it stops the pool), and
    the worker ends on its own if the writer dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    isolate.install()  # its own reader process, killed and replaced when a read is stuck


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )


#: Worker processes started ahead of an ingest (:func:`prestart`), with their count.
_prestarted: tuple[int, ProcessPoolExecutor] | None = None


def prestart(workers: int, warm_up: Callable[[], None]) -> None:
    """Start ``workers`` worker processes now, each running ``warm_up`` (a module-level
    function: ``indexer.pipeline.warm_up``) while the caller loads the rest; the next
    :func:`ingest_files` with as many workers uses them.  Call :func:`release_prestarted`
    when done, in case none did."""
    global _prestarted
    release_prestarted()
    if workers > 0:
        pool = _pool(workers)
        for _ in range(workers):
            pool.submit(warm_up)
        _prestarted = (workers, pool)


def release_prestarted() -> None:
    """Stop prestarted workers that no ingest took (e.g. every file was unchanged) without
    waiting for their warm-up to finish."""
    global _prestarted
    if _prestarted is None:
        return
    pool, _prestarted = _prestarted[1], None
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()


def _take_pool(workers: int) -> ProcessPoolExecutor:
    """The prestarted pool when it has ``workers`` processes, else a new one."""
    global _prestarted
    if _prestarted is not None and _prestarted[0] == workers:
        pool, _prestarted = _prestarted[1], None
        return pool
    release_prestarted()
    return _pool(workers)


#: Whether the writer prepares files itself rather than wait for the workers (:func:`_steal`).
STEAL = True


class _Stolen(Future[Any]):
    """The result of a file the writing process prepared itself (see :func:`_steal`)."""


def _prepared_here(prepare: Callable[[Path], Any], path: Path) -> _Stolen:
    """``prepare(path)`` run in this process, as a finished future."""
    stolen = _Stolen()
    stolen.set_result(prepare(path))
    return stolen


#: The job of a file queued but not yet sent to a worker (a rebuild sends at most
#: :data:`SENT_PER_WORKER` per worker ahead, so the writer can take the others: ``_steal``).
UNSENT: Any = object()

#: Files sent to each worker ahead of the writer in a rebuild (enough for it to keep ahead).
SENT_PER_WORKER = 8


def _steal(ahead: deque[tuple[Path, Any, Any]], prepare: Callable[[Path], Any]) -> bool:
    """Run ``prepare`` here on the last file of ``ahead`` not yet sent to a worker
    (:data:`UNSENT`) and put its result in its place; False when there is none."""
    for index in range(len(ahead) - 1, -1, -1):
        path, checked, job = ahead[index]
        if job is UNSENT:
            ahead[index] = (path, checked, _prepared_here(prepare, path))
            return True
    return False


def ingest_files(
    session: IndexWriterSession,
    todo: list[Path],
    council: str | None,
    council_from_folder: bool,
    registry: Any | None,
    workers: int,
    steps: FileSteps,
) -> Iterator[Any]:
    """Ingest ``todo`` through ``session`` with ``workers`` worker processes, running the
    pipeline's ``steps`` (see the module docstring); yields each file's result in order."""
    paths = iter(todo)
    ahead: deque[tuple[Path, Any, Any]] = deque()  # (path, checked, job: a future or UNSENT)
    in_flight: dict[str, int] = {}  # key → how many of it are in ``ahead``
    held: list[Path] = []  # a repeat of a file in flight waits for it (its status depends on it)
    pool = _take_pool(workers)
    # deep enough to keep the workers busy while the writer commits a batch
    depth = min(session.batch_size, MAX_AHEAD) + 2 * workers + 2
    # a rebuild commits rarely (every segment): files not yet sent are the writer's to take
    # when it would wait (``_steal``); other ingests send every queued file at once
    sent_at_most = SENT_PER_WORKER * workers if STEAL and session.rebuild else depth

    analyse = getattr(session, "worker_analysis", None)  # module-level: sent by name
    balance = Balance()

    def submit(path: Path) -> Future[Any]:
        task = analyse if balance.offload() else None
        return pool.submit(steps.prepare_found, path, council, council_from_folder, task)

    def prepare_here(path: Path) -> Any:  # the writer analyses the text when it adds it
        return steps.prepare_found(path, council, council_from_folder, None)

    def replace_pool() -> None:
        """A fresh pool for a broken one (a worker died); its jobs are dropped."""
        nonlocal pool
        pool.shutdown(wait=False, cancel_futures=True)
        pool = _pool(workers)

    def send() -> None:
        """Send queued files to the workers, in order, up to ``sent_at_most`` at work.  A
        pool found broken here (a worker died since the last result) is replaced first;
        the files its dead worker held fail when their turn comes (below)."""
        at_work = 0
        for index, (path, checked, job) in enumerate(ahead):
            if job is UNSENT:
                if at_work >= sent_at_most:
                    return
                try:
                    future = submit(path)
                except BrokenProcessPool:
                    replace_pool()
                    future = submit(path)
                ahead[index] = (path, checked, future)
                at_work += 1
            elif job is not None and not job.done():
                at_work += 1

    def fill() -> None:
        while len(ahead) < depth:
            path = held.pop() if held else next(paths, None)
            if path is None:
                break
            key = str(path.resolve())
            if in_flight.get(key):
                held.append(path)
                break
            checked = steps.check_file(session, path)
            job = None if isinstance(checked, steps.result_type) else UNSENT
            ahead.append((path, checked, job))
            in_flight[key] = in_flight.get(key, 0) + 1
        send()

    try:
        fill()
        while ahead:
            path, checked, future = ahead.popleft()
            in_flight[str(path.resolve())] -= 1
            if isinstance(checked, steps.result_type) or future is None:
                yield checked
                fill()
                continue
            found = analysed = None
            balance.taken(future is not UNSENT and future.done())
            if future is UNSENT:  # every worker is busy with files after it
                future = _prepared_here(prepare_here, path)
            while not future.done() and _steal(ahead, prepare_here):
                send()  # the writer would wait: it prepared a file no worker had
            try:
                outcome, found, analysed = future.result()
            except BrokenProcessPool:
                outcome = ("failed", "internal error: the reader process died on this file")
                replace_pool()  # the files queued behind it go to a fresh pool
                ahead = deque(
                    (p, c, f if f is None or isinstance(f, _Stolen) else UNSENT)
                    for p, c, f in ahead
                )
                send()
            if outcome[0] == "ok" and found is not None:
                for meeting, people in zip(outcome[1], found, strict=True):
                    if people is not None:
                        steps.add_people(meeting, registry, people)
            if analysed is not None:
                session.offer_analysis(analysed)
            yield steps.finish_file(session, path, checked, outcome)
            fill()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
