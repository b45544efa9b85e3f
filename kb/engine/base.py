"""The engine boundary: what a search backend reads and writes, as typed protocols and records.

:class:`kb.service.SearchService` talks to a :class:`Reader`; ``kb ingest`` (``indexer.pipeline``)
to a :class:`WriterSession`.  Nothing outside a backend package knows how the backend stores
documents: searches arrive as :class:`kb.results.SearchRequest` (the query text is compiled
by the backend, from :mod:`kb.query`'s tree, through :mod:`kb.engine.plan`), documents as the
engine-neutral dicts of :mod:`kb.engine.documents`, and the browse methods answer with the
records below (``TypedDict``: the JSON the web app and the CLI already print).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, NotRequired, Protocol, TypedDict

from kb.deadline import Deadline
from kb.model import Meeting
from kb.results import SearchRequest, SearchResponse

Status = Literal["new", "changed", "unchanged"]


class IndexMissingError(FileNotFoundError):
    """There is no index at the given place yet (run ``kb ingest``)."""


class EngineUnavailable(RuntimeError):
    """The engine cannot answer now (a cluster down or refusing); the message says so."""


class IndexLockedError(RuntimeError):
    """Another live process is writing this index; the message names its pid."""


class IndexVersionError(RuntimeError):
    """The index was built by another version of Minutes KB (another schema): it must be
    rebuilt (``kb ingest --rebuild``) before it can be written to."""


# --------------------------------------------------------------------------- records


class ItemSummary(TypedDict):
    """The short form of an item used in lists (more-like-this, a person's items)."""

    id: str
    title: str
    meeting_id: str | None
    committee: str | None
    date: str | None
    url: str


class CommitteeSummary(TypedDict):
    """One council/committee pair with its meeting and item counts and date range."""

    council_id: str
    committee_id: str
    council: str | None
    committee: str | None
    meetings: int
    items: int
    first_date: str | None
    last_date: str | None


class PersonSummary(TypedDict):
    """A person who spoke, with the number of items they spoke in."""

    id: str
    name: str
    council_id: str
    items: int
    url: str


class PersonRecord(TypedDict):
    """One person: printed forms, and the items they spoke in / were mentioned in."""

    id: str
    name: str
    council_id: str
    forms: list[str]
    spoke_in: list[ItemSummary]
    mentioned_in: list[ItemSummary]


class TopicSummary(TypedDict):
    """One topic: items tagged, items where it is primary, items per year."""

    topic: str
    label: str
    items: int
    primary: int
    by_year: dict[str, int]


class IndexStats(TypedDict):
    """Counts of the index's contents, its date range and where/how big it is."""

    items: int
    meetings: int
    councils: int
    committees: int
    people: int
    topics: int
    first_date: str | None
    last_date: str | None
    index: str
    index_bytes: int
    engine: NotRequired[str]


#: an item as ``get_item`` returns it (the item JSON plus body, ids, url, meeting, neighbours)
ItemRecord = dict[str, Any]
#: a meeting as ``get_meeting`` returns it (the meeting JSON plus ``items``) or lists it
MeetingRecord = dict[str, Any]


# --------------------------------------------------------------------------- protocols


class Reader(Protocol):
    """A backend's read side.  Thread-safe; sees the latest commit on the next call."""

    def search(self, req: SearchRequest, deadline: Deadline | None = None) -> SearchResponse:
        """Run ``req``: ranked or sorted page, exact total, facets, histogram, suggestion.
        Raises :class:`kb.query.QueryError` for a query that cannot run and
        :class:`kb.deadline.DeadlineExceeded` when ``deadline`` passes before anything can be
        shown (later, the response is marked ``partial``)."""
        ...

    def get_item(self, item_id: str) -> ItemRecord | None: ...

    def get_meeting(self, meeting_id: str) -> MeetingRecord | None: ...

    def more_like_this(
        self, item_id: str, n: int = 5, *, body: str | None = None
    ) -> list[ItemSummary]: ...

    def meeting_ids(self) -> list[str]: ...

    def list_committees(self) -> list[CommitteeSummary]: ...

    def committee_meetings(self, council_id: str, committee_id: str) -> list[MeetingRecord]: ...

    def people(self, council: str | None = None) -> list[PersonSummary]: ...

    def person(self, person_id: str) -> PersonRecord | None: ...

    def topics_summary(self) -> list[TopicSummary]: ...

    def stats(self) -> IndexStats: ...

    def names(self) -> Any:
        """The names index (:class:`kb.suggest.Names`) of people, committees, councils and
        topics with their item counts."""
        ...

    def complete(self, prefix: str, facets: tuple[str, ...], limit: int) -> list[Any]: ...

    def close(self) -> None: ...


class WriterSession(Protocol):
    """A backend's write side: one exclusive ingest session (a context manager).

    ``put`` replaces a source's documents (a reader never sees a half-replaced source: each
    backend says how), ``record``/``remove``/``prune`` drop them, ``commit`` makes the staged
    work visible; leaving the ``with`` block commits (and, for a rebuild, swaps the new index
    in atomically), an exception discards a rebuild."""

    #: the folder of the manifest, the lock and the people registry
    index_dir: Path
    batch_size: int
    manifest: dict[str, dict[str, Any]]
    commits: int

    def __enter__(self) -> WriterSession: ...

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None: ...

    def status_of(self, source_key: str, digest: str) -> Status: ...

    def owner_of(self, meeting_id: str, *, besides: str) -> str | None: ...

    def put(self, source_key: str, digest: str, meeting: Meeting, **info: Any) -> list[str]: ...

    def put_meetings(
        self, source_key: str, digest: str, meetings: list[Meeting], **info: Any
    ) -> Any: ...

    def orphans(self) -> list[str]: ...

    def record(self, source_key: str, digest: str | None, status: str, **info: Any) -> None: ...

    def remove(self, source_key: str) -> None: ...

    def prune(self, keep: Callable[[str], bool]) -> list[str]: ...

    def commit(self, *, final: bool = False, flush: bool = False) -> None: ...


class CheckReport(Protocol):
    """What ``kb check`` prints: ``ok`` and one line per finding."""

    @property
    def ok(self) -> bool: ...

    def lines(self) -> list[str]: ...


class Backend(Protocol):
    """One engine: opens readers and writer sessions and checks an index."""

    name: str

    def open_reader(self, index_dir: Path, **options: Any) -> Reader: ...

    def open_writer(
        self, index_dir: Path, *, batch_size: int = 50, rebuild: bool = False
    ) -> WriterSession: ...

    def check(self, index_dir: Path, *, sources: bool = True) -> CheckReport: ...
