"""The raw words the snippet scans and highlighters have read, each analysed once per process.

A :class:`Vocabulary` maps a raw word (a match of :data:`kb.analysis.WORD_RE`) to its
``(start, end, term)`` spans (:func:`kb.analysis._word_spans`), each term to the raw words
having it, and each raw word to the number of word positions it takes.  With it, the words
of a text that a set of terms matches are a set intersection, and a word's position in the
text a running sum: a snippet looks at the few words that match instead of asking about
every word (:mod:`kb.snippets`, :func:`kb.highlight.term_hits`).
"""

from __future__ import annotations

import threading
from typing import NamedTuple

from kb.analysis import MAX_WORD_LENGTH, WORD_SPLIT_RE, _word_spans

#: longer raw words are never kept (no term is this long; a hyphenated run of short words
#: this long is analysed where it is met, not cached)
LONGEST = 4 * MAX_WORD_LENGTH

Span = tuple[int, int, str]


class Known(NamedTuple):
    """What a :class:`Vocabulary` knows: raw word → spans, term → raw words, and raw word →
    the number of its spans that take a word position (:func:`positional`)."""

    spans: dict[str, tuple[Span, ...]]
    by_term: dict[str, tuple[str, ...]]
    places: dict[str, int]


def positional(spans: tuple[Span, ...]) -> list[bool]:
    """Which of one raw word's spans take a word position: each that does not start inside
    an earlier one (a hyphenated word's joined form follows its parts and shares the first
    part's position)."""
    out = []
    last_end = -1
    for start, end, _term in spans:
        takes = start >= last_end
        out.append(takes)
        if takes:
            last_end = end
    return out


class Vocabulary:
    """Raw words analysed once per process (see the module docstring).  Thread-safe: what
    :meth:`learn` returns is only ever added to; past ``max_words`` words a new, empty one
    replaces it.  Words longer than :data:`LONGEST` are never kept."""

    def __init__(self, max_words: int = 100_000) -> None:
        self.max_words = max_words
        self._known = Known({}, {}, {})
        self._lock = threading.Lock()

    def learn(self, words: set[str]) -> Known:
        """What is known, including every word of ``words`` no longer than :data:`LONGEST`."""
        known = self._known
        if not words.difference(known.spans):
            return known
        with self._lock:
            known = self._known
            new = [raw for raw in words.difference(known.spans) if len(raw) <= LONGEST]
            if len(known.spans) + len(new) > self.max_words:
                known = Known({}, {}, {})
                new = [raw for raw in words if len(raw) <= LONGEST]
            spans, by_term, places = known
            for raw in new:
                found = spans[raw] = _word_spans(raw)
                places[raw] = sum(positional(found))
                for term in dict.fromkeys(span[2] for span in found):
                    by_term[term] = (*by_term.get(term, ()), raw)
            self._known = known
            return known


#: the process's :class:`Vocabulary`, shared by every snippet and highlighter
VOCABULARY = Vocabulary()


#: the last text :func:`split` split, with its parts (one entry: a snippet splits the same
#: short body for its scan and again for its marks)
_last_split: tuple[str, list[str]] = ("", [""])


def split(text: str) -> list[str]:
    """``text`` split into its gaps and words alternately (gap, word, …, gap:
    :data:`kb.analysis.WORD_SPLIT_RE`); the same text object twice in a row is split once.
    The list is shared: do not change it."""
    global _last_split  # noqa: PLW0603 - one entry, replaced whole (thread-safe)
    last = _last_split
    if last[0] is text:
        return last[1]
    parts = WORD_SPLIT_RE.split(text)
    _last_split = (text, parts)
    return parts
