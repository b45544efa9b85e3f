"""Did-you-mean candidates on a Whoosh index of several segments, found with an automaton.

On one segment Whoosh answers ``terms_within`` by walking the word list with a Levenshtein
automaton.  On an index of several segments — any index that took a second ``kb ingest``,
and every rebuild past ``KB_SEGMENT_ITEMS`` documents — its ``MultiReader`` falls back to
computing the Damerau-Levenshtein distance (:func:`whoosh.support.levenshtein.distance`) of
every word of the field, in Python: about 10 µs a word, each time a search looks for a
suggestion (17 of the 20 ms of ``CCTV`` beside issue 12's 10 MB item, whose ~1,000 extra
words sit in a second segment; seconds on a vocabulary of 100,000s of words).

:func:`terms_within` gives that fallback's answer — the same words — by walking each
segment's word list with one automaton that accepts every string within ``maxdist`` edits
when an adjacent transposition counts as one edit (a superset of the words the fallback accepts:
its distance is the optimal-string-alignment distance, whose edits are each one of the
automaton's moves), and keeping the words Whoosh's own distance function accepts.
"""

from __future__ import annotations

from typing import Any

from whoosh.automata.fsa import ANY, DFA, EPSILON, NFA
from whoosh.codec.base import Automata
from whoosh.support.levenshtein import distance


def transposition_dfa(term: str, maxdist: int) -> DFA:
    """A DFA accepting every string within ``maxdist`` insertions, deletions, substitutions
    and swaps of two adjacent letters of ``term`` (Whoosh's Levenshtein automaton plus the
    swaps: state ``(i, e)`` has read ``term[:i]`` with ``e`` edits; ``(i, e, 1)`` has read
    ``term[i + 1]`` as the first half of a swap)."""
    nfa = NFA((0, 0))
    n = len(term)
    for i, char in enumerate(term):
        for e in range(maxdist + 1):
            nfa.add_transition((i, e), char, (i + 1, e))
            if e < maxdist:
                nfa.add_transition((i, e), ANY, (i, e + 1))  # a letter more in the word
                nfa.add_transition((i, e), EPSILON, (i + 1, e + 1))  # a letter fewer
                nfa.add_transition((i, e), ANY, (i + 1, e + 1))  # another letter
                if i + 1 < n:
                    nfa.add_transition((i, e), term[i + 1], (i, e, 1))
                    nfa.add_transition((i, e, 1), char, (i + 2, e + 1))
    for e in range(maxdist + 1):
        if e < maxdist:
            nfa.add_transition((n, e), ANY, (n, e + 1))
        nfa.add_final_state((n, e))
    return nfa.to_dfa()  # type: ignore[no-any-return]


def terms_within(reader: Any, fieldname: str, text: str, maxdist: int) -> list[str]:
    """The words of ``fieldname`` within ``maxdist`` edits of ``text``, as
    ``reader.terms_within(fieldname, text, maxdist)`` finds them (in no set order): a
    one-segment reader answers itself; for several segments each segment's word list is
    walked with :func:`transposition_dfa` and each word found is checked with Whoosh's distance,
    as its fallback checks every word."""
    if reader.is_atomic():
        return list(reader.terms_within(fieldname, text, maxdist))
    dfa = transposition_dfa(text, maxdist)
    found: set[str] = set()
    for leaf, _base in reader.leaf_readers():
        found.update(Automata.find_matches(dfa, leaf.cursor(fieldname)))
    return sorted(word for word in found if distance(word, text, limit=maxdist) <= maxdist)


class Vocabulary:
    """A Whoosh reader as :func:`kb.spelling.suggest_word` reads it: ``terms_within`` by
    :func:`terms_within`, ``doc_frequency`` the reader's own."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader

    def terms_within(self, fieldname: str, text: str, maxdist: int) -> list[str]:
        """See :func:`terms_within`."""
        return terms_within(self.reader, fieldname, text, maxdist)

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """How many documents hold ``text`` in ``fieldname``."""
        return int(self.reader.doc_frequency(fieldname, text))
