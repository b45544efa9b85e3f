"""The segment writer's posting pool, kept by term: no sort of postings, runs merged by term.

Whoosh's ``PostingPool`` keeps every posting as a ``(field, term, docnum, weight, value)``
tuple, sorts them all when a run spills or the segment is flushed, pickles them to sorted
runs and merges the runs posting by posting with ``heapq``.  :class:`TermPool` keeps each
field's postings as columns in the order they come (each posting's term number, weight and
value; each document's docnum and number of postings), appended in C a document's field at
a time: no Python code runs per posting, and nothing of a term is touched but its number
(the writer's per-posting cost is memory traffic: appending to every term's own lists, as
this pool did before, touched three lists per posting).  When it spills or flushes, each
field's postings are grouped by term with one stable numpy sort of their terms' ranks, so a
term's postings keep the order they came in, which is docnum order as a segment's documents
arrive; each run is written as pickled chunks of whole terms, and the runs are merged term
by term (a heap over terms; a term's lists from the runs are joined in the order the runs
were written, which is docnum order).

Postings added out of docnum order (Whoosh's own merge of other segments adds them term by
term through :meth:`TermPool.add`) are noticed when grouped, and each term's postings are
then sorted by docnum (stably), so the result is the sorted order Whoosh's pool gives
either way.

:meth:`TermPool.iter_terms` gives ``(field, term bytes, docnums, weights, values)`` in
field then term order, what :func:`kb.engine.whoosh.bulk.add_postings` writes;
:meth:`TermPool.iter_postings` gives Whoosh's posting tuples for any other codec.
"""

from __future__ import annotations

import contextlib
import heapq
import pickle
from array import array
from collections.abc import Iterable, Iterator
from itertools import groupby, repeat
from operator import itemgetter, mul
from typing import Any

import numpy as np
from whoosh import writing

#: a term's postings with its field and term: what :meth:`TermPool.iter_terms` gives
TermEntry = tuple[str, bytes, array, array, list]

#: Terms, and postings, per pickled chunk of a run (a chunk ends at either): the final
#: merge holds one chunk of every run in memory at once, so its memory is about runs ×
#: RUN_POSTINGS postings, whatever the terms' lengths (a pair field's bucket terms hold
#: hundreds of postings each).
RUN_TERMS = 2_048
RUN_POSTINGS = 16_384
#: The pool's estimate of the memory one posting takes (its term number, weight and list
#: slot), beside its value's bytes, of one document's field (its docnum and count), and
#: of one new term's dictionary entry and number beside its text (an over-estimate: it
#: once held three lists per term).  Values cached and shared between postings are counted
#: each time (a bound).
POSTING_BYTES = 4 + 8 + 8
CHUNK_BYTES = 4 + 4
VALUE_BYTES = 33
TERM_BYTES = 3 * 64 + 56 + 33 + 100

_KEY = itemgetter(0, 1)


class _Held:
    """One field's postings held by the pool, as columns in the order they were added:
    each posting's term number (``termids``: term bytes -> number, in no particular
    order), weight and value, and each added chunk's docnum and number of postings."""

    __slots__ = ("chunk_docs", "chunk_sizes", "ids", "termids", "values", "weights")

    def __init__(self) -> None:
        self.termids: dict[bytes, int] = {}
        self.ids = array("I")
        self.weights = array("d")
        self.values: list = []
        self.chunk_docs = array("I")
        self.chunk_sizes = array("I")

    def by_term(self) -> Iterator[tuple[bytes, array, array, list]]:
        """``(term, docnums, weights, values)`` of every held term in term order, each
        term's postings in docnum order (a stable sort: the order they were added when
        that is docnum order, as it is when documents are added in order); the pool's
        columns are let go once grouped.  A term's values are gathered only when it is
        reached, just before its reader uses them."""
        termids = self.termids
        terms = sorted(termids)
        rank = np.empty(len(terms), dtype=np.uintc)
        rank[np.fromiter(map(termids.__getitem__, terms), np.uintc, len(terms))] = np.arange(
            len(terms), dtype=np.uintc
        )
        keys = rank[np.frombuffer(self.ids, dtype=np.uintc)]  # each posting's term's rank
        if len(terms) <= _SMALL_KEYS:
            keys = keys.astype(np.uint16)  # numpy sorts 16-bit keys by radix
        docs = np.repeat(
            np.frombuffer(self.chunk_docs, dtype=np.uintc),
            np.frombuffer(self.chunk_sizes, dtype=np.uintc),
        )
        order = np.argsort(keys, kind="stable")
        grouped = docs[order]
        if len(order) > 1:
            same_term = keys[order[1:]] == keys[order[:-1]]
            if (same_term & (grouped[1:] < grouped[:-1])).any():  # some docnums out of order
                order = np.lexsort((docs, keys))
                grouped = docs[order]
        bounds = np.cumsum(np.bincount(keys, minlength=len(terms))).tolist()
        all_docs = _array("I", grouped.tobytes())
        all_weights = _array("d", np.frombuffer(self.weights, dtype=np.double)[order].tobytes())
        all_values = _objects(self.values)[order]
        del keys, docs, order, grouped, rank
        self.termids, self.ids, self.weights, self.values = {}, array("I"), array("d"), []
        self.chunk_docs, self.chunk_sizes = array("I"), array("I")
        start = 0
        for term, end in zip(terms, bounds, strict=True):
            yield term, all_docs[start:end], all_weights[start:end], all_values[start:end].tolist()
            start = end


