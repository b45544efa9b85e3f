"""Quoted phrases answered from word-pair postings, with Whoosh's own phrase scores.

Whoosh matches a ``Phrase`` by reading every posting of each word (a block holds its
documents' positions too, so reading one word of the body decompresses all its positions)
and comparing positions, document by document.  The index also keeps, for each
phrase-searchable text field ``f``, a field ``f_pairs`` (:func:`pair_field`) of the adjacent
pairs of ``f``'s analysed terms: ``"a b"`` (:func:`pair_term`) for a term ``a`` at position
``p`` and ``b`` at ``p + 1``, positions as :func:`kb.analysis.tokenize` numbers them
(stopwords take none; a hyphenated word's joined form shares its first part's position), so
every pair Whoosh's phrase check can see is there.

A pair is not a term of its own: distinct pairs are so many (most occur once) that a term
each made the index 3.6 times bigger and its writing 2.5 times slower.  The field's terms
are :data:`PAIR_BUCKETS` buckets (:func:`bucket_of`, a CRC-32 of the pair); a document's
posting in a bucket lists each of its pairs falling there with both words' posting weights
(float32, as the word postings store them) and the pair's positions (:func:`encode_pairs`).

So a two-word phrase reads one short posting list and keeps the documents whose entry names
the pair (exact: the pair's text is compared); a longer one intersects its pairs and keeps
the documents whose pairs sit at consecutive positions; and the score, Whoosh's (the words'
BM25F term scores summed as ``fastscore._tree_sum`` nests them), needs only the words' idf
and the documents' field lengths besides the weights in the entries: no word posting is
read.  A schema without the pair field (an index written before it existed) gives None and
``fastscore`` keeps its word-postings path.  ``tests/test_phrases.py`` compares both with
Whoosh's ``Phrase`` on real minutes.
"""

from __future__ import annotations

import copy
import pickle
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import fields, formats
from whoosh.reading import TermNotFound

from kb.deadline import Deadline
from kb.engine.whoosh.textfield import KbText, term_layout

#: the suffix naming a text field's pair field (``body`` → ``body_pairs``)
PAIR_SUFFIX = "_pairs"
#: what separates the two words of a pair (no analysed term holds a space)
PAIR_SEPARATOR = " "
#: how many terms (buckets) a pair field has: pairs of one bucket share a posting list.  More
#: buckets, shorter lists to scan per phrase; fewer, fewer terms to write per segment.
PAIR_BUCKETS = 16_384
#: candidates between deadline checks
_CHECK_EVERY = 256
_HEAD = struct.Struct("<H")  # an entry: its pair's length in bytes, then the pair
_TAIL = struct.Struct("<ffI")  # then both words' weights and the number of positions
_ONE = struct.Struct("<ffII")  # the weights, count and position of a pair seen once


def pair_field(fieldname: str) -> str:
    """The name of ``fieldname``'s pair field."""
    return fieldname + PAIR_SUFFIX


def paired_fields(schema: Any) -> dict[str, str]:
    """Each text field of ``schema`` whose pair field is in it too → that pair field (the
    fields whose pairs the writer fills from their terms)."""
    names = set(schema.names())
    return {
        name: pair_field(name)
        for name, field in schema.items()
        if isinstance(field, KbText) and pair_field(name) in names
    }


def pair_term(first: str, second: str) -> str:
    """The text of the pair ``first`` directly followed by ``second``."""
    return first + PAIR_SEPARATOR + second


def bucket_of(pair: bytes) -> bytes:
    """The pair field's term holding the pair ``pair`` (UTF-8 bytes of :func:`pair_term`)."""
    return b"%04x" % (zlib.crc32(pair) % PAIR_BUCKETS)


class PairFormat(formats.Format):
    """A pair field's posting format: the value is :func:`encode_pair`'s bytes, written by
    :func:`pair_postings` (Whoosh's analyzer never indexes a pair field)."""

    posting_size = -1

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        raise TypeError("a pair field is written from its text field's terms (pair_postings)")


