"""Search-result snippets: the best sentence(s) of an item's text around the query's words.

Pure Python.  The HTML form is built from escaped text only (``html.escape`` first, then
``<mark>`` around matched words), so nothing from a document is ever emitted as markup.

The cost is bounded by what a snippet shows, not by the item's size: the text is scanned
for matching words only until :data:`MAX_HITS` matches are found, :data:`SCAN_AFTER_FIRST`
characters past the first match are read, or :data:`MAX_SCAN_CHARS` characters are read
(whichever comes first), and only the sentences in a window around those matches are split
and scored.  A 10 MB item costs about what a 10 kB one does.

Which words are marked is :mod:`kb.highlight`'s to say (the item page marks with it too): a
synonym phrase or quoted phrase only where all its words follow one another.
"""

from __future__ import annotations

import html
import re
import weakref
from collections.abc import Callable
from itertools import accumulate, compress

from kb import vocabulary
from kb.analysis import _word_spans, sentences
from kb.deadline import Deadline
from kb.highlight import Matcher, Matches, term_hits

DEFAULT_CHARS = 260
#: stop scanning for matches once this many are found
MAX_HITS = 64
#: … or this many characters past the first match have been read
SCAN_AFTER_FIRST = 20_000
#: … or this many characters of the item have been read (the analysed text per item)
MAX_SCAN_CHARS = 200_000
#: characters in the scan's first piece of text (each next piece is twice the last); the
#: deadline is checked after each piece
_FIRST_PIECE = 4096
#: text read either side of a snippet to see whether a phrase there is whole
_PHRASE_CONTEXT = 200

#: longer runs of word characters are not analysed (no word is this long)
_LONGEST = vocabulary.LONGEST

_NON_SPACE = re.compile(r"\S")
_SPACE = re.compile(r"\s")
_SPACES = re.compile(r"\s+")

Span = tuple[int, int, str]


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text)


def _scan(  # noqa: PLR0913 - the scan's bounds, each a keyword
    text: str,
    matches: Callable[[str], bool],
    *,
    deadline: Deadline | None = None,
    start: int = 0,
    stop: int | None = None,
    limit: int = MAX_HITS,
    after_first: int = SCAN_AFTER_FIRST,
) -> list[Span]:
    """``(start, end, term)`` of the first matching terms of ``text[start:stop]``, in order,
    at most ``limit`` and none more than ``after_first`` characters past the first.
    ``matches`` is asked once per distinct term; each distinct raw word is analysed once per
    call, after which a word is one dict lookup (most words match nothing).

    The text is read in pieces that end at white space (no word runs across one), each
    twice the last: a piece's words are split out, looked up and filtered in C, and only
    its matching words are visited in Python.  For a :class:`kb.highlight.Matcher`'s
    ``matches`` or ``candidate`` without prefixes (the terms it wants are a set), the
    matching raw words are found in :data:`kb.vocabulary.VOCABULARY`, with no call per
    word."""
    wanted = _wanted_terms(matches)
    wanted_of, found = _caches(matches) if wanted is None else ({}, {})
    hits: list[Span] = []
    stop = len(text) if stop is None else min(stop, len(text))
    cutoff = stop  # set at the first hit: no hit starts past it
    pos, size = start, _FIRST_PIECE
    while pos < stop:
        end = min(stop, pos + size)
        if end < stop:  # end the piece at white space, so that no word is cut
            space = _SPACE.search(text, end, stop)
            end = space.start() if space is not None else stop
        parts = vocabulary.split(text[pos:end])  # gap, word, gap, word, …, gap
        words = parts[1::2]
        distinct = set(words)
        if wanted is not None:  # the matching raw words, by set operations
            spans, by_term, _places = vocabulary.VOCABULARY.learn(distinct)
            hit_words = distinct.intersection(
                [raw for term in wanted for raw in by_term.get(term, ())]
            )
            hit_spans = {
                raw: tuple(span for span in spans[raw] if span[2] in wanted) for raw in hit_words
            }
            spans_of = list(map(hit_spans.get, words))
        else:
            for raw in distinct.difference(found):
                if len(raw) <= _LONGEST:  # no term (and no cache entry the size of the text)
                    found[raw] = _matching(raw, matches, wanted_of)
            spans_of = list(map(found.get, words))
        matched = list(compress(range(len(words)), spans_of))
        if matched:
            ends = list(accumulate(map(len, parts)))  # word i starts where part 2i ends
            for i in matched:
                at = pos + ends[2 * i]
                if hits and at > cutoff:
                    return hits
                first = not hits
                hits.extend((at + s, at + e, term) for s, e, term in spans_of[i])
                if len(hits) >= limit:
                    return hits
                if first:
                    cutoff = hits[0][0] + after_first
        if hits and end > cutoff:  # every later word starts past the cutoff
            return hits
        if deadline is not None and deadline.expired():
            return hits
        pos, size = end, 2 * size
    return hits


