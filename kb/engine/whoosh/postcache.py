"""Decoded postings of a segment's frequent words, saved beside the segment as numpy arrays.

Scoring a word needs only its postings' docnums and weights, but Whoosh stores each block of
128 postings as one zlib-compressed pickle holding the positions too: a word in most
documents costs ~350 µs per block to read, which grows with the index (at 100k items the
slowest AND queries spent most of their time there).  A segment never changes once
written, so its frequent words' (docnum, weight) arrays can be decoded once, at commit, and
memory-mapped by every reader after.

Files, named so that Whoosh's clean-up deletes them with their segment:
``MAIN_<id>.kbpost_ids.npy`` (int32 local docnums), ``MAIN_<id>.kbpost_weights.npy``
(the weights the block reader gives, as float32 when that is exact, else float64) and
``MAIN_<id>.kbpost_terms.pickle`` (field, term bytes → slice), written last: while it is
missing, incomplete or of another format the segment's postings are read from Whoosh.
Readers never write.  Only words in at least :data:`MIN_POSTINGS` documents of the
segment are kept: rarer ones read in a few blocks.  ``python -m kb.engine.whoosh.postcache
INDEX`` writes the files of an index written before.
"""

from __future__ import annotations

import os
import pickle
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from kb.engine.plan import SEARCH_FIELDS
from kb.engine.whoosh.segcache import sidecar_main, unsaved_segments

#: bump when the files or their meaning change: older files are then ignored
FORMAT = 1
#: a word needs this many postings in a segment to be saved (4 blocks of 128)
MIN_POSTINGS = 512
_SUFFIXES = (".kbpost_ids.npy", ".kbpost_weights.npy", ".kbpost_terms.pickle")


def paths_for(folder: Path, segid: str) -> tuple[Path, Path, Path]:
    """The (ids, weights, terms) files of segment ``segid`` in ``folder``."""
    return tuple(Path(folder) / f"{segid}{s}" for s in _SUFFIXES)  # type: ignore[return-value]


