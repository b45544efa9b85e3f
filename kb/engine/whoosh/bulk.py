"""Whoosh's segment writer with a faster flush: the only Whoosh writer the index uses.

Whoosh 2.7.4 writes a new segment by walking every sorted posting in Python, five calls
deep per posting: it asks each posting's document field length through a column seek (and
an ``os.path.exists`` for every posting of a field that keeps no lengths, because the "no
column" answer is not cached), type-checks it and appends it to the block buffers one value
at a time.  Its external sort pickles and unpickles postings one at a time too.
:class:`SegmentWriter` keeps Whoosh's codec and file format and changes only how postings
reach it:

* postings are pooled by term, never sorted one by one
  (:class:`~kb.engine.whoosh.termpool.TermPool`);
* each length column is read once per flush (:class:`ColumnLengths`);
* each field's posting lists and term table entries are written in one pass
  (:func:`add_postings`, :func:`kb.engine.whoosh.flush.write_terms`), with exactly the
  statistics ``W3PostingsWriter`` and ``W3TermInfo`` would keep.

So every segment file but the postings and the term table (whose offsets follow the
postings' sizes) is byte for byte Whoosh's, and every block and term reads back as
Whoosh's: the same ids, weights, values, block statistics and term statistics (tested).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from whoosh import formats, writing
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3FieldWriter, _lenfield

from kb.engine.whoosh import flush
from kb.engine.whoosh.flush import LENGTHS
from kb.engine.whoosh.phrases import pair_postings, paired_fields
from kb.engine.whoosh.termpool import TermEntry, TermPool
from kb.engine.whoosh.textfield import KbText, term_positions


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
        return LENGTHS[raw[docnum]]

    def raw_lengths(self, fieldname: str) -> bytes | None:
        """Each document's length byte in ``fieldname`` (as Whoosh stores it: 0 for no
        length, and a byte orders as the length it stands for); None for a field
        without lengths."""
        return self._bytes.get(fieldname)


_FREQ = itemgetter(1)


def add_postings(
    fw: W3FieldWriter, schema: Any, lengths: ColumnLengths | None, terms: Iterable[TermEntry]
) -> None:
    """Write each term's postings (``(fieldname, btext, docnums, weights, values)``, sorted
    by field and term, docnums ascending: :meth:`TermPool.iter_terms`) through ``fw`` (one
    :func:`kb.engine.whoosh.flush.fits`), as ``FieldWriter.add_postings`` does with the
    same postings: each field's terms written by :func:`kb.engine.whoosh.flush.write_terms`."""
    for fieldname, in_field in groupby(terms, _FIELD):
        fw.start_field(fieldname, schema[fieldname])
        raw = lengths.raw_lengths(fieldname) if lengths is not None else None
        flush.write_terms(fw, in_field, raw)
        fw.finish_field()


_FIELD = itemgetter(0)


#: A document's key for postings analysed ahead (:mod:`kb.engine.whoosh.preanalysis`):
#: field name -> what ``field.index(value)`` gives; Whoosh ignores keys starting with "_".
POSTINGS_KEY = "_kb_postings"
_NONE: dict[str, Any] = {}
#: Values whose postings a field with :data:`_REUSED_FORMATS` keeps for the next document
#: with the same value (hashable, and equal only to values of the same postings when their
#: types are equal too).
_REUSABLE_VALUES = frozenset({str, int, float, bool, datetime})
#: Formats whose posting values are all empty (``Existence``: an ID, number, date or
#: boolean field): their postings can be shared by documents with the same value, as
#: nothing of a posting but its term (bytes, written once in the term table) and weight
#: (stored apart) reaches the segment; a format with values is never shared (the codec's
#: pickles share equal objects: shared objects would change the bytes written).
_REUSED_FORMATS = (formats.Existence,)
#: Postings kept per field for :data:`_REUSED_FORMATS` (the kept ones are dropped past it).
REUSED_VALUES = 1_024


class _FieldPlan(NamedTuple):
    """What :meth:`SegmentWriter.add_document` needs of a schema field, looked up once."""

    field: Any
    indexed: bool
    scorable: bool
    stored: bool
    column: Any
    #: its word-pair field (:mod:`kb.engine.whoosh.phrases`), or None
    pairs: str | None
    #: the document keys of its boost and of its stored value (Whoosh's ``_NAME_boost``,
    #: ``_stored_NAME``)
    boost_key: str
    stored_key: str
    #: its postings by ``(type, value)`` when they can be reused (else None)
    reused: dict[tuple[type, Any], list] | None


