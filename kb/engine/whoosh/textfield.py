"""The schema's text field: Whoosh's ``TEXT`` with a direct indexing path.

Whoosh indexes a text value by running the analyzer token by token (one Whoosh ``Token``
object reused, keyword arguments at every step) and gathering positions in the format's
``word_values``.  :class:`KbText` gives the writer the same ``(term bytes, frequency, weight,
encoded value)`` tuples from :func:`term_positions`, which analyses each distinct word once
(cached) with :func:`kb.analysis.tokenize` and offsets its positions: the postings are the
same as Whoosh's (tested), at a fraction of the cost.  Queries, highlighting and anything
else that calls the analyzer are unchanged.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable, Iterator
from pickle import dumps
from typing import Any

import numpy as np
from whoosh import fields, formats
from whoosh.system import _INT_SIZE, pack_uint, unpack_uint

from kb import analysis

#: raw word -> its (term, position offset) pairs and positions used, one map per ``stem``
_WORD_TERMS: dict[bool, dict[str, tuple[tuple[tuple[str, int], ...], int]]] = {True: {}, False: {}}
#: entries a map may hold before it is emptied (a bound on memory, not a tuning knob)
MAX_CACHED_WORDS = 500_000


def _word_terms(raw: str, stem: bool) -> tuple[tuple[tuple[str, int], ...], int]:
    """The ``(term, position offset)`` pairs :func:`kb.analysis.tokenize` gives one raw word,
    and how many positions the word takes up."""
    toks = tuple((t.text, t.pos) for t in analysis.tokenize(raw, do_stem=stem))
    found = (toks, max(p for _, p in toks) + 1 if toks else 0)
    cache = _WORD_TERMS[stem]
    if len(cache) >= MAX_CACHED_WORDS:
        cache.clear()
    cache[raw] = found
    return found


def term_positions(text: str, *, stem: bool = True) -> dict[str, list[int]]:
    """Each term of ``text`` with its positions in order, exactly as
    :func:`kb.analysis.tokenize` numbers them (first occurrence order)."""
    out: dict[str, list[int]] = {}
    cache = _WORD_TERMS[stem]
    pos = 0
    for raw in analysis.WORD_RE.findall(text):
        hit = cache.get(raw)
        toks, used = hit if hit is not None else _word_terms(raw, stem)
        for term, offset in toks:
            found = out.get(term)
            if found is None:
                out[term] = [pos + offset]
            else:
                found.append(pos + offset)
        pos += used
    return out


class KbText(fields.TEXT):
    """``whoosh.fields.TEXT`` analysed by :mod:`kb.analysis` (``stem`` as the analyzer's),
    whose :meth:`index` skips Whoosh's token stream."""

    def __init__(self, *, stem: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kb_stem = stem

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        fmt = self.format
        if not isinstance(value, str) or kwargs or type(fmt) not in _ENCODERS:
            return super().index(value, **kwargs)
        return iter(self.postings(term_positions(value, stem=self.kb_stem)))

    def postings(self, positions: dict[str, list[int]]) -> list[tuple[bytes, int, float, bytes]]:
        """The ``(term bytes, frequency, weight, encoded value)`` postings of a value whose
        terms have ``positions`` (:func:`term_positions` of it): what :meth:`index` gives."""
        boost = self.format.field_boost
        encode = _ENCODERS[type(self.format)]
        return [
            (term.encode("utf-8"), len(ps), float(len(ps)) * boost, encode(ps))
            for term, ps in positions.items()
        ]

    def portable_index(self, value: Any) -> list[tuple[bytes, int, float, Any]]:
        """:meth:`index` for sending to another process: a single position (the common
        case) as its int, which :meth:`restore_index` turns back into the cached encoded
        value ``index`` gives, so the writer's postings are the same objects (the codec's
        pickles share equal objects: the same objects make the same bytes)."""
        if not isinstance(value, str) or type(self.format) is not formats.Positions:
            return list(self.index(value))
        return self.portable_postings(term_positions(value, stem=self.kb_stem))

    def portable_postings(
        self, positions: dict[str, list[int]]
    ) -> list[tuple[bytes, int, float, Any]]:
        """:meth:`portable_index` of a value whose terms have ``positions``
        (:func:`term_positions` of it)."""
        if type(self.format) is not formats.Positions:
            return self.postings(positions)
        boost = self.format.field_boost
        return [
            (
                term.encode("utf-8"),
                len(ps),
                float(len(ps)) * boost,
                ps[0] if len(ps) == 1 else encode_positions(ps),
            )
            for term, ps in positions.items()
        ]

    @staticmethod
    def restore_index(postings: list[tuple[bytes, int, float, Any]]) -> list[tuple]:
        """What :meth:`index` gave for the value :meth:`portable_index` was given."""
        return [(t, f, w, _single_position(v) if type(v) is int else v) for t, f, w, v in postings]


def encode_positions(poslist: list[int]) -> bytes:
    """``whoosh.formats.Positions.encode``: the count, then the pickled position deltas
    (a single position, the common case, from a cache)."""
    if len(poslist) == 1:
        return _single_position(poslist[0])
    deltas = [poslist[0], *(b - a for a, b in zip(poslist, poslist[1:], strict=False))]
    return pack_uint(len(deltas)) + dumps(deltas, 2)


def positions_decoder(fmt: Any) -> Callable[[bytes], np.ndarray]:
    """A function decoding ``fmt``'s posting values to an int64 array of positions: for
    Whoosh's ``Positions`` (what :func:`encode_positions` writes), one C unpickle and a numpy
    cumulative sum instead of Whoosh's Python loop (an item with 200,000 occurrences of a
    word decodes in milliseconds); any other format through its own decoder."""
    if type(fmt) is formats.Positions:

        def fast(value: bytes) -> np.ndarray:
            small = small_deltas(value[_INT_SIZE:], unpack_uint(value[:_INT_SIZE])[0])
            if small is not None:
                return np.cumsum(small)
            if not value.endswith(b"."):  # pickle's STOP opcode, as Whoosh's decoder adds
                value += b"."
            deltas = pickle.loads(value[_INT_SIZE:])  # noqa: S301 - the index's own values
            return np.cumsum(np.asarray(deltas, dtype=np.int64))

        return fast
    decode = fmt.decoder("positions")
    return lambda value: np.asarray(decode(value), dtype=np.int64)


#: how ``pickle.dumps(list, 2)`` opens a list (PROTO 2, EMPTY_LIST, BINPUT 0) and the
#: opcodes of its body: MARK, APPENDS, BININT1 (a one-byte int), BININT2, BININT
_LIST_HEAD = b"\x80\x02]q\x00"
_MARK, _APPENDS, _BININT1, _BININT2, _BININT = 0x28, 0x65, 0x4B, 0x4D, 0x4A
#: items per MARK … APPENDS batch in a pickled list
_BATCH = 1000


def small_deltas(pickled: bytes, count: int) -> np.ndarray | None:
    """The ``count`` ints that ``pickled`` (``pickle.dumps(list, 2)``, maybe without its
    STOP) holds, as int64, read by numpy without unpickling when every item but the first
    is a one-byte int (the position deltas of a word used again and again: the costly
    case, an item with 200,000 mentions); None for any other layout (the caller unpickles).

    The layout checked, byte for byte: the list head, then batches of up to 1,000 items,
    each ``(`` items ``e``; the first item may be a one-, two- or four-byte int (an
    absolute position), every other one ``K`` and its byte."""
    size = len(pickled) - pickled.endswith(b".")
    if count < 2 or size < 10 or not pickled.startswith(_LIST_HEAD) or pickled[5] != _MARK:
        return None
    op = pickled[6]
    width = {_BININT1: 1, _BININT2: 2, _BININT: 4}.get(op)
    if width is None:
        return None
    first = int.from_bytes(pickled[7 : 7 + width], "little", signed=op == _BININT)
    at = 7 + width
    head = min(count, _BATCH) - 1  # the first batch's items after the first
    full, tail = divmod(count - head - 1, _BATCH)
    if size != at + 2 * head + 1 + full * (2 * _BATCH + 2) + (2 * tail + 2 if tail else 0):
        return None
    raw = np.frombuffer(pickled, dtype=np.uint8, count=size)
    pieces = [raw[at : at + 2 * head].reshape(head, 2)]
    closers = [raw[at + 2 * head]]
    at += 2 * head + 1
    if full:
        batches = raw[at : at + full * (2 * _BATCH + 2)].reshape(full, 2 * _BATCH + 2)
        if (batches[:, 0] != _MARK).any() or (batches[:, -1] != _APPENDS).any():
            return None
        pieces.append(batches[:, 1:-1].reshape(full * _BATCH, 2))
        at += full * (2 * _BATCH + 2)
    if tail:
        closers.append(raw[size - 1])
        if raw[at] != _MARK:
            return None
        pieces.append(raw[at + 1 : size - 1].reshape(tail, 2))
    items = np.concatenate(pieces)
    if any(c != _APPENDS for c in closers) or (items[:, 0] != _BININT1).any():
        return None
    out = np.empty(count, dtype=np.int64)
    out[0] = first
    out[1:] = items[:, 1]
    return out


@functools.lru_cache(maxsize=65_536)
def _single_position(pos: int) -> bytes:
    return pack_uint(1) + dumps([pos], 2)


def _frequency(poslist: list[int]) -> bytes:
    return pack_uint(len(poslist))


#: the formats whose values :meth:`KbText.index` encodes itself (as Whoosh's ``word_values``)
_ENCODERS = {formats.Positions: encode_positions, formats.Frequency: _frequency}
