"""One field's posting lists written in one pass: Whoosh 2.7.4's W3 blocks and term table.

Whoosh writes each term through ``W3FieldWriter.start_term`` / ``finish_term``: a
``W3TermInfo`` kept block by block (``add_block``), a ``W3PostingsWriter`` that pickles each
block's data and its info tuple, compresses the data with ``zlib`` and writes four pieces
(asking the file its position each time), then the term table's ``OrderedHashWriter.add``
(another position, an MD5 hex string turned into an int).  :func:`write_terms` does the same
work for all of a field's terms in one loop: the statistics kept in locals, the block info
pickled from a template (:func:`block_info`: the very bytes ``pickle.dumps`` gives), file
positions counted instead of asked, and the writes batched.

What is written is Whoosh's format, read by Whoosh's own readers: every block's info and data
unpickle to what Whoosh's writer gives for the same postings, and every term's info holds the
same statistics and extent (tested against Whoosh's writer in tests/test_bulk.py).  Two
things differ in the bytes: block data is compressed with a small zlib window
(:data:`BLOCK_WBITS`), and a block whose pickle is shorter than :data:`BLOCK_COMPRESS_MIN`
is stored uncompressed with compression 0 in its info, which Whoosh's reader
(``W3LeafMatcher._read_data``) then does not decompress.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections.abc import Iterable
from hashlib import md5
from operator import itemgetter, sub
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3FieldWriter, W3TermInfo
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

#: The zlib window (log2 bytes) and memory level posting blocks are compressed with.  A block
#: is small (at most the codec's 128 postings, mostly one or two).  zlib's defaults (32 KiB
#: window, memory level 8: ~270 KB allocated per stream) were measured at ~170 µs per block in
#: the writing process against ~20 for a 2 KiB window (bench/RESULTS.md, branch h/writer); on
#: a captured 5,000-item segment (branch h/flush) both cost the same, so the small window
#: stays for its memory.  Memory level 4 rather than 2 (a 2,048- rather than 512-entry hash
#: table) compresses that segment's blocks ~15–20 % faster, to 3.5 % fewer bytes.  Any zlib
#: stream reads back with ``zlib.decompress``, as Whoosh's reader does.
BLOCK_WBITS = 11
BLOCK_MEMLEVEL = 4
#: A block whose data pickle is shorter than this many bytes is stored uncompressed (its
#: info records compression 0): zlib adds 6 bytes of header and checksum and ~2 of block
#: framing, more than it saves on so few bytes (blocks under 30 bytes grow by ~20 %; the
#: smallest pickle of a block is 20 bytes).
BLOCK_COMPRESS_MIN = 32
#: The pickle protocol posting blocks' data (ids, weights, values) are written with.
#: Whoosh writes protocol 2, which stores every ``bytes`` value (a posting's positions, a
#: pair bucket's positions) as a ``_codecs.encode(text, "latin1")`` call that unpickling
#: runs once per posting; protocol 5 stores them as raw ``BINBYTES``: a pair bucket's
#: block unpickles in ~7 µs instead of ~27 (bench/RESULTS.md).  Whoosh's reader
#: (``pickle.loads``) reads either, so an index may hold protocol-2 segments (written
#: before) beside protocol-5 ones.  The small block-info header holds only numbers
#: (nothing to gain) and stays at protocol 2 (:func:`block_info`).
BLOCK_PICKLE_PROTOCOL = 5

#: byte → field length, as Whoosh decodes a length byte
LENGTHS = tuple(byte_to_length(b) for b in range(256))
#: a stored length byte → the byte Whoosh writes for the length it decodes to
_LENGTH_BYTE = tuple(length_to_byte(n) for n in LENGTHS)

#: ``W3TermInfo._struct`` followed by the extent (``pack_long`` offset, ``pack_int`` length)
_TERMINFO = struct.Struct(W3TermInfo._struct.format + "qi")
#: a term table entry's head (key length, value length): ``filetables._lengths``
_ENTRY_HEAD = struct.Struct("!ii")
#: pickle opcodes of protocol 2 for the block info tuple (see :func:`block_info`; 75 is "K")
_BININT1 = tuple(b"K" + bytes((n,)) for n in range(256))
_BININT2 = struct.Struct("<cH").pack
_BININT = struct.Struct("<ci").pack
_BINFLOAT = struct.Struct(">cd").pack
_INFO_HEAD = b"\x80\x02("  # PROTO 2, MARK
_INFO_TAIL = b"tq\x00."  # TUPLE, BINPUT 0, STOP
#: pending output pieces written at once past this many
_BATCH = 4_096


def _pickled_int(n: int) -> bytes | None:
    """``n`` as protocol 2 pickles an int (None outside the 32-bit forms)."""
    if 0 <= n < 256:
        return _BININT1[n]
    if 0 <= n < 65_536:
        return _BININT2(b"M", n)
    if -0x8000_0000 <= n < 0x8000_0000:
        return _BININT(b"J", n)
    return None


def block_info(count: int, lastid: int, maxweight: float, comp: int, minb: int, maxb: int) -> bytes:
    """Exactly ``pickle.dumps((count, lastid, maxweight, comp, minb, maxb), 2)``: a posting
    block's info as ``W3PostingsWriter._write_block`` pickles it."""
    small = 0 <= count < 256 and 0 <= comp < 256 and 0 <= minb < 256 and 0 <= maxb < 256
    if small and type(maxweight) is float:
        ids = _pickled_int(lastid)
        if ids is not None:  # PROTO, MARK, 6 × BININT1 / BININT2 / BININT / BINFLOAT, TUPLE, ...
            return b"".join((
                _INFO_HEAD, _BININT1[count], ids, _BINFLOAT(b"G", maxweight),
                bytes((75, comp, 75, minb, 75, maxb)), _INFO_TAIL,
            ))  # fmt: skip
    return dumps((count, lastid, maxweight, comp, minb, maxb), 2)


