"""Vectorised BM25F ranking of plain word queries, giving Whoosh's own scores.

Whoosh scores a match at a time in Python (a matcher tree, a scorer call per posting), which
is most of a search's time on a broad word.  For a query built only of ``Term`` (on a scored
text field), ``Or``, ``And`` and ``AndNot``, :func:`rank` reads each term's postings a block
at a time into numpy arrays and evaluates the same BM25F formula, term by term, with the
statistics Whoosh uses (its ``idf``, average field length and per-document field lengths):
the scores are Whoosh's, bit for bit for up to two terms per node (sums of more terms may
differ in the last bit from Whoosh's tree order).  A quoted phrase (slop 1) is matched from
the word-pair postings of :mod:`kb.engine.whoosh.phrases` where the index has them, else
from the words' postings and positions, and scored as Whoosh scores it.  Anything else
(prefixes, ranges, boosts, another weighting) gives ``None`` and the caller asks Whoosh.
``tests/test_search_equivalence.py`` compares the two on real minutes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from whoosh import collectors
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from kb.deadline import Deadline, DeadlineExceeded
from kb.engine.whoosh import postcache
from kb.engine.whoosh.segcache import numeric_column
from kb.engine.whoosh.textfield import positions_decoder

#: phrase candidates / postings blocks between deadline checks
_CHECK_EVERY = 256


class _Unsupported(Exception):
    """The query has a part this module does not score; Whoosh must."""


class FieldLengths:
    """Per-document field lengths (as Whoosh's scorer sees them), built once per field."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._arrays: dict[str, np.ndarray] = {}

    def get(self, reader: Any, fieldname: str) -> np.ndarray:
        """The lengths of ``fieldname`` per docnum, read through ``reader`` the first time
        (any open reader of this index generation)."""
        found = self._arrays.get(fieldname)
        if found is None:
            try:
                found = _length_columns(reader, fieldname, self.size)
            except (AttributeError, TypeError, ValueError):  # not the whoosh3 codec
                dfl = reader.doc_field_length
                found = np.fromiter(
                    (dfl(d, fieldname, 1) or 0 for d in range(self.size)),
                    dtype=np.float64,
                    count=self.size,
                )
            self._arrays[fieldname] = found
        return found


#: byte → field length, as ``whoosh.util.numeric.byte_to_length`` decodes it
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def _length_columns(reader: Any, fieldname: str, size: int) -> np.ndarray:
    """Per-document lengths read from each segment's length column (byte 0 → 0: such a
    document has no words in the field, so no term of it is ever scored there)."""
    parts = []
    for seg, _offset in reader.leaf_readers():
        count = seg.doc_count_all()
        column = seg._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            parts.append(np.zeros(count, dtype=np.float64))
            continue
        raw = numeric_column(column, count)  # the column's bytes, read at once
        if raw is None:
            raw = np.fromiter(column, dtype=np.uint8, count=count)
        parts.append(_BYTE_LENGTHS[raw])
    out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float64)
    if len(out) != size:
        raise ValueError("segment sizes do not add up")
    return out


