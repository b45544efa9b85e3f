"""The ingest pipeline: file → Document → Meeting → Items → people/topics → index.

:func:`process_meetings` runs the stages of docs/CONTRACTS.md for one file (one or more
meetings); :func:`ingest` walks
paths, skips unchanged files (content hash in the index manifest), writes through
:func:`kb.engine.open_writer`'s session, and reports one :class:`FileResult` per file.
People and topic tagging are used when their modules are installed; a bug in either becomes a
warning on the file rather than losing its text.
"""

from __future__ import annotations

import functools
import os
import time
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer import isolate, limits, parallel, timelimit
from indexer.kind import detect_kind, split_meetings
from indexer.language import detect_language
from indexer.meeting import extract_meeting
from indexer.read import MAX_BYTES, SUFFIXES, read_file
from indexer.report import FileResult, IngestReport
from indexer.segment import ReadEnough, segment
from indexer.timelimit import FileTimeout, time_limit
from kb.engine.identity import identity_record
from kb.model import Document, IngestError, Meeting, NotMinutesError, Source, identity_id

if TYPE_CHECKING:  # the writer (the engine, the analyser) is imported when an ingest starts,
    # so a worker process, which never writes, does not load it
    from kb.engine.base import WriterSession as IndexWriterSession

#: Fewer files than this are not worth starting a worker for (≈ 1 s of start-up).
MIN_FILES = 16

#: Folder names too generic to be a council's name (``--council-from-folder``).
GENERIC_FOLDERS = {"minutes", "data", "files", "docs", "documents", "corpus", "input", "txt"}


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files to ingest: files named outright, plus files with a known suffix under folders
    (recursively, sorted, hidden files and folders skipped).  Missing paths raise IngestError."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_file():
            found.append(p)
        elif p.is_dir():
            for child in sorted(p.rglob("*")):
                rel = child.relative_to(p).parts
                if any(part.startswith(".") for part in rel):
                    continue
                if child.is_file() and child.suffix.lower() in SUFFIXES:
                    found.append(child)
        else:
            raise IngestError(f"no such file or folder: {p}")
    return list(dict.fromkeys(found))


def council_toml(path: Path) -> str | None:
    """``name`` from a ``council.toml`` beside ``path`` (or in a parent folder), if any."""
    for folder in [path.parent, *path.parent.parents][:4]:
        cfg = folder / "council.toml"
        if cfg.is_file():
            try:
                name = tomllib.loads(cfg.read_text(encoding="utf-8")).get("name")
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise IngestError(f"{cfg} is not valid TOML: {exc}") from exc
            return str(name).strip() or None if name else None
    return None


def folder_council(path: Path) -> str | None:
    """The file's folder name as a council name, unless it is a generic name like 'minutes'."""
    name = path.parent.name
    if not name or name.lower() in GENERIC_FOLDERS:
        return None
    return name.replace("_", " ").replace("-", " ").strip() or None


def _optional(module: str, name: str) -> Any | None:
    try:
        mod = __import__(module, fromlist=[name])
    except ImportError:
        return None
    return getattr(mod, name, None)


@functools.cache
def load_taxonomy() -> Any | None:
    """The default topic taxonomy when ``indexer.topics`` is installed, else None (cached)."""
    taxonomy_cls = _optional("indexer.topics", "Taxonomy")
    return taxonomy_cls.load() if taxonomy_cls is not None else None


