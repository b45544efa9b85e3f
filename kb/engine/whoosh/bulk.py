"""Whoosh's segment writer with a faster flush: the only Whoosh writer the index uses.

Whoosh 2.7.4 writes a new segment by walking every sorted posting in Python, five calls
deep per posting: it asks each posting's document field length through a column seek (and
an ``os.path.exists`` for every posting of a field that keeps no lengths, because the "no
column" answer is not cached), type-checks it and appends it to the block buffers one value
at a time.  Its external sort pickles and unpickles postings one at a time too.
:class:`SegmentWriter` keeps Whoosh's codec and file format and changes only how postings
reach it:

* each length column is read once per flush (:class:`ColumnLengths`);
* postings are grouped by field and term with ``itertools.groupby`` and each block of a
  posting list is filled at once (:func:`add_postings`), with exactly the statistics
  ``W3PostingsWriter.add_posting`` would keep;
* sorted runs spill to disk as pickled chunks (:class:`ChunkedPostingPool`).

The segment written is byte for byte the one Whoosh writes (tested); when postings spill to
sorted runs, equal values read back from one chunk stay one object, which the codec's block
pickles then share: smaller files holding the same postings (tested), read by the same code.
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Iterable, Iterator
from itertools import groupby, islice
from operator import itemgetter
from typing import Any

from whoosh import writing
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3FieldWriter, _lenfield
from whoosh.util.numeric import byte_to_length

from kb.engine.whoosh.phrases import pair_field, pair_postings
from kb.engine.whoosh.textfield import KbText, term_positions

#: byte → field length, as Whoosh decodes a length byte
_LENGTHS = tuple(byte_to_length(b) for b in range(256))


class ColumnLengths:
    """Per-document field lengths of one segment, read once from its length columns.

    ``doc_field_length(docnum, fieldname)`` returns what ``W3PerDocReader`` returns (0 for a
    field with no lengths), which is all ``FieldWriter.add_postings`` asks of it.
    """

    def __init__(self, perdoc: Any, schema: Any, doccount: int) -> None:
        self._bytes: dict[str, bytes] = {}
        for name in schema.scorable_names():
            lenfield = _lenfield(name)
            if not perdoc.has_column(lenfield):
                continue
            col = perdoc.column_reader(lenfield, LENGTHS_COLUMN)
            raw = bytes(col._dbfile.get(col._basepos, col._count * col._fixedlen))
            self._bytes[name] = raw + bytes(max(0, doccount - len(raw)))

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        raw = self._bytes.get(fieldname)
        if raw is None:
            return default
        return _LENGTHS[raw[docnum]]

    def lengths_of(self, fieldname: str, docnums: Iterable[int]) -> list[int] | None:
        """The field lengths of ``docnums`` in ``fieldname``; None for a field without."""
        raw = self._bytes.get(fieldname)
        if raw is None:
            return None
        return [_LENGTHS[raw[d]] for d in docnums]


_FIELD, _TERM, _VALUE = itemgetter(0), itemgetter(1), itemgetter(4)
_FREQ = itemgetter(1)


def add_postings(fw: W3FieldWriter, schema: Any, lengths: ColumnLengths | None, items: Any) -> None:
    """Write sorted ``(fieldname, btext, docnum, weight, vbytes)`` postings through ``fw``,
    as ``FieldWriter.add_postings`` does (same calls to the codec, same bytes)."""
    for fieldname, in_field in groupby(items, _FIELD):
        fw.start_field(fieldname, schema[fieldname])
        for btext, postings in groupby(in_field, _TERM):
            fw.start_term(btext)
            _fill_postings(fw._postwriter, fieldname, list(postings), lengths)
            fw.finish_term()
        fw.finish_field()


def _fill_postings(pw: Any, fieldname: str, postings: list[tuple], lengths: Any) -> None:
    """Fill ``pw``'s block buffers with one term's postings, a block at a time, keeping the
    statistics ``W3PostingsWriter.add_posting`` keeps; blocks are written as it writes them
    (a full block just before the next posting; the last one by ``finish_postings``)."""
    limit = pw._blocklimit
    for start in range(0, len(postings), limit):
        if start:
            pw._write_block()
        _f, _t, ids, weights, values = zip(*postings[start : start + limit], strict=True)
        if min(ids) < 0:
            raise ValueError(f"spelling postings are not supported (field {fieldname!r})")
        pw._ids = array("I", ids)
        pw._weights = array("f", weights)
        pw._values = [v for v in values if v]
        pw._maxweight = max(0, *weights)
        found = lengths.lengths_of(fieldname, ids) if lengths is not None else None
        kept = [n for n in found if n] if found else None
        if kept:
            pw._minlength, pw._maxlength = min(kept), max(kept)


class ChunkedPostingPool(writing.PostingPool):
    """Whoosh's posting pool, taking a document's postings at once (:meth:`add_all`) and
    writing each sorted run as pickled lists of :data:`RUN_CHUNK` postings instead of one
    pickle call per posting."""

    def add_all(self, fieldname: str, postings: list[tuple]) -> None:
        """Add one field's postings of one document; the memory estimate per posting is
        ``PostingPool.add``'s, a run is sorted to disk once it passes the limit."""
        if not postings:
            return
        self.fieldnames.add(fieldname)
        # PostingPool.add's estimate per posting, summed in C: overhead + name + 2 × term
        # bytes + value bytes (a missing value counts 0)
        self.currentsize += (
            len(postings) * (_POSTING_OVERHEAD + len(fieldname))
            + 2 * sum(map(len, map(_TERM, postings)))
            + sum(map(len, filter(None, map(_VALUE, postings))))
        )
        self.current.extend(postings)
        if self.currentsize > self.limit:
            self.save()

    def _write_run(self, f: Any, items: Iterable[tuple]) -> None:
        it = iter(items)
        while chunk := list(islice(it, RUN_CHUNK)):
            pickle.dump(chunk, f, protocol=pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path: str) -> Iterator[tuple]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