def rank(
    searcher: Any,
    q: Any,
    lengths: FieldLengths,
    postings: PostingsCache | None = None,
    *,
    ordered: bool = True,
    deadline: Deadline | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Every document matching ``q`` as (docnums, scores), ordered as Whoosh's exhaustive
    search orders them (score descending, then docnum), or in docnum order when not
    ``ordered`` (:func:`page` then orders just one page); None when ``q`` is not a plain
    word query.  Deleted documents may be included: the caller masks them out.  With
    ``postings``, each segment's decoded postings of a word are kept there for next time.
    Past ``deadline`` (checked between postings blocks, query parts and phrase candidates)
    it raises :class:`kb.deadline.DeadlineExceeded`: a ranking cut short has no order."""
    if type(searcher.weighting) is not BM25F:
        return None
    try:
        docs, found = _evaluate(searcher, q, lengths, postings, deadline or Deadline.none())
    except _Unsupported:
        return None
    if not ordered:
        return docs, found
    order = np.lexsort((docs, -found))
    return docs[order], found[order]


def exhaustive(
    s: Any, q: Any, allowed: set[int] | None = None, deadline: Deadline | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Every match of ``q`` (among ``allowed`` docnums, when given) as (docnums, scores)
    ranked by Whoosh itself, for queries :func:`rank` does not score, in Whoosh's exhaustive
    ranking order (score descending, then docnum): one scored pass, no block-quality
    skipping (which can change the top 10 of a multi-field AND), no second pass to count,
    and documents outside ``allowed`` are never scored.  Past ``deadline`` (checked between
    matches) it raises :class:`kb.deadline.DeadlineExceeded`."""
    deadline = deadline or Deadline.none()
    deadline.check("ranking")
    collector = s.collector(limit=None, filter=allowed)
    if deadline.budget_ms:
        collector = collectors.TimeLimitCollector(
            collector, timelimit=max(deadline.remaining(), 0.001), use_alarm=False
        )
    try:
        s.search_with_collector(q, collector)
    except collectors.TimeLimit:
        deadline.hit = True
        raise DeadlineExceeded(float(deadline.budget_ms or 0), "ranking") from None
    top = collector.results().top_n
    docs = np.fromiter((d for _, d in top), dtype=np.int64, count=len(top))
    scores = np.fromiter((float(sc or 0.0) for sc, _ in top), dtype=np.float64, count=len(top))
    return docs, scores


def page(
    docs: np.ndarray, scores: np.ndarray, start: int, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Items ``start`` to ``start + count`` of (docs, scores) in ranking order (score
    descending, then docnum), sorting only the documents that can be on that page: those
    scoring at least the ``start + count``-th best score."""
    end = start + count
    if end < len(docs):
        neg = -scores
        cut = np.partition(neg, end - 1)[end - 1]  # the end-th best score, negated
        near = np.flatnonzero(neg <= cut)  # every doc that could rank before the end
        docs, scores = docs[near], scores[near]
    order = np.lexsort((docs, -scores))[start:end]
    return docs[order], scores[order]


def _evaluate(
    searcher: Any,
    q: Any,
    lengths: FieldLengths,
    postings: PostingsCache | None,
    deadline: Deadline,
) -> tuple[np.ndarray, np.ndarray]:
    """(matching docnums ascending, their scores) of one query node.

    Sparse: only the postings of the node's terms are touched (no array over the whole
    index per term or node).  Each matching document's score is added up part by part in
    the query's own order, starting from 0.0, exactly as a dense per-document array of
    zeros would add them (``x + 0.0 == x``), so the scores are the same bits."""
    deadline.check("ranking")
    if getattr(q, "boost", 1.0) != 1.0:
        raise _Unsupported
    if type(q) is wq.Term:
        return _term_scores(searcher, q.fieldname, q.text, lengths, None, postings, deadline)
    if type(q) is wq.Phrase and q.slop == 1 and len(q.words) >= 2:
        from kb.engine.whoosh import phrases  # imports this module

        found = phrases.match(searcher, q.fieldname, q.words, deadline)
        if found is not None:
            return _pair_phrase(searcher, q.fieldname, q.words, lengths, *found)
        mask, scores = _phrase(searcher, q.fieldname, q.words, lengths, deadline)
        docs = np.flatnonzero(mask)
        return docs, scores[docs]
    if type(q) is wq.Or and not q.minmatch and not q.scale:
        parts = [_evaluate(searcher, sub, lengths, postings, deadline) for sub in q.subqueries]
        docs = _union([d for d, _ in parts])
        scores = np.zeros(len(docs), dtype=np.float64)
        for sub_docs, sub_scores in parts:
            scores[np.searchsorted(docs, sub_docs)] += sub_scores
        return docs, scores
    if type(q) is wq.And:
        parts = [_evaluate(searcher, sub, lengths, postings, deadline) for sub in q.subqueries]
        docs = _intersection([d for d, _ in parts])
        scores = np.zeros(len(docs), dtype=np.float64)
        for sub_docs, sub_scores in parts:
            scores += sub_scores[np.searchsorted(sub_docs, docs)]
        return docs, scores
    if isinstance(q, wq.AndNot):
        docs, scores = _evaluate(searcher, q.a, lengths, postings, deadline)
        ids = np.fromiter(searcher.docs_for_query(q.b), dtype=np.int64)
        keep = ~np.isin(docs, ids)
        return docs[keep], scores[keep]
    raise _Unsupported


def _union(arrays: list[np.ndarray]) -> np.ndarray:
    """The sorted distinct docnums of any of ``arrays`` (each sorted and distinct)."""
    arrays = [a for a in arrays if len(a)]
    if not arrays:
        return np.zeros(0, dtype=np.int64)
    if len(arrays) == 1:
        return arrays[0]
    # a stable sort of sorted runs is a merge (timsort); then drop the repeats
    merged = np.sort(np.concatenate(arrays), kind="stable")
    keep = np.ones(len(merged), dtype=bool)
    keep[1:] = merged[1:] != merged[:-1]
    return merged[keep]


def _intersection(arrays: list[np.ndarray]) -> np.ndarray:
    """The sorted docnums in every one of ``arrays`` (each sorted and distinct), smallest
    first so that each step narrows the fewest candidates."""
    if not arrays:
        return np.zeros(0, dtype=np.int64)
    ordered = sorted(arrays, key=len)
    docs = ordered[0]
    for other in ordered[1:]:
        if not len(docs):
            break
        at = np.searchsorted(other, docs)
        at[at == len(other)] = 0  # past the end: compared below, never equal unless found
        docs = docs[other[at] == docs] if len(other) else docs[:0]
    return docs


def _phrase(
    searcher: Any,
    fieldname: str,
    words: list[str],
    lengths: FieldLengths,
    deadline: Deadline,
) -> tuple[np.ndarray, np.ndarray]:
    """Whoosh's ``Phrase`` (slop 1): documents with the words at consecutive positions,
    scored as the sum of the words' term scores (Whoosh's span matcher scores its
    intersection of term matchers, summed as a binary tree: a + (b + c))."""
    size = lengths.size
    values: list[list[Any]] = [[] for _ in words]
    parts = [
        _term(searcher, fieldname, w, lengths, values[i], deadline=deadline)
        for i, w in enumerate(words)
    ]
    candidates = np.ones(size, dtype=bool)
    for mask, _scores, _docs in parts:
        candidates &= mask
    found = np.zeros(size, dtype=bool)
    docs = np.flatnonzero(candidates)
    if len(docs):
        decode = positions_decoder(searcher.schema[fieldname].format)
        # each word's raw posting value for each candidate (postings are in docnum order)
        rows = [np.searchsorted(term_docs, docs).tolist() for _m, _s, term_docs in parts]
        for n, doc in enumerate(docs.tolist()):
            if n % _CHECK_EVERY == 0:
                deadline.check("phrase matching")
            starts = decode(values[0][rows[0][n]])
            for offset in range(1, len(words)):
                later = decode(values[offset][rows[offset][n]])
                starts = starts[sorted_member(starts + offset, later)]
                if not len(starts):
                    break
            found[doc] = bool(len(starts))
    return found, np.where(found, _tree_sum([sc for _m, sc, _d in parts]), 0.0)


def sorted_member(values: np.ndarray, sorted_array: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_array)`` for non-negative ``values`` and a sorted
    ``sorted_array`` (a word's positions in one item), in time linear in the two and the
    item's length (a flag per position) instead of sorting both: a word used 200,000 times
    in one item takes a few milliseconds, not tens of them."""
    if not len(sorted_array) or not len(values):
        return np.zeros(len(values), dtype=bool)
    flags = np.zeros(int(max(sorted_array[-1], values.max())) + 1, dtype=bool)
    flags[sorted_array] = True
    return flags[values]