def process_meetings(
    path: Path,
    *,
    council: str | None = None,
    taxonomy: Any | None = None,
    registry: Any | None = None,
    council_fallback: str | None = None,
    people: bool = True,
) -> list[Meeting]:
    """Read, extract, segment and tag one file; return the meetings it holds, with items, in
    reading order: one, or more when the file holds several meetings each under its own
    heading (an AGM followed by the ordinary meeting, :func:`indexer.kind.split_meetings`).

    Each meeting has its kind and language, its id from them (:func:`kb.model.identity_id`)
    and the file as its one source.  ``council`` overrides what the text says;
    ``council_fallback`` is used only when the text names no council.  ``taxonomy`` defaults
    to the shipped one when topics are installed.  ``people=False`` leaves speakers
    unresolved (see :func:`add_people`; the parallel ingest resolves them in the writing
    process, in file order, through its registry).  Raises IngestError / NotMinutesError
    with a reason for the user.
    """
    path = Path(path)
    doc = read_file(path, enough=ReadEnough())  # a huge text file stops at the items kept
    if cut := limits.cap_document(doc, limits.current().file_chars):
        doc.warnings.append(cut)
    parts = split_meetings(doc)
    first: Meeting | None = None
    meetings: list[Meeting] = []
    for part in parts:
        meeting = _extract(part, council, council_fallback, first)
        meeting.items = segment(part, meeting)
        if not meeting.items and any(b.text.strip() for b in part.blocks):
            if first is None and len(parts) == 1:
                raise IngestError("no agenda items found")
            meeting.warnings.append("no agenda items found in this meeting of the file")
        # A document with no text at all (a cancelled ModernGov meeting) is a meeting with
        # no items: recorded, with its warnings, and not an error.
        for warning in part.warnings:
            if warning not in meeting.warnings:
                meeting.warnings.append(warning)
        if len(parts) > 1:
            meeting.warnings.append(
                f"the file holds {len(parts)} meetings; this is meeting "
                f"{len(meetings) + 1} ({meeting.kind})"
            )
        first = first or meeting
        meetings.append(meeting)
    taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
    for meeting in meetings:
        if people:
            add_people(meeting, registry)
        _tag(meeting, taxonomy)
        meeting.identity = identity_record(meeting)  # here: in the worker, not the writer
    return meetings


def process_file(path: Path, **options: Any) -> Meeting:
    """The first meeting :func:`process_meetings` finds in ``path`` (same options), for
    callers that want one; ``kb ingest`` indexes them all."""
    return process_meetings(path, **options)[0]


def _extract(
    doc: Document, council: str | None, fallback: str | None, first: Meeting | None
) -> Meeting:
    """The facts of the meeting ``doc`` (a whole file or one meeting of it) records, with
    kind, language, source and id.  A later meeting of a file takes the council, committee
    and (when its own text gives none) the date of the file's first meeting."""
    meeting: Meeting = extract_meeting(doc, council=council or fallback)
    if council:  # an explicit council beats the text
        meeting.council = council
    if first is not None:
        meeting.council, meeting.committee = first.council, first.committee
        meeting.parent_body = meeting.parent_body or first.parent_body
        if meeting.date is None or meeting.date_source != "text":
            meeting.date, meeting.date_source = first.date, first.date_source
            meeting.date_evidence = first.date_evidence
        meeting.warnings = [w for w in meeting.warnings if "council not named" not in w]
    meeting.kind = detect_kind(doc.blocks, doc.hints.get("kind"))
    text = " ".join(b.text for b in doc.blocks[:400])
    meeting.language = doc.hints.get("language") or detect_language(text)
    meeting.source = meeting.source or str(doc.path)
    meeting.format = meeting.format or doc.format
    meeting.sources = [Source(str(doc.path), meeting.format, meeting.language)]
    meeting.id = identity_id(meeting)
    return meeting


def _tag(meeting: Meeting, taxonomy: Any | None) -> None:
    """Topic tags on ``meeting``'s items when topics are installed (a bug: a warning)."""
    tag_meeting = _optional("indexer.topics", "tag_meeting")
    if tag_meeting is not None and taxonomy is not None:
        try:
            tag_meeting(meeting, taxonomy)
        except Exception as exc:  # noqa: BLE001
            meeting.warnings.append(f"topics not tagged (internal error: {exc!r})")