class SegmentWriter(writing.SegmentWriter):
    """``whoosh.writing.SegmentWriter`` with the faster flush and run files above."""

    def __init__(self, ix: Any, *, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = TermPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        #: no term vectors or separate spelling fields: :meth:`add_document` may batch
        self._plain = not any(f.vector or f.separate_spelling() for _, f in self.schema.items())
        #: text field → its pair field (see kb.engine.whoosh.phrases), filled from its terms
        self._pairs = paired_fields(self.schema)
        #: each schema field's :class:`_FieldPlan`
        self._plans = {name: self._plan(name, field) for name, field in self.schema.items()}

    def _plan(self, name: str, field: Any) -> _FieldPlan:
        reused = type(field.format) in _REUSED_FORMATS and not isinstance(field, KbText)
        return _FieldPlan(
            field,
            bool(field.indexed),
            bool(field.scorable),
            bool(field.stored),
            field.column_type,
            self._pairs.get(name),
            f"_{name}_boost",
            f"_stored_{name}",
            {} if reused else None,
        )

    def add_document(self, **fields: Any) -> None:
        """``SegmentWriter.add_document``, handing each field's postings to the pool at once
        (Whoosh's own method for schemas with term vectors or spelling fields).  A field's
        postings given under :data:`POSTINGS_KEY` (analysed in the ingest worker) are used
        instead of ``field.index(value)``; an ID-like field's postings (no posting values:
        :data:`_REUSED_FORMATS`) are reused for the next documents with the same value."""
        if not self._plain:
            super().add_document(**fields)
            return
        self._check_state()
        perdocwriter, plans, docnum, pool = self.perdocwriter, self._plans, self.docnum, self.pool
        docboost = self._doc_boost(fields)
        ready = fields.get(POSTINGS_KEY) or _NONE
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        if not plans.keys() >= set(fieldnames):
            self._check_fields(self.schema, fieldnames)  # raises Whoosh's error
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields[fieldname]
            if value is None:
                continue
            plan = plans[fieldname]
            field = plan.field
            length = 0
            if plan.indexed:
                boost = float(fields[plan.boost_key]) if plan.boost_key in fields else docboost
                pairs = plan.pairs
                given = ready.get(fieldname)
                # pairs analysed ahead carry unboosted weights (preanalysis.analyse)
                given_pairs = ready.get(pairs) if pairs is not None and boost == 1.0 else None
                positions = None
                if pairs is not None and given_pairs is None:  # pairs of the same terms
                    if not isinstance(value, str):
                        raise TypeError(f"field {fieldname!r} takes a string, not {value!r}")
                    positions = term_positions(value, stem=field.kb_stem)
                if given:
                    terms = given if isinstance(given, list) else list(given)
                elif positions is not None:
                    terms = field.postings(positions)
                elif plan.reused is not None and type(value) in _REUSABLE_VALUES:
                    terms = _reused_index(plan.reused, field, value)
                else:
                    words = field.index(value)
                    terms = words if isinstance(words, list) else list(words)
                if plan.scorable:
                    length = sum(map(_FREQ, terms))
                pool.add_terms(fieldname, docnum, terms, boost)
                if positions is not None:
                    fboost = field.format.field_boost  # each word's weight, as above
                    weights = {t: float(len(ps)) * fboost * boost for t, ps in positions.items()}
                    given_pairs = pair_postings(positions, weights)
                if given_pairs:
                    pool.add_terms(pairs, docnum, given_pairs)
            customval = fields.get(plan.stored_key, value)
            perdocwriter.add_field(fieldname, field, customval if plan.stored else None, length)
            column = plan.column
            if column and customval is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        lengths = ColumnLengths(pdr, self.schema, self.docnum) if pdr is not None else None
        if flush.fits(self.fieldwriter):
            add_postings(self.fieldwriter, self.schema, lengths, self.pool.iter_terms())
        else:  # another codec or settings: Whoosh's own loop
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if pdr is not None:
            pdr.close()


def _reused_index(reused: dict[tuple[type, Any], list], field: Any, value: Any) -> list:
    """``list(field.index(value))``, kept in ``reused`` for the next document with the same
    value (at most :data:`REUSED_VALUES` kept)."""
    key = (type(value), value)
    terms = reused.get(key)
    if terms is None:
        if len(reused) >= REUSED_VALUES:
            reused.clear()
        terms = reused[key] = list(field.index(value))
    return terms


def writer(ix: Any, **kwargs: Any) -> SegmentWriter:
    """A :class:`SegmentWriter` on ``ix`` (what ``ix.writer(**kwargs)`` gives, faster)."""
    return SegmentWriter(ix, **kwargs)