def _tree_sum(arrays: list[np.ndarray]) -> np.ndarray:
    """Sum as ``whoosh.util.make_binary_tree`` nests its matchers: a + (b + c)."""
    if len(arrays) == 1:
        return arrays[0]
    half = len(arrays) // 2
    return _tree_sum(arrays[:half]) + _tree_sum(arrays[half:])


def _term(
    searcher: Any,
    fieldname: str,
    text: Any,
    lengths: FieldLengths,
    values: list[Any] | None = None,
    postings: PostingsCache | None = None,
    deadline: Deadline | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mask, scores, its docnums in order) of one term; with ``values``, its raw posting
    values are appended there in the same order."""
    size = lengths.size
    docs, found = _term_scores(searcher, fieldname, text, lengths, values, postings, deadline)
    mask, scores = np.zeros(size, dtype=bool), np.zeros(size, dtype=np.float64)
    scores[docs] = found
    mask[docs] = True
    return mask, scores, docs


def _term_scores(  # noqa: PLR0913 - the scoring inputs, then the deadline
    searcher: Any,
    fieldname: str,
    text: Any,
    lengths: FieldLengths,
    values: list[Any] | None = None,
    postings: PostingsCache | None = None,
    deadline: Deadline | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(docnums ascending, BM25F scores) of one term; with ``values``, its raw posting
    values are appended there in the same order."""
    if fieldname not in searcher.schema.names():
        raise _Unsupported
    field = searcher.schema[fieldname]
    if not field.scorable:
        raise _Unsupported
    text = field.to_bytes(text) if not isinstance(text, bytes) else text
    docs, weights = _postings(searcher, fieldname, text, values, postings, deadline)
    if not len(docs):
        return docs, np.zeros(0, dtype=np.float64)
    fl = lengths.get(searcher.reader(), fieldname)[docs]
    return docs, _bm25(searcher, fieldname, text, weights, fl)


def _bm25(
    searcher: Any, fieldname: str, text: bytes, weights: np.ndarray, fl: np.ndarray
) -> np.ndarray:
    """The BM25F scores of term ``text`` with posting ``weights`` in documents of field
    lengths ``fl`` (whoosh.scoring.bm25, operation for operation)."""
    w = searcher.weighting
    idf = searcher.idf(fieldname, text)
    avgfl = searcher.avg_field_length(fieldname) or 1
    b, k1 = w._field_B.get(fieldname, w.B), w.K1
    return idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * fl / avgfl)))