def add_people(meeting: Meeting, registry: Any | None, found: Any | None = None) -> None:
    """Resolve the meeting's speakers and mentions through ``registry`` (when
    ``indexer.people`` is installed); a bug there becomes a warning, never a lost file.
    ``found`` is :func:`find_people`'s answer when the text was already searched (in a
    worker process): only the ids are given here."""
    name = "resolve_people" if found is None else "assign_people"
    resolve = _optional("indexer.people", name)
    if resolve is not None:
        try:
            resolve(meeting, registry) if found is None else resolve(meeting, found, registry)
        except Exception as exc:  # noqa: BLE001 - keep the text, report the bug
            meeting.warnings.append(f"people not resolved (internal error: {exc!r})")


def find_people(meeting: Meeting) -> Any | None:
    """The people in ``meeting``'s text, not yet given ids (``indexer.people.find_people``),
    or None when people are not installed or a bug stopped it (then with a warning)."""
    find = _optional("indexer.people", "find_people")
    if find is None:
        return None
    try:
        return find(meeting)
    except Exception as exc:  # noqa: BLE001 - keep the text, report the bug
        meeting.warnings.append(f"people not resolved (internal error: {exc!r})")
        return None


def _registry(index_dir: Path) -> tuple[Any | None, Path | None]:
    cls = _optional("indexer.people_registry", "PeopleRegistry")
    filename = _optional("indexer.people_registry", "FILENAME") or "people.json"
    if cls is None:
        return None, None
    path = index_dir / filename
    return cls.load(path), path


def ingest(
    paths: Iterable[str | Path],
    index_dir: str | Path,
    *,
    council: str | None = None,
    council_from_folder: bool = False,
    prune: bool = False,
    rebuild: bool = False,
    batch_size: int = 50,
    on_file: Callable[[FileResult], None] | None = None,
    files: list[Path] | None = None,
    workers: int | None = None,
) -> IngestReport:
    """Ingest ``paths`` into the index at ``index_dir``; never stops at a bad file.

    Each file is hashed; unchanged files are skipped; the rest are processed and replace their
    previous items.  ``on_file`` is called after each file (for progress output).
    ``workers`` processes read, segment and tag files and find their people while this one
    writes (:mod:`indexer.parallel`; same results, same order); default
    :func:`default_workers` (``KB_INGEST_WORKERS``, else 1 with 2+ CPUs), and never for
    fewer than :data:`MIN_FILES` files.
    """
    from kb.engine import open_writer

    index_dir = Path(index_dir)
    todo = files if files is not None else discover(paths)
    report = IngestReport()
    count = worker_count(workers, len(todo))
    taxonomy = None if count else load_taxonomy()  # workers load their own
    with (
        open_writer(index_dir, batch_size=batch_size, rebuild=rebuild) as session,
        isolate.reader_process(),  # readers in C run where a stuck one can be killed
    ):
        registry, registry_path = _registry(session.index_dir)  # a rebuild's new folder
        if count:
            results: Iterable[FileResult] = parallel.ingest_files(
                session, todo, council, council_from_folder, registry, count, STEPS
            )
        else:
            results = (
                _ingest_one(session, path, council, council_from_folder, taxonomy, registry)
                for path in todo
            )
        for result in results:
            report.results.append(result)
            if on_file is not None:
                on_file(result)
        if prune:
            report.pruned = session.prune(lambda key: Path(key).exists())
        for result in _reread_orphans(session, council, council_from_folder, taxonomy, registry):
            report.results.append(result)
            if on_file is not None:
                on_file(result)
        session.commit()
        if registry is not None and registry_path is not None:
            registry.save(registry_path)
    return report


