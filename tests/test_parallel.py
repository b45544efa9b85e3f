"""Worker-process ingest (indexer.parallel) gives the same index, manifest and people registry
as the sequential loop; people found in a worker and given ids in the writer equal people
resolved in one go; the worker count follows KB_INGEST_WORKERS and the CPU count."""

from __future__ import annotations

import copy
import json
import pickle
import shutil
import signal
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from bench.generate import GenConfig, write_minutes
from indexer import parallel, pipeline
from indexer.people import assign_people, find_people, resolve_people
from indexer.people_registry import FILENAME, PeopleRegistry
from kb.engine.whoosh.write import read_manifest
from kb.model import to_jsonable


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> list[Path]:
    """Generated minutes (several councils, people recurring across meetings), the seed,
    a broken file, a not-minutes file and a repeated file: at least MIN_FILES files."""
    folder = tmp_path_factory.mktemp("parallel-src")
    write_minutes(GenConfig(items=160, seed=11, councils=3), folder / "gen")
    files = pipeline.discover([folder / "gen"])
    shutil.copy(seed_path, folder / "seed.txt")
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02" * 400)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "shopping.txt").write_text("Eggs\nMilk\nBread\n", encoding="utf-8")
    extra = [folder / n for n in ("seed.txt", "broken.txt", "empty.txt", "shopping.txt")]
    todo = files[:6] + extra + files[6:] + [files[0], folder / "seed.txt"]
    assert len(todo) >= pipeline.MIN_FILES
    return todo


def _stored(index_dir: Path) -> list[dict[str, object]]:
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher() as s:
        docs = [dict(d) for d in s.all_stored_fields()]
    ix.close()
    return sorted(docs, key=lambda d: json.dumps(d, sort_keys=True, default=str))