def _pair_phrase(
    searcher: Any,
    fieldname: str,
    words: list[str],
    lengths: FieldLengths,
    docs: np.ndarray,
    weights: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, scores) of a phrase matched by :func:`kb.engine.whoosh.phrases.match` in
    ``docs`` with each word's posting ``weights`` there: :func:`_phrase`'s scores."""
    if fieldname not in searcher.schema.names() or not searcher.schema[fieldname].scorable:
        raise _Unsupported
    if not len(docs):
        return docs, np.zeros(0, dtype=np.float64)
    field = searcher.schema[fieldname]
    fl = lengths.get(searcher.reader(), fieldname)[docs]
    parts = [
        _bm25(searcher, fieldname, field.to_bytes(w), weights[:, i], fl)
        for i, w in enumerate(words)
    ]
    return docs, _tree_sum(parts)


def _postings(
    searcher: Any,
    fieldname: str,
    text: bytes,
    values: list[Any] | None = None,
    cache: PostingsCache | None = None,
    deadline: Deadline | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """All (global docnum, weight) postings of a term, read a block at a time (docnums
    ascending); with ``values``, the raw posting values are appended there too (and
    ``cache`` is not used); else each segment's part comes from its saved postings
    (:mod:`.postcache`, frequent words) or ``cache`` when there."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for sub, offset in searcher.subsearchers or [(searcher, 0)]:
        reader = sub.reader()
        saved = postcache.for_reader(reader) if values is None else None
        found = saved.get(fieldname, text) if saved is not None else None
        if found is not None:  # decoded at commit, memory-mapped (see postcache)
            if len(found[0]):
                ids.append(found[0].astype(np.int64) + offset)
                weights.append(np.asarray(found[1]))
            continue
        key = None
        if cache is not None and values is None and hasattr(reader, "segment"):
            key = (reader.segment().segment_id(), fieldname, text)
            found = cache.get(key)
            if found is not None:
                if len(found[0]):
                    ids.append(found[0].astype(np.int64) + offset)
                    weights.append(found[1])
                continue
        seg_ids, seg_weights = _read_segment(reader, fieldname, text, values, deadline)
        if key is not None:
            cache.put(key, (seg_ids.astype(np.int32), seg_weights))  # type: ignore[union-attr]
        if len(seg_ids):
            ids.append(seg_ids + offset)
            weights.append(seg_weights)
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(ids), np.concatenate(weights)


def _read_segment(
    reader: Any,
    fieldname: str,
    text: bytes,
    values: list[Any] | None,
    deadline: Deadline | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(local docnums, weights) of a term in one segment, a block at a time (checking
    ``deadline`` every few blocks)."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    m = _leaf(reader, fieldname, text)
    while m is not None and m.is_active():
        if deadline is not None and len(ids) % _CHECK_EVERY == _CHECK_EVERY - 1:
            deadline.check("reading postings")
        m._read_ids()
        m._read_weights()
        ids.append(np.asarray(m._ids, dtype=np.int64))
        weights.append(np.asarray(m._weights, dtype=np.float64))
        if values is not None:
            m._read_values()
            values.extend(m._values)
        m._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(ids), np.concatenate(weights)


class PostingsCache:
    """Decoded postings per (segment id, field, term): (int32 local docnums, float64
    weights), least recently used dropped beyond ``max_bytes``.  A segment never changes,
    so an entry is never stale; a segment merged away is simply never asked for again.
    Thread-safe; entries are read-only arrays."""

    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self.max_bytes = max(0, max_bytes)
        self.bytes = 0
        self.hits = self.misses = 0
        self._entries: OrderedDict[tuple[str, str, bytes], tuple[np.ndarray, np.ndarray]]
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, bytes]) -> tuple[np.ndarray, np.ndarray] | None:
        """The cached postings of ``key``, or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: tuple[str, str, bytes], value: tuple[np.ndarray, np.ndarray]) -> None:
        """Keep ``value`` for ``key`` (unless it alone is over the budget)."""
        size = sum(a.nbytes for a in value) + 200
        if size > self.max_bytes:
            return
        for a in value:
            a.flags.writeable = False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= sum(a.nbytes for a in old) + 200
            self._entries[key] = value
            self.bytes += size
            while self.bytes > self.max_bytes and self._entries:
                _k, dropped = self._entries.popitem(last=False)
                self.bytes -= sum(a.nbytes for a in dropped) + 200


def _leaf(reader: Any, fieldname: str, text: bytes) -> Any:
    """The term's block-reading posting matcher in one segment (None when it is absent)."""
    if (fieldname, text) not in reader:
        return None
    m = reader.postings(fieldname, text)
    while not hasattr(m, "_read_ids") and hasattr(m, "child"):  # deletions filter
        m = m.child
    needed = ("_read_ids", "_read_weights", "_read_values", "_next_block")
    if not all(hasattr(m, a) for a in needed):
        raise _Unsupported
    return m
