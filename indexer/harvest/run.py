"""``kb harvest moderngov``: committees → meetings → each meeting's minutes → incremental ingest.

Everything lives under ``RAW/<host>/``:

- ``lists/committees.xml``, ``lists/meetings-<committee id>.xml`` — the list answers;
- ``<committee>/<date>-<meeting id>.xml`` — each GetMeeting answer, and
  ``<committee>/<date>-<meeting id>-minutes.pdf`` (or ``.docx``) when the minutes are only in
  a linked document; every body with its ``.json`` sidecar (see :mod:`indexer.harvest.fetch`);
- ``council.toml`` — the council's name, so ``kb ingest RAW/<host>`` works offline too;
- ``harvest.json`` — what is known of each meeting (written after every meeting, atomically):
  ``minutes`` / ``document`` / ``cancelled`` meetings are done and not asked for again
  (``--refresh`` asks); ``pending`` (minutes not published yet) and ``error`` meetings are
  asked for again on every later run of their committee, conditionally, even once they are
  outside the dates asked for or the list could not be read.

An interrupted harvest resumes where it stopped.  The minutes found are ingested through
:func:`indexer.pipeline.ingest` (the path ``kb ingest`` takes): unchanged files are skipped
there, and a file is marked ingested only when the ingest took it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from indexer.harvest import moderngov as mg
from indexer.harvest.fetch import Fetcher, FetchError, FetchPolicy, atomic_write, sha256
from kb.model import IngestError

STATE_NAME = "harvest.json"
#: Held (flock) while a harvest of the site runs: a second one stops with a clear message.
LOCK_NAME = ".harvest.lock"
DONE = frozenset({"minutes", "document", "cancelled"})
#: Days back from today that a harvest looks when --from is not given.
DEFAULT_DAYS = 365


class HarvestError(Exception):
    """The harvest could not start or could not read the council's committees."""


@dataclass
class HarvestOptions:
    base_url: str
    raw: Path
    index: Path
    council: str | None = None
    committees: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    refresh: bool = False
    ingest: bool = True


@dataclass
class HarvestReport:
    """What a harvest did: meetings by outcome, problems, fetch counts, ingest results."""

    outcomes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    fetches: Counter[str] = field(default_factory=Counter)
    ingest: Any | None = None  # indexer.pipeline.IngestReport
    new_sources: list[str] = field(default_factory=list)

    def summary(self) -> str:
        meetings = ", ".join(f"{n} {k}" for k, n in sorted(self.outcomes.items())) or "none"
        f = self.fetches
        return (
            f"meetings: {meetings}; requests: {f['requests']} ({f['downloaded']} downloaded, "
            f"{f['not_modified']} not modified, {f['retries']} retried); "
            f"{len(self.problems)} problem(s)"
        )