class PairField(fields.FieldType):
    """The pair field of a phrase-searchable text field: indexed, not stored, not scored
    (no length column), no analyzer; the writer fills it (see :func:`pair_postings`)."""

    def __init__(self) -> None:
        super().__init__(PairFormat(), None, scorable=False, stored=False)

    def index(self, value: Any, **kwargs: Any) -> Any:
        raise TypeError("a pair field is written from its text field's terms (pair_postings)")


def add_pair_fields(schema: fields.Schema) -> fields.Schema:
    """Add a :class:`PairField` to ``schema`` for each of its text fields that keeps
    positions (the phrase-searchable ones); returns ``schema``."""
    for name, field in list(schema.items()):
        if isinstance(field, fields.TEXT) and type(field.format) is formats.Positions:
            schema.add(pair_field(name), PairField())
    return schema


def without_pair_fields(schema: fields.Schema) -> fields.Schema:
    """A copy of ``schema`` without its pair fields: the schema of an index written before
    they existed, and what Whoosh's own writer can write."""
    out = copy.deepcopy(schema)
    for name in [n for n in out.names() if n.endswith(PAIR_SUFFIX)]:
        out.remove(name)
    return out


def encode_pairs(entries: list[tuple[bytes, float, float, list[int]]]) -> bytes:
    """A bucket posting's value: for each ``(pair, first weight, second weight, positions)``
    the pair's length (uint16) and UTF-8 bytes, the two weights (float32), the number of
    positions and the positions (uint32, ascending); all little-endian."""
    out = []
    for pair, wa, wb, positions in entries:
        if len(positions) == 1:
            out.append(_HEAD.pack(len(pair)) + pair + _ONE.pack(wa, wb, 1, positions[0]))
        else:
            out.append(_HEAD.pack(len(pair)) + pair + _TAIL.pack(wa, wb, len(positions)))
            out.append(struct.pack(f"<{len(positions)}I", *positions))
    return b"".join(out)


def decode_pairs(value: bytes) -> dict[bytes, tuple[float, float, list[int]]]:
    """Every entry of a bucket posting's value: pair → (first weight, second weight,
    positions)."""
    out = {}
    at = 0
    while at < len(value):
        (size,) = _HEAD.unpack_from(value, at)
        pair = value[at + 2 : at + 2 + size]
        wa, wb, count = _TAIL.unpack_from(value, at + 2 + size)
        start = at + 2 + size + _TAIL.size
        out[pair] = (wa, wb, list(struct.unpack_from(f"<{count}I", value, start)))
        at = start + 4 * count
    return out


def _entry(value: bytes, pair: bytes) -> tuple[float, float, int, int] | None:
    """(first weight, second weight, offset of the positions, their number) of ``pair``'s
    entry in a bucket posting's value; None when the document does not have the pair."""
    at = 0
    size = len(pair)
    while at < len(value):
        (length,) = _HEAD.unpack_from(value, at)
        wa, wb, count = _TAIL.unpack_from(value, at + 2 + length)
        start = at + 2 + length + _TAIL.size
        if length == size and value[at + 2 : at + 2 + length] == pair:
            return wa, wb, start, count
        at = start + 4 * count
    return None


def pair_postings(
    positions: dict[str, list[int]], weights: dict[str, float]
) -> list[tuple[bytes, int, float, bytes]]:
    """The pair field's ``(term bytes, frequency, weight, value)`` postings of one document
    from its text field's terms: ``positions`` maps each term to its ascending positions (as
    :func:`kb.engine.whoosh.textfield.term_positions` gives them) and ``weights`` each term
    to the weight its own posting has (frequency × boosts).  Every term at ``p`` pairs with
    every term at ``p + 1``; a bucket posting's frequency and weight are its number of
    pairs' positions.  A bucket's entries come in the order of their pairs' first
    positions (for one position, first terms then second terms in ``positions`` order)."""
    at, shared = term_layout(positions)
    found = _occurrences(at, shared)
    if getattr(positions, "sequence", None) is None and None in at:  # no term at a position
        found = [(p, key) for p, key in found if None not in key]
    return _bucket_postings(found, weights)


