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
import re
from collections.abc import Callable, Iterator
from itertools import repeat
from operator import itemgetter, mul, sub
from pickle import dumps
from typing import Any, NamedTuple

import numpy as np
from whoosh import fields, formats
from whoosh.system import _INT_SIZE, pack_uint, unpack_uint

from kb import analysis

#: entries a word cache may hold before it is emptied (a bound on memory, not a tuning knob)
MAX_CACHED_WORDS = 500_000


class _Word(NamedTuple):
    """What :func:`kb.analysis.tokenize` makes of a raw word giving several terms (a
    hyphenated word), in the forms :func:`term_positions` needs."""

    terms: tuple[tuple[str, int], ...]  # (term, position offset), in the order tokenize gives
    used: int  # the positions the word takes up
    primary: tuple[str | None, ...]  # the first term at each of them
    shape: tuple[tuple[int, tuple[str, ...]], ...]  # (offset, its terms) where several


#: raw word -> its one term, for a word giving exactly one term at its first position and
#: taking up one (most words: one look-up per word), None for a word giving no term (a
#: stopword, a single letter), or its :class:`_Word`; one map per ``stem``
_WORDS: dict[bool, dict[str, str | _Word | None]] = {True: {}, False: {}}
#: words leaving a position no term holds (tokenize never does): a text with one has no
#: ``sequence`` (see :class:`TermPositions`)
_GAPPY: dict[bool, set[str]] = {True: set(), False: set()}
#: :data:`kb.analysis.WORD_RE` for ASCII text: there ``[^\W_]`` is ``[A-Za-z0-9]`` and the
#: only joiners are ``-`` and ``'``; an explicit class is matched about twice as fast
_ASCII_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")
#: the characters joining the parts of a hyphenated word (as :mod:`kb.analysis` splits
#: them): in a text without any, every word gives at most one term
_JOINERS = ("-", "\u2010", "\u2011")


def _analyse_word(raw: str, stem: bool) -> str | _Word | None:
    """``raw``'s entry in :data:`_WORDS`."""
    toks = tuple((t.text, t.pos) for t in analysis.tokenize(raw, do_stem=stem))
    if not toks:
        return None
    if len(toks) == 1 and toks[0][1] == 0:
        return toks[0][0]
    at: dict[int, list[str]] = {}
    for term, offset in sorted(toks, key=itemgetter(1)):
        at.setdefault(offset, []).append(term)
    used = max(at) + 1
    return _Word(
        terms=toks,
        used=used,
        primary=tuple(at[offset][0] if offset in at else None for offset in range(used)),
        shape=tuple((offset, tuple(ts)) for offset, ts in sorted(at.items()) if len(ts) > 1),
    )


def _learn(words: list[str], stem: bool) -> None:
    """Analyse the words of ``words`` not seen before into :data:`_WORDS`."""
    known = _WORDS[stem]
    if len(known) >= MAX_CACHED_WORDS:
        known.clear()
    for raw in set(words).difference(known):
        word = known[raw] = _analyse_word(raw, stem)
        if isinstance(word, _Word) and None in word.primary:
            _GAPPY[stem].add(raw)


class TermPositions(dict[str, list[int]]):
    """Each term of a text with its positions in order (a dict), and how the terms sit:
    ``sequence``, the term at each position (the first one :func:`kb.analysis.tokenize`
    gives there; None when a position holds none), and ``shared``, each position holding
    several terms (a hyphenated word's parts and joined form) with them, in the order
    tokenize gives them."""

    __slots__ = ("sequence", "shared")

    sequence: list[str] | None
    shared: dict[int, list[str]]


def term_positions(text: str, *, stem: bool = True) -> TermPositions:
    """Each term of ``text`` with its positions in order, exactly as
    :func:`kb.analysis.tokenize` numbers them (first occurrence order); with the terms'
    sequence (see :class:`TermPositions`).  Each distinct word is analysed once (cached)."""
    words = (_ASCII_WORD_RE if text.isascii() else analysis.WORD_RE).findall(text)
    known = _WORDS[stem]
    try:
        found_words = list(filter(None, map(known.__getitem__, words)))
    except KeyError:  # a word not seen before
        _learn(words, stem)
        found_words = list(filter(None, map(known.__getitem__, words)))
    out = TermPositions()
    dash, dash2, dash3 = _JOINERS
    if dash in text or dash2 in text or dash3 in text:  # maybe a hyphenated word
        _add_mixed(out, found_words, stem)
        if out.sequence is not None:
            gappy = _GAPPY[stem]
            out.sequence = None if gappy and not gappy.isdisjoint(words) else out.sequence
        return out
    for p, term in enumerate(found_words):  # one term per word: the words' terms
        found = out.get(term)
        if found is None:
            out[term] = [p]
        else:
            found.append(p)
    out.sequence, out.shared = found_words, {}  # type: ignore[assignment]
    return out


