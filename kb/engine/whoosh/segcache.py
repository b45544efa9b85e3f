"""Per-segment facet arrays: built once per Whoosh segment, kept across commits, and saved
beside the segment so that a new process loads them instead of reading postings.

A Whoosh segment never changes once written (only its deletions do, and those live in the
index's table of contents), so everything :class:`.facets.FacetCache` needs from a segment
can be computed once per segment id: each facet field's values with its (doc, value-code)
pairs, the item documents, and the sortable date and agenda-order columns — all local to the
segment and counting deleted documents, which the caller masks out per generation.

:func:`segment_arrays` computes them; :func:`load` reads a segment's saved copy, a file named
``MAIN_<segment id>.kbfacets.pickle`` in the index folder, written by :func:`write_missing`
(called by the index writer after a commit, or ``python -m kb.engine.whoosh.segcache INDEX``
for an index written before).  Whoosh's own clean-up deletes the file with its segment (the
name matches its segment-file pattern).  A saved file that is missing, unreadable or not of
this segment and format is ignored and the arrays are computed.  Readers never write.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: bump when the arrays or their meaning change: older files are then ignored
FORMAT = 2
SUFFIX = ".kbfacets.pickle"
#: facet name → index field holding its values (``kb.engine.whoosh.facets`` uses the same)
FACET_FIELDS = {
    "council": "council_id",
    "committee": "committee_key",
    "year": "year",
    "speaker": "speaker",
    "topic": "topic",
    "kind": "kind",
}
#: raw sortable column value meaning "no value" (the column default) → -1
_MISSING = 2**62


@dataclass
class SegmentArrays:
    """One segment's facet data, docnums local to the segment (deleted documents included)."""

    segid: str
    doccount: int
    values: dict[str, list[str]]  # facet → its values in this segment, sorted
    docs: dict[str, np.ndarray]  # facet → int32 local docnums of the (doc, value) pairs
    codes: dict[str, np.ndarray]  # facet → int32 index into values[facet], per pair
    items: np.ndarray  # int32 local docnums of item documents
    dates: np.ndarray  # int64 raw sortable date per doc, -1 when missing
    orders: np.ndarray  # int64 agenda order per doc, -1 when missing


def segment_arrays(seg: Any) -> SegmentArrays:
    """Compute the arrays of one Whoosh ``SegmentReader`` (deletions ignored)."""
    size = seg.doc_count_all()
    values: dict[str, list[str]] = {}
    docs: dict[str, np.ndarray] = {}
    codes: dict[str, np.ndarray] = {}
    for facet, fname in FACET_FIELDS.items():
        vals: list[str] = []
        doc_parts: list[np.ndarray] = []
        code_parts: list[np.ndarray] = []
        if fname in seg.schema.names():
            for code, (text, matcher) in enumerate(_term_matchers(seg, fname)):
                ids = raw_ids(matcher)
                vals.append(text)
                doc_parts.append(ids)
                code_parts.append(np.full(len(ids), code, dtype=np.int32))
        values[facet] = vals
        docs[facet] = np.concatenate(doc_parts) if doc_parts else np.zeros(0, np.int32)
        codes[facet] = np.concatenate(code_parts) if code_parts else np.zeros(0, np.int32)
    items = np.zeros(0, np.int32)
    if ("doctype", "item") in seg:
        items = raw_ids(seg._terms.matcher("doctype", b"item", seg.schema["doctype"].format))
    return SegmentArrays(
        segid=seg.segment().segment_id(),
        doccount=size,
        values=values,
        docs=docs,
        codes=codes,
        items=items,
        dates=sortable_column(seg, "date", size),
        orders=sortable_column(seg, "order", size),
    )


def _term_matchers(seg: Any, fieldname: str) -> Any:
    """(text, raw posting matcher) of every term of ``fieldname`` in ``seg``, in term order
    (one pass over the term index: no per-term hash lookup, no deletion filter)."""
    terms = seg._terms
    fmt = seg.schema[fieldname].format
    for (fname, btext), terminfo in terms.items_from(fieldname, b""):
        if fname != fieldname:
            break
        matcher = terms._codec.postings_reader(terms._postfile, terminfo, fmt, term=None)
        yield btext.decode("utf-8"), matcher


def raw_ids(matcher: Any) -> np.ndarray:
    """Every docnum of a posting matcher as int32, a block at a time from a plain Whoosh 3
    leaf matcher, else one by one."""
    if not all(hasattr(matcher, a) for a in ("_read_ids", "_next_block", "is_active")):
        return np.fromiter(matcher.all_ids(), dtype=np.int32)
    parts = []
    while matcher.is_active():
        matcher._read_ids()
        parts.append(np.asarray(matcher._ids, dtype=np.int32))
        matcher._next_block()
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)


def numeric_column(reader: Any, size: int) -> np.ndarray | None:
    """All values of a Whoosh ``NumericColumn`` reader as one array read straight from its
    bytes (values past the written ones take the column default); None for another kind."""
    from whoosh.columns import NumericColumn

    if type(reader) is not NumericColumn.Reader:
        return None
    width, count = reader._fixedlen, min(reader._count, size)
    raw = np.frombuffer(reader._dbfile.get(reader._basepos, width * count), ">" + reader._typecode)
    if count == size:
        return raw
    out = np.full(size, reader._default, dtype=raw.dtype)
    out[:count] = raw
    return out