def _occurrences(at: list[Any], shared: dict[int, list[str]]) -> Iterable[tuple[int, Any]]:
    """(position, pair) of every pair of :func:`~kb.engine.whoosh.textfield.term_layout`'s
    terms ``at`` each position and ``shared`` positions, in order: zip's tuples where one
    term is at each of two positions, every term with every term where several are."""
    if not shared:
        return enumerate(zip(at, at[1:]))  # noqa: B905 - one shorter
    out: list[tuple[int, Any]] = []
    start = 0
    for spot in sorted({q for p in shared for q in (p - 1, p) if 0 <= q < len(at) - 1}):
        out += enumerate(zip(at[start:spot], at[start + 1 : spot + 1], strict=True), start)
        first, second = shared.get(spot, (at[spot],)), shared.get(spot + 1, (at[spot + 1],))
        out += [(spot, (x, y)) for x in first for y in second]
        start = spot + 1
    out += enumerate(zip(at[start:], at[start + 1 :]), start)  # noqa: B905 - one shorter
    return out


#: each bucket's term (:func:`bucket_of` is ``_BUCKET_TERMS[crc32(pair) % PAIR_BUCKETS]``)
_BUCKET_TERMS = tuple(b"%04x" % n for n in range(PAIR_BUCKETS))
#: pair length in bytes → the struct packing a whole entry of a pair seen once: the
#: length, the pair, the weights, 1 and the position (made ahead for the usual lengths)
_SINGLES = [struct.Struct(f"<H{size}s{_ONE.format[1:]}") for size in range(256)]


def _single(size: int) -> struct.Struct:
    """The ``_SINGLES`` struct of a pair of ``size`` bytes, however long."""
    return struct.Struct(f"<H{size}s{_ONE.format[1:]}")


def _bucket_postings(
    found: Iterable[tuple[int, tuple[str, str]]], weights: dict[str, float]
) -> list[tuple[bytes, int, float, bytes]]:
    """The bucket postings of the pairs ``found`` ((position, (first, second)) in order):
    each pair's entry (:func:`encode_pairs`) appended to its bucket's value."""
    where: dict[tuple[str, str], int] = {}  # pair → its index in terms and entries
    terms: list[bytes] = []
    entries: list[bytes] = []
    again: dict[int, tuple[tuple[str, str], list[int]]] = {}  # pairs seen more than once
    singles, crc32, buckets, width = _SINGLES, zlib.crc32, _BUCKET_TERMS, PAIR_BUCKETS
    ahead, sep = len(_SINGLES), PAIR_SEPARATOR
    for p, key in found:
        n = len(where)
        seen = where.setdefault(key, n)
        if seen != n:
            if seen not in again:  # its first position: the last four bytes of its entry
                again[seen] = (key, [int.from_bytes(entries[seen][-4:], "little")])
            again[seen][1].append(p)
            continue
        a, b = key
        pair = f"{a}{sep}{b}".encode()
        size = len(pair)
        packer = singles[size] if size < ahead else _single(size)
        entries.append(packer.pack(size, pair, weights[a], weights[b], 1, p))
        terms.append(buckets[crc32(pair) % width])  # bucket_of, inlined
    counts = [1] * len(entries)
    for n, ((a, b), ps) in again.items():  # encode_pairs, inlined
        pair = (a + PAIR_SEPARATOR + b).encode()
        counts[n] = count = len(ps)
        entries[n] = (
            _HEAD.pack(len(pair))
            + pair
            + _TAIL.pack(weights[a], weights[b], count)
            + struct.pack(f"<{count}I", *ps)
        )
    if len(set(terms)) < len(terms):  # a bucket holding several of the document's pairs
        terms, counts, entries = _merged(terms, counts, entries)
    return list(zip(terms, counts, map(float, counts), entries, strict=True))