def _add_mixed(out: TermPositions, found_words: list[str | _Word], stem: bool) -> None:
    """Fill ``out`` (:func:`term_positions`) from the :data:`_WORDS` entries of a text's
    words giving terms, some of which may give several."""
    sequence: list[str | None] = []
    shared: dict[int, list[str]] = {}
    append = sequence.append
    pos = 0
    for word in found_words:
        if word.__class__ is str:
            found = out.get(word)  # type: ignore[arg-type]
            if found is None:
                out[word] = [pos]  # type: ignore[index]
            else:
                found.append(pos)
            append(word)  # type: ignore[arg-type]
            pos += 1
            continue
        terms, used, primary, shape = word  # type: ignore[misc]
        for term, offset in terms:
            found = out.get(term)
            if found is None:
                out[term] = [pos + offset]
            else:
                found.append(pos + offset)
        for offset, held in shape:
            shared[pos + offset] = list(held)
        sequence += primary
        pos += used
    out.sequence, out.shared = sequence, shared  # type: ignore[assignment]


def term_layout(positions: dict[str, list[int]]) -> tuple[list[Any], dict[int, list[str]]]:
    """How the terms of ``positions`` (term → ascending positions) sit: the term at each
    position (the first in ``positions`` order; None where none is) and each position
    holding several, with them in ``positions`` order (a term as often as it is there).
    Read from the sequence :func:`term_positions` keeps (:class:`TermPositions`) when
    ``positions`` is one, else from ``positions`` term by term."""
    sequence = getattr(positions, "sequence", None)
    if sequence is not None:
        shared = positions.shared  # type: ignore[attr-defined]
        if not shared:
            return sequence, shared
        rank = dict(zip(positions, range(len(positions)), strict=True)).__getitem__
        at = list(sequence)
        ordered = {}
        for p, held in shared.items():
            ordered[p] = sorted(held, key=rank)  # stable: tokenize's order → first occurrence
            at[p] = ordered[p][0]
        return at, ordered
    last = max((ps[-1] for ps in positions.values()), default=-1)
    at = [None] * (last + 1)
    shared = {}
    for term, places in positions.items():
        for p in places:
            held = at[p]
            if held is None:
                at[p] = term
            else:
                shared.setdefault(p, [held]).append(term)
    return at, shared


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
        places = positions.values()
        freqs = list(map(len, places))
        values = map(_ENCODERS[type(self.format)], places)
        return list(
            zip(map(str.encode, positions), freqs, self._weights(freqs), values, strict=True)
        )

    def _weights(self, freqs: list[int]) -> map:
        """Each posting's weight: its frequency × the field's boost (as Whoosh's formats)."""
        return map(mul, map(float, freqs), repeat(self.format.field_boost))

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
        places = positions.values()
        freqs = list(map(len, places))
        values = [ps[0] if len(ps) == 1 else encode_positions(ps) for ps in places]
        return list(
            zip(map(str.encode, positions), freqs, self._weights(freqs), values, strict=True)
        )

    @staticmethod
    def restore_index(postings: list[tuple[bytes, int, float, Any]]) -> list[tuple]:
        """What :meth:`index` gave for the value :meth:`portable_index` was given."""
        return [(t, f, w, _single_position(v) if type(v) is int else v) for t, f, w, v in postings]


def encode_positions(poslist: list[int]) -> bytes:
    """``whoosh.formats.Positions.encode``: the count, then the pickled position deltas
    (a single position, the common case, from a cache)."""
    if len(poslist) == 1:
        return _single_position(poslist[0])
    deltas = [poslist[0], *map(sub, poslist[1:], poslist)]
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