#: A document's key for postings analysed ahead (:mod:`kb.engine.whoosh.preanalysis`):
#: field name -> what ``field.index(value)`` gives; Whoosh ignores keys starting with "_".
POSTINGS_KEY = "_kb_postings"
_NONE: dict[str, Any] = {}

#: Postings per pickled chunk of a sorted run.  The final merge holds one chunk of every
#: run in memory: 30,000 items in 131 runs peaked at 529 MiB with 16,384 and 209 MiB with
#: 4,096, at the same CPU time.
RUN_CHUNK = 4_096
#: ``PostingPool.add``'s estimate of a posting's memory, less its strings' lengths.
_POSTING_OVERHEAD = 28 + 4 * 5 + 21 + 26 + 18 + 16 + 21


class SegmentWriter(writing.SegmentWriter):
    """``whoosh.writing.SegmentWriter`` with the faster flush and run files above."""

    def __init__(self, ix: Any, *, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = ChunkedPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        #: no term vectors or separate spelling fields: :meth:`add_document` may batch
        self._plain = not any(f.vector or f.separate_spelling() for _, f in self.schema.items())
        #: text field → its pair field (see kb.engine.whoosh.phrases), filled from its terms
        self._pairs = {
            name: pair_field(name)
            for name, f in self.schema.items()
            if isinstance(f, KbText) and pair_field(name) in self.schema.names()
        }

    def add_document(self, **fields: Any) -> None:
        """``SegmentWriter.add_document``, handing each field's postings to the pool at once
        (Whoosh's own method for schemas with term vectors or spelling fields).  A field's
        postings given under :data:`POSTINGS_KEY` (analysed in the ingest worker) are used
        instead of ``field.index(value)``."""
        if not self._plain:
            super().add_document(**fields)
            return
        self._check_state()
        perdocwriter, schema, docnum, pool = self.perdocwriter, self.schema, self.docnum, self.pool
        docboost = self._doc_boost(fields)
        ready = fields.get(POSTINGS_KEY) or _NONE
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                boost = self._field_boost(fields, fieldname, docboost)
                pairs = self._pairs.get(fieldname)
                given = ready.get(fieldname)
                given_pairs = ready.get(pairs) if pairs is not None else None
                positions = None
                if pairs is not None and given_pairs is None:  # pairs of the same terms
                    if not isinstance(value, str):
                        raise TypeError(f"field {fieldname!r} takes a string, not {value!r}")
                    positions = term_positions(value, stem=field.kb_stem)
                if given:
                    words = given
                elif positions is not None:
                    words = field.postings(positions)
                else:
                    words = field.index(value)
                terms = words if isinstance(words, list) else list(words)
                postings = [(fieldname, t, docnum, w * boost, v) for t, _f, w, v in terms]
                length = sum(map(_FREQ, terms)) if field.scorable else 0
                pool.add_all(fieldname, postings)
                if positions is not None:
                    fboost = field.format.field_boost  # each word's weight, as above
                    weights = {t: float(len(ps)) * fboost * boost for t, ps in positions.items()}
                    given_pairs = pair_postings(positions, weights)
                if given_pairs:
                    pool.add_all(
                        pairs,
                        [(pairs, tb, docnum, weight, vb) for tb, _f, weight, vb in given_pairs],
                    )
            customval = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
            column = field.column_type
            if column and customval is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        lengths = ColumnLengths(pdr, self.schema, self.docnum) if pdr is not None else None
        if isinstance(self.fieldwriter, W3FieldWriter):
            add_postings(self.fieldwriter, self.schema, lengths, self.pool.iter_postings())
        else:  # another codec: its own loop
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if pdr is not None:
            pdr.close()


def writer(ix: Any, **kwargs: Any) -> SegmentWriter:
    """A :class:`SegmentWriter` on ``ix`` (what ``ix.writer(**kwargs)`` gives, faster)."""
    return SegmentWriter(ix, **kwargs)