def _merged(
    terms: list[bytes], counts: list[int], entries: list[bytes]
) -> tuple[list[bytes], list[int], list[bytes]]:
    """``terms``, ``counts`` and ``entries`` with the entries of one term joined (in
    order) at its first, their counts summed."""
    where: dict[bytes, int] = {}
    out_terms: list[bytes] = []
    out_counts: list[int] = []
    out_entries: list[bytes] = []
    for term, count, entry in zip(terms, counts, entries, strict=True):
        at = where.setdefault(term, len(out_terms))
        if at == len(out_terms):
            out_terms.append(term)
            out_counts.append(count)
            out_entries.append(entry)
        else:
            out_counts[at] += count
            out_entries[at] += entry
    return out_terms, out_counts, out_entries


#: the fixed part after an entry's pair: both words' weights and the number of positions
_TAIL_DTYPE = np.dtype([("first", "<f4"), ("second", "<f4"), ("count", "<u4")])


def _blocks(matcher: Any) -> Iterator[bytes]:
    """The decompressed data pickle of each posting block of a Whoosh 3 leaf matcher, in
    order (the matcher is moved past each block)."""
    postfile = matcher._postfile
    while True:
        raw = postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
        yield zlib.decompress(raw) if matcher._compression else bytes(raw)
        if matcher._lastblock:
            return
        matcher._goto(matcher._nextoffset)


#: how a protocol-2 pickle names the function rebuilding each ``bytes`` value
#: (``_codecs.encode(text, "latin1")``), and the same opcode naming :data:`_latin1`, the same
#: encoding without a codec look-up per value: a third less time to unpickle a block.  Blocks
#: written now are protocol 5 (:data:`kb.engine.whoosh.flush.BLOCK_PICKLE_PROTOCOL`: bytes as
#: ``BINBYTES``, ~4x faster again) and are left as they are; this serves segments written
#: before, kept until the index is rebuilt or their segment merged.  The
#: first occurrence in a block is that opcode: ids and weights are pickled as numbers whose
#: opcodes break any run of these bytes, and a value's bytes come after the opcode
_CODECS_ENCODE = b"c_codecs\nencode\n"
_FAST_BYTES = b"c" + __name__.encode() + b"\n_latin1\n"
_latin1 = str.encode


def unpickle_block(data: bytes) -> Any:
    """A posting block's data, unpickled (``pickle.loads``), whatever its protocol; a
    protocol-2 pickle's bytes values are rebuilt by :data:`_latin1` (see
    :data:`_CODECS_ENCODE`)."""
    if data[:2] == b"\x80\x02":
        data = data.replace(_CODECS_ENCODE, _FAST_BYTES, 1)
    return pickle.loads(data)  # noqa: S301 - the index's own posting blocks


def _pickled_forms(needle: bytes) -> tuple[bytes, ...]:
    """How the bytes ``needle``, inside a posting value, can appear in a block's pickle
    (protocol 2 and later): as they are (protocol 3+ ``BINBYTES``) or as the UTF-8 of their
    Latin-1 text (protocol 2 pickles bytes as ``_codecs.encode(text, "latin1")``)."""
    text = needle.decode("latin-1").encode("utf-8")
    return (needle,) if text == needle else (needle, text)


def _bucket_matcher(reader: Any, fieldname: str, text: bytes) -> Any:
    """The posting matcher of one pair term in one segment, without Whoosh's deletion filter
    (the caller masks deleted documents), or None when the segment lacks the term: one
    look-up of the term in the segment's term index (``reader.postings`` after ``in``
    looks it up twice, and builds a set of the deleted documents each time)."""
    terms = getattr(reader, "_terms", None)
    if all(hasattr(terms, a) for a in ("term_info", "_codec", "_postfile")):
        try:
            info = terms.term_info(fieldname, text)
        except (KeyError, TermNotFound):
            return None
        field_format = reader.schema[fieldname].format
        return terms._codec.postings_reader(
            terms._postfile, info, field_format, term=(fieldname, text)
        )
    if (fieldname, text) not in reader:  # another codec
        return None
    m = reader.postings(fieldname, text)
    while not hasattr(m, "_read_ids") and hasattr(m, "child"):  # deletions filter
        m = m.child
    return m


