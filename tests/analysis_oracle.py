"""Frozen copies of the ingest term analysis as it was before the worker's analysis was
sped up (kb/engine/whoosh/textfield.py and phrases.py at commit f663cca): the oracle the
equivalence tests compare the current functions with.  Do not edit: these functions define
the postings the index has always been written with."""

from __future__ import annotations

import struct
import zlib
from pickle import dumps
from typing import Any

from whoosh.system import pack_uint

from kb import analysis

PAIR_SEPARATOR = " "
PAIR_BUCKETS = 16_384
_HEAD = struct.Struct("<H")
_TAIL = struct.Struct("<ffI")
_ONE = struct.Struct("<ffII")

_WORD_TERMS: dict[bool, dict[str, tuple[tuple[tuple[str, int], ...], int]]] = {True: {}, False: {}}


def _word_terms(raw: str, stem: bool) -> tuple[tuple[tuple[str, int], ...], int]:
    toks = tuple((t.text, t.pos) for t in analysis.tokenize(raw, do_stem=stem))
    found = (toks, max(p for _, p in toks) + 1 if toks else 0)
    _WORD_TERMS[stem][raw] = found
    return found


def term_positions(text: str, *, stem: bool = True) -> dict[str, list[int]]:
    """The old ``textfield.term_positions``."""
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


def single_position(pos: int) -> bytes:
    return pack_uint(1) + dumps([pos], 2)


def encode_positions(poslist: list[int]) -> bytes:
    """The old ``textfield.encode_positions`` (``whoosh.formats.Positions.encode``)."""
    if len(poslist) == 1:
        return single_position(poslist[0])
    deltas = [poslist[0], *(b - a for a, b in zip(poslist, poslist[1:], strict=False))]
    return pack_uint(len(deltas)) + dumps(deltas, 2)


def postings(positions: dict[str, list[int]], boost: float) -> list[tuple]:
    """The old ``KbText.postings`` of a ``Positions`` field with ``field_boost`` ``boost``."""
    return [
        (term.encode("utf-8"), len(ps), float(len(ps)) * boost, encode_positions(ps))
        for term, ps in positions.items()
    ]


def pair_postings(
    positions: dict[str, list[int]], weights: dict[str, float]
) -> list[tuple[bytes, int, float, bytes]]:
    """The old ``phrases.pair_postings``."""
    last = max((ps[-1] for ps in positions.values()), default=-1)
    at: list[str | None] = [None] * (last + 2)
    shared: dict[int, list[str]] = {}
    for term, places in positions.items():
        for p in places:
            held = at[p]
            if held is None:
                at[p] = term
            else:
                shared.setdefault(p, [held]).append(term)
    pairs: dict[tuple[str, str], list[int]] = {}
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
    buckets: dict[bytes, list[Any]] = {}
    for key, ps in pairs.items():
        pair = (key[0] + PAIR_SEPARATOR + key[1]).encode("utf-8")
        head = _HEAD.pack(len(pair)) + pair
        term = b"%04x" % (zlib.crc32(pair) % PAIR_BUCKETS)
        count = len(ps)
        if count == 1:
            entry = head + _ONE.pack(weights[key[0]], weights[key[1]], 1, ps[0])
        else:
            entry = (
                head
                + _TAIL.pack(weights[key[0]], weights[key[1]], count)
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
