"""The search request and response types (plain dataclasses; ``kb.search`` fills them).

``SearchResponse.to_json()`` is exactly what ``kb search --json`` prints and the JSON API
returns.
"""

from __future__ import annotations

import datetime as dt
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
                }
                for h in self.results
            ],
            "facets": {k: {f.value: f.count for f in v} for k, v in self.facets.items()},
            "histogram": {str(y): dict(c) for y, c in self.histogram.items()},
            "suggestion": self.suggestion,
        }
