"""Whoosh's segment writer with a faster flush: the only Whoosh writer the index uses.

Whoosh 2.7.4 writes a new segment by walking every sorted posting and asking, for each one,
the field length of its document (``W3PerDocReader.doc_field_length``): a column lookup
through a file seek, plus an ``os.path.exists`` for every posting of a field that keeps no
lengths (IDs, keywords, numbers), because the "no column" answer is not cached.  On a write
profile that was a quarter of the flush.  :class:`SegmentWriter` reads each length column
once per flush instead and answers from memory; the segment it writes is byte for byte the
one Whoosh writes (tested), so readers are unchanged.
"""

from __future__ import annotations

from typing import Any

from whoosh import writing
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

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


class SegmentWriter(writing.SegmentWriter):
    """``whoosh.writing.SegmentWriter`` whose flush reads field lengths from memory."""

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        lengths = ColumnLengths(pdr, self.schema, self.docnum) if pdr is not None else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if pdr is not None:
            pdr.close()


def writer(ix: Any, **kwargs: Any) -> SegmentWriter:
    """A :class:`SegmentWriter` on ``ix`` (what ``ix.writer(**kwargs)`` gives, faster)."""
    return SegmentWriter(ix, **kwargs)
