"""The embedded engine's reader: the index schema and :class:`WhooshReader` (behind
:class:`kb.service.SearchService`), the only reader of an index folder.

The index holds two kinds of documents, told apart by the ``doctype`` field:

* ``item`` — one agenda item: searchable ``title`` (boosted) / ``body`` (resolutions are
  part of the body text, so they are not indexed twice),
  facet fields (``council_id``, ``committee_key`` = ``council_id/committee_id``, ``year``,
  ``speaker`` person ids, ``topic`` ids) and ``data``, the item as JSON (resolutions,
  speakers with forms, topic tags with evidence; the body is stored once, in ``body``).
* ``meeting`` — one per meeting, ``id`` = meeting id, ``data`` = the meeting as JSON
  (attendance, times, venue, warnings, ``item_ids`` in order).  Never matched by a search.

Each phrase-searchable text field ``f`` has a field ``f_pairs`` of its adjacent word pairs,
written by the writer from the same analysed terms (:mod:`.phrases`).

Facet counts and the year × committee histogram are counted with numpy over per-field value
arrays built once per index generation (see :class:`FacetCache`), from the set of matching
document numbers: totals and counts are exact, and disjunctive (:func:`.facets.without_own`).
Snippets mark words by :mod:`kb.highlight`, suggestions come from :mod:`.didyoumean`.
Queries are compiled by :mod:`.querybuild`; word, AND/OR/NOT and phrase queries are ranked
by :mod:`.fastscore` (Whoosh's BM25F scores, in its exhaustive order), anything else by one
exhaustive Whoosh search.  Responses are cached per index generation (`kb.results.ResultCache`).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import columns, fields, index
from whoosh import query as wq
from whoosh.analysis import Composable
from whoosh.analysis import Token as WToken
from whoosh.reading import ReaderClosed
from whoosh.searching import Searcher
from whoosh.util.times import datetime_to_long

from kb import analysis
from kb.deadline import Deadline, DeadlineExceeded
from kb.engine.base import IndexMissingError
from kb.engine.documents import build_hit
from kb.engine.whoosh import fastscore, generations, mapped, wordsearch
from kb.engine.whoosh.browse import BrowseMixin, day
from kb.engine.whoosh.didyoumean import SuggestMixin
from kb.engine.whoosh.facets import FACETS, SORTS, FacetCache, without_own, word_matches
from kb.engine.whoosh.phrases import add_pair_fields
from kb.engine.whoosh.querybuild import _Compiler, field_query
from kb.engine.whoosh.textfield import KbText
from kb.highlight import Matcher, matcher_for
from kb.model import slugify
from kb.query import (
    QueryError,
    parse,
)
from kb.results import FacetValue, Hit, ResultCache, SearchRequest, SearchResponse, request_key
from kb.suggest import FEW_RESULTS

__all__ = [
    "FacetValue",
    "Hit",
    "IndexMissingError",
    "QueryError",
    "SCHEMA",
    "SearchRequest",
    "SearchResponse",
    "WhooshReader",
    "DeadlineExceeded",
]


class KbAnalyzer(Composable):
    """Whoosh adapter around :func:`kb.analysis.tokenize` (``stem=False`` for spelling)."""

    def __init__(self, stem: bool = True) -> None:
        self.stem = stem

    def __call__(  # noqa: PLR0913 - Whoosh's analyzer protocol
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[WToken]:
        t = WToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost, t.stopped = 1.0, False
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for tok in analysis.tokenize(value, do_stem=self.stem):
            t.text = tok.text
            t.boost, t.stopped = 1.0, False
            if keeporiginal:
                t.original = tok.text
            if positions:
                t.pos = start_pos + tok.pos
            if chars:
                t.startchar, t.endchar = start_char + tok.start, start_char + tok.end
            yield t


def _one_term(field: fields.NUMERIC) -> fields.NUMERIC:
    """``field`` indexed as one exact term per value instead of Whoosh's tiered range terms
    (16 for a DATETIME, 8 for an int): dates and numbers are filtered and sorted through
    their columns (:mod:`.facets`), never by range queries, and each tier is a posting
    the writer pays for."""
    field.shift_step = 0
    return field


def build_schema() -> fields.Schema:
    """The index schema (see the module docstring)."""
    text = KbAnalyzer()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        doctype=fields.ID(stored=True),
        meeting_id=fields.ID(stored=True),
        source_key=fields.ID(stored=True),
        council=fields.STORED(),
        council_id=fields.ID(stored=True),
        council_text=KbText(analyzer=text, phrase=True),
        committee=fields.STORED(),
        committee_id=fields.ID(stored=True),
        committee_key=fields.ID(stored=True),
        committee_text=KbText(analyzer=text, phrase=True),
        date=_one_term(fields.DATETIME(stored=True, sortable=True)),
        year=fields.ID(stored=True),
        kind=fields.ID(stored=True),
        item_number=fields.ID(stored=True),
        order=fields.NUMERIC(int, stored=True, sortable=True, shift_step=0),
        title=KbText(analyzer=text, stored=True, phrase=True, field_boost=2.5),
        ref=fields.ID(stored=True),
        body=KbText(analyzer=text, stored=True, phrase=True),
        body_rest=fields.COLUMN(columns.CompressedBytesColumn()),  # see .bodies
        speaker=fields.KEYWORD(commas=True, stored=True),
        speaker_names=KbText(analyzer=text, phrase=True),
        mentioned=fields.KEYWORD(commas=True, stored=True),
        topic=fields.KEYWORD(commas=True, stored=True),
        topic_primary=fields.KEYWORD(commas=True, stored=True),
        topic_text=KbText(analyzer=text, phrase=True),
        words=KbText(analyzer=KbAnalyzer(stem=False), stem=False, phrase=False),
        source=fields.STORED(),
        page_start=fields.NUMERIC(int, stored=True, shift_step=0),
        page_end=fields.NUMERIC(int, stored=True, shift_step=0),
        ocr=fields.BOOLEAN(stored=True),
        data=fields.STORED(),
    )
    return add_pair_fields(schema)  # the phrase fields' word pairs (kb.engine.whoosh.phrases)


SCHEMA = build_schema()

#: read segment files through their memory map instead of copying them (see kb.engine.whoosh.mapped)
mapped.install()


# --------------------------------------------------------------------------- facets


# --------------------------------------------------------------------------- the service


def _load_expander() -> Any | None:
    try:
        from kb.expansion import Expander
    except ImportError:
        return None
    try:
        return Expander.load()
    except Exception:  # noqa: BLE001 - a broken synonyms file must not stop searching
        return None


def _close_all(pool: list[Searcher], lock: threading.Lock) -> None:
    """Empty ``pool`` (in place) and close its searchers."""
    with lock:
        searchers = pool[:]
        pool.clear()
    for s in searchers:
        s.close()


class WhooshReader(BrowseMixin, SuggestMixin):
    """Searches and reads one index folder.  Thread-safe: searchers come from a small pool
    and are refreshed on checkout, so a commit by ``kb ingest`` shows on the next call.
    The index path is re-resolved on every checkout: when ``kb ingest --rebuild`` swaps its
    link to a new generation (:mod:`.generations`), the next call reads the new one."""

    def __init__(
        self,
        index_dir: str | Path,
        *,
        pool_size: int = 4,
        expander: Any = "auto",
        cache_size: int = 256,
        postings_cache_mb: int = 64,
        word_ranking: bool = True,
        deadline_ms: float | None = None,
    ):
        self.index_dir = Path(index_dir)
        if not index.exists_in(str(self.index_dir)):
            raise IndexMissingError(
                f"no index at {self.index_dir} (build one with: kb ingest PATH --index DIR)"
            )
        self._real = generations.current(self.index_dir)
        self._ix = index.open_dir(str(self._real))
        self._pool: list[Searcher] = []
        self._pool_size = pool_size
        #: a search's default time limit (``KB_SEARCH_DEADLINE_MS``; None: none)
        self.deadline_ms = deadline_ms
        self._lock = threading.Lock()
        self._facets: FacetCache | None = None
        self._facets_ix: Any = None
        self.expander = _load_expander() if expander == "auto" else expander
        #: plain word queries ranked by kb.ranking (AND, then relaxed; synonyms weighted;
        #: text boosts); False searches them as plain Whoosh AND queries ranked by BM25F
        self.word_ranking = word_ranking
        #: recent responses, keyed by index identity + commit generation (see ``search``)
        self.results_cache = ResultCache(cache_size)
        #: decoded postings of recent words per segment (see fastscore.PostingsCache)
        self.postings = fastscore.PostingsCache(postings_cache_mb * 2**20)
        # a service dropped without close() (an app torn down) still closes its searchers'
        # files; the pool list is the one object both share (close() empties it in place)
        weakref.finalize(self, _close_all, self._pool, self._lock)

    # -- plumbing
    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """Check out a searcher that sees the latest commit; it returns to the pool after."""
        ix = self._current_index()
        with self._lock:
            s = self._pool.pop() if self._pool else None
        if s is not None and s._ix is not ix:  # pooled from a generation since swapped out
            s.close()
            s = None
        try:
            s = ix.searcher() if s is None else s.refresh()
        except (OSError, ReaderClosed):
            # Whoosh's refresh races a commit deleting old segment files: its retry then
            # closes the old readers twice (ReaderClosed).  A fresh searcher retries cleanly.
            s = ix.searcher()
        except index.EmptyIndexError:
            # a plain index folder was moved behind a generation link (the first rebuild)
            # between resolving the path and reading its TOC: resolve it again
            ix = self._current_index()
            s = ix.searcher()
        try:
            yield s
        finally:
            with self._lock:
                if len(self._pool) < self._pool_size:
                    self._pool.append(s)
                    s = None
            if s is not None:
                s.close()

    def _current_index(self) -> Any:
        """The open index of the folder the index path points at now."""
        real = generations.current(self.index_dir)
        for _ in range(20):  # a plain index folder is being moved behind a link (~µs, once)
            if real.exists():
                break
            time.sleep(0.005)
            real = generations.current(self.index_dir)
        if real != self._real:
            try:
                ix = index.open_dir(str(real))
            except (OSError, index.EmptyIndexError):  # mid-swap: keep reading the old one
                return self._ix
            with self._lock:
                self._ix, self._real, self._facets = ix, real, None
        return self._ix

    @staticmethod
    def _term(fieldname: str, value: str) -> wq.Query:
        return wq.Term(fieldname, value)

    @staticmethod
    def _all(queries: list[wq.Query]) -> wq.Query:
        return wq.And(queries)

    @staticmethod
    def _prefix(fieldname: str, text: str) -> wq.Query:
        return wq.Prefix(fieldname, text)

    def close(self) -> None:
        """Close the pooled searchers (the service opens new ones if used again)."""
        _close_all(self._pool, self._lock)

    def _facet_cache(self, s: Searcher) -> FacetCache:
        cache = self._facets
        stale = cache is None or cache.generation != s.reader().generation()
        if stale or self._facets_ix is not s._ix:  # generation numbers repeat across folders
            folder = Path(s._ix.storage.folder)
            # a generation folder swapped in shares no segments with the last one
            previous = cache if self._facets_ix is s._ix else None
            cache = FacetCache(s, previous=previous, folder=folder)
            cache.lengths = fastscore.FieldLengths(cache.size)
            self._facets = cache
            self._facets_ix = s._ix
        return cache

    # -- search
    def search(self, req: SearchRequest, deadline: Deadline | None = None) -> SearchResponse:
        """Run ``req``; raises QueryError (a ValueError) for a query that cannot run.

        ``deadline`` (default: ``deadline_ms`` from the constructor) is checked while ranking,
        counting facets and building snippets.  Past it before the matches are ranked,
        :class:`DeadlineExceeded` is raised ("this search took too long"); past it later,
        the facets and snippets not yet built are left out and the response says
        ``partial`` (a partial response is not cached)."""
        began = time.perf_counter()
        deadline = deadline or Deadline(self.deadline_ms)
        if req.sort not in SORTS:
            raise QueryError(f"sort must be one of {', '.join(SORTS)}")
        page, page_size = max(1, int(req.page)), min(max(1, int(req.page_size)), 1000)
        tree = parse(req.q)
        compiler = _Compiler(self.expander)
        text_q = compiler.compile(tree) if tree is not None else wq.Every()
        if text_q is None:
            raise QueryError("the query has only very common words; add a more specific word")
        sort = "newest" if tree is None and req.sort == "relevance" else req.sort
        key = request_key(req)
        with self.searcher() as s:
            # a new commit or a rebuilt generation folder misses the cache (an id() could be
            # reused by a later index object with the same commit number)
            state = (s._ix.storage.folder, s.reader().generation())
            cached = self.results_cache.get(state, key)
            if cached is not None:
                cached.elapsed_ms = round((time.perf_counter() - began) * 1000, 2)
                return cached
            cache = self._facet_cache(s)
            base = cache.items.copy()
            if req.date_from or req.date_to:
                lo = dt.datetime.combine(req.date_from or dt.date.min, dt.time.min)
                hi = dt.datetime.combine(req.date_to or dt.date.max, dt.time.max)
                dates = cache.dates
                base &= (dates >= datetime_to_long(lo)) & (dates <= datetime_to_long(hi))
            selected: dict[str, np.ndarray] = {}
            for facet in FACETS:
                values = [str(v).strip() for v in getattr(req, facet) if str(v).strip()]
                if values:
                    selected[facet] = self._filter_mask(s, cache, facet, values)
            filters = base.copy()
            for chosen in selected.values():
                filters &= chosen
            mask = filters.copy()
            text: np.ndarray | None = None  # the text query's matches, before any filter
            ranked: tuple[np.ndarray, np.ndarray] | None = None
            word_plan = wordsearch.plan(tree, self.expander) if self.word_ranking else None
            match, grouped = "", {}
            if word_plan is not None:  # plain words: AND, else relaxed (kb.ranking)
                words = wordsearch.rank_words(
                    s, word_plan, cache.lengths, self.postings, mask, deadline=deadline
                )
                match, grouped = words.level, words.grouped
                text = word_matches(cache, words, mask)
                if sort == "relevance":
                    ranked = (words.docs, words.scores)
            elif tree is not None and sort == "relevance":  # one scored pass gives both
                ranked = fastscore.rank(
                    s, text_q, cache.lengths, self.postings, ordered=False, deadline=deadline
                )
                if ranked is None:  # not a plain word query: Whoosh ranks, filter first
                    narrowed = bool(selected or req.date_from or req.date_to)
                    allowed = set(np.flatnonzero(mask).tolist()) if narrowed else None
                    ranked = fastscore.exhaustive(s, text_q, allowed, deadline)
                    if selected:  # facet counts also need the matches outside the filters
                        text = cache.mask(s.docs_for_query(text_q))
                if text is None:
                    text = cache.mask(ranked[0])
            elif tree is not None:
                text = cache.mask(s.docs_for_query(text_q))
            if text is not None:
                mask &= text
            total = int(mask.sum())
            start = (page - 1) * page_size
            if ranked is not None:  # a blank query has no relevance: newest first
                docs, scores = ranked
                keep = mask[docs]
                docs, scores = fastscore.page(docs[keep], scores[keep], start, page_size)
                page_hits = list(zip(docs.tolist(), scores.tolist(), strict=True))
            else:
                ordered = cache.order(np.flatnonzero(mask), newest=sort == "newest")
                page_hits = [(int(d), 0.0) for d in ordered[start : start + page_size]]
            matcher = matcher_for(tree, self.expander)
            hits = [
                self._hit(s.stored_fields(d), score, matcher, deadline) for d, score in page_hits
            ]
            for hit, (d, _score) in zip(hits, page_hits, strict=True):
                hit.grouped = grouped.get(d, [])
            # disjunctive facets: each facet counts under every filter but its own
            matched = base if text is None else base & text
            facets: dict[str, list[FacetValue]] = {f: [] for f in FACETS}
            found = np.flatnonzero(mask)  # the matches' docnums, once for every count
            for facet in FACETS:  # past the deadline the rest are left empty (partial)
                if deadline.expired():
                    break
                own = facet in selected
                counted = without_own(matched, selected, facet) if own else mask
                chosen = getattr(req, facet)
                docs = None if own else found
                facets[facet] = self._facet_values(s, cache, facet, counted, chosen, docs)
            histogram = cache.histogram(mask, found) if not deadline.expired() else {}
            # a relaxed search may hide a misspelt word ("cctv firaerms" finds cctv items)
            relaxed = match in ("most", "any")
            suggestion, corrections = None, {}
            if not deadline.expired():  # suggestions are a nicety: never past the deadline
                if tree is not None and (total <= FEW_RESULTS or relaxed):
                    suggestion = self._suggest(s, cache, req.q, tree, filters, total, relaxed)
                if total == 0:
                    corrections = self._corrections(s, cache, req, selected)
        response = SearchResponse(
            query=req.q,
            total=total,
            page=page,
            page_size=page_size,
            results=hits,
            facets=facets,
            histogram=histogram,
            suggestion=suggestion,
            match=match,
            also_searched=word_plan.also_searched if word_plan is not None else [],
            elapsed_ms=round((time.perf_counter() - began) * 1000, 2),
            corrections=corrections,
            partial=deadline.hit,
        )
        if not response.partial:
            self.results_cache.put(state, key, response)
        return response

    @staticmethod
    def _filter_mask(s: Searcher, cache: FacetCache, facet: str, values: list[str]) -> Any:
        """Docs matching any of ``values`` for ``facet``: the exact facet value when the index
        has it (so filtering on a value gives exactly its facet count), else the lenient
        field query (a committee or person's name, a council's name)."""
        union = np.zeros(cache.size, dtype=bool)
        for value in values:
            slug = slugify(value)
            keys = [value] if value in cache.codes_of[facet] else [slug]
            if facet == "committee" and "/" not in value:  # a committee name, any council
                keys += [k for k in cache.values["committee"] if k.endswith("/" + slug)]
            exact = cache.values_mask(facet, keys)
            if exact is not None:
                union |= exact
                continue
            q = field_query(facet, value)
            if q is not None:
                union |= cache.mask(s.docs_for_query(q))
        return union

    @staticmethod
    def _facet_values(  # noqa: PLR0913 - the facet, its matches, then their docnums
        s: Searcher,
        cache: FacetCache,
        facet: str,
        mask: np.ndarray,
        chosen: list[Any],
        docs: np.ndarray | None = None,
    ) -> list[FacetValue]:
        """The facet's values among ``mask`` (``docs``: its docnums, when known): years
        newest first, others the 100 commonest; a chosen value the index has is always
        listed (with its count, maybe 0)."""
        top = cache.top(facet, mask, limit=100, docs=docs)
        if chosen:
            listed = {v for v, _ in top}
            extra = [str(v) for v in chosen if str(v) in cache.codes_of[facet]]
            extra = [v for v in dict.fromkeys(extra) if v not in listed]
            if extra:
                counts = cache.counts(facet, mask)
                top += [(v, counts.get(v, 0)) for v in extra]
        labels = cache.labels[facet]  # the labels known; others are looked up once
        return [
            FacetValue(v, labels[v] if v in labels else cache.label(s, facet, v), n) for v, n in top
        ]

    @staticmethod
    def _hit(stored: dict[str, Any], score: float, matcher: Matcher, deadline: Deadline) -> Hit:
        return build_hit(stored, day(stored.get("date")), score, matcher, deadline)