def _reread_orphans(
    session: IndexWriterSession,
    council: str | None,
    council_from_folder: bool,
    taxonomy: Any | None,
    registry: Any | None,
) -> Iterable[FileResult]:
    """Read again the files merged into a meeting whose holding file was removed or replaced
    in this session (:meth:`IndexWriterSession.orphans`), so that their meeting is kept
    (from them) or re-placed; a file that is gone is removed from the index."""
    taxonomy = taxonomy if taxonomy is not None else load_taxonomy()
    done: set[str] = set()
    while orphans := [k for k in session.orphans() if k not in done]:
        for key in orphans:
            done.add(key)
            path = Path(key)
            if not path.exists():
                session.remove(key)
                continue
            checked = check_file(session, path)
            if isinstance(checked, FileResult):  # unchanged: its content is read again
                from kb.engine.manifest import content_hash

                checked = (key, content_hash(path.read_bytes()), "changed")
            outcome = prepare(
                path, council, council_from_folder, taxonomy=taxonomy, registry=registry
            )
            yield finish_file(session, path, checked, outcome)


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


#: Idle CPUs (CPU count less the 1-minute load average) needed before ``auto`` starts a worker.
IDLE_FOR_WORKER = 0.5


def idle_cpus() -> float:
    """CPUs not kept busy by other processes: the CPU count less the 1-minute load average
    (the CPU count where the platform has no load average)."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        load = 0.0
    return cpu_count() - load


def default_workers() -> int:
    """``KB_INGEST_WORKERS`` when set to a whole number, else (``auto``) 1 worker when the
    machine has 2 or more CPUs and at least :data:`IDLE_FOR_WORKER` of a CPU is idle, else
    none.  A worker pays on a CPU of its own: 3,000 generated items in 7.8 s with one against
    10.0-12.1 s without on two free CPUs; with another job busy on the second CPU it was
    ~5 % slower.  The 1-minute load average lags (a job that just ended still counts about
    1), so only a machine that is clearly full (load ≥ CPUs - 0.5) goes without."""
    raw = os.environ.get("KB_INGEST_WORKERS", "").strip().lower()
    if raw and raw != "auto":
        if not raw.isdigit():
            raise IngestError(f"KB_INGEST_WORKERS must be a whole number or auto, not {raw!r}")
        return int(raw)
    return 1 if cpu_count() >= 2 and idle_cpus() >= IDLE_FOR_WORKER else 0


def worker_count(workers: int | None, files: int) -> int:
    """Worker processes for an ingest of ``files`` files (0: process in this one)."""
    count = default_workers() if workers is None else workers
    return max(0, count) if files >= MIN_FILES else 0


def _ingest_one(
    session: IndexWriterSession,
    path: Path,
    council: str | None,
    council_from_folder: bool,
    taxonomy: Any | None,
    registry: Any | None,
) -> FileResult:
    checked = check_file(session, path)
    if isinstance(checked, FileResult):
        return checked
    outcome = prepare(path, council, council_from_folder, taxonomy=taxonomy, registry=registry)
    return finish_file(session, path, checked, outcome)


#: (key, content hash, status) of a file that needs processing
Checked = tuple[str, str, str]
#: ("ok", the file's meetings), or ("failed" / "not-minutes", the reason)
Outcome = tuple[str, Any]


def check_file(session: IndexWriterSession, path: Path) -> Checked | FileResult:
    """Size, hash and manifest status of ``path``: a FileResult when there is nothing to
    process (too large, unreadable, unchanged), else (key, digest, status)."""
    from kb.engine.manifest import content_hash

    key = str(path.resolve())
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refused before reading a byte (a 200 MB file costs nothing)
            limit = f"file too large ({size:,} bytes; the limit is {MAX_BYTES:,})"
            return FileResult(path, "failed", message=limit)
        digest = content_hash(path.read_bytes())
    except OSError as exc:
        return FileResult(path, "failed", message=f"cannot read: {exc.strerror or exc}")
    status = session.status_of(key, digest)
    if status == "unchanged":
        return FileResult(path, "unchanged")
    return key, digest, status


def prepare(
    path: Path,
    council: str | None,
    council_from_folder: bool,
    *,
    taxonomy: Any | None = None,
    registry: Any | None = None,
    people: bool = True,
) -> Outcome:
    """:func:`process_meetings` under the per-file time limit; never raises for a bad file (its
    failure is the outcome).  Picklable arguments and result: runs in a worker process too."""
    try:
        chosen = council or council_toml(path)
        fallback = folder_council(path) if council_from_folder else None
        with time_limit():  # KB_FILE_TIME_LIMIT: a pathological file fails alone
            meetings = process_meetings(
                path,
                council=chosen,
                taxonomy=taxonomy,
                registry=registry,
                council_fallback=fallback,
                people=people,
            )
    except FileTimeout as exc:
        return "failed", str(exc)
    except NotMinutesError as exc:
        return "not-minutes", str(exc)
    except IngestError as exc:  # the previous version (if any) stays indexed
        return "failed", str(exc)
    except Exception as exc:  # noqa: BLE001 - a bug in a stage fails this file only
        return "failed", f"internal error: {type(exc).__name__}: {exc}"
    return "ok", meetings


def finish_file(
    session: IndexWriterSession, path: Path, checked: Checked, outcome: Outcome
) -> FileResult:
    """Stage a processed file's outcome in the index session; its FileResult."""
    key, digest, status = checked
    kind, value = outcome
    if kind == "not-minutes":
        session.record(key, digest, "not-minutes", reason=value)
        return FileResult(path, "not-minutes", message=value)
    if kind != "ok":
        return FileResult(path, "failed", message=value)
    meetings: list[Meeting] = value
    placed = session.put_meetings(key, digest, meetings)
    held = [m for m in meetings if m.id in placed.indexed]
    result = FileResult(
        path,
        status if held or not placed.merged else "merged",
        len(placed.item_ids),
        (placed.indexed or list(placed.merged) or [meetings[0].id])[0],
        _warnings(held),
        meeting_ids=placed.indexed,
        merged=dict(placed.merged),
        took_over=dict(placed.took_over),
    )
    return result