def slug(text: str) -> str:
    """A folder name for a committee title."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "committee"


class _State:
    def __init__(self, path: Path):
        self.path = path
        try:
            self.data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.data = {}
        except ValueError as exc:
            raise HarvestError(f"{path} is damaged ({exc}); move it aside to start over") from exc
        self.data.setdefault("meetings", {})

    @property
    def meetings(self) -> dict[str, dict[str, Any]]:
        return self.data["meetings"]

    def save(self) -> None:
        text = json.dumps(self.data, indent=1, ensure_ascii=False, sort_keys=True)
        atomic_write(self.path, text.encode("utf-8"))


def _council(folder: Path, given: str | None, state: _State) -> str:
    name = given or state.data.get("council")
    if not name:
        raise HarvestError("name the council once with --council (it is remembered)")
    state.data["council"] = name
    toml = folder / "council.toml"
    text = f"name = {json.dumps(name, ensure_ascii=False)}\n"
    if not toml.exists() or toml.read_text(encoding="utf-8") != text:
        atomic_write(toml, text.encode("utf-8"))
    return name


def _choose(committees: list[mg.Committee], wanted: tuple[str, ...]) -> list[mg.Committee]:
    if not wanted:
        return [c for c in committees if not c.deleted]
    chosen = []
    for w in wanted:
        key = " ".join(w.split()).lower()
        match = [c for c in committees if c.id == key or c.title.lower() == key]
        if not match:
            known = "; ".join(f"{c.id} {c.title}" for c in committees[:20])
            raise HarvestError(f"no committee {w!r} on this site (known: {known})")
        chosen += [c for c in match if c not in chosen]
    return chosen


def harvest(
    options: HarvestOptions,
    *,
    policy: FetchPolicy | None = None,
    say: Callable[[str], None] = print,
    on_meeting: Callable[[str], None] | None = None,
) -> HarvestReport:
    """Harvest one ModernGov site (see the module docstring); never stops at a bad meeting.

    Raises HarvestError when the site's committees cannot be read, a named committee does
    not exist, or another harvest of the same site into the same raw folder is running.
    ``say`` gets one line per meeting and problem; ``on_meeting`` is called with each
    meeting id after its state is saved (tests interrupt a harvest there).
    """
    try:
        base = mg.base_url(options.base_url)
    except ValueError as exc:
        raise HarvestError(str(exc)) from exc
    folder = Path(options.raw) / (urlsplit(base).netloc.replace(":", "_"))
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_NAME, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise HarvestError(
                f"another harvest of {base} is running (it holds {lock.name})"
            ) from exc
        return _harvest(options, base, folder, policy, say, on_meeting)


def _harvest(
    options: HarvestOptions,
    base: str,
    folder: Path,
    policy: FetchPolicy | None,
    say: Callable[[str], None],
    on_meeting: Callable[[str], None] | None,
) -> HarvestReport:
    state = _State(folder / STATE_NAME)
    council = _council(folder, options.council, state)
    state.data["base_url"] = base
    report = HarvestReport()
    with Fetcher(folder, {urlsplit(base).hostname or ""}, policy) as fetcher:
        run = _Run(options, base, folder, state, fetcher, report, say, on_meeting)
        try:
            run.committees()
        finally:
            report.fetches = Counter(fetcher.stats.counts)
    if options.ingest:
        _ingest(folder, council, options.index, state, report, say)
    return report


@dataclass
class _Run:
    """One harvest's walk over committees and meetings (the state saved as it goes)."""

    options: HarvestOptions
    base: str
    folder: Path
    state: _State
    fetcher: Fetcher
    report: HarvestReport
    say: Callable[[str], None]
    on_meeting: Callable[[str], None] | None

    def committees(self) -> None:
        try:
            got = self.fetcher.get(
                mg.committees_url(self.base), "lists/committees.xml", mg.check_xml("committees")
            )
            chosen = _choose(mg.parse_committees(got.body), self.options.committees)
        except (FetchError, IngestError) as exc:
            raise HarvestError(f"cannot list the committees: {exc}") from exc
        for committee in chosen:
            self.committee(committee)

    def committee(self, committee: mg.Committee) -> None:
        date_to = self.options.date_to or dt.date.today()
        date_from = self.options.date_from or date_to - dt.timedelta(days=DEFAULT_DAYS)
        url = mg.meetings_url(self.base, committee.id, date_from, date_to)
        name = f"lists/meetings-{committee.id}.xml"
        try:
            refs = mg.parse_meetings(self.fetcher.get(url, name, mg.check_xml("getmeetings")).body)
        except (FetchError, IngestError) as exc:
            self.report.problems.append(f"{committee.title}: meetings not listed: {exc}")
            self.say(f"PROBLEM {committee.title}: meetings not listed: {exc}")
            refs = []
        listed = {ref.id for ref in refs}
        for mid, entry in self.state.meetings.items():  # remembered: asked again, listed or not
            ours = entry.get("committee_id") == committee.id
            if ours and entry.get("kind") not in DONE and mid not in listed:
                day = dt.date.fromisoformat(entry["date"]) if entry.get("date") else None
                refs.append(mg.MeetingRef(mid, committee.id, committee.title, day, ""))
        for ref in refs:
            known = self.state.meetings.get(ref.id, {})
            if known.get("kind") in DONE and not self.options.refresh:
                self.report.outcomes["already harvested"] += 1
                continue
            entry = _harvest_meeting(self.fetcher, self.base, committee, ref, known)
            self.state.meetings[ref.id] = entry
            self.state.save()
            self._report(committee, ref, entry)

    def _report(self, committee: mg.Committee, ref: mg.MeetingRef, entry: dict[str, Any]) -> None:
        self.report.outcomes[entry["kind"]] += 1
        what = f"{committee.title} {ref.date.isoformat() if ref.date else 'undated'}"
        what += f" (meeting {ref.id})"
        line = f"{entry['kind']:<9} {what}"
        if entry.get("message"):
            line += f": {entry['message']}"
            self.report.problems.append(f"{what}: {entry['message']}")
        self.say(line)
        if self.on_meeting is not None:
            self.on_meeting(ref.id)


