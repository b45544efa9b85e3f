"""The search request and response types (plain dataclasses; the engines fill them).

``SearchResponse.to_json()`` is exactly what ``kb search --json`` prints and the JSON API
returns.
"""

from __future__ import annotations

import datetime as dt
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SearchRequest:
    """A search: query text plus facet filters (OR within one facet, AND across facets)."""

    q: str = ""
    council: list[str] = field(default_factory=list)
    committee: list[str] = field(default_factory=list)
    speaker: list[str] = field(default_factory=list)
    topic: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)  # meeting kinds (kb.model.MEETING_KINDS)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = 10


@dataclass
class FacetValue:
    value: str
    label: str
    count: int

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled as its three fields (ResultCache keeps responses pickled: a search holds
        # hundreds of these, and the default reduction pickles each one's __dict__)
        return (FacetValue, (self.value, self.label, self.count))


@dataclass
class Hit:
    id: str
    meeting_id: str
    council: str
    council_id: str
    committee: str
    committee_id: str
    date: str | None
    item_number: str
    item_title: str
    speakers: list[str]
    topics: list[str]
    snippet: str
    snippet_html: str
    score: float
    url: str
    #: ids of near-identical items of the same meeting shown as this one result
    grouped: list[str] = field(default_factory=list)


@dataclass
class SearchResponse:
    query: str
    total: int
    page: int
    page_size: int
    results: list[Hit]
    facets: dict[str, list[FacetValue]]
    histogram: dict[int, dict[str, int]]
    suggestion: str | None
    elapsed_ms: float
    #: for plain word queries, which words a result had to match: "all", "most" or "any"
    #: (:data:`kb.ranking.MATCH_LABELS`); "" for other queries
    match: str = ""
    #: synonyms and related terms also searched, at a lower weight than the words typed
    also_searched: list[str] = field(default_factory=list)
    #: the search ran past its deadline: some facets or snippets were left out
    partial: bool = False
    #: facet → {value typed: the value meant} for filter values that match nothing
    #: (``{"speaker": {"horsfrod": "luton/greg-horsford"}}``)
    corrections: dict[str, dict[str, str]] = field(default_factory=dict)
    #: a message about how the query was read, e.g. that its words are too common to search
    #: and every item matching the filters is shown (:func:`kb.query.too_common_notice`)
    notice: str = ""

    def to_json(self) -> dict[str, Any]:
        """The ``kb search --json`` / API shape."""
        keys = ("id", "meeting_id", "council", "committee", "date", "item_number", "item_title")
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "page_size": self.page_size,
            "results": [
                {k: getattr(h, k) for k in keys}
                | {
                    "speakers": h.speakers,
                    "topics": h.topics,
                    "snippet": h.snippet,
                    "snippet_html": h.snippet_html,
                    "url": h.url,
                    "grouped": h.grouped,
                }
                for h in self.results
            ],
            "facets": {k: {f.value: f.count for f in v} for k, v in self.facets.items()},
            "histogram": {str(y): dict(c) for y, c in self.histogram.items()},
            "suggestion": self.suggestion,
            "match": self.match,
            "also_searched": self.also_searched,
            "partial": self.partial,
            "corrections": self.corrections,
            "notice": self.notice,
        }


def request_key(req: SearchRequest) -> tuple[Any, ...]:
    """A hashable key of everything in ``req`` that can change its response."""
    return (
        req.q,
        *(tuple(str(v) for v in getattr(req, f)) for f in FILTER_FIELDS),
        req.date_from,
        req.date_to,
        req.sort,
        int(req.page),
        int(req.page_size),
    )


#: The facets, in display order: each is also a request filter and a query field.
FACETS = ("council", "committee", "year", "speaker", "topic", "kind")
#: The request filters (the facets).
FILTER_FIELDS = FACETS
#: The result orders a search may ask for.
SORTS = ("relevance", "newest", "oldest")


class ResultCache:
    """A small thread-safe LRU of search responses keyed by (index state, request key).

    The caller puts the index's identity and commit generation in the key, so a new commit
    (or a rebuilt generation) can never be answered from an older entry.  ``get`` returns a
    fresh copy (entries are kept pickled, which copies faster than ``copy.deepcopy``):
    a caller that edits its response cannot change the cached one.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = max(0, size)
        self._entries: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._state: Any = None

    def get(self, state: Any, key: tuple[Any, ...]) -> SearchResponse | None:
        """The cached response for ``key`` in index ``state``, or None."""
        if not self.size:
            return None
        with self._lock:
            if state != self._state:  # a new commit: everything cached is stale
                self._entries.clear()
                self._state = state
                return None
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
        return pickle.loads(found)  # noqa: S301 - our own pickles, never from outside

    def put(self, state: Any, key: tuple[Any, ...], response: SearchResponse) -> None:
        """Remember ``response`` for ``key`` in index ``state`` (dropping the oldest entry)."""
        if not self.size:
            return
        blob = pickle.dumps(response, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if state != self._state:
                self._entries.clear()
                self._state = state
            self._entries[key] = blob
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._state = None
