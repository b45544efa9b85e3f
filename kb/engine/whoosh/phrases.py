"""Quoted phrases answered from word-pair postings, with Whoosh's own phrase scores.

Whoosh matches a ``Phrase`` by reading every posting of each word (a block holds its
documents' positions too, so reading one word of the body decompresses all its positions)
and comparing positions.  The index also keeps, for each phrase-searchable text field
``f``, a field ``f_pairs`` (:func:`pair_field`) whose terms are the adjacent pairs of
``f``'s analysed terms: ``"a b"`` for a term ``a`` at position ``p`` and ``b`` at ``p + 1``
(positions as :func:`kb.analysis.tokenize` numbers them: stopwords take none, a hyphenated
word's joined form shares its first part's position, so every pair Whoosh's phrase check
can see is there).  Each pair posting's value holds the two words' posting weights in that
document (float32, as the word postings store them) and the pair's positions
(:func:`encode_pair`).

So a two-word phrase is one short posting list, exactly; a longer one intersects its pairs
and keeps the documents whose pairs sit at consecutive positions; and the score, Whoosh's
(the words' BM25F term scores summed as ``fastscore._tree_sum`` nests them), needs only the
words' idf and the documents' field lengths besides the weights in the pair values: no word
posting is read.  A schema without the pair field (an index written before it existed)
gives None and ``fastscore`` keeps its word-postings path.
``tests/test_phrases.py`` compares both with Whoosh's ``Phrase`` on real minutes.
"""

from __future__ import annotations

import struct
from array import array
from typing import Any

import numpy as np
from whoosh import fields, formats

from kb.deadline import Deadline

#: the suffix naming a text field's pair field (``body`` → ``body_pairs``)
PAIR_SUFFIX = "_pairs"
#: what separates the two words of a pair term (no analysed term holds a space)
PAIR_SEPARATOR = " "
#: candidates between deadline checks
_CHECK_EVERY = 256
_WEIGHTS = struct.Struct("<ff")


def pair_field(fieldname: str) -> str:
    """The name of ``fieldname``'s pair field."""
    return fieldname + PAIR_SUFFIX


def pair_term(first: str, second: str) -> str:
    """The pair field's term for ``first`` directly followed by ``second``."""
    return first + PAIR_SEPARATOR + second


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


def encode_pair(first_weight: float, second_weight: float, positions: list[int]) -> bytes:
    """A pair posting's value: both words' weights (float32) and the pair's positions
    (uint32, ascending)."""
    return _WEIGHTS.pack(first_weight, second_weight) + array("I", positions).tobytes()


def decode_pair_positions(value: bytes) -> np.ndarray:
    """The positions in a pair posting's value, as int64."""
    return np.frombuffer(value, dtype="<u4", offset=_WEIGHTS.size).astype(np.int64)


def pair_postings(
    positions: dict[str, list[int]], weights: dict[str, float]
) -> list[tuple[bytes, int, float, bytes]]:
    """The pair field's ``(term bytes, frequency, weight, value)`` postings of one document
    from its text field's terms: ``positions`` maps each term to its ascending positions (as
    :func:`kb.engine.whoosh.textfield.term_positions` gives them) and ``weights`` each term
    to the weight its own posting has (frequency × boosts)."""
    at: dict[int, list[str]] = {}
    for term, places in positions.items():
        for p in places:
            found = at.get(p)
            if found is None:
                at[p] = [term]
            else:
                found.append(term)
    pairs: dict[tuple[str, str], list[int]] = {}
    for p in sorted(at):
        after = at.get(p + 1)
        if after is None:
            continue
        for a in at[p]:
            for b in after:
                found = pairs.get((a, b))
                if found is None:
                    pairs[(a, b)] = [p]
                else:
                    found.append(p)
    return [
        (
            pair_term(a, b).encode("utf-8"),
            len(ps),
            float(len(ps)),
            encode_pair(weights[a], weights[b], ps),
        )
        for (a, b), ps in pairs.items()
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
    texts = [pair_term(a, b).encode("utf-8") for a, b in zip(words, words[1:], strict=False)]
    all_docs: list[np.ndarray] = []
    all_weights: list[np.ndarray] = []
    for sub, offset in searcher.subsearchers or [(searcher, 0)]:
        deadline.check("phrase matching")
        docs, weights = _match_segment(sub.reader(), pairs_name, texts, deadline)
        if len(docs):
            all_docs.append(docs + offset)
            all_weights.append(weights)
    if not all_docs:
        return np.zeros(0, dtype=np.int64), np.zeros((0, len(words)), dtype=np.float64)
    return np.concatenate(all_docs), np.concatenate(all_weights)


def _match_segment(
    reader: Any, pairs_name: str, texts: list[bytes], deadline: Deadline
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`match` in one segment (local docnums)."""
    read = []
    for text in texts:
        ids, values = _read_pairs(reader, pairs_name, text)
        if not len(ids):
            return np.zeros(0, dtype=np.int64), np.zeros((0, len(texts) + 1))
        read.append((ids, values))
    docs = read[0][0]
    for ids, _values in read[1:]:
        docs = np.intersect1d(docs, ids, assume_unique=True)
    # each pair's value for each candidate (postings are in docnum order)
    rows = [np.searchsorted(ids, docs).tolist() for ids, _v in read]
    chosen = [[values[r] for r in row] for (_ids, values), row in zip(read, rows, strict=True)]
    if len(texts) > 1:
        keep = np.zeros(len(docs), dtype=bool)
        for n in range(len(docs)):
            if n % _CHECK_EVERY == 0:
                deadline.check("phrase matching")
            starts = decode_pair_positions(chosen[0][n])
            for offset in range(1, len(texts)):
                later = decode_pair_positions(chosen[offset][n])
                starts = starts[np.isin(starts + offset, later, assume_unique=True)]
                if not len(starts):
                    break
            keep[n] = bool(len(starts))
        docs = docs[keep]
        chosen = [[v for v, k in zip(vals, keep, strict=True) if k] for vals in chosen]
    # word 0's weight is pair 0's first; word i's (i ≥ 1) is pair i-1's second
    firsts = _weights(chosen[0], len(docs))[:, :1]
    seconds = [_weights(vals, len(docs))[:, 1:] for vals in chosen]
    return docs, np.hstack([firsts, *seconds])


def _weights(values: list[bytes], count: int) -> np.ndarray:
    """The (count, 2) float64 word weights at the head of pair values."""
    head = b"".join(v[: _WEIGHTS.size] for v in values)
    return np.frombuffer(head, dtype="<f4").astype(np.float64).reshape(count, 2)
