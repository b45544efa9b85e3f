"""Facet counting with numpy over per-field value arrays, built once per index generation.

No Whoosh import here: :class:`FacetCache` works on the reader/searcher it is given
(``field_terms``, ``postings``, ``stored_fields``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np

from kb.engine.whoosh import segcache
from kb.model import MEETING_KINDS
from kb.results import FACETS, SORTS

__all__ = ["FACETS", "FACET_FIELDS", "SORTS", "FacetCache"]

#: facet name → index field holding its values
FACET_FIELDS = segcache.FACET_FIELDS


class FacetCache:
    """Per index generation: for each facet field, its values and (doc, value-code) pairs.

    Single-valued fields (council, committee, year) also get a dense code-per-doc array for
    the histogram.  Counting is a ``bincount`` over the pairs whose doc is in the match mask.
    The arrays are assembled from per-segment arrays (:mod:`kb.engine.whoosh.segcache`): those of a
    ``previous`` cache are reused for the segments it shares with this generation, else
    loaded from the segment's saved copy in ``folder``, else computed.  Pairs of deleted
    documents stay in the arrays; :attr:`items` and :attr:`live` leave them out.
    """

    def __init__(
        self, searcher: Any, previous: FacetCache | None = None, folder: Any = None
    ) -> None:
        reader = searcher.reader()
        self.generation = reader.generation()
        self.size = reader.doc_count_all()
        self.labels: dict[str, dict[str, str]] = {f: {} for f in FACETS}
        #: per-field document lengths for scoring (``fastscore.FieldLengths``, set by
        #: ``search``; filled lazily, once per field and generation)
        self.lengths: Any = None
        #: segment id → its arrays (kept for the next generation's cache)
        self.segments: dict[str, segcache.SegmentArrays] = {}
        known = previous.segments if previous is not None else {}
        parts: list[tuple[segcache.SegmentArrays, int]] = []
        live = np.ones(self.size, dtype=bool)
        for seg, offset in _leaves(reader):
            segid, count = seg.segment().segment_id(), seg.doc_count_all()
            arrays = known.get(segid)
            if arrays is None and folder is not None:
                arrays = segcache.load(folder, segid, count)
            if arrays is None:
                arrays = segcache.segment_arrays(seg)
            self.segments[segid] = arrays
            parts.append((arrays, offset))
            if seg.has_deletions():
                gone = np.fromiter(seg.segment().deleted_docs(), dtype=np.int64)
                live[gone + offset] = False
        #: documents not deleted in this generation
        self.live = live
        self.values: dict[str, list[str]] = {}
        self.codes_of: dict[str, dict[str, int]] = {}
        self.docs: dict[str, np.ndarray] = {}
        self.codes: dict[str, np.ndarray] = {}
        self.dense: dict[str, np.ndarray] = {}
        self._first: dict[str, np.ndarray] = {}
        self._by_code: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._grouped: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]] = {}
        self._name_arrays: dict[str, np.ndarray] = {}
        for facet in FACETS:
            vals = sorted({v for arrays, _ in parts for v in arrays.values[facet]})
            codes_of = {v: i for i, v in enumerate(vals)}
            docs_parts, code_parts = [], []
            for arrays, offset in parts:
                if not arrays.values[facet]:
                    continue
                to_global = np.array([codes_of[v] for v in arrays.values[facet]], np.int32)
                docs_parts.append(arrays.docs[facet].astype(np.int32) + np.int32(offset))
                code_parts.append(to_global[arrays.codes[facet]])
            self.values[facet] = vals
            self.codes_of[facet] = codes_of
            self.docs[facet] = np.concatenate(docs_parts) if docs_parts else np.zeros(0, np.int32)
            self.codes[facet] = np.concatenate(code_parts) if code_parts else np.zeros(0, np.int32)
            if facet in ("council", "committee", "year"):
                dense = np.full(self.size, -1, dtype=np.int32)
                dense[self.docs[facet]] = self.codes[facet]
                self.dense[facet] = dense
        #: live item documents (not meetings, not deleted)
        self.items = np.zeros(self.size, dtype=bool)
        for arrays, offset in parts:
            self.items[arrays.items.astype(np.int64) + offset] = True
        self.items &= live
        #: raw sortable meeting dates and agenda order per docnum (-1 when missing)
        self.dates = _joined([a.dates for a, _ in parts], self.size)
        self.orders = _joined([a.orders for a, _ in parts], self.size)

    def mask(self, docnums: Iterable[int]) -> np.ndarray:
        """A boolean array over docnums, true at ``docnums`` (an iterable or an int array)."""
        mask = np.zeros(self.size, dtype=bool)
        ids = docnums if isinstance(docnums, np.ndarray) else np.fromiter(docnums, np.int64)
        mask[ids] = True
        return mask

    def value_mask(self, facet: str, value: str) -> np.ndarray | None:
        """Docs having exactly this facet value; None when the index has no such value."""
        return self.values_mask(facet, [value])

    def values_mask(self, facet: str, values: Iterable[str]) -> np.ndarray | None:
        """Docs having any of these exact facet values; None when the index has none of
        them.  Each value's docs are one slice of the pairs grouped by value (no pass over
        the index per value)."""
        known = [c for c in (self.codes_of[facet].get(v) for v in values) if c is not None]
        if not known:
            return None
        ptr, docs = self._by_value(facet)
        mask = np.zeros(self.size, dtype=bool)
        for code in known:
            mask[docs[ptr[code] : ptr[code + 1]]] = True
        return mask

    def _by_value(self, facet: str) -> tuple[np.ndarray, np.ndarray]:
        """The facet's pairs grouped by value: (``ptr``, ``docs``), the docs having value
        code c being ``docs[ptr[c]:ptr[c + 1]]`` (built once per facet and generation)."""
        found = self._by_code.get(facet)
        if found is None:
            codes = self.codes[facet]
            ptr = np.zeros(len(self.values[facet]) + 1, dtype=np.int64)
            np.cumsum(np.bincount(codes, minlength=len(self.values[facet])), out=ptr[1:])
            found = (ptr, self.docs[facet][np.argsort(codes, kind="stable")])
            self._by_code[facet] = found
        return found

    def order(self, docs: np.ndarray, newest: bool) -> np.ndarray:
        """``docs`` sorted by meeting date (newest or oldest first), then agenda order."""
        dates = self.dates[docs]
        return docs[np.lexsort((self.orders[docs], -dates if newest else dates))]

    def _bincount(self, facet: str, mask: np.ndarray, docs: np.ndarray | None = None) -> np.ndarray:
        """Per value code, the number of docs in ``mask`` having it (``docs``: the docnums
        of ``mask``, ascending, when the caller has them already).

        Few matches (fewer than the facet has (doc, value) pairs): their own pairs are
        looked up by docnum (:meth:`_by_doc`), so the work follows the matches, not the
        index; else every pair is tested against ``mask``.  The counts are the same."""
        nvalues = len(self.values[facet])
        matched = len(docs) if docs is not None else np.count_nonzero(mask)
        if matched * 4 >= len(self.docs[facet]):
            sel = self.codes[facet][mask[self.docs[facet]]]
            return np.bincount(sel, minlength=nvalues)
        if docs is None:
            docs = np.flatnonzero(mask)
        ptr, codes, single = self._by_doc(facet)
        if single is not None:  # at most one value per doc: one lookup per match
            found = single[docs]
            return np.bincount(found[found >= 0], minlength=nvalues)
        starts, ends = ptr[docs], ptr[docs + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if not total:
            return np.zeros(nvalues, dtype=np.int64)
        # the pair positions starts[i] .. ends[i] - 1 of every matching doc, in one array
        before = np.cumsum(lengths) - lengths
        at = np.repeat(starts - before, lengths) + np.arange(total, dtype=np.int64)
        return np.bincount(codes[at], minlength=nvalues)

    def _by_doc(self, facet: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The facet's pairs grouped by docnum: (``ptr``, ``codes``, ``single``), the value
        codes of doc d being ``codes[ptr[d]:ptr[d + 1]]``; ``single`` the one code per doc
        (-1: none) when no doc has two values, else None (built once per facet)."""
        found = self._grouped.get(facet)
        if found is None:
            docs = self.docs[facet]
            per_doc = np.bincount(docs, minlength=self.size)
            ptr = np.zeros(self.size + 1, dtype=np.int64)
            np.cumsum(per_doc, out=ptr[1:])
            codes = self.codes[facet][np.argsort(docs, kind="stable")]
            single = None
            if not len(per_doc) or per_doc.max() <= 1:
                single = np.full(self.size, -1, dtype=np.int32)
                single[docs] = self.codes[facet]
            found = (ptr, codes, single)
            self._grouped[facet] = found
        return found

    def counts(self, facet: str, mask: np.ndarray) -> dict[str, int]:
        """value → number of matching docs having it (values with a zero count left out)."""
        vals = self.values[facet]
        if not vals:
            return {}
        counts = self._bincount(facet, mask)
        return {vals[i]: int(counts[i]) for i in np.flatnonzero(counts).tolist()}

    def top(
        self,
        facet: str,
        mask: np.ndarray,
        limit: int | None = None,
        docs: np.ndarray | None = None,
    ) -> list[tuple[str, int]]:
        """(value, count) of the values matching docs have: years newest first, other facets
        by count descending then value, at most ``limit`` of them (years: all).  ``docs``:
        the docnums of ``mask``, ascending, when the caller has them already."""
        vals = self.values[facet]
        if not vals:
            return []
        counts = self._bincount(facet, mask, docs)
        found = np.flatnonzero(counts)  # codes ascending = values in sorted order
        if facet == "year":
            order = found[::-1]
        else:
            order = found[np.lexsort((found, -counts[found]))][:limit]
        picked = order.tolist()
        return list(zip(map(vals.__getitem__, picked), counts[order].tolist(), strict=True))

    def histogram(
        self, mask: np.ndarray, docs: np.ndarray | None = None
    ) -> dict[int, dict[str, int]]:
        """{year: {committee key: matching docs}}, years ascending (only numeric years);
        ``docs``: the docnums of ``mask``, ascending, when the caller has them already."""
        if docs is None:  # the matches' own codes: the work follows the matches
            docs = np.flatnonzero(mask)
        years, comms = self.dense["year"][docs], self.dense["committee"][docs]
        sel = (years >= 0) & (comms >= 0)
        ncomm = max(len(self.values["committee"]), 1)
        nyears = max(len(self.values["year"]), 1)
        flat = years[sel].astype(np.int64) * ncomm + comms[sel]
        counts = np.bincount(flat, minlength=nyears * ncomm)
        pairs = np.flatnonzero(counts)  # year code, then committee code, ascending
        year_codes = pairs // ncomm
        names = self._names("committee")[pairs % ncomm].tolist()
        found = counts[pairs].tolist()
        runs = np.flatnonzero(np.diff(year_codes)) + 1
        out: dict[int, dict[str, int]] = {}
        for lo, hi in zip([0, *runs.tolist()], [*runs.tolist(), len(pairs)], strict=True):
            year = self.values["year"][int(year_codes[lo])] if hi > lo else ""
            if year.isdigit():
                out[int(year)] = dict(zip(names[lo:hi], found[lo:hi], strict=True))
        return dict(sorted(out.items()))

    def _names(self, facet: str) -> np.ndarray:
        """The facet's values as an object array (for picking many by code at once)."""
        names = self._name_arrays.get(facet)
        if names is None:
            names = np.empty(len(self.values[facet]), dtype=object)
            names[:] = self.values[facet]
            self._name_arrays[facet] = names
        return names

    def first_doc(self, facet: str, value: str) -> int | None:
        """The lowest live docnum having this facet value (None when none has it)."""
        first = self._first.get(facet)
        if first is None:
            keep = self.live[self.docs[facet]]
            first = np.full(len(self.values[facet]), self.size, dtype=np.int64)
            np.minimum.at(first, self.codes[facet][keep], self.docs[facet][keep])
            first[first == self.size] = -1
            self._first[facet] = first
        code = self.codes_of[facet].get(value)
        if code is None or first[code] < 0:
            return None
        return int(first[code])

    def label(self, searcher: Any, facet: str, value: str) -> str:
        """A display label for a facet value, from a document that has it (cached)."""
        cache = self.labels[facet]
        if value in cache:
            return cache[value]
        label = value
        if facet != "year":
            docnum = self.first_doc(facet, value)
            if docnum is not None:
                label = _label_from(searcher.stored_fields(docnum), facet, value)
        cache[value] = label
        return label