def sortable_column(seg: Any, fieldname: str, size: int) -> np.ndarray:
    """A sortable column's raw values per local docnum as int64; -1 when missing."""
    try:
        column = seg.column_reader(fieldname, translate=False)
    except Exception:  # noqa: BLE001 - no such column in this segment (an empty field)
        return np.full(size, -1, dtype=np.int64)
    raw = numeric_column(column, size)
    if raw is None:
        raw = np.fromiter((int(v) for v in column), dtype=np.uint64, count=size)
    raw = raw.astype(np.uint64)
    out = raw.astype(np.int64)
    out[raw > np.uint64(_MISSING)] = -1
    return out


# --------------------------------------------------------------------------- saved copies


def path_for(folder: Path, segid: str) -> Path:
    """Where a segment's arrays are saved (a name Whoosh's clean-up treats as the segment's)."""
    return Path(folder) / f"{segid}{SUFFIX}"


def save(folder: Path, arrays: SegmentArrays) -> Path:
    """Write ``arrays`` beside their segment, atomically (a temporary file, then a rename).

    The format is a pickle (protocol 5: numpy arrays as raw buffers), loaded in a few ms;
    the index folder is trusted data already (Whoosh keeps its own TOC as a pickle)."""
    target = path_for(folder, arrays.segid)
    payload = (FORMAT, arrays.segid, arrays.doccount, dataclasses.asdict(arrays))
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")  # not a Whoosh file name
    try:
        with tmp.open("wb") as fh:
            pickle.dump(payload, fh, protocol=5)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def load(folder: Path, segid: str, doccount: int) -> SegmentArrays | None:
    """The saved arrays of segment ``segid`` (with ``doccount`` documents), or None when
    there is no usable saved copy."""
    try:
        with path_for(folder, segid).open("rb") as fh:
            version, saved_id, saved_count, fields = pickle.load(fh)
        if (version, saved_id, saved_count) != (FORMAT, segid, doccount):
            return None
        arrays = SegmentArrays(**fields)
    except Exception:  # noqa: BLE001 - a missing, partial or foreign file: compute instead
        return None
    return arrays if _consistent(arrays) else None


def _consistent(arrays: SegmentArrays) -> bool:
    """Whether loaded arrays have the shapes and types this module writes."""
    n = arrays.doccount
    if not all(isinstance(x, np.ndarray) for x in (arrays.items, arrays.dates, arrays.orders)):
        return False
    if len(arrays.dates) != n or len(arrays.orders) != n:
        return False
    for facet in FACET_FIELDS:
        docs, codes = arrays.docs.get(facet), arrays.codes.get(facet)
        if not isinstance(docs, np.ndarray) or not isinstance(codes, np.ndarray):
            return False
        if len(docs) != len(codes) or not isinstance(arrays.values.get(facet), list):
            return False
        if len(codes) and (codes.min() < 0 or codes.max() >= len(arrays.values[facet])):
            return False
        if len(docs) and (docs.min() < 0 or docs.max() >= n):
            return False
    return not len(arrays.items) or (arrays.items.min() >= 0 and arrays.items.max() < n)


def unsaved_segments(
    index_dir: str | os.PathLike[str], saved: Callable[[Path, str], Path]
) -> Iterator[tuple[Path, Any]]:
    """(index folder, segment reader) of each segment of the index at ``index_dir`` (a
    generation link is followed) whose sidecar ``saved(folder, segment id)`` does not exist.
    Sidecars are written whole (temp file + rename): one that exists is done, so a commit
    does not load every older segment's files just to check them."""
    from whoosh import index

    folder = Path(index_dir).resolve()
    ix = index.open_dir(str(folder))
    with ix.reader() as reader:
        for seg, _offset in reader.leaf_readers():
            if seg.segment() is None:  # an index with no segments yet (an empty reader)
                continue
            if not saved(folder, seg.segment().segment_id()).exists():
                yield folder, seg


def write_missing(index_dir: str | os.PathLike[str]) -> int:
    """Save the arrays of every segment of the index at ``index_dir`` (a generation link is
    followed) that has no saved copy yet; return how many were written.  Meant for
    the index writer, right after a commit; safe to run at any time."""
    written = 0
    for folder, seg in unsaved_segments(index_dir, path_for):
        save(folder, segment_arrays(seg))
        written += 1
    return written


def sidecar_main(argv: list[str] | None, prog: str, what: str, write: Callable[[Path], int]) -> int:
    """The command line of a sidecar module: ``python -m <prog> INDEX`` writes ``what`` for
    every segment that lacks it (for an index written before the writer saved them)."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {prog}",
        description=f"Save {what} beside each segment of an index (for an index written "
        "before the writer saved them).",
    )
    parser.add_argument("index", type=Path)
    args = parser.parse_args(argv)
    print(f"{write(args.index)} segment file(s) written")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m kb.engine.whoosh.segcache INDEX``."""
    return sidecar_main(
        argv, "kb.engine.whoosh.segcache", "the per-segment facet arrays", write_missing
    )


if __name__ == "__main__":
    raise SystemExit(main())
