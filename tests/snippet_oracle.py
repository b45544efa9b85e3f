"""The snippet builder as it was before issue 15's faster scan (commit 3e43f35's
``kb/snippets.py``, unchanged but for this docstring), with the ``term_hits`` and
``term_spans`` it called then (``kb/highlight.py`` and ``kb/analysis.py`` at 2c5c731, the
names' ``kb.`` links left as they were): the oracle that ``tests/test_snippets.py`` holds
:func:`kb.snippets.make_snippet` byte-identical to."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from kb.analysis import MAX_WORD_LENGTH, WORD_RE, _word_spans, sentences
from kb.deadline import Deadline
from kb.highlight import Matcher, Matches

DEFAULT_CHARS = 260
#: stop scanning for matches once this many are found
MAX_HITS = 64
#: … or this many characters past the first match have been read
SCAN_AFTER_FIRST = 20_000
#: … or this many characters of the item have been read (the analysed text per item)
MAX_SCAN_CHARS = 200_000
#: words between deadline checks while scanning
_CHECK_EVERY = 4096
#: text read either side of a snippet to see whether a phrase there is whole
_PHRASE_CONTEXT = 200

#: longer runs of word characters are not analysed (no word is this long)
_LONGEST = 4 * MAX_WORD_LENGTH

_NON_SPACE = re.compile(r"\S")
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
    ``matches`` is asked once per distinct term."""
    seen: dict[str, bool] = {}
    hits: list[Span] = []
    stop = len(text) if stop is None else min(stop, len(text))
    for n, match in enumerate(WORD_RE.finditer(text, start, stop)):
        if deadline is not None and n % _CHECK_EVERY == _CHECK_EVERY - 1 and deadline.expired():
            break
        at = match.start()
        if hits and at > hits[0][0] + after_first:
            break
        if match.end() - at > _LONGEST:  # no term (and no cache entry the size of the text)
            continue
        for s, e, term in _word_spans(match.group()):
            wanted = seen.get(term)
            if wanted is None:
                wanted = seen[term] = bool(matches(term))
            if wanted:
                hits.append((at + s, at + e, term))
        if len(hits) >= limit:
            break
    return hits


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


def term_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` of each term :func:`tokenize` gives for ``text`` (stemmed,
    stopwords dropped), without positions: each distinct word is analysed once (cached),
    which makes this several times faster than :func:`tokenize` for snippets."""
    out: list[tuple[int, int, str]] = []
    for match in WORD_RE.finditer(text):
        start = match.start()
        for s, e, term in _word_spans(match.group()):
            out.append((start + s, start + e, term))
    return out


def term_hits(text: str, matches: Matches) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` of the analysed terms of ``text`` (:func:`kb.analysis.term_spans`)
    that ``matches`` looks for, in text order: a term that counts on its own, or each term of
    a phrase where the phrase's terms follow one another.  ``matches`` may be a plain
    ``term -> bool`` function (no phrases then)."""
    spans = term_spans(text)
    single = matches.matches if isinstance(matches, Matcher) else matches
    hit = [single(term) for _s, _e, term in spans]
    phrases = matches.phrases if isinstance(matches, Matcher) else ()
    if phrases:
        # one span per word position: a hyphenated word's joined form follows its parts
        # and starts inside them, so it is left out of the sequence
        seq: list[int] = []
        last_end = -1
        for i, (start, end, _term) in enumerate(spans):
            if start >= last_end:
                seq.append(i)
                last_end = end
        terms = [spans[i][2] for i in seq]
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            by_first.setdefault(phrase[0], []).append(phrase)
        for j, term in enumerate(terms):
            for phrase in by_first.get(term, ()):
                if tuple(terms[j : j + len(phrase)]) == phrase:
                    for k in range(j, j + len(phrase)):
                        hit[seq[k]] = True
    return [span for span, wanted in zip(spans, hit, strict=True) if wanted]
