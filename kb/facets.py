"""Facet counting with numpy over per-field value arrays, built once per index generation.

No Whoosh import here: :class:`FacetCache` works on the reader/searcher it is given
(``field_terms``, ``postings``, ``stored_fields``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np

FACETS = ("council", "committee", "year", "speaker", "topic")
#: facet name → index field holding its values
FACET_FIELDS = {
    "council": "council_id",
    "committee": "committee_key",
    "year": "year",
    "speaker": "speaker",
    "topic": "topic",
}
SORTS = ("relevance", "newest", "oldest")


class FacetCache:
    """Per index generation: for each facet field, its values and (doc, value-code) pairs.

    Single-valued fields (council, committee, year) also get a dense code-per-doc array for
    the histogram.  Counting is a ``bincount`` over the pairs whose doc is in the match mask.
    """

    def __init__(self, searcher: Any) -> None:
        reader = searcher.reader()
        self.generation = reader.generation()
        self.size = reader.doc_count_all()
        self.values: dict[str, list[str]] = {}
        self.codes_of: dict[str, dict[str, int]] = {}
        self.docs: dict[str, np.ndarray] = {}
        self.codes: dict[str, np.ndarray] = {}
        self.dense: dict[str, np.ndarray] = {}
        self.labels: dict[str, dict[str, str]] = {f: {} for f in FACETS}
        #: per-field document lengths for scoring (``kb.fastscore.FieldLengths``, set by
        #: ``kb.search``; filled lazily, once per field and generation)
        self.lengths: Any = None
        for facet, fname in FACET_FIELDS.items():
            try:
                vals = [v for v in reader.field_terms(fname)]
            except Exception:  # noqa: BLE001 - a field with no terms yet
                vals = []
            codes_of = {v: i for i, v in enumerate(vals)}
            docs_parts, code_parts = [], []
            # segment by segment: a term's postings in its own segment, no multi-segment
            # matcher per value (several times faster on an index of many segments)
            for seg, offset in reader.leaf_readers() if vals else []:
                try:
                    seg_vals = list(seg.field_terms(fname))
                except Exception:  # noqa: BLE001 - the field has no terms in this segment
                    continue
                for value in seg_vals:
                    ids = _all_ids(seg.postings(fname, value))
                    docs_parts.append(ids + offset)
                    code_parts.append(np.full(len(ids), codes_of[value], dtype=np.int64))
            self.values[facet] = vals
            self.codes_of[facet] = codes_of
            self.docs[facet] = np.concatenate(docs_parts) if docs_parts else np.zeros(0, np.int64)
            self.codes[facet] = np.concatenate(code_parts) if code_parts else np.zeros(0, np.int64)
            if facet in ("council", "committee", "year"):
                dense = np.full(self.size, -1, dtype=np.int64)
                dense[self.docs[facet]] = self.codes[facet]
                self.dense[facet] = dense
        #: live item documents (not meetings, not deleted)
        self.items = (
            self.mask(reader.postings("doctype", "item").all_ids())
            if self.size
            else (np.zeros(0, dtype=bool))
        )
        #: raw sortable meeting dates and agenda order per docnum (-1 when missing)
        self.dates = self._column(reader, "date", self.size)
        self.orders = self._column(reader, "order", self.size)

    @staticmethod
    def _column(reader: Any, fieldname: str, size: int) -> np.ndarray:
        """A sortable column's raw values per docnum as int64; a missing value is -1."""
        try:
            raw = np.fromiter(
                (int(v) for v in reader.column_reader(fieldname, translate=False)),
                dtype=np.uint64,
                count=size,
            )
        except Exception:  # noqa: BLE001 - an empty index has no columns yet
            return np.full(size, -1, dtype=np.int64)
        out = raw.astype(np.int64)
        out[raw > np.uint64(2**62)] = -1
        return out

    def mask(self, docnums: Iterable[int]) -> np.ndarray:
        """A boolean array over docnums, true at ``docnums`` (an iterable or an int array)."""
        mask = np.zeros(self.size, dtype=bool)
        ids = docnums if isinstance(docnums, np.ndarray) else np.fromiter(docnums, np.int64)
        mask[ids] = True
        return mask

    def value_mask(self, facet: str, value: str) -> np.ndarray | None:
        """Docs having exactly this facet value; None when the index has no such value."""
        code = self.codes_of[facet].get(value)
        if code is None:
            return None
        mask = np.zeros(self.size, dtype=bool)
        mask[self.docs[facet][self.codes[facet] == code]] = True
        return mask

    def order(self, docs: np.ndarray, newest: bool) -> np.ndarray:
        """``docs`` sorted by meeting date (newest or oldest first), then agenda order."""
        dates = self.dates[docs]
        return docs[np.lexsort((self.orders[docs], -dates if newest else dates))]

    def counts(self, facet: str, mask: np.ndarray) -> dict[str, int]:
        """value → number of matching docs having it (values with a zero count left out)."""
        vals = self.values[facet]
        if not vals:
            return {}
        sel = self.codes[facet][mask[self.docs[facet]]]
        counts = np.bincount(sel, minlength=len(vals))
        return {vals[i]: int(counts[i]) for i in np.nonzero(counts)[0]}

    def histogram(self, mask: np.ndarray) -> dict[int, dict[str, int]]:
        years, comms = self.dense["year"], self.dense["committee"]
        sel = mask & (years >= 0) & (comms >= 0)
        ncomm = max(len(self.values["committee"]), 1)
        pairs, counts = np.unique(years[sel] * ncomm + comms[sel], return_counts=True)
        out: dict[int, dict[str, int]] = {}
        for pair, count in zip(pairs.tolist(), counts.tolist(), strict=True):
            year = self.values["year"][pair // ncomm]
            if year.isdigit():
                out.setdefault(int(year), {})[self.values["committee"][pair % ncomm]] = count
        return dict(sorted(out.items()))

    def label(self, searcher: Any, facet: str, value: str) -> str:
        """A display label for a facet value, from a document that has it (cached)."""
        cache = self.labels[facet]
        if value in cache:
            return cache[value]
        label = value
        if facet != "year":
            docnum = next(
                iter(searcher.reader().postings(FACET_FIELDS[facet], value).all_ids()), None
            )
            if docnum is not None:
                label = _label_from(searcher.stored_fields(docnum), facet, value)
        cache[value] = label
        return label


def _all_ids(matcher: Any) -> np.ndarray:
    """The docnums of a posting matcher: a block at a time from a plain Whoosh 3 leaf
    matcher (ids decoded once per block, not one Python call per posting), else one by one
    (a matcher that filters out deleted documents, another codec)."""
    if not all(hasattr(matcher, a) for a in ("_read_ids", "_next_block", "is_active")):
        return np.fromiter(matcher.all_ids(), dtype=np.int64)
    parts = []
    while matcher.is_active():
        matcher._read_ids()
        parts.append(np.asarray(matcher._ids, dtype=np.int64))
        matcher._next_block()
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _label_from(stored: dict[str, Any], facet: str, value: str) -> str:
    if facet == "council":
        return str(stored.get("council") or value)
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