def _read_pairs(
    reader: Any, fieldname: str, text: bytes, needle: bytes | None = None
) -> tuple[np.ndarray, list[bytes]]:
    """(local docnums ascending, their values) of one pair term in one segment.  With
    ``needle``, a block whose pickle cannot hold it (:func:`_pickled_forms`) is skipped
    unread: its documents may be left out, never one whose value contains ``needle``."""
    m = _bucket_matcher(reader, fieldname, text)
    if m is None:
        return np.zeros(0, dtype=np.int64), []
    ids: list[Any] = []
    values: list[bytes] = []
    byte_ids = getattr(m, "_byteids", True)
    if not byte_ids and all(hasattr(m, a) for a in ("_goto", "_postfile", "_nextoffset")):
        forms = _pickled_forms(needle) if needle is not None else ()
        for data in _blocks(m):  # Whoosh 3 blocks: (id deltas, weights, values), pickled
            pickled = data[:1] == b"\x80" and data[1] >= 2  # protocol 2 or later
            if forms and pickled and not any(form in data for form in forms):
                continue
            deltas, _weights, block_values = unpickle_block(data)
            ids.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
            values.extend(block_values)
        if not ids:
            return np.zeros(0, dtype=np.int64), []
        return np.concatenate(ids), values
    while m.is_active():  # inlined postings (a pair in one document), or another codec
        ids.append(m.id())
        values.append(m.value())
        m.next()
    return np.asarray(ids, dtype=np.int64), values


def match(
    searcher: Any, fieldname: str, words: list[str], deadline: Deadline
) -> tuple[np.ndarray, np.ndarray] | None:
    """Every document with ``words`` (two or more analysed terms) at consecutive positions
    of ``fieldname``: (global docnums ascending, an (n, len(words)) float64 array of each
    word's posting weight there).  None when the index has no pair field for
    ``fieldname`` (the caller reads the words' postings instead)."""
    pairs_name = pair_field(fieldname)
    if pairs_name not in searcher.schema.names():
        return None
    pairs = [pair_term(a, b).encode("utf-8") for a, b in zip(words, words[1:], strict=False)]
    all_docs: list[np.ndarray] = []
    all_weights: list[np.ndarray] = []
    for sub, offset in searcher.subsearchers or [(searcher, 0)]:
        deadline.check("phrase matching")
        docs, weights = _match_segment(sub.reader(), pairs_name, pairs, deadline)
        if len(docs):
            all_docs.append(docs + offset)
            all_weights.append(weights)
    if not all_docs:
        return np.zeros(0, dtype=np.int64), np.zeros((0, len(words)), dtype=np.float64)
    return np.concatenate(all_docs), np.concatenate(all_weights)


@dataclass(frozen=True)
class Having:
    """The documents of one segment having one pair, in docnum order: their local
    ``docs``, both words' weights there (``first``, ``second``, float64 of the stored
    float32) and where the pair's ``count`` positions start (``at``) in ``data``."""

    docs: np.ndarray
    first: np.ndarray
    second: np.ndarray
    count: np.ndarray
    at: np.ndarray
    data: bytes

    def positions(self, row: int) -> np.ndarray:
        """The pair's positions in the document at ``row``, as int64."""
        count, at = int(self.count[row]), int(self.at[row])
        return np.frombuffer(self.data, dtype="<u4", count=count, offset=at).astype(np.int64)


def _gather(raw: np.ndarray, offsets: np.ndarray, width: int) -> np.ndarray:
    """The ``width`` bytes of ``raw`` at each of ``offsets``, as an (n, width) uint8 array."""
    return raw[offsets[:, None] + np.arange(width, dtype=np.int64)]