def _objects(items: list) -> np.ndarray:
    """``items`` (posting values: bytes or None) as a one-dimensional array of objects."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


#: Terms numbered below this sort by 16-bit keys (numpy sorts them by radix).
_SMALL_KEYS = 1 << 16


class TermPool(writing.PostingPool):
    """A posting pool keyed by ``(field, term)`` (see the module docstring).

    ``limitmb`` bounds the estimated memory of the postings held: past it the held terms
    are written to a run file in the segment's temporary storage.
    """

    def __init__(self, tempstore: Any, segment: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        #: field name -> its postings held, in the order they were added
        self._fields: dict[str, _Held] = {}

    # -- adding
    def add_terms(
        self, fieldname: str, docnum: int, terms: Iterable[tuple], boost: float = 1.0
    ) -> None:
        """Add one document's postings in one field: ``terms`` are ``(term bytes,
        frequency, weight, encoded value)`` as ``field.index`` gives them; each posting's
        weight is ``weight * boost``.  No Python code runs per posting: the postings'
        columns are appended in C and grouped by term when the pool spills or is read."""
        held = self._held(fieldname, docnum)
        if not isinstance(terms, list):
            terms = list(terms)
        if not terms:
            return
        keys, _freqs, weights, values = zip(*terms, strict=True)
        count = len(keys)
        ids, termids = held.ids, held.termids
        size = 0
        start = len(ids)
        try:
            ids.extend(map(termids.__getitem__, keys))
        except KeyError:  # new terms: numbered (any order: ids only group a term's postings)
            del ids[start:]
            new = set(keys).difference(termids)
            termids.update(zip(new, range(len(termids), len(termids) + len(new)), strict=True))
            ids.extend(map(termids.__getitem__, keys))
            size = len(new) * TERM_BYTES + sum(map(len, new))
        held.chunk_docs.append(docnum)
        held.chunk_sizes.append(count)
        held.weights.extend(weights if boost == 1.0 else map(mul, weights, repeat(boost)))
        held.values.extend(values)
        size += CHUNK_BYTES + count * (POSTING_BYTES + VALUE_BYTES)
        size += sum(map(len, filter(None, values)))
        self.currentsize += size
        if self.currentsize > self.limit:
            self.save()

    def add(self, item: tuple) -> None:
        """Whoosh's ``PostingPool.add`` of one ``(field, term, docnum, weight, value)``
        posting (Whoosh's merge of other segments adds them term by term)."""
        fieldname, term, docnum, weight, value = item
        if not isinstance(term, bytes) or not (value is None or isinstance(value, bytes)):
            raise TypeError(f"a posting's term and value must be bytes: {item!r}")
        held = self._held(fieldname, docnum)
        termids = held.termids
        termid = termids.get(term)
        size = CHUNK_BYTES + POSTING_BYTES + VALUE_BYTES + (len(value) if value else 0)
        if termid is None:
            termid = termids[term] = len(termids)
            size += TERM_BYTES + len(term)
        held.ids.append(termid)
        held.weights.append(weight)
        held.values.append(value)
        held.chunk_docs.append(docnum)
        held.chunk_sizes.append(1)
        self.currentsize += size
        if self.currentsize > self.limit:
            self.save()

    def _held(self, fieldname: str, docnum: int) -> _Held:
        """``fieldname``'s held postings (new ones when it has none), for postings of
        ``docnum``."""
        if docnum < 0:
            raise ValueError(f"spelling postings are not supported (field {fieldname!r})")
        held = self._fields.get(fieldname)
        if held is None:
            held = self._fields[fieldname] = _Held()
            self.fieldnames.add(fieldname)
        return held

    # -- spilling
    def _held_terms(self) -> Iterator[TermEntry]:
        """The held terms in field then term order, emptying the pool as it goes."""
        fields, self._fields = self._fields, {}
        for fieldname in sorted(fields):
            for term, docs, weights, values in fields.pop(fieldname).by_term():
                yield fieldname, term, docs, weights, values

    def save(self) -> None:
        """Write the held terms to a new run file and empty the pool."""
        if self._fields:
            path, f = self._new_run()
            try:
                chunk: list[tuple] = []
                held = 0
                for fieldname, term, docs, weights, values in self._held_terms():
                    chunk.append((fieldname, term, docs.tobytes(), weights.tobytes(), values))
                    held += len(docs)
                    if len(chunk) >= RUN_TERMS or held >= RUN_POSTINGS:
                        pickle.dump(chunk, f, protocol=pickle.HIGHEST_PROTOCOL)
                        chunk, held = [], 0
                if chunk:
                    pickle.dump(chunk, f, protocol=pickle.HIGHEST_PROTOCOL)
            finally:
                f.close()
            self.runs.append(path)
        self.currentsize = 0

    def _read_run(self, path: str) -> Iterator[TermEntry]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)  # noqa: S301 - this pool's own run file
                except EOFError:
                    return
                for fieldname, term, docs, weights, values in chunk:
                    yield fieldname, term, _array("I", docs), _array("d", weights), values
        finally:
            f.close()
            self._remove_run(path)

    # -- reading back
    def iter_terms(self) -> Iterator[TermEntry]:
        """Every term's postings, in field then term order, docnums ascending; the pool
        (and its run files) is used up."""
        if not self.runs:
            return self._held_terms()
        runs, self.runs = self.runs, []
        sources = [self._read_run(path) for path in runs]
        return _join(heapq.merge(*sources, self._held_terms(), key=_KEY))

    def iter_postings(self) -> Iterator[tuple]:
        """Whoosh's ``(field, term, docnum, weight, value)`` postings, sorted."""
        for fieldname, term, docs, weights, values in self.iter_terms():
            for docnum, weight, value in zip(docs, weights, values, strict=True):
                yield fieldname, term, docnum, weight, value

    def cleanup(self) -> None:
        """Remove the run files not yet read."""
        for path in self.runs:
            with contextlib.suppress(OSError):
                self._remove_run(path)
        self.runs = []
        self._fields = {}


def _array(typecode: str, raw: bytes) -> array:
    out = array(typecode)
    out.frombytes(raw)
    return out


def _join(entries: Iterable[TermEntry]) -> Iterator[TermEntry]:
    """One entry per ``(field, term)`` of ``entries`` (sorted by it), the postings of equal
    keys joined in the order they come (then sorted by docnum if that order is not)."""
    for (fieldname, term), same in groupby(entries, _KEY):
        (_f, _t, docs, weights, values), *rest = same
        ordered = True
        for _f2, _t2, more_docs, more_weights, more_values in rest:
            ordered = ordered and more_docs[0] > docs[-1]
            docs.extend(more_docs)
            weights.extend(more_weights)
            values.extend(more_values)
        entry = (fieldname, term, docs, weights, values)
        yield entry if ordered else _sorted_by_doc(entry)


def _sorted_by_doc(entry: TermEntry) -> TermEntry:
    fieldname, term, docs, weights, values = entry
    order = sorted(range(len(docs)), key=docs.__getitem__)
    return (
        fieldname,
        term,
        array("I", [docs[i] for i in order]),
        array("d", [weights[i] for i in order]),
        [values[i] for i in order],
    )
