"""Suggestion policy and the names index: did-you-mean, name correction, autocomplete.

Pure Python (no Whoosh here); :mod:`kb.search` feeds it counts and names from the index.

* :func:`worth_suggesting` — when a corrected query is worth offering: always when nothing
  was found, and when few were found (at most :data:`FEW_RESULTS`) only if the correction
  finds at least :data:`MORE_FACTOR` times as many (and at least :data:`MIN_GAIN` more);
  then only rare words are corrected, by at most :data:`FEW_EDITS` edits.
* :class:`Names` — the people, committees, councils and topics of an index with their item
  counts: :meth:`Names.complete` for autocomplete, :meth:`Names.correct` for a misspelt
  name in a field filter (``speaker:horsfrod`` → ``Horsford``).
* :func:`replace_field` — the query text with one field filter's value replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb import analysis
from kb.spelling import edit_distance

#: A query with at most this many results may still get a did-you-mean.
FEW_RESULTS = 3
#: ... when the correction finds at least this many times as many items,
MORE_FACTOR = 5
#: ... and at least this many more.
MIN_GAIN = 3
#: With few results, a word is corrected only to one at most this many edits away (a real
#: but rare word is easily two edits from a common one: "unlimited" → "limited").
FEW_EDITS = 1
#: Facets whose values have names a user types (``name:value`` in a query).
NAMED_FACETS = ("council", "committee", "speaker", "topic")
#: What each named facet's values are, for people reading a suggestion.
KIND_LABELS = {
    "council": "Council",
    "committee": "Committee",
    "speaker": "Person",
    "topic": "Topic",
}
#: The most suggestions one autocomplete answer gives.
MAX_COMPLETIONS = 50


def worth_suggesting(total: int, corrected_total: int) -> bool:
    """Whether a correction finding ``corrected_total`` items should be offered to a user
    whose query found ``total``."""
    if corrected_total <= 0:
        return False
    if total == 0:
        return True
    if total > FEW_RESULTS:
        return False
    return corrected_total >= total * MORE_FACTOR and corrected_total - total >= MIN_GAIN


#: A word of a name: letters and digits, maybe with an apostrophe (hyphens split words).
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def _words(text: str) -> list[str]:
    return [analysis.fold(w) for w in _WORD.findall(text)]


@dataclass(frozen=True)
class Name:
    """One facet value: ``value`` as filters take it, ``name`` as people write it (a
    person's or committee's name, a topic's label), ``label`` for display, ``count`` items."""

    facet: str
    value: str
    name: str
    label: str
    count: int
    words: tuple[str, ...] = field(default=(), compare=False)

    @property
    def kind(self) -> str:
        """What the value is, for display ("Person" for a speaker)."""
        return KIND_LABELS.get(self.facet, self.facet)

    def query(self) -> str:
        """The query syntax that filters on exactly this value (``speaker:luton/greg-horsford``)."""
        return f"{self.facet}:{self.value}"


class Names:
    """The names of one index generation, per facet, most items first."""

    def __init__(self, names: list[Name]) -> None:
        by_facet: dict[str, list[Name]] = {f: [] for f in NAMED_FACETS}
        for n in names:
            words = tuple(_words(n.name)) + tuple(_words(n.value.replace("-", " ")))
            by_facet.setdefault(n.facet, []).append(
                Name(n.facet, n.value, n.name, n.label, n.count, words)
            )
        for values in by_facet.values():
            values.sort(key=lambda n: (-n.count, n.label.lower(), n.value))
        self.by_facet = by_facet

    def top(self, facet: str, limit: int) -> list[Name]:
        """The ``limit`` names of ``facet`` with the most items."""
        return self.by_facet.get(facet, [])[: max(0, limit)]

    def complete(
        self, prefix: str, facets: tuple[str, ...] = NAMED_FACETS, limit: int = 10
    ) -> list[Name]:
        """Names of ``facets`` with a word (or the whole name) starting with ``prefix``
        (case and accents ignored): whole-name matches first, then most items first."""
        want = " ".join(_words(prefix))
        if not want:
            return []
        found: list[tuple[int, int, str, Name]] = []
        for facet in facets:
            for n in self.by_facet.get(facet, []):
                whole = " ".join(_words(n.name))
                if whole.startswith(want):
                    rank = 0
                elif any(w.startswith(want) for w in n.words) or f" {want}" in f" {whole}":
                    rank = 1
                else:
                    continue
                found.append((rank, -n.count, n.label.lower(), n))
        found.sort(key=lambda t: t[:3])
        return [t[3] for t in found[: min(limit, MAX_COMPLETIONS)]]

    def closest(self, facet: str, typed: str) -> tuple[Name, str] | None:
        """The name closest to a misspelt ``typed`` value of ``facet`` and its written form
        to put in a query (within :data:`kb.spelling.MAX_EDITS` edits per word, 1 for words
        under 5 letters): the whole name when several words were typed, the one word that
        matched when one was (``horsfrod`` → ``Horsford``), the value itself when an id was
        typed (``luton/licensing-comittee``); None when nothing is that close, or when
        ``typed`` is already right."""
        want = _words(typed)
        if not want:
            return None
        target = " ".join(want)
        typed_id = typed.strip().lower()
        best: tuple[int, int, str, Name] | None = None
        for n in self.by_facet.get(facet, []):
            originals = _WORD.findall(n.name)
            folded = [analysis.fold(w) for w in originals]
            if len(want) == 1:
                pairs = list(zip(folded, originals, strict=True))
            else:
                pairs = [(" ".join(folded), n.name)]
            if typed_id == n.value:
                return None  # typed right: nothing to correct
            if "/" in typed_id or (len(want) > 1 and " " not in typed_id):
                pairs.append((n.value, n.value))  # an id, maybe mistyped
            for word, original in pairs:
                key = typed_id if word == n.value else target
                if word == key:
                    return None
                limit = 1 if len(key) < 5 else 2
                if abs(len(word) - len(key)) > limit:
                    continue
                d = edit_distance(key, word)
                if d <= limit and (best is None or (d, -n.count) < best[:2]):
                    best = (d, -n.count, original, n)
        return (best[3], best[2]) if best else None

    def correct(self, facet: str, typed: str) -> str | None:
        """The written form of :meth:`closest` (``horsfrod`` → ``Horsford``), or None."""
        found = self.closest(facet, typed)
        return found[1] if found else None


def replace_field(q: str, name: str, old: str, new: str) -> str:
    """``q`` with the filter ``name:old`` (or ``name:"old"``) replaced by ``name:new``
    (quoted when ``new`` has a space); ``q`` unchanged when it has no such filter."""
    value = f'"{new}"' if " " in new else new
    pattern = re.compile(
        rf'(?<![\w:]){re.escape(name)}:(?:"{re.escape(old)}"?|{re.escape(old)}(?=[\s)]|$))',
        re.IGNORECASE,
    )
    return pattern.sub(lambda _m: f"{name}:{value}", q, count=1)
