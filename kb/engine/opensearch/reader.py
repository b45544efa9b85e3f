"""Searching and browsing an OpenSearch index (through its alias).

A search is one request: the plan (:mod:`kb.engine.plan`) as a bool query, the request's
filters in filter context, terms aggregations for the facets, a ``date_histogram`` by year
with a committee sub-aggregation, ``track_total_hits`` for an exact total, and the page by
``from``/``size`` — or, for date orders past :data:`WINDOW` results, by walking
``search_after`` with the same sort (date, then agenda order, then id); relevance pages
stay on ``from``/``size``, which the index allows to the deepest page served.  Snippets are made by
:func:`kb.snippets.make_snippet` from the stored body, with the plan's terms, so they mark
the same words on both engines.  Facet labels come from the ``labels`` keyword field.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import RequestError, TransportError

from kb import analysis, ranking, spelling
from kb.deadline import Deadline
from kb.engine.base import (
    EngineUnavailable,
    IndexMissingError,
)
from kb.engine.documents import build_hit
from kb.engine.opensearch.browse import ALL, ITEM, BrowseMixin, day
from kb.engine.opensearch.client import SEP, alias_name, connect
from kb.engine.opensearch.compile import Query, to_dsl
from kb.engine.opensearch.words import Head, WordsPlan, plan_words, rerank_head, words_query
from kb.engine.plan import EveryQ, Planner, facet_filter
from kb.model import MEETING_KINDS, slugify
from kb.query import QueryError, parse
from kb.results import FACETS, FacetValue, Hit, SearchRequest, SearchResponse
from kb.suggest import NAMED_FACETS, Name, Names

#: facet → keyword field holding its values
FACET_FIELDS = {
    "council": "council_id",
    "committee": "committee_key",
    "year": "year",
    "speaker": "speaker",
    "topic": "topic",
    "kind": "kind",
}
#: values a facet lists (years: all)
FACET_LIMIT = 100
#: buckets asked for per facet: more than shown, so ties at the cut are broken by value
FACET_BUCKETS = 1000
#: deepest result reachable with from/size; deeper pages walk search_after
WINDOW = 10_000
#: documents fetched per request when walking a whole set (meetings, a person's items)
SCAN = 1000
#: what re-ranking and folding a word search's best hits reads of them
HEAD_FIELDS = ["id", "title", "body", "date", "meeting_id"]
HIT_FIELDS = [
    "id",
    "meeting_id",
    "council",
    "council_id",
    "committee",
    "committee_id",
    "date",
    "item_number",
    "title",
    "body",
    "data",
]


def _expander() -> Any | None:
    try:
        from kb.expansion import Expander

        return Expander.load()
    except Exception:  # noqa: BLE001 - a broken synonyms file must not stop searching
        return None


class OpenSearchReader(BrowseMixin):
    """Reads the index behind the alias; thread-safe (the client pools its connections)."""

    def __init__(
        self,
        index_dir: Path,
        *,
        client: OpenSearch | None = None,
        alias: str | None = None,
        expander: Any = "auto",
        settings: dict[str, Any] | None = None,
        word_ranking: bool = True,
        deadline_ms: float | None = None,
        **_options: Any,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.client = client or connect(settings)
        self.alias = alias or alias_name(settings)
        if not self.client.indices.exists_alias(name=self.alias):
            raise IndexMissingError(
                f"no OpenSearch index {self.alias!r} at the cluster (build one with: "
                "KB_ENGINE=opensearch kb ingest PATH)"
            )
        self.expander = _expander() if expander == "auto" else expander
        #: plain word queries matched by kb.ranking's levels (all, most, any of the words);
        #: False searches them as plain AND queries
        self.word_ranking = word_ranking
        #: the default time budget of a search (None: the cluster's own timeout only)
        self.deadline_ms = deadline_ms
        self._labels: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    # -- plumbing
    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.client.search(index=self.alias, body=body)  # type: ignore[no-any-return]
        except RequestError as exc:  # a query the cluster refuses (too many clauses…)
            raise QueryError(f"the search engine refused the query: {exc.error}") from exc
        except (OSConnectionError, TransportError) as exc:
            raise EngineUnavailable(f"the OpenSearch cluster is not answering: {exc}") from exc

    def _count(self, query: Query) -> int:
        try:
            return int(self.client.count(index=self.alias, body={"query": query})["count"])
        except (OSConnectionError, TransportError) as exc:
            raise EngineUnavailable(f"the OpenSearch cluster is not answering: {exc}") from exc

    def _scan(
        self, query: Query, sort: list[Any], fields: list[str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every hit of ``query`` in ``sort`` order (``id`` breaks ties), page by page."""
        body: dict[str, Any] = {"query": query, "size": SCAN, "sort": [*sort, {"id": "asc"}]}
        if fields is not None:
            body["_source"] = fields
        while True:
            hits = self._search(body)["hits"]["hits"]
            yield from hits
            if len(hits) < SCAN:
                return
            body["search_after"] = hits[-1]["sort"]

    def _values(self, field: str, query: Query = ITEM) -> dict[str, int]:
        """value → matching documents, for every value of keyword ``field``."""
        body = {"size": 0, "query": query, "aggs": {"v": {"terms": {"field": field, "size": ALL}}}}
        buckets = self._search(body)["aggregations"]["v"]["buckets"]
        return {str(b["key"]): int(b["doc_count"]) for b in buckets}

    def _years(self) -> list[str]:
        return sorted(self._values("year"))

    def label(self, facet: str, value: str) -> str:
        """A facet value's display label (looked up once per value)."""
        if facet == "year":
            return value
        if facet == "kind":
            return MEETING_KINDS.get(value, value)
        known = self._labels.get(facet, {})
        if value not in known:
            with self._lock:
                fresh: dict[str, dict[str, str]] = {}
                for entry in self._values("labels"):
                    f, v, text = (entry.split(SEP) + ["", ""])[:3]
                    fresh.setdefault(f, {}).setdefault(v, text)
                self._labels = fresh
            known = self._labels.get(facet, {})
        return known.get(value, value)

    # -- search
    def _filters(self, req: SearchRequest) -> tuple[list[Query], dict[str, Query]]:
        """(the filters every count obeys: items, dates; each chosen facet's filter — its
        values combine with OR)."""
        out: list[Query] = [ITEM]
        selected: dict[str, Query] = {}
        for facet in FACETS:
            values = [str(v).strip() for v in getattr(req, facet) if str(v).strip()]
            if values:
                selected[facet] = {"bool": {"should": [self._filter(facet, v) for v in values]}}
        if req.date_from or req.date_to:
            span: dict[str, str] = {}
            if req.date_from:
                span["gte"] = req.date_from.isoformat()
            if req.date_to:
                span["lte"] = f"{req.date_to.isoformat()}T23:59:59"
            out.append({"range": {"date": span}})
        return out, selected

    def _filter(self, facet: str, value: str) -> Query:
        """The exact facet value when the index has it (so filtering on a value gives exactly
        its facet count), else its slug, a committee name in any council, else the lenient
        field query (a committee or person's name, a council's name)."""
        field = FACET_FIELDS[facet]
        exact = value if self._count({"term": {field: value}}) else slugify(value)
        keys: list[Query] = [{"term": {field: exact}}]
        if facet == "committee" and "/" not in value:
            keys.append({"wildcard": {field: {"value": f"*/{slugify(value)}"}}})
        found: Query = {"bool": {"should": keys}}
        if self._count(found):
            return found
        plan = facet_filter(facet, value)
        return to_dsl(plan, self._years) if plan is not None else {"match_none": {}}

    @staticmethod
    def _sort(sort: str) -> list[Any]:
        if sort == "relevance":
            return [{"_score": "desc"}, {"id": "asc"}]
        newest = sort == "newest"
        date = {"order": "desc" if newest else "asc", "missing": "_last" if newest else "_first"}
        return [{"date": date}, {"order": "asc"}, {"id": "asc"}]

    @staticmethod
    def _aggs(selected: dict[str, Query]) -> dict[str, Any]:
        """Disjunctive facets: each facet counted under every chosen facet filter but its own
        (the hits obey them all, as ``post_filter``); the histogram under all of them."""

        def under(filters: list[Query], agg: dict[str, Any]) -> dict[str, Any]:
            return {"filter": {"bool": {"filter": filters}}, "aggs": {"v": agg}}

        aggs: dict[str, Any] = {
            facet: under(
                [q for f, q in selected.items() if f != facet],
                {"terms": {"field": field, "size": FACET_BUCKETS}},
            )
            for facet, field in FACET_FIELDS.items()
        }
        aggs["histogram"] = under(
            list(selected.values()),
            {
                "date_histogram": {
                    "field": "date",
                    "calendar_interval": "year",
                    "min_doc_count": 1,
                },
                "aggs": {"committee": {"terms": {"field": "committee_key", "size": FACET_BUCKETS}}},
            },
        )
        return aggs

    def search(self, req: SearchRequest, deadline: Deadline | None = None) -> SearchResponse:
        """Run ``req`` (see the module docstring); QueryError for a query that cannot run.
        ``deadline`` (default: the ``deadline_ms`` option) is the cluster's search
        ``timeout``: a search that times out there returns what the shards found in time,
        marked ``partial``; DeadlineExceeded when it has passed before the search starts."""
        began = time.perf_counter()
        deadline = deadline or Deadline(self.deadline_ms)
        deadline.check("start")
        page, page_size = max(1, int(req.page)), max(1, int(req.page_size))
        tree = parse(req.q)
        planner = Planner(self.expander)
        plan = planner.compile(tree) if tree is not None else EveryQ()
        if plan is None:
            raise QueryError("the query has only very common words; add a more specific word")
        sort = "newest" if tree is None and req.sort == "relevance" else req.sort
        base, selected = self._filters(req)
        every = [*base, *selected.values()]
        words = plan_words(tree, self.expander) if self.word_ranking else None
        match = ""
        head = Head([], [], {})
        if words is not None:  # plain words: all, else most, else any of them (kb.ranking)
            text, match = words_query(words, every, self._count, self._years)
            head = self._head(words, {"bool": {"filter": every, "must": [text]}})
        else:
            text = to_dsl(plan, self._years)
        # near-identical items shown once: left out of the whole search
        folded = [{"terms": {"id": head.folded}}] if head.folded else []
        query = {"bool": {"filter": base, "must": [text], "must_not": folded}}
        hits_query = {"bool": {"filter": every, "must": [text], "must_not": folded}}
        start = (page - 1) * page_size
        # the re-ranked head of a word search comes first; the rest in the engine's order
        lead = head.hits[start : start + page_size] if sort == "relevance" else []
        tail_from = max(start, len(head.hits)) if sort == "relevance" else start
        tail_size = max(0, start + page_size - tail_from) if sort == "relevance" else page_size
        # by date: past the window, walk search_after; by relevance: from/size (the index
        # allows it, see client.DEEPEST), since a score is a float a server may round
        deep = start + page_size > WINDOW and sort != "relevance"
        body: dict[str, Any] = {
            "query": query,
            "sort": self._sort(sort),
            "track_total_hits": True,
            "aggs": self._aggs(selected),
            "_source": HIT_FIELDS,
            "from": 0 if deep else tail_from,
            "size": 0 if deep else tail_size,
        }
        if selected:
            body["post_filter"] = {"bool": {"filter": list(selected.values())}}
        if math.isfinite(deadline.remaining()):
            body["timeout"] = f"{max(1, int(deadline.remaining() * 1000))}ms"
        found = self._search(body)
        total = int(found["hits"]["total"]["value"])
        hits = lead + found["hits"]["hits"]
        if deep and start < total:
            hits = self._deep_page(hits_query, sort, start, page_size)
        results = [self._hit(h, planner) for h in hits]
        for hit in results:
            hit.grouped = head.grouped.get(hit.id, [])
        aggs = found["aggregations"]
        facets = {
            f: self._facet_values(f, aggs[f]["v"]["buckets"], getattr(req, f)) for f in FACETS
        }
        # a relaxed search may hide a misspelt word ("cctv firaerms" finds cctv items)
        relaxed = match in ("most", "any")
        suggestion = self._suggest(planner) if total == 0 or relaxed else None
        return SearchResponse(
            query=req.q,
            total=total,
            page=page,
            page_size=page_size,
            results=results,
            facets=facets,
            histogram=_histogram(aggs["histogram"]["v"]["buckets"]),
            suggestion=suggestion,
            elapsed_ms=round((time.perf_counter() - began) * 1000, 2),
            match=match,
            also_searched=words.also_searched if words is not None else [],
            partial=bool(found.get("timed_out")),
        )

    def _head(self, words: WordsPlan, query: Query) -> Head:
        """The re-ranked, folded best hits of a word query (:func:`.words.rerank_head`)."""
        body = {
            "query": query,
            "size": ranking.RERANK_DEPTH,
            "sort": self._sort("relevance"),
            "_source": sorted({*HIT_FIELDS, *HEAD_FIELDS}),
        }
        return rerank_head(words, self._search(body)["hits"]["hits"])

    def _deep_page(self, query: Query, sort: str, start: int, size: int) -> list[dict[str, Any]]:
        """Hits ``start`` to ``start + size`` by walking ``search_after`` (no result window)."""
        body: dict[str, Any] = {"query": query, "sort": self._sort(sort), "_source": False}
        skipped = 0
        while skipped < start:
            body["size"] = min(SCAN, start - skipped)
            hits = self._search(body)["hits"]["hits"]
            if not hits:
                return []
            skipped += len(hits)
            body["search_after"] = hits[-1]["sort"]
        body.update(size=size, _source=HIT_FIELDS)
        return list(self._search(body)["hits"]["hits"])

    def _facet_values(
        self, facet: str, buckets: list[dict[str, Any]], chosen: list[Any]
    ) -> list[FacetValue]:
        """Years newest first (all); others by count descending then value, the first 100;
        a chosen value the index has is always listed (with its count, maybe 0)."""
        counts = {str(b["key"]): int(b["doc_count"]) for b in buckets}
        pairs = [(v, n) for v, n in counts.items() if n]
        if facet == "year":
            pairs.sort(reverse=True)
        else:
            pairs = sorted(pairs, key=lambda p: (-p[1], p[0]))[:FACET_LIMIT]
        listed = {v for v, _ in pairs}
        field = FACET_FIELDS[facet]
        for value in dict.fromkeys(str(v) for v in chosen):
            if value not in listed and self._count({"term": {field: value}}):
                pairs.append((value, counts.get(value, 0)))
        return [FacetValue(v, self.label(facet, v), n) for v, n in pairs]

    def names(self) -> Names:
        """The index's people, committees, councils and topics with their item counts."""
        out: list[Name] = []
        for facet in NAMED_FACETS:
            for value, count in self._values(FACET_FIELDS[facet]).items():
                label = self.label(facet, value)
                name = label.rsplit(" (", 1)[0] if facet == "committee" else label
                out.append(Name(facet, value, name, label, count))
        return Names(out)

    def complete(
        self, prefix: str, facets: tuple[str, ...] = NAMED_FACETS, limit: int = 10
    ) -> list[Name]:
        """Autocomplete: names of ``facets`` starting with ``prefix``."""
        return self.names().complete(prefix, facets, limit)

    @staticmethod
    def _hit(hit: dict[str, Any], planner: Planner) -> Hit:
        src = hit["_source"]
        return build_hit(src, day(src.get("date")), hit.get("_score") or 0.0, planner.matches)

    def _suggest(self, planner: Planner) -> str | None:
        if not planner.plain_words:
            return None
        vocabulary = _Vocabulary(self)
        out, changed = [], False
        for word in planner.plain_words:
            low = analysis.fold(word)
            if low in analysis.STOPWORDS or not low.isalpha() or len(low) < 3:
                out.append(word)
                continue
            found = spelling.suggest_word(vocabulary, low)
            if found and found != low:
                out.append(found)
                changed = True
            else:
                out.append(word)
        return " ".join(out) if changed else None

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()