def fits(fw: Any) -> bool:
    """True when :func:`write_terms` writes what ``fw``'s own postings writer would: a
    stock Whoosh 3 field writer whose codec inlines no postings (Whoosh inlines a term's
    postings in its term info when it has fewer than ``inlinelimit`` of them: the default
    1 never does)."""
    if type(fw) is not W3FieldWriter or type(fw._tindex) is not OrderedHashWriter:
        return False
    return getattr(fw._codec, "_inlinelimit", None) in (0, 1)


def write_terms(
    fw: W3FieldWriter, terms: Iterable[tuple[Any, bytes, array, array, list]], raw: bytes | None
) -> None:
    """Write the current field's terms (``fw.start_field`` called; each term ``(_, btext,
    docnums, weights, values)``, terms ascending, each term's docnums ascending) to
    ``fw``'s postings file and term table, as ``start_term``, ``add`` per posting (with the
    document's field length: ``raw[docnum]`` decoded, none when ``raw`` is None) and
    ``finish_term`` would (see the module docstring for what differs in the bytes)."""
    pw = fw._postwriter
    limit, comp = pw._blocklimit, pw._compression
    fixed = fw._format.fixed_value_size()
    tuples = fixed is None or fixed < 0  # values kept as a tuple, else joined (or none)
    protocol, compress_min = BLOCK_PICKLE_PROTOCOL, BLOCK_COMPRESS_MIN
    compressobj, deflated, wbits, memlevel = (
        zlib.compressobj,
        zlib.DEFLATED,
        BLOCK_WBITS,
        BLOCK_MEMLEVEL,
    )
    length_byte = _LENGTH_BYTE
    pack_terminfo, entry_head = _TERMINFO.pack, _ENTRY_HEAD.pack
    magic = WHOOSH3_HEADER_MAGIC

    postfile = fw._postfile
    tindex = fw._tindex
    tfile = tindex.dbfile
    # filetables.md5_hash (the low 32 bits of the key's MD5) without its hex string
    md5_keys, hashfn, from_bytes = tindex.hashtype == 0, tindex.hashfn, int.from_bytes
    buckets = tindex.buckets
    prefix = pack_ushort(fw._fieldid)
    lastkey = tindex.lastkey
    pos, tpos = postfile.tell(), tfile.tell()
    out: list[bytes] = []
    tout: list[bytes] = []
    keypos: list[int] = []

    for _f, btext, docs, weights, values in terms:
        key = prefix + btext
        if key <= lastkey:
            raise ValueError(f"Keys must increase: {lastkey!r}..{key!r}")
        lastkey = key
        startpos = pos
        out.append(magic)
        pos += 4
        count = len(docs)
        tweight: float = 0
        tmaxweight: float = 0
        tmin: int | None = None
        tmax = 0
        if count > 1:  # each posting's numbers taken out of the arrays once
            dl = docs.tolist()
            deltas = list(map(sub, dl[1:], dl))  # Whoosh's delta_encode, but the first
            # all weights 1.0 (half the postings): each block's max 1.0, its sum n, none kept
            ones = weights.count(1.0) == count
            if not ones:
                wl = weights.tolist()
                w32l = array("f", weights).tolist()  # the weights as the block stores them
            lens = None if raw is None else bytes(itemgetter(*dl)(raw))
        for start in range(0, count, limit):
            # the block's data (W3PostingsWriter._mini_ids / _mini_weights / _mini_values),
            # its largest weight (Whoosh's, unrounded) and its sum as float32 (add_block's)
            bmin: int | None = None
            bmax = 0
            if count == 1:  # most terms: no sequence to walk
                n = 1
                lastid = docs[0]
                top = weights[0]
                x = array("f", weights)[0]
                wsum = x  # == 0 + sum([x]) once added to tweight (which starts at 0)
                mids: tuple = (lastid,)
                mweights: Any = None if x == 1.0 else (x if x == x else (x,))  # NaN: tuple
                v = values[0]
                if tuples:
                    mvalues: Any = (v,) if v else ()
                elif fixed == 0:
                    mvalues = None
                else:
                    mvalues = v
                if raw is not None:
                    b = raw[lastid]
                    if b:
                        bmin = bmax = b
            else:
                stop = start + limit
                n = (count - start) if stop >= count else limit
                vs = values[start:stop] if count > limit else values
                lastid = dl[start + n - 1]
                mids = (dl[start], *deltas[start : start + n - 1])
                if ones:
                    top = 1.0
                    wsum = float(n)  # sum(n × 1.0): exact
                    mweights = None
                else:
                    ws = wl[start:stop] if count > limit else wl
                    w32 = w32l[start:stop] if count > limit else w32l
                    top = max(ws)
                    if top != top:  # NaN first: Whoosh's running max (from 0) skips NaNs
                        top = max(0, *ws)
                    wsum = sum(w32)
                    x = w32[0]
                    if w32.count(1.0) == n:
                        mweights = None
                    elif x == x and w32.count(x) == n:  # (list.count matches NaN to itself)
                        mweights = x
                    else:
                        mweights = tuple(w32)
                if tuples:
                    mvalues = tuple(filter(None, vs))
                elif fixed == 0:
                    mvalues = None
                else:
                    mvalues = b"".join(filter(None, vs))
                if lens is not None:
                    kept = (lens[start:stop] if count > limit else lens).replace(b"\x00", b"")
                    if kept:
                        bmin, bmax = min(kept), max(kept)
            bmaxweight = top if top > 0 else 0
            data = dumps((mids, mweights, mvalues), protocol)
            bcomp = comp if len(data) >= compress_min else 0
            if bcomp:
                packer = compressobj(bcomp, deflated, wbits, memlevel)
                data = packer.compress(data) + packer.flush()
            info = block_info(
                n, lastid, bmaxweight, bcomp,
                0 if bmin is None else length_byte[bmin], length_byte[bmax],
            )  # fmt: skip
            size = len(info) + len(data)
            out += (pack_int(-size if start + limit >= count else size), info, data)
            pos += 4 + size
            # W3TermInfo.add_block (lengths kept as bytes: a byte orders as its length)
            tweight += wsum
            tmin = bmin if tmin is None else min(tmin, bmin)  # type: ignore[type-var]
            if bmax > tmax:
                tmax = bmax
            if bmaxweight > tmaxweight:
                tmaxweight = bmaxweight
        value = pack_terminfo(
            0, tweight, count, 0 if tmin is None else length_byte[tmin], length_byte[tmax],
            tmaxweight, docs[0], docs[-1], startpos, pos - startpos,
        )  # fmt: skip
        keypos.append(tpos)
        tout += (entry_head(len(key), len(value)), key, value)
        h = from_bytes(md5(key).digest()[12:], "big") if md5_keys else hashfn(key)
        buckets[h & 255].append((h, tpos))
        tpos += 8 + len(key) + len(value)
        if len(out) > _BATCH:
            postfile.write(b"".join(out))
            out.clear()
        if len(tout) > _BATCH:
            tfile.write(b"".join(tout))
            tout.clear()
    postfile.write(b"".join(out))
    tfile.write(b"".join(tout))
    tindex.lastkey = lastkey
    _extend(tindex.index, keypos)


def _extend(index: Any, positions: list[int]) -> None:
    """Append ``positions`` to an ``OrderedHashWriter``'s ``GrowableArray`` of key
    positions, as its ``append`` one at a time would (widening its type when one
    overflows)."""
    arr = index.array
    if isinstance(arr, array):
        try:
            arr.fromlist(positions)  # all or nothing
            return
        except OverflowError:
            pass
    index.extend(positions)