def _manifest(index_dir: Path) -> dict[str, dict[str, object]]:
    return {
        k: {f: v for f, v in e.items() if f != "ingested_at"}
        for k, e in read_manifest(index_dir).items()
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_give_the_sequential_index(
    sources: list[Path], tmp_path: Path, workers: int
) -> None:
    seq, par = tmp_path / "seq", tmp_path / "par"
    a = pipeline.ingest([], seq, files=sources, workers=0, batch_size=7)
    b = pipeline.ingest([], par, files=sources, workers=workers, batch_size=7)
    statuses = {r.status for r in a.results}
    assert {"new", "failed", "unchanged"} <= statuses, statuses
    assert [
        (r.path, r.status, r.items, r.meeting_id, r.warnings, r.message) for r in a.results
    ] == [(r.path, r.status, r.items, r.meeting_id, r.warnings, r.message) for r in b.results]
    assert _manifest(seq) == _manifest(par)
    assert (seq / FILENAME).read_text(encoding="utf-8") == (par / FILENAME).read_text(
        encoding="utf-8"
    )
    assert len(PeopleRegistry.load(seq / FILENAME)) > 10
    assert _stored(seq) == _stored(par)


def test_a_rebuild_with_workers_equals_a_sequential_rebuild(
    sources: list[Path], tmp_path: Path
) -> None:
    seq, par = tmp_path / "seq", tmp_path / "par"
    pipeline.ingest([], seq, files=sources[:20], workers=0)
    pipeline.ingest([], par, files=sources[:20], workers=1)
    pipeline.ingest([], seq, files=sources, workers=0, rebuild=True)
    pipeline.ingest([], par, files=sources, workers=1, rebuild=True)
    assert _manifest(seq) == _manifest(par)
    assert _stored(seq) == _stored(par)


def test_a_rebuild_with_worker_analysis_writes_the_same_segment(
    sources: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker analyses the text fields (kb.engine.whoosh.preanalysis) and the writer
    uses its postings: the segment files are byte for byte those of the same worker ingest
    with the writer analysing everything itself."""
    from kb.engine.whoosh import preanalysis
    from kb.engine.whoosh.bulk import POSTINGS_KEY
    from kb.engine.whoosh.write import IndexWriterSession
    from tests.test_bulk import segment_files

    used = {"docs": 0, "fields": 0}
    attach = preanalysis.attach

    def counting(doc: dict, analysed: dict) -> None:
        used["docs"] += 1
        attach(doc, analysed)
        used["fields"] += len(doc.get(POSTINGS_KEY, {}))

    monkeypatch.setattr(preanalysis, "attach", counting)
    monkeypatch.setattr(parallel.Balance, "offload", lambda self: True)  # every file
    monkeypatch.setattr(parallel, "STEAL", False)  # … is prepared in the worker
    plain, shipped = tmp_path / "plain", tmp_path / "shipped"
    with monkeypatch.context() as m:
        m.setattr(IndexWriterSession, "worker_analysis", None)
        pipeline.ingest([], plain, files=sources, workers=1, rebuild=True)
    assert used["docs"] == 0  # nothing offered
    pipeline.ingest([], shipped, files=sources, workers=1, rebuild=True)
    assert used["fields"] > 2 * used["docs"] > 100  # body, title, council, committee …

    def whooshs(folder: Path) -> dict[str, str]:
        files = segment_files(folder.resolve())  # Whoosh's files, not our caches (kb*)
        return {k: v for k, v in files.items() if not k.startswith("kb")}

    assert {"pst", "trm"} <= set(whooshs(plain))
    assert whooshs(shipped) == whooshs(plain)
    assert _stored(shipped) == _stored(plain)


def test_files_the_writer_prepares_while_it_would_wait_give_the_same_index(
    sources: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer prepares queued files itself while the worker starts up (and whenever it
    would wait): the index, manifest, people registry and results are the sequential
    loop's; it takes some (at least the first few: a worker takes ~0.3 s to start)."""
    stolen: list[Path] = []
    steal = parallel._steal

    def counting(ahead, prepare):  # type: ignore[no-untyped-def]
        return steal(ahead, lambda path: (stolen.append(path), prepare(path))[1])

    monkeypatch.setattr(parallel, "_steal", counting)
    seq, par = tmp_path / "seq", tmp_path / "par"
    a = pipeline.ingest([], seq, files=sources, workers=0, rebuild=True)
    b = pipeline.ingest([], par, files=sources, workers=1, rebuild=True)
    assert stolen
    assert [(r.path, r.status, r.items, r.meeting_id, r.warnings) for r in a.results] == [
        (r.path, r.status, r.items, r.meeting_id, r.warnings) for r in b.results
    ]
    assert _manifest(seq) == _manifest(par)
    assert (seq / FILENAME).read_bytes() == (par / FILENAME).read_bytes()
    assert _stored(seq) == _stored(par)


class _InlinePool:
    """A process pool stand-in running each job at once in this process; past ``works``
    submissions it is broken (as a pool is once a worker died) and says so on submit."""

    made: list[_InlinePool] = []

    def __init__(self, works: int) -> None:
        self.works = works
        _InlinePool.made.append(self)

    def submit(self, fn, *args):  # type: ignore[no-untyped-def]
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        if self.works <= 0:
            raise BrokenProcessPool("a worker died")
        self.works -= 1
        future: Future = Future()
        future.set_result(fn(*args))
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


def test_a_pool_broken_between_results_is_replaced_and_nothing_is_lost(
    sources: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that dies while the writer is busy leaves the pool broken before any of its
    results is read: the next file sent then meets the broken pool (a rebuild sends files a
    few at a time).  The pool is replaced and every file is ingested as in the sequential
    loop (before, the ingest stopped with BrokenProcessPool)."""
    _InlinePool.made = []
    monkeypatch.setattr(parallel, "_take_pool", lambda workers: _InlinePool(3))
    monkeypatch.setattr(parallel, "_pool", lambda workers: _InlinePool(10**6))
    monkeypatch.setattr(parallel, "_steal", lambda ahead, prepare: False)  # the pool sends all
    seq, par = tmp_path / "seq", tmp_path / "par"
    a = pipeline.ingest([], seq, files=sources, workers=0, rebuild=True)
    b = pipeline.ingest([], par, files=sources, workers=1, rebuild=True)
    assert len(_InlinePool.made) >= 2  # the first broke after 3 files and was replaced
    assert [(r.path, r.status, r.items, r.meeting_id) for r in a.results] == [
        (r.path, r.status, r.items, r.meeting_id) for r in b.results
    ]
    assert _manifest(seq) == _manifest(par)


def test_the_writer_steals_the_last_file_no_worker_has() -> None:
    """``_steal`` runs here the last queued file not yet sent to a worker, skipping files
    sent, done, already stolen or without a job, and says when there is none left."""
    from concurrent.futures import Future

    sent: Future = Future()
    done: Future = Future()
    done.set_result("worker's")
    unsent = parallel.UNSENT
    ahead = parallel.deque(
        [(Path("a"), 1, sent), (Path("b"), 2, unsent), (Path("c"), 3, unsent),
         (Path("d"), 4, None), (Path("e"), 5, done)]
    )  # fmt: skip
    ran: list[Path] = []

    def here(path: Path) -> str:
        ran.append(path)
        return f"here {path}"

    assert parallel._steal(ahead, here)
    assert ran == [Path("c")] and ahead[2][2].result() == "here c"
    assert parallel._steal(ahead, here)
    assert ran == [Path("c"), Path("b")] and ahead[1][2].result() == "here b"
    assert not parallel._steal(ahead, here)
    assert ran == [Path("c"), Path("b")]
    assert ahead[0][2] is sent and ahead[3][2] is None and ahead[4][2] is done


@pytest.mark.parametrize(("ready", "offload"), [
    ([], True),  # at the start: the writer has all the analysis, hand it over
    ([True] * 8, True),  # workers ahead: the writer is the slower side
    ([False] * 8, False),  # the writer waits for the workers: keep the analysis
    ([True, False], True),  # a tie hands it over
    ([True, False, False], False),
    ([False] * 8 + [True] * 4, True),  # only the last 8 count: 4 of 8 ready
    ([False] * 8 + [True] * 3, False),
])  # fmt: skip
def test_the_analysis_goes_to_the_workers_while_they_are_ahead(
    ready: list[bool], offload: bool
) -> None:
    balance = parallel.Balance()
    for was_ready in ready:
        balance.taken(was_ready)
    assert balance.offload() is offload


def test_people_found_in_a_worker_equal_people_resolved_in_one_go(
    sources: list[Path],
) -> None:
    """find_people → pickle (the trip back from a worker) → assign_people gives the same
    speakers, mentions and registry as resolve_people, file after file."""
    one, two = PeopleRegistry(), PeopleRegistry()
    checked = 0
    for path in sources:
        kind, meetings = pipeline.prepare(path, None, True, people=False)
        if kind != "ok":
            continue
        (meeting,) = meetings  # one meeting a generated file
        plain = copy.deepcopy(meeting)
        resolve_people(plain, one)
        sent, found = pickle.loads(pickle.dumps((meeting, find_people(meeting))))
        assign_people(sent, found, two)
        assert to_jsonable(sent) == to_jsonable(plain)
        checked += sum(len(i.speakers) for i in sent.items)
    assert checked > 20
    assert one.to_json() == two.to_json()


def test_worker_count_follows_the_setting_and_the_cpus(monkeypatch) -> None:
    monkeypatch.delenv("KB_INGEST_WORKERS", raising=False)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(pipeline.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setattr(pipeline.os, "getloadavg", lambda: (1.7, 1.0, 1.0))
    assert pipeline.worker_count(None, pipeline.MIN_FILES) == 0  # both CPUs busy
    monkeypatch.setattr(pipeline.os, "getloadavg", lambda: (1.2, 1.0, 1.0))
    assert pipeline.worker_count(None, pipeline.MIN_FILES) == 1  # e.g. a job that just ended
    monkeypatch.setattr(pipeline.os, "getloadavg", lambda: (0.3, 1.0, 1.0))
    assert pipeline.worker_count(None, pipeline.MIN_FILES) == 1
    assert pipeline.worker_count(None, pipeline.MIN_FILES - 1) == 0  # too few files
    assert pipeline.worker_count(0, 100) == 0
    monkeypatch.setenv("KB_INGEST_WORKERS", "0")
    assert pipeline.worker_count(None, 100) == 0
    monkeypatch.setenv("KB_INGEST_WORKERS", "2")
    assert pipeline.worker_count(None, 100) == 2
    monkeypatch.delenv("KB_INGEST_WORKERS")
    monkeypatch.setattr(pipeline.os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 1)
    assert pipeline.worker_count(None, 100) == 0  # one CPU: the sequential loop


def test_workers_end_when_the_writer_is_killed(sources: list[Path], tmp_path: Path) -> None:
    """A SIGKILLed ``kb ingest`` leaves no worker behind holding its pipes open."""
    from reliability import kb_popen

    files = [str(p) for p in dict.fromkeys(sources)]
    assert len(files) >= pipeline.MIN_FILES
    proc = kb_popen("ingest", *files, "--index", str(tmp_path / "ix"), "--workers", "1")
    assert proc.stdout is not None
    assert proc.stdout.readline()  # the worker is running
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)  # EOF only once every holder of the pipes is gone
    assert proc.returncode == -signal.SIGKILL


def test_prestarted_workers_are_taken_by_the_ingest_or_stopped(
    sources: list[Path], tmp_path: Path
) -> None:
    parallel.prestart(1, pipeline.warm_up)
    assert parallel._prestarted is not None
    report = pipeline.ingest([], tmp_path / "ix", files=sources, workers=1)
    assert parallel._prestarted is None  # the ingest used them
    assert report.counts["new"] > 10
    parallel.prestart(1, pipeline.warm_up)
    assert parallel._prestarted is not None
    processes = list(parallel._prestarted[1]._processes.values())
    assert processes
    parallel.release_prestarted()  # nobody took them: stopped, not left running
    assert parallel._prestarted is None
    deadline = time.monotonic() + 10
    # the pool's own thread may reap them first: wait until every one is seen to have ended
    while any(p.is_alive() for p in processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(p.is_alive() for p in processes)


SITECUSTOMIZE = """
import os

if os.environ.get("KB_TEST_CRASH_ON"):
    import indexer.pipeline as _pipeline

    _real = _pipeline.process_meetings

    def _crash(path, **options):
        if os.environ["KB_TEST_CRASH_ON"] in str(path):
            os._exit(3)  # as a crash in a native reader would
        return _real(path, **options)

    _pipeline.process_meetings = _crash
"""


def test_a_dying_worker_fails_only_its_file(
    sources: list[Path], tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    crash = tmp_path / "crash-me.txt"
    shutil.copy(seed_path, crash)
    files = [p for p in dict.fromkeys(sources) if p.name != "seed.txt"]
    files = files[:8] + [crash] + files[8:]
    monkeypatch.setenv("PYTHONPATH", str(hook))  # read by the spawned worker only
    monkeypatch.setenv("KB_TEST_CRASH_ON", "crash-me")
    report = pipeline.ingest([], tmp_path / "par", files=files, workers=1)
    monkeypatch.delenv("KB_TEST_CRASH_ON")
    plain = pipeline.ingest([], tmp_path / "seq", files=files, workers=0)
    by_path = {r.path: r for r in report.results}
    assert by_path[crash].status == "failed"
    assert "reader process died" in by_path[crash].message
    others = [(r.path, r.status, r.items) for r in report.results if r.path != crash]
    assert others == [(r.path, r.status, r.items) for r in plain.results if r.path != crash]
    assert sum(r.status == "new" for r in report.results) >= 10