def _wanted_terms(matches: Callable[[str], bool]) -> frozenset[str] | None:
    """The terms ``matches`` wants when it is a :class:`kb.highlight.Matcher`'s ``matches``
    or ``candidate`` and the matcher has no prefixes (else None: ask it term by term)."""
    owner = getattr(matches, "__self__", None)
    if not isinstance(owner, Matcher) or owner.prefixes:
        return None
    method = getattr(matches, "__func__", None)
    if method is Matcher.matches:
        return owner.terms
    if method is Matcher.candidate:
        return owner.terms | owner.phrase_terms
    return None


#: per matcher (each result of one search shares it) and per method of it: term -> wanted,
#: and raw word -> its matching ``(start, end, term)``; dropped with the matcher
_Caches = tuple[dict[str, bool], dict[str, tuple[Span, ...]]]
_CACHES: weakref.WeakKeyDictionary[Matcher, dict[object, _Caches]] = weakref.WeakKeyDictionary()
#: raw words remembered per matcher before its cache is cleared
_CACHE_WORDS = 100_000


def _caches(matches: Callable[[str], bool]) -> _Caches:
    """The answer caches of ``matches``: shared by the calls made with one bound method of a
    :class:`kb.highlight.Matcher` (a search's results), fresh for any other function."""
    owner = getattr(matches, "__self__", None)
    if not isinstance(owner, Matcher):
        return {}, {}
    key = matches.__func__  # type: ignore[attr-defined]
    per_owner = _CACHES.setdefault(owner, {})
    caches = per_owner.get(key)
    if caches is None or len(caches[1]) > _CACHE_WORDS:
        caches = per_owner[key] = ({}, {})
    return caches


def _matching(
    raw: str, matches: Callable[[str], bool], wanted_of: dict[str, bool]
) -> tuple[Span, ...]:
    """The ``(start, end, term)`` of the raw word ``raw`` whose terms ``matches`` wants
    (``wanted_of`` caches the answer per term)."""
    out: list[Span] = []
    for s, e, term in _word_spans(raw):
        wanted = wanted_of.get(term)
        if wanted is None:
            wanted = wanted_of[term] = bool(matches(term))
        if wanted:
            out.append((s, e, term))
    return tuple(out)


def _window(text: str, hits: list[Span], max_chars: int) -> tuple[int, int]:
    """The part of ``text`` whose sentences are scored: around the scanned matches (or the
    opening when there is none), with room for the context a snippet can show."""
    if not hits:
        return 0, min(len(text), 4 * max_chars)
    lo = max(0, hits[0][0] - 2 * max_chars)
    hi = min(len(text), hits[-1][1] + 2 * max_chars)
    if lo > 0:  # start after a line break or sentence end when one is near
        cut = max(text.rfind("\n", lo, hits[0][0]), text.rfind(". ", lo, hits[0][0]))
        lo = cut + 1 if cut >= 0 else lo
    return lo, hi