def _leaves(reader: Any) -> list[tuple[Any, int]]:
    """(segment reader, docnum offset) of every segment of ``reader``."""
    return [(r, off) for r, off in reader.leaf_readers() if hasattr(r, "segment")]


def _joined(parts: list[np.ndarray], size: int) -> np.ndarray:
    """Per-segment int64 columns joined into one per-docnum column (-1 when absent)."""
    out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return out if len(out) == size else np.full(size, -1, dtype=np.int64)


def _label_from(stored: dict[str, Any], facet: str, value: str) -> str:
    if facet == "council":
        return str(stored.get("council") or value)
    if facet == "kind":
        return MEETING_KINDS.get(value, value)
    if facet == "committee":
        return f"{stored.get('committee') or value} ({stored.get('council') or '?'})"
    data = json.loads(stored.get("data") or "{}")
    if facet == "speaker":
        for ref in data.get("speakers", []) + data.get("mentioned", []):
            if ref.get("person_id") == value:
                return str(ref.get("name") or value)
    if facet == "topic":
        for tag in data.get("topics", []):
            if tag.get("topic") == value:
                return str(tag.get("label") or value)
    return value


def without_own(matched: np.ndarray, selected: dict[str, np.ndarray], facet: str) -> np.ndarray:
    """``matched`` narrowed by every selected facet filter except ``facet``'s own: the docs
    whose values ``facet`` counts (values within one facet combine with OR, so choosing one
    must not hide the others)."""
    out = matched.copy()
    for other, chosen in selected.items():
        if other != facet:
            out &= chosen
    return out


def word_matches(cache: FacetCache, words: Any, allowed: np.ndarray) -> np.ndarray:
    """What a word search matched, before the request's filters (``allowed``): its match at
    the level it chose (``Ranked.matched``, with the query's own field filters), less the
    near-identical items it folded into others.  Within ``allowed`` this is exactly the
    documents it returned; outside, what the facets ignoring their own filter count."""
    found = cache.mask(words.docs)
    matched = getattr(words, "matched", None)
    if matched is None:  # an engine that cannot say: the facets count within the filters
        return found
    folded = matched & allowed & ~found
    return matched & ~folded
