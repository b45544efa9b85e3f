"""Search-result snippets: the best sentence(s) of an item's text around the query's words.

Pure Python.  The HTML form is built from escaped text only (``html.escape`` first, then
``<mark>`` around matched words), so nothing from a document is ever emitted as markup.
"""

from __future__ import annotations

import html
import re

from kb.analysis import sentences
from kb.highlight import Matches, term_hits

DEFAULT_CHARS = 260


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def make_snippet(
    text: str,
    matches: Matches,
    *,
    max_chars: int = DEFAULT_CHARS,
) -> tuple[str, str]:
    """Return ``(plain, html)`` snippets of ``text``.

    ``matches`` (a :class:`kb.highlight.Matcher`, or a ``term -> bool`` function) says which
    words the query looked for (:func:`kb.highlight.term_hits`).  The sentence
    with the most distinct matching terms is chosen (ties: the earliest), then neighbouring
    sentences are added while they fit in ``max_chars``; a long sentence is cut around its
    first match with '…'.  With no match the text's opening is used.  ``html`` is ``plain``
    escaped, with each matching word wrapped in ``<mark>…</mark>``.
    """
    hits = term_hits(text, matches)
    spans = sentences(text) or [(0, len(text))]
    best, best_score = 0, -1
    for i, (a, b) in enumerate(spans):
        score = len({term for s, _e, term in hits if a <= s < b})
        if score > best_score:
            best, best_score = i, score
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
    suffix = "…" if hi < len(text.rstrip()) else ""
    if hi - lo > max_chars:
        first = next((s for s, _e, _t in hits if lo <= s < hi), lo)
        lo2 = max(lo, first - max_chars // 3)
        # start on a word boundary
        if lo2 > lo:
            space = text.find(" ", lo2)
            lo2 = space + 1 if 0 <= space < first else lo2
            prefix = "…"
        hi2 = min(hi, lo2 + max_chars)
        if hi2 < hi:
            space = text.rfind(" ", lo2, hi2)
            hi2 = space if space > first else hi2
            suffix = "…"
        lo, hi = lo2, hi2
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