class _Vocabulary:
    """The two vocabulary calls :func:`kb.spelling.suggest_word` makes, answered by the
    cluster: words within two edits (term suggester on ``t_words``, plus the word itself
    when indexed) and a term's document frequency."""

    def __init__(self, reader: OpenSearchReader) -> None:
        self.reader = reader

    def terms_within(self, field: str, word: str, maxdist: int) -> list[str]:
        body = {
            "size": 0,
            "suggest": {
                "w": {
                    "text": word,
                    "term": {
                        "field": f"t_{field}",
                        "max_edits": maxdist,
                        "suggest_mode": "always",
                        "size": 50,
                        "prefix_length": 0,
                        "min_word_length": 1,
                    },
                }
            },
        }
        found = self.reader._search(body).get("suggest", {}).get("w", [])
        words = [o["text"] for entry in found for o in entry.get("options", [])]
        if self.reader._count({"term": {f"t_{field}": word}}):
            words.append(word)
        return words

    def doc_frequency(self, field: str, term: str) -> int:
        return self.reader._count({"term": {f"t_{field}": term}})


def _histogram(buckets: list[dict[str, Any]]) -> dict[int, dict[str, int]]:
    """{year: {committee key: items}} from the date histogram, years ascending."""
    out: dict[int, dict[str, int]] = {}
    for b in buckets:
        year = dt.datetime.fromtimestamp(int(b["key"]) / 1000, dt.UTC).year
        comms = {str(c["key"]): int(c["doc_count"]) for c in b["committee"]["buckets"]}
        if comms:
            out[year] = dict(sorted(comms.items()))
    return dict(sorted(out.items()))