def _harvest_meeting(
    fetcher: Fetcher,
    base: str,
    committee: mg.Committee,
    ref: mg.MeetingRef,
    known: dict[str, Any],
) -> dict[str, Any]:
    """Fetch one meeting (and its minutes document); the state entry to keep for it."""
    stem = f"{slug(committee.title)}/{ref.date.isoformat() if ref.date else 'undated'}-{ref.id}"
    entry: dict[str, Any] = {
        "committee": committee.title,
        "committee_id": committee.id,
        "date": ref.date.isoformat() if ref.date else None,
        "ingested": known.get("ingested"),
        "xml": f"{stem}.xml",
    }
    try:
        got = fetcher.get(mg.meeting_url(base, ref.id), f"{stem}.xml", mg.check_xml("meeting"))
        found = mg.meeting_state(got.body)
        entry["kind"] = found.kind
        if found.kind == "minutes":
            entry["source"] = f"{stem}.xml"
        elif found.kind == "document" and found.document_url:
            fetcher.allow_host_of(found.document_url)
            docx = found.document_url.lower().endswith(".docx")
            name = f"{stem}-minutes{'.docx' if docx else '.pdf'}"
            fetcher.get(found.document_url, name, mg.check_document)
            entry["source"] = name
            entry["document_url"] = found.document_url
    except (FetchError, IngestError) as exc:
        entry["kind"] = "error"
        entry["message"] = str(exc)
        if known.get("source"):  # what was harvested before stays, and stays ingested
            entry["source"] = known["source"]
    return entry


def _ingest(
    folder: Path,
    council: str,
    index: Path,
    state: _State,
    report: HarvestReport,
    say: Callable[[str], None],
) -> None:
    """Ingest every harvested minutes file not yet ingested in its current form."""
    from indexer.pipeline import ingest

    try:  # where the engine split put it, else the writer's own module
        from kb.engine import IndexLockedError  # type: ignore[import-not-found]
    except ImportError:
        from indexer.write import IndexLockedError

    todo: dict[str, tuple[str, str]] = {}
    for mid, entry in state.meetings.items():
        source = entry.get("source")
        path = folder / source if source else None
        if path is None or not path.is_file():
            continue
        digest = sha256(path.read_bytes())
        if entry.get("ingested") != digest:
            todo[str(path.resolve())] = (mid, digest)
    if not todo:
        say("nothing new to ingest")
        return
    paths = [Path(p) for p in todo]
    try:
        result = ingest(paths, index, council=council, on_file=lambda r: say(r.line()))
    except IndexLockedError as exc:
        report.problems.append(f"not ingested (run again): {exc}")
        say(f"PROBLEM not ingested (run again): {exc}")
        return
    report.ingest = result
    for file_result in result.results:
        key = str(Path(file_result.path).resolve())
        if key in todo and file_result.status != "failed":
            mid, digest = todo[key]
            state.meetings[mid]["ingested"] = digest
            report.new_sources.append(key)
        elif key in todo:
            report.problems.append(f"{file_result.path}: ingest failed: {file_result.message}")
    state.save()
    say(result.summary())
