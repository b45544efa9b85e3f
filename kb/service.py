"""The search service: one façade over the chosen engine's reader (``KB_ENGINE``).

:class:`SearchService` is what the CLI and the web app read through.  It owns what does not
depend on the engine — the request limits (sort names, page and page size bounds, query
length, checked before the engine is asked) and the engine's name in ``stats()`` — and
passes everything else to the backend (:mod:`kb.engine`), which does the searching, the
caching per commit, the snippets and the suggestions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb import engine as engines
from kb.config import load
from kb.deadline import Deadline, DeadlineExceeded
from kb.engine.base import (
    CommitteeSummary,
    IndexMissingError,
    IndexStats,
    ItemRecord,
    ItemSummary,
    MeetingRecord,
    PersonRecord,
    PersonSummary,
    Reader,
    TopicSummary,
)
from kb.query import MAX_QUERY_LENGTH, QueryError
from kb.results import FACETS, SORTS, FacetValue, Hit, SearchRequest, SearchResponse
from kb.suggest import NAMED_FACETS, Name, Names

__all__ = [
    "FACETS",
    "DeadlineExceeded",
    "FacetValue",
    "Hit",
    "IndexMissingError",
    "QueryError",
    "SORTS",
    "SearchRequest",
    "SearchResponse",
    "SearchService",
]

#: The largest page a backend is asked for (the web app's own limit is lower).
MAX_PAGE_SIZE = 1000


class SearchService:
    """Searches and reads one index through the chosen engine.  Thread-safe.

    ``index_dir`` is the index folder (the embedded engine) or the folder of the ingest
    manifest (OpenSearch); ``engine`` overrides ``KB_ENGINE``; ``settings`` are the
    :mod:`kb.config` values to use (default: the environment's), other options go to the
    backend (``pool_size``, ``expander``, ``cache_size``…).  Raises IndexMissingError when
    there is no index yet."""

    def __init__(
        self,
        index_dir: str | Path,
        *,
        engine: str | None = None,
        settings: dict[str, Any] | None = None,
        **options: Any,
    ):
        self.index_dir = Path(index_dir)
        #: the settings this service was opened with (the environment's at opening when not
        #: given), so :meth:`variant` opens the same index whatever the environment is then
        self.settings = {**load(), **(settings or {})}
        self.engine = engines.engine_name(engine or self.settings.get("engine"))
        self._options = options
        self.backend: Reader = engines.open_reader(
            self.index_dir, engine=self.engine, settings=self.settings, **options
        )

    def variant(self, **options: Any) -> SearchService:
        """Another service on the same index and engine with some options changed (such as
        ``cache_size=0``); close it when done."""
        return SearchService(
            self.index_dir,
            engine=self.engine,
            settings=self.settings,
            **{**self._options, **options},
        )

    def __getattr__(self, name: str) -> Any:
        # engine-specific extras (tests and benchmarks reach the embedded engine's caches)
        if name in ("backend", "settings", "_options"):
            raise AttributeError(name)
        return getattr(self.backend, name)

    def search(self, req: SearchRequest, deadline: Deadline | None = None) -> SearchResponse:
        """Run ``req``; raises QueryError (a ValueError) for a query that cannot run, and
        DeadlineExceeded when ``deadline`` (default: the ``deadline_ms`` option) passes before
        anything can be shown (past it later, the response says ``partial``)."""
        if req.sort not in SORTS:
            raise QueryError(f"sort must be one of {', '.join(SORTS)}")
        if len(req.q) > MAX_QUERY_LENGTH:
            raise QueryError(
                f"the query is too long ({len(req.q):,} characters; the limit is "
                f"{MAX_QUERY_LENGTH})"
            )
        req.page = max(1, int(req.page))
        req.page_size = min(max(1, int(req.page_size)), MAX_PAGE_SIZE)
        return self.backend.search(req, deadline)

    def get_item(self, item_id: str) -> ItemRecord | None:
        """The full item with its meeting facts and ``prev_id``/``next_id``; None if unknown."""
        return self.backend.get_item(item_id)

    def get_meeting(self, meeting_id: str) -> MeetingRecord | None:
        """The meeting with its full items in agenda order; None when unknown."""
        return self.backend.get_meeting(meeting_id)

    def more_like_this(
        self, item_id: str, n: int = 5, *, body: str | None = None
    ) -> list[ItemSummary]:
        """Up to ``n`` other items with similar wording (``body``: the item's text, when the
        caller has it already)."""
        return self.backend.more_like_this(item_id, n, body=body)

    def meeting_ids(self) -> list[str]:
        """Every meeting id, oldest meeting first."""
        return self.backend.meeting_ids()

    def list_committees(self) -> list[CommitteeSummary]:
        """Each council/committee pair with counts and date range."""
        return self.backend.list_committees()

    def committee_meetings(self, council_id: str, committee_id: str) -> list[MeetingRecord]:
        """The meetings of one committee, oldest first."""
        return self.backend.committee_meetings(council_id, committee_id)

    def people(self, council: str | None = None) -> list[PersonSummary]:
        """People who spoke, most items first (``council``: one council only)."""
        return self.backend.people(council)

    def person(self, person_id: str) -> PersonRecord | None:
        """One person and their items; None when unknown."""
        return self.backend.person(person_id)

    def topics_summary(self) -> list[TopicSummary]:
        """Each topic with item counts, primary counts and items per year."""
        return self.backend.topics_summary()

    def names(self) -> Names:
        """The index's people, committees, councils and topics with their item counts."""
        return self.backend.names()  # type: ignore[attr-defined, no-any-return]

    def complete(
        self, prefix: str, facets: tuple[str, ...] = NAMED_FACETS, limit: int = 10
    ) -> list[Name]:
        """Autocomplete: names of ``facets`` starting with ``prefix``."""
        return self.backend.complete(prefix, facets, limit)  # type: ignore[attr-defined, no-any-return]

    def stats(self) -> IndexStats:
        """Counts, date range and where the index is; ``engine`` names the engine."""
        out = self.backend.stats()
        out["engine"] = self.engine
        return out

    def close(self) -> None:
        """Release the backend's searchers/connections (reopened if used again)."""
        self.backend.close()
