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
* each block of a posting list is filled at once (:func:`add_postings`), with exactly the
  statistics ``W3PostingsWriter.add_posting`` would keep, and written by
  :class:`BlockWriter`, which compresses it with a small zlib window.

So every segment file but the postings and the term table (whose offsets follow the
postings' sizes) is byte for byte Whoosh's, and every block reads back as Whoosh's: the
same ids, weights, values and block statistics (tested).
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable
from itertools import groupby
from operator import itemgetter, sub
from pickle import dumps
from typing import Any

from whoosh import writing
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3FieldWriter,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.util.numeric import byte_to_length, length_to_byte

from kb.engine.whoosh.phrases import pair_field, pair_postings
from kb.engine.whoosh.termpool import TermEntry, TermPool
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
    by field and term, docnums ascending: :meth:`TermPool.iter_terms`) through ``fw``, as
    ``FieldWriter.add_postings`` does with the same postings (same calls to the codec, the
    same blocks; each field's blocks written by a :class:`BlockWriter`)."""
    for fieldname, in_field in groupby(terms, _FIELD):
        fw.start_field(fieldname, schema[fieldname])
        raw = lengths.raw_lengths(fieldname) if lengths is not None else None
        pw = fw._postwriter = BlockWriter.like(fw._postwriter)
        for _f, btext, docs, weights, values in in_field:
            fw.start_term(btext)
            _fill_postings(pw, docs, weights, values, raw)
            fw.finish_term()
        fw.finish_field()


_FIELD = itemgetter(0)


def _fill_postings(pw: Any, docs: array, weights: array, values: list, raw: bytes | None) -> None:
    """Fill ``pw``'s block buffers with one term's postings, a block at a time, keeping the
    statistics ``W3PostingsWriter.add_posting`` keeps; blocks are written as it writes them
    (a full block just before the next posting; the last one by ``finish_postings``).
    ``raw`` holds the field's length byte per document (None: a field without lengths)."""
    limit = pw._blocklimit
    count = len(docs)
    for start in range(0, count, limit):
        if start:
            pw._write_block()
        stop = start + limit
        ids = docs[start:stop] if count > limit else docs
        ws = weights[start:stop] if count > limit else weights
        pw._ids = ids
        pw._weights = array("f", ws)
        pw._values = list(filter(None, values[start:stop]))
        top = max(ws)
        pw._maxweight = top if top > 0 else 0
        if raw is not None:
            # the length bytes of the block's documents, zeros (no length) left out; a
            # length byte orders as the length it stands for, so min/max carry over
            kept = bytes(map(raw.__getitem__, ids)).replace(b"\x00", b"")
            if kept:
                pw._minlength, pw._maxlength = _LENGTHS[min(kept)], _LENGTHS[max(kept)]


#: The zlib window (log2 bytes) and memory level posting blocks are compressed with.  A block
#: is small (at most the codec's 128 postings, mostly one or two): zlib's defaults (32 KiB
#: window, memory level 8) spend ~10× longer setting up their tables than compressing such a
#: block, for output within a few per cent of this size.  Any zlib stream reads back with
#: ``zlib.decompress``, as Whoosh's reader does.
BLOCK_WBITS = 11
BLOCK_MEMLEVEL = 2
#: The pickle protocol posting blocks' data (ids, weights, values) are written with.
#: Whoosh writes protocol 2, which stores every ``bytes`` value (a posting's positions, a
#: pair bucket's positions) as a ``_codecs.encode(text, "latin1")`` call that unpickling
#: runs once per posting; protocol 5 stores them as raw ``BINBYTES``: a pair bucket's
#: block unpickles in ~7 µs instead of ~27 (bench/RESULTS.md).  Whoosh's reader
#: (``pickle.loads``) reads either, so an index may hold protocol-2 segments (written
#: before) beside protocol-5 ones.  The small block-info header holds only numbers
#: (nothing to gain) and stays at protocol 2.
BLOCK_PICKLE_PROTOCOL = 5


class BlockWriter(W3PostingsWriter):
    """Whoosh's ``W3PostingsWriter`` writing the same blocks (same pickled tuple, pickled
    with :data:`BLOCK_PICKLE_PROTOCOL`; same block info, the same compression level
    recorded) with cheaper per-block work: the zlib
    stream uses a small window (:data:`BLOCK_WBITS`; the bytes differ from Whoosh's, what
    is read back does not) and the ids' deltas and the weights' checks run in C."""

    @classmethod
    def like(cls, pw: W3PostingsWriter) -> BlockWriter:
        """A block writer with ``pw``'s file and settings."""
        return cls(
            pw._postfile,
            pw._blocklimit,
            byteids=pw._byteids,
            compression=pw._compression,
            inlinelimit=pw._inlinelimit,
        )

    def _write_block(self, last: bool = False) -> None:
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        databytes = dumps(
            (self._mini_ids(), self._mini_weights(), self._mini_values()), BLOCK_PICKLE_PROTOCOL
        )
        comp = self._compression
        if comp:
            packer = zlib.compressobj(comp, zlib.DEFLATED, BLOCK_WBITS, BLOCK_MEMLEVEL)
            databytes = packer.compress(databytes) + packer.flush()
        ids = self._ids
        infobytes = dumps(
            (
                len(ids),
                ids[-1],
                self._maxweight,
                comp,
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            2,
        )
        postfile = self._postfile
        blocklength = len(infobytes) + len(databytes)
        postfile.write_int(-blocklength if last else blocklength)
        postfile.write(infobytes)
        postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    def _mini_ids(self) -> tuple:
        ids = self._ids
        if self._byteids or len(ids) < 2:
            return tuple(ids)
        return (ids[0], *map(sub, ids[1:], ids))  # whoosh's delta_encode

    def _mini_weights(self) -> Any:
        weights = self._weights
        if weights.count(1.0) == len(weights):
            return None
        if weights.count(weights[0]) == len(weights):
            return weights[0]
        return tuple(weights)


#: A document's key for postings analysed ahead (:mod:`kb.engine.whoosh.preanalysis`):
#: field name -> what ``field.index(value)`` gives; Whoosh ignores keys starting with "_".
POSTINGS_KEY = "_kb_postings"
_NONE: dict[str, Any] = {}


class SegmentWriter(writing.SegmentWriter):
    """``whoosh.writing.SegmentWriter`` with the faster flush and run files above."""

    def __init__(self, ix: Any, *, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = TermPool(self._tempstorage, self.newsegment, limitmb=limitmb)
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
                # pairs analysed ahead carry unboosted weights (preanalysis.analyse)
                given_pairs = ready.get(pairs) if pairs is not None and boost == 1.0 else None
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
                length = sum(map(_FREQ, terms)) if field.scorable else 0
                pool.add_terms(fieldname, docnum, terms, boost)
                if positions is not None:
                    fboost = field.format.field_boost  # each word's weight, as above
                    weights = {t: float(len(ps)) * fboost * boost for t, ps in positions.items()}
                    given_pairs = pair_postings(positions, weights)
                if given_pairs:
                    pool.add_terms(pairs, docnum, given_pairs)
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
            add_postings(self.fieldwriter, self.schema, lengths, self.pool.iter_terms())
        else:  # another codec: its own loop
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if pdr is not None:
            pdr.close()


def writer(ix: Any, **kwargs: Any) -> SegmentWriter:
    """A :class:`SegmentWriter` on ``ix`` (what ``ix.writer(**kwargs)`` gives, faster)."""
    return SegmentWriter(ix, **kwargs)