def having(ids: np.ndarray, values: list[bytes], pair: bytes) -> Having:
    """The documents among a bucket's postings (``ids``, ``values``) whose value has an
    entry for ``pair``: exactly those :func:`_entry` finds, most of them read in numpy.

    A value holding one entry (its length is that entry's: the usual case, a document
    rarely has two pairs in one bucket) has ``pair`` when its one entry names it; any
    other value is walked by :func:`_entry` when its bytes contain ``pair``."""
    count = len(values)
    data = b"".join(values)
    raw = np.frombuffer(data, dtype=np.uint8)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=count)
    starts = np.cumsum(lengths) - lengths
    # each value's first entry: its pair's length, where its weights start, its positions
    size = np.zeros(count, dtype=np.int64)
    readable = np.flatnonzero(lengths >= _HEAD.size)
    size[readable] = _gather(raw, starts[readable], _HEAD.size).view("<u2").ravel()
    tails = starts + _HEAD.size + size
    whole = tails + _TAIL.size <= starts + lengths
    whole[lengths < _HEAD.size] = False
    positions = np.zeros(count, dtype=np.int64)
    inside = np.flatnonzero(whole)
    fixed = _gather(raw, tails[inside], _TAIL.size).view(_TAIL_DTYPE).ravel()
    positions[inside] = fixed["count"]
    single = whole & (tails + _TAIL.size + 4 * positions == starts + lengths)
    named = np.flatnonzero(single & (size == len(pair)))
    same = _gather(raw, starts[named] + _HEAD.size, len(pair)) == np.frombuffer(pair, np.uint8)
    found = np.full(count, -1, dtype=np.int64)  # where each value's entry's weights start
    hit_rows = named[same.all(axis=1)] if len(pair) else named
    found[hit_rows] = tails[hit_rows]
    for row in np.flatnonzero(~single).tolist():  # several entries (or a damaged value)
        value = values[row]
        if pair in value:
            hit = _entry(value, pair)
            if hit is not None:
                found[row] = starts[row] + hit[2] - _TAIL.size
    kept = np.flatnonzero(found >= 0)
    weights_at = found[kept]
    fixed = _gather(raw, weights_at, _TAIL.size).view(_TAIL_DTYPE).ravel()
    return Having(
        docs=ids[kept],
        first=fixed["first"].astype(np.float64),
        second=fixed["second"].astype(np.float64),
        count=fixed["count"].astype(np.int64),
        at=weights_at + _TAIL.size,
        data=data,
    )


def _documents_with(reader: Any, pairs_name: str, pair: bytes, deadline: Deadline) -> Having:
    """The documents of one segment having ``pair`` (:func:`having` of its bucket)."""
    deadline.check("phrase matching")
    needle = _HEAD.pack(len(pair)) + pair
    ids, values = _read_pairs(reader, pairs_name, bucket_of(pair), needle)
    deadline.check("phrase matching")
    return having(ids, values, pair)


def _match_segment(
    reader: Any, pairs_name: str, pairs: list[bytes], deadline: Deadline
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`match` in one segment (local docnums)."""
    found: list[Having] = []
    for pair in pairs:
        has = _documents_with(reader, pairs_name, pair, deadline)
        if not len(has.docs):
            return np.zeros(0, dtype=np.int64), np.zeros((0, len(pairs) + 1))
        found.append(has)
    docs = found[0].docs
    for has in found[1:]:
        docs = np.intersect1d(docs, has.docs, assume_unique=True)
    rows = [np.searchsorted(has.docs, docs) for has in found]
    if len(pairs) > 1:  # the pairs must follow one another: pair i at start + i
        keep = np.zeros(len(docs), dtype=bool)
        for n in range(len(docs)):
            if n % _CHECK_EVERY == _CHECK_EVERY - 1:
                deadline.check("phrase matching")
            starts = found[0].positions(int(rows[0][n]))
            for offset in range(1, len(pairs)):
                later = found[offset].positions(int(rows[offset][n]))
                starts = starts[np.isin(starts + offset, later, assume_unique=True)]
                if not len(starts):
                    break
            keep[n] = bool(len(starts))
        docs, rows = docs[keep], [r[keep] for r in rows]
    # word 0's weight is pair 0's first; word i's (i ≥ 1) is pair i-1's second
    columns = [found[0].first[rows[0]]]
    columns += [has.second[r] for has, r in zip(found, rows, strict=True)]
    weights = np.column_stack(columns) if len(docs) else np.zeros((0, len(pairs) + 1))
    return np.asarray(docs, dtype=np.int64), weights.astype(np.float64)
