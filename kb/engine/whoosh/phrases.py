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
import struct
import zlib
from typing import Any

import numpy as np
from whoosh import fields, formats

from kb.deadline import Deadline

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
    last = max((ps[-1] for ps in positions.values()), default=-1)
    at: list[str | None] = [None] * (last + 2)  # the term at each position (most hold one)
    shared: dict[int, list[str]] = {}  # positions holding several (a hyphenated word)
    for term, places in positions.items():
        for p in places:
            held = at[p]
            if held is None:
                at[p] = term
            else:
                shared.setdefault(p, [held]).append(term)
    pairs: dict[tuple[str, str], list[int]] = {}  # (first, second) → the pair's positions
    if not shared:  # the common case: one term per position, the pairs are zip's tuples
        for p, key in enumerate(zip(at, at[1:-1], strict=False)):
            if key[0] is None or key[1] is None:
                continue
            found = pairs.get(key)
            if found is None:
                pairs[key] = [p]
            else:
                found.append(p)
    else:
        for p in range(last):
            a, b = at[p], at[p + 1]
            if a is None or b is None:
                continue
            if p in shared or p + 1 in shared:
                keys = [(x, y) for x in shared.get(p, (a,)) for y in shared.get(p + 1, (b,))]
            else:
                keys = [(a, b)]
            for key in keys:
                found = pairs.get(key)
                if found is None:
                    pairs[key] = [p]
                else:
                    found.append(p)
    buckets: dict[bytes, list[Any]] = {}  # term → [positions in all, entry bytes, ...]
    one, tail, size, crc32 = _ONE.pack, _TAIL.pack, _HEAD.pack, zlib.crc32
    for key, ps in pairs.items():
        pair = (key[0] + PAIR_SEPARATOR + key[1]).encode("utf-8")
        head = size(len(pair)) + pair
        term = b"%04x" % (crc32(pair) % PAIR_BUCKETS)  # bucket_of, inlined
        count = len(ps)
        if count == 1:  # encode_pairs, inlined
            entry = head + one(weights[key[0]], weights[key[1]], 1, ps[0])
        else:
            entry = (
                head
                + tail(weights[key[0]], weights[key[1]], count)
                + struct.pack(f"<{count}I", *ps)
            )
        found = buckets.get(term)
        if found is None:
            buckets[term] = [count, entry]
        else:
            found[0] += count
            found.append(entry)
    return [
        (term, e[0], float(e[0]), e[1] if len(e) == 2 else b"".join(e[1:]))
        for term, e in buckets.items()
    ]


def _read_pairs(reader: Any, fieldname: str, text: bytes) -> tuple[np.ndarray, list[bytes]]:
    """(local docnums ascending, their values) of one pair term in one segment."""
    if (fieldname, text) not in reader:
        return np.zeros(0, dtype=np.int64), []
    m = reader.postings(fieldname, text)
    while not hasattr(m, "_read_ids") and hasattr(m, "child"):  # deletions filter
        m = m.child
    ids: list[int] = []
    values: list[bytes] = []
    if all(hasattr(m, a) for a in ("_read_ids", "_read_values", "_next_block")):
        while m.is_active():  # a block at a time (one decompression gives both)
            m._read_ids()
            m._read_values()
            ids.extend(m._ids)
            values.extend(m._values)
            m._next_block()
    else:  # inlined postings (a pair in one document), or another codec
        while m.is_active():
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


def _documents_with(
    reader: Any, pairs_name: str, pair: bytes, deadline: Deadline
) -> dict[int, tuple[float, float, bytes, int, int]]:
    """Local docnum → (first weight, second weight, value, positions offset, count) of
    every document of one segment having ``pair``."""
    ids, values = _read_pairs(reader, pairs_name, bucket_of(pair))
    found = {}
    for n, (doc, value) in enumerate(zip(ids.tolist(), values, strict=True)):
        if n % _CHECK_EVERY == _CHECK_EVERY - 1:
            deadline.check("phrase matching")
        hit = _entry(value, pair)
        if hit is not None:
            found[doc] = (hit[0], hit[1], value, hit[2], hit[3])
    return found


def _positions(hit: tuple[float, float, bytes, int, int]) -> np.ndarray:
    """The positions of a :func:`_documents_with` entry, as int64."""
    _wa, _wb, value, start, count = hit
    return np.frombuffer(value, dtype="<u4", count=count, offset=start).astype(np.int64)


def _match_segment(
    reader: Any, pairs_name: str, pairs: list[bytes], deadline: Deadline
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`match` in one segment (local docnums)."""
    found = []
    for pair in pairs:
        having = _documents_with(reader, pairs_name, pair, deadline)
        if not having:
            return np.zeros(0, dtype=np.int64), np.zeros((0, len(pairs) + 1))
        found.append(having)
    docs = sorted(set(found[0]).intersection(*found[1:]))
    if len(pairs) > 1:  # the pairs must follow one another: pair i at start + i
        kept = []
        for n, doc in enumerate(docs):
            if n % _CHECK_EVERY == _CHECK_EVERY - 1:
                deadline.check("phrase matching")
            starts = _positions(found[0][doc])
            for offset in range(1, len(pairs)):
                later = _positions(found[offset][doc])
                starts = starts[np.isin(starts + offset, later, assume_unique=True)]
                if not len(starts):
                    break
            if len(starts):
                kept.append(doc)
        docs = kept
    # word 0's weight is pair 0's first; word i's (i ≥ 1) is pair i-1's second
    weights = np.array(
        [[found[0][d][0], *(having[d][1] for having in found)] for d in docs],
        dtype=np.float64,
    ).reshape(len(docs), len(pairs) + 1)
    return np.asarray(docs, dtype=np.int64), weights