def make_snippet(
    text: str,
    matches: Matches,
    *,
    max_chars: int = DEFAULT_CHARS,
    deadline: Deadline | None = None,
) -> tuple[str, str]:
    """Return ``(plain, html)`` snippets of ``text``.

    ``matches`` (a :class:`kb.highlight.Matcher`, or a ``term -> bool`` function) says which
    words the query looked for (:func:`kb.highlight.term_hits`).  Among the
    sentences near the first matches (see the module docstring), the one with the most
    distinct matching terms is chosen (ties: the earliest), then neighbouring sentences are
    added while they fit in ``max_chars``; a long sentence is cut around its first match
    with '…'.  With no match the text's opening is used.  ``html`` is ``plain`` escaped,
    with each matching word wrapped in ``<mark>…</mark>``.  Past ``deadline`` the scan stops
    early and the snippet is built from what was found.  Time and memory are bounded by
    the scan limits, whatever the length of ``text``.
    """
    # a phrase's words are candidates while scanning; which are marked is decided below
    candidate = matches.candidate if isinstance(matches, Matcher) else matches
    hits = _scan(text, candidate, deadline=deadline, stop=MAX_SCAN_CHARS)
    w_lo, w_hi = _window(text, hits, max_chars)
    spans = [(w_lo + a, w_lo + b) for a, b in sentences(text[w_lo:w_hi])] or [(w_lo, w_hi)]
    best, best_score = 0, -1
    h = 0
    for i, (a, b) in enumerate(spans):  # hits and spans are both in order: one merge pass
        while h < len(hits) and hits[h][0] < a:
            h += 1
        terms: set[str] = set()
        k = h
        while k < len(hits) and hits[k][0] < b:
            terms.add(hits[k][2])
            k += 1
        if len(terms) > best_score:
            best, best_score = i, len(terms)
    lo, hi = spans[best]
    left, right = best - 1, best + 1
    while True:
        grown = False
        if right < len(spans) and spans[right][1] - lo <= max_chars:
            hi, right, grown = spans[right][1], right + 1, True
        if left >= 0 and hi - spans[left][0] <= max_chars:
            lo, left, grown = spans[left][0], left - 1, True
        if not grown:
            break
    prefix = "…" if lo > 0 else ""
    suffix = "…" if _NON_SPACE.search(text, hi) else ""
    if hi - lo > max_chars:
        first = next((s for s, _e, _t in hits if lo <= s < hi), lo)
        lo2 = max(lo, first - max_chars // 3)
        # start on a word boundary
        if lo2 > lo:
            space = text.find(" ", lo2, first)
            lo2 = space + 1 if 0 <= space < first else lo2
            prefix = "…"
        hi2 = min(hi, lo2 + max_chars)
        if hi2 < hi:
            space = text.rfind(" ", lo2, hi2)
            hi2 = space if space > first else hi2
            suffix = "…"
        lo, hi = lo2, hi2
    return _render(text, _shown(text, matches, lo, hi), lo, hi, prefix, suffix)


def _shown(text: str, matches: Matches, lo: int, hi: int) -> list[Span]:
    """The words of ``text[lo:hi]`` to mark: :func:`kb.highlight.term_hits` over the snippet
    and a little text either side (a phrase may start before it or end after it)."""
    if not isinstance(matches, Matcher) or not matches.phrases:
        single = matches.matches if isinstance(matches, Matcher) else matches
        return _scan(text, single, start=lo, stop=hi, limit=hi - lo, after_first=hi - lo)
    a = max(0, lo - _PHRASE_CONTEXT)
    if a > 0:  # start on a word boundary
        a = text.rfind(" ", max(0, a - _PHRASE_CONTEXT), a) + 1 or a
    b = min(len(text), hi + _PHRASE_CONTEXT)
    return [(a + s, a + e, t) for s, e, t in term_hits(text[a:b], matches) if lo <= a + s < hi]


def _render(
    text: str, hits: list[Span], lo: int, hi: int, prefix: str, suffix: str
) -> tuple[str, str]:
    """``text[lo:hi]`` as plain text and as escaped HTML with ``hits`` marked."""
    plain_parts: list[str] = []
    html_parts: list[str] = []
    cursor = lo
    for s, e, _term in hits:
        if s < cursor or e > hi:
            continue
        plain_parts.append(text[cursor:s])
        html_parts.append(html.escape(_squash(text[cursor:s])))
        word = text[s:e]
        plain_parts.append(word)
        html_parts.append(f"<mark>{html.escape(word)}</mark>")
        cursor = e
    plain_parts.append(text[cursor:hi])
    html_parts.append(html.escape(_squash(text[cursor:hi])))
    plain = (prefix + _squash("".join(plain_parts)) + suffix).strip()
    marked = (html.escape(prefix) + "".join(html_parts) + html.escape(suffix)).strip()
    return plain, marked