def block_arrays(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
    """(local docnums int64, weights float64) of a raw Whoosh 3 posting matcher, a block at
    a time (what :func:`kb.engine.whoosh.fastscore._read_segment` reads)."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids.append(np.asarray(matcher._ids, dtype=np.int64))
        weights.append(np.asarray(matcher._weights, dtype=np.float64))
        matcher._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(ids), np.concatenate(weights)


#: float64 weights copied per step when the saved weights are narrowed to float32
_COPY_CHUNK = 1 << 20


def save(folder: Path, seg: Any) -> bool:
    """Decode and save the frequent words of the Whoosh ``SegmentReader`` ``seg`` (arrays
    first, each through a temporary file and a rename, the term table last).

    Each word's postings are written as soon as they are decoded, so saving holds one
    word's arrays at a time (a 100,000-document segment's frequent words are tens of
    millions of postings: kept together they added ~250 MiB to a commit's peak).  The
    files are byte for byte those ``np.save`` writes of the whole arrays."""
    segid = seg.segment().segment_id()
    terms = seg._terms
    chosen: list[tuple[str, bytes, Any, Any]] = []
    for fieldname in SEARCH_FIELDS:
        if fieldname not in seg.schema.names():
            continue
        fmt = seg.schema[fieldname].format
        for (fname, btext), info in terms.items_from(fieldname, b""):
            if fname != fieldname:
                break
            if info.doc_frequency() >= MIN_POSTINGS:
                chosen.append((fieldname, btext, info, fmt))
    count = sum(info.doc_frequency() for _, _, info, _ in chosen)
    table: dict[tuple[str, bytes], tuple[int, int]] = {}
    ids_path, weights_path, terms_path = paths_for(folder, segid)
    ids_tmp, weights_tmp, wide_tmp = (
        _tmp_of(ids_path),
        _tmp_of(weights_path),
        _tmp_of(weights_path, ".f64"),
    )
    try:
        exact, at = True, 0
        with ids_tmp.open("wb") as ids_fh, wide_tmp.open("wb") as wide_fh:
            _npy_header(ids_fh, np.int32, count)
            for fieldname, btext, info, fmt in chosen:
                m = terms._codec.postings_reader(terms._postfile, info, fmt, term=None)
                got_ids, got_weights = block_arrays(m)
                table[(fieldname, btext)] = (at, at + len(got_ids))
                at += len(got_ids)
                ids_fh.write(got_ids.astype(np.int32).tobytes())
                wide_fh.write(got_weights.tobytes())
                # frequencies × boosts: float32 when every weight is exact in it
                exact = exact and np.array_equal(
                    got_weights.astype(np.float32).astype(np.float64), got_weights
                )
        if at != count:
            raise ValueError(f"segment {segid}: {at} postings decoded, {count} counted")
        with weights_tmp.open("wb") as out, wide_tmp.open("rb") as wide:
            _npy_header(out, np.float32 if exact else np.float64, count)
            while chunk := wide.read(_COPY_CHUNK * 8):
                wide_part = np.frombuffer(chunk, dtype=np.float64)
                out.write((wide_part.astype(np.float32) if exact else wide_part).tobytes())
        os.replace(ids_tmp, ids_path)
        os.replace(weights_tmp, weights_path)
    finally:
        for tmp in (ids_tmp, weights_tmp, wide_tmp):
            tmp.unlink(missing_ok=True)
    tmp = terms_path.with_name(f".{terms_path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            meta = (FORMAT, segid, seg.doc_count_all(), count)
            pickle.dump((meta, table), fh, protocol=5)
        os.replace(tmp, terms_path)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _tmp_of(target: Path, suffix: str = "") -> Path:
    """The temporary file ``target`` is written through (hidden, this process's)."""
    return target.with_name(f".{target.name}.{os.getpid()}{suffix}.tmp")


def _npy_header(fh: Any, dtype: Any, count: int) -> None:
    """Write the ``.npy`` header ``np.save`` writes for a 1-D array of ``count`` ``dtype``
    values (the values follow as raw bytes)."""
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False}
    np.lib.format.write_array_header_1_0(fh, {**header, "shape": (count,)})


class SegmentPostings:
    """One segment's saved postings: memory-mapped arrays and the term table."""

    def __init__(self, table: dict[tuple[str, bytes], tuple[int, int]], ids: Any, weights: Any):
        self.table, self.ids, self.weights = table, ids, weights

    def get(self, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(int32 local docnums, float64 weights) of a saved word, or None (not saved:
        a rare word, or not in this segment)."""
        span = self.table.get((fieldname, text))
        if span is None:
            return None
        lo, hi = span
        return self.ids[lo:hi], self.weights[lo:hi].astype(np.float64)


def load(folder: Path, segid: str, doccount: int) -> SegmentPostings | None:
    """The saved postings of segment ``segid``, or None when there is no usable copy."""
    ids_path, weights_path, terms_path = paths_for(folder, segid)
    try:
        with terms_path.open("rb") as fh:
            meta, table = pickle.load(fh)
        if meta[:3] != (FORMAT, segid, doccount):
            return None
        ids = np.load(ids_path, mmap_mode="r")
        weights = np.load(weights_path, mmap_mode="r")
        if ids.dtype != np.int32 or weights.dtype not in (np.float32, np.float64):
            return None
        if not (len(ids) == len(weights) == meta[3]):
            return None
    except Exception:  # noqa: BLE001 - a missing, partial or foreign file: read Whoosh's
        return None
    return SegmentPostings(table, ids, weights)


_LOADED: OrderedDict[tuple[str, str], tuple[SegmentPostings | None, float]] = OrderedDict()
_LOCK = threading.Lock()
#: segments whose saved postings (or their absence) are remembered per process
_KEEP = 256
#: seconds before a segment found without saved postings is looked at again (the writer
#: saves them just after its commit, which a reader may already see)
RETRY_MISSING = 5.0


def for_reader(reader: Any) -> SegmentPostings | None:
    """The saved postings of a Whoosh ``SegmentReader`` (loaded once per process), or None."""
    folder = _folder_of(getattr(reader, "_storage", None))
    segment = reader.segment() if hasattr(reader, "segment") else None
    if folder is None or segment is None:
        return None
    key = (str(folder), segment.segment_id())
    now = time.monotonic()
    with _LOCK:
        known = _LOADED.get(key)
        if known is not None and (known[0] is not None or now - known[1] < RETRY_MISSING):
            _LOADED.move_to_end(key)
            return known[0]
    found = load(Path(folder), key[1], reader.doc_count_all())
    with _LOCK:
        _LOADED[key] = (found, now)
        while len(_LOADED) > _KEEP:
            _LOADED.popitem(last=False)
    return found


def _folder_of(storage: Any) -> str | None:
    """The index folder behind a segment's storage: a ``FileStorage``'s own, or that of
    the file storage a compound segment's ``OverlayStorage`` writes to."""
    for _ in range(4):  # storages wrap one another at most a level or two deep
        folder = getattr(storage, "folder", None)
        if folder is not None:
            return str(folder)
        storage = getattr(storage, "b", None)
    return None


def write_missing(index_dir: str | os.PathLike[str]) -> int:
    """Save the postings of every segment of the index at ``index_dir`` (a generation link
    is followed) that has no saved copy yet; return how many were written."""
    written = 0
    for folder, seg in unsaved_segments(index_dir, lambda f, segid: paths_for(f, segid)[2]):
        save(folder, seg)
        written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m kb.engine.whoosh.postcache INDEX``."""
    return sidecar_main(
        argv, "kb.engine.whoosh.postcache", "the decoded postings of frequent words", write_missing
    )


if __name__ == "__main__":
    raise SystemExit(main())