def _warnings(meetings: list[Meeting]) -> list[str]:
    """The warnings of ``meetings``, each once, in order."""
    return list(dict.fromkeys(w for m in meetings for w in m.warnings))


def prepare_found(
    path: Path,
    council: str | None,
    council_from_folder: bool,
    analyse: Callable[[list[Meeting]], Any] | None = None,
) -> tuple[Any, Any, Any]:
    """A worker's job: ``prepare`` the file without people ids, find its people
    (``find_people``) and run the writer's ``analyse`` on its meetings (term analysis, see
    :mod:`indexer.parallel`); returns (outcome, found people or None, analysis or None).
    The analysis only saves the writer work: if it fails, the writer analyses the text."""
    start = time.monotonic()
    outcome = prepare(path, council, council_from_folder, people=False)
    if outcome[0] != "ok":
        return outcome, None, None
    limit = timelimit.seconds()
    left = max(limit - (time.monotonic() - start), 0.001) if limit > 0 else 0.0
    try:
        with timelimit.time_limit(left):  # what is left of the file's time limit
            found = [find_people(m) for m in outcome[1]]
    except timelimit.FileTimeout as exc:
        return ("failed", str(exc)), None, None
    analysed = None
    if analyse is not None:
        try:
            analysed = analyse(outcome[1])
        except Exception:  # noqa: BLE001 - an optimisation: the writer analyses it instead
            analysed = None
    return outcome, found, analysed


def warm_up() -> None:
    """A worker's first job: import the readers, tagger and people finder and load the
    taxonomy and name lists, while the writing process loads the index writer."""
    from indexer import people, people_names, read_html, read_text, topics  # noqa: F401

    load_taxonomy()
    people_names.given_names()


#: The per-file steps a parallel ingest runs (:mod:`indexer.parallel`).
STEPS = parallel.FileSteps(
    check_file=check_file,
    finish_file=finish_file,
    add_people=add_people,
    prepare_found=prepare_found,
    result_type=FileResult,
)
