"""Did-you-mean: the indexed word closest to a misspelt one.

Candidates are the words of the ``words`` field (every unstemmed word of every indexed item)
within two edits, found by Whoosh's automaton (``reader.terms_within``).  They are ranked by
edit distance (Damerau-Levenshtein: "polcie" is one edit from "police"), then by how many
documents use the word (its stem's document frequency in titles and bodies), then
alphabetically.  Whoosh's own ``ReaderCorrector`` ranks by the ``words`` field's frequency
alone, whatever the distance; the word counts here do not depend on how many meeting
documents carry a word in ``words`` (a rebuild keeps a few per word, see ``indexer.write``).
"""

from __future__ import annotations

from typing import Any

from kb import analysis

#: The largest edit distance a suggestion may be from the word typed.
MAX_EDITS = 2
#: The fields whose document frequency says how common a suggestion is.
FREQUENCY_FIELDS = ("title", "body")


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment) between ``a`` and ``b``."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def used_by(reader: Any, word: str) -> int:
    """How many documents use ``word`` (its stem's frequency in titles and bodies)."""
    term = analysis.stem(word)
    return sum(reader.doc_frequency(f, term) for f in FREQUENCY_FIELDS)


def suggest_word(
    reader: Any,
    word: str,
    field: str = "words",
    *,
    commoner: bool = False,
    max_edits: int = MAX_EDITS,
) -> str | None:
    """The best indexed word within :data:`MAX_EDITS` of the folded ``word`` (``word``
    itself when it is indexed), or None when there is none.

    With ``commoner``, only other words that more documents use than ``word`` count (a
    rare word that is indexed, maybe a typo in one document, can still get a suggestion).
    ``max_edits`` (at most :data:`MAX_EDITS`) narrows how far a suggestion may be."""
    max_edits = min(max_edits, MAX_EDITS)
    best: tuple[int, int, str] | None = None
    floor = used_by(reader, word) if commoner else -1
    for candidate in reader.terms_within(field, word, max_edits):
        distance = edit_distance(word, candidate)
        if distance > max_edits or (commoner and candidate == word):
            continue
        used = used_by(reader, candidate)
        if used <= floor:
            continue
        key = (distance, -used, candidate)
        if best is None or key < best:
            best = key
    return best[2] if best else None
