"""The segment writer's posting pool, kept by term: no sort of postings, runs merged by term.

Whoosh's ``PostingPool`` keeps every posting as a ``(field, term, docnum, weight, value)``
tuple, sorts them all when a run spills or the segment is flushed, pickles them to sorted
runs and merges the runs posting by posting with ``heapq``.  A segment's documents arrive
in ascending docnum order, so a term's postings are already in the order the codec wants:
:class:`TermPool` appends each posting to its ``(field, term)``'s compact lists (docnums as
``array('I')``, weights as ``array('d')``, the encoded values in a list), sorts only the
distinct terms when it spills or flushes, writes each run as pickled chunks of whole terms,
and merges the runs term by term (a heap over terms; a term's lists from the runs are
joined in the order the runs were written, which is docnum order).

Postings added out of docnum order (Whoosh's own merge of other segments adds them term by
term through :meth:`TermPool.add`) are noticed and each term's postings are then sorted by
docnum when read back, so the result is the sorted order Whoosh's pool gives either way.

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
from itertools import groupby
from operator import itemgetter
from typing import Any

from whoosh import writing

#: one term's postings in the pool: docnums, weights, encoded values (same length)
TermPostings = tuple[array, array, list]
#: a term's postings with its field and term: what :meth:`TermPool.iter_terms` gives
TermEntry = tuple[str, bytes, array, array, list]

#: Terms, and postings, per pickled chunk of a run (a chunk ends at either): the final
#: merge holds one chunk of every run in memory at once, so its memory is about runs ×
#: RUN_POSTINGS postings, whatever the terms' lengths (a pair field's bucket terms hold
#: hundreds of postings each).
RUN_TERMS = 2_048
RUN_POSTINGS = 16_384
#: The pool's estimate of the memory one posting takes (a docnum, a weight, a list slot),
#: beside its value's bytes, and of one new term's lists and dictionary entry beside its
#: text.  Values cached and shared between postings are counted each time (a bound).
POSTING_BYTES = 4 + 8 + 8
VALUE_BYTES = 33
TERM_BYTES = 3 * 64 + 56 + 33 + 100

_KEY = itemgetter(0, 1)


class TermPool(writing.PostingPool):
    """A posting pool keyed by ``(field, term)`` (see the module docstring).

    ``limitmb`` bounds the estimated memory of the postings held: past it the held terms
    are written to a run file in the segment's temporary storage.
    """

    def __init__(self, tempstore: Any, segment: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        #: field name -> term bytes -> its postings
        self._fields: dict[str, dict[bytes, TermPostings]] = {}
        #: the highest docnum added so far; a lower one means postings out of order
        self._lastdoc = -1
        #: False once some term's postings arrived out of docnum order
        self.ordered = True

    # -- adding
    def add_terms(
        self, fieldname: str, docnum: int, terms: Iterable[tuple], boost: float = 1.0
    ) -> None:
        """Add one document's postings in one field: ``terms`` are ``(term bytes,
        frequency, weight, encoded value)`` as ``field.index`` gives them; each posting's
        weight is ``weight * boost``."""
        if docnum < self._lastdoc:
            self.ordered = False
        self._lastdoc = max(self._lastdoc, docnum)
        self._append(fieldname, docnum, terms, boost)

    def add(self, item: tuple) -> None:
        """Whoosh's ``PostingPool.add`` of one ``(field, term, docnum, weight, value)``
        posting (Whoosh's merge of other segments adds them term by term)."""
        fieldname, term, docnum, weight, value = item
        if not isinstance(term, bytes) or not (value is None or isinstance(value, bytes)):
            raise TypeError(f"a posting's term and value must be bytes: {item!r}")
        entry = self._fields.get(fieldname, {}).get(term)
        if entry is not None and docnum < entry[0][-1]:
            self.ordered = False
        self._lastdoc = max(self._lastdoc, docnum)
        self._append(fieldname, docnum, ((term, 0, weight, value),), 1.0)

    def _append(self, fieldname: str, docnum: int, terms: Iterable[tuple], boost: float) -> None:
        if docnum < 0:
            raise ValueError(f"spelling postings are not supported (field {fieldname!r})")
        held = self._fields.get(fieldname)
        if held is None:
            held = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        size = 0
        count = 0
        for term, _freq, weight, value in terms:
            entry = held.get(term)
            if entry is None:
                held[term] = (array("I", (docnum,)), array("d", (weight * boost,)), [value])
                size += TERM_BYTES + len(term)
            else:
                entry[0].append(docnum)
                entry[1].append(weight * boost)
                entry[2].append(value)
            if value:
                size += len(value)
            count += 1
        self.currentsize += size + count * (POSTING_BYTES + VALUE_BYTES)
        if self.currentsize > self.limit:
            self.save()

    # -- spilling
    def _held_terms(self) -> Iterator[TermEntry]:
        """The held terms in field then term order, emptying the pool as it goes."""
        fields, self._fields = self._fields, {}
        for fieldname in sorted(fields):
            held = fields.pop(fieldname)
            for term in sorted(held):
                docs, weights, values = held.pop(term)
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
            merged: Iterator[TermEntry] = self._held_terms()
        else:
            runs, self.runs = self.runs, []
            sources = [self._read_run(path) for path in runs]
            merged = _join(heapq.merge(*sources, self._held_terms(), key=_KEY))
        if self.ordered:
            return merged
        return (_sorted_by_doc(entry) for entry in merged)

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
