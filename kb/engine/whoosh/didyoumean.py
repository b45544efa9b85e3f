"""Suggestions from the index, mixed into :class:`.search.WhooshReader`: did-you-mean for
misspelt words and names, and autocomplete of people, committees, councils and topics.

The policy (when a correction is worth offering, how names are matched) is
:mod:`kb.suggest`; this module only asks the index through the service's searcher
(``reader().terms_within``/``doc_frequency`` for words — ``terms_within`` of an index of
several segments by :mod:`.spellterms` — ``docs_for_query`` to count what a
corrected query would find) and its :class:`.facets.FacetCache` for names and counts.
"""

from __future__ import annotations

import re
import threading
from contextlib import AbstractContextManager
from typing import Any

import numpy as np

from kb import analysis, spelling
from kb.engine.whoosh.facets import FacetCache
from kb.engine.whoosh.querybuild import _Compiler, field_query
from kb.engine.whoosh.spellterms import Vocabulary
from kb.query import And, FieldQuery, Node, Not, Or, QueryError, Term, parse
from kb.suggest import (
    FEW_EDITS,
    FEW_RESULTS,
    NAMED_FACETS,
    Name,
    Names,
    replace_field,
    worth_suggesting,
)


def _walk(node: Node, negated: bool = False) -> list[tuple[Node, bool]]:
    """Every leaf of a query tree with whether it sits under a NOT."""
    if isinstance(node, Not):
        return _walk(node.part, True)
    parts = getattr(node, "parts", None)
    if parts is not None:
        return [leaf for part in parts for leaf in _walk(part, negated)]
    return [(node, negated)]


def _any_word(tree: Node) -> Node:
    """``tree`` with its plain words joined by OR (its filters and exclusions kept): what a
    word search relaxed to "any of the words" finds at least."""
    if not isinstance(tree, And):
        return tree
    words = tuple(p for p in tree.parts if isinstance(p, Term))
    rest = tuple(p for p in tree.parts if not isinstance(p, Term))
    if len(words) < 2:  # noqa: PLR2004 - one word has nothing to relax
        return tree
    return And((Or(words), *rest)) if rest else Or(words)


class SuggestMixin:
    """Suggestions over the service's index (see the module docstring)."""

    expander: Any
    _names_cache: tuple[FacetCache, Names] | None = None
    #: one lock for every service: names are built once per index generation, rarely
    _names_lock = threading.Lock()

    def searcher(self) -> AbstractContextManager[Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _facet_cache(self, s: Any) -> FacetCache:  # pragma: no cover - overridden
        raise NotImplementedError

    # -- names
    def _names(self, s: Any, cache: FacetCache) -> Names:
        """The names of the index generation ``cache`` belongs to (built once per generation;
        the labels of values an older generation had are reused)."""
        found = self._names_cache
        if found is not None and found[0] is cache:
            return found[1]
        with self._names_lock:
            found = self._names_cache
            if found is not None and found[0] is cache:
                return found[1]
            old = found[1] if found is not None else None
            names = Names(self._name_list(s, cache, old))
            self._names_cache = (cache, names)
        return names

    @staticmethod
    def _name_list(s: Any, cache: FacetCache, old: Names | None) -> list[Name]:
        known = {
            (n.facet, n.value): n
            for values in (old.by_facet if old else {}).values()
            for n in values
        }
        out: list[Name] = []
        for facet in NAMED_FACETS:
            for value, count in cache.counts(facet, cache.items).items():
                prior = known.get((facet, value))
                if prior is not None:
                    out.append(Name(facet, value, prior.name, prior.label, count))
                    continue
                label = cache.label(s, facet, value)
                name = label
                if facet == "committee":  # the label adds "(council)"
                    doc = cache.first_doc(facet, value)
                    stored = s.stored_fields(doc) if doc is not None else {}
                    name = str(stored.get("committee") or value)
                out.append(Name(facet, value, name, label, count))
        return out

    def names(self) -> Names:
        """The index's people, committees, councils and topics with their item counts."""
        with self.searcher() as s:
            return self._names(s, self._facet_cache(s))

    def complete(
        self, prefix: str, facets: tuple[str, ...] = NAMED_FACETS, limit: int = 10
    ) -> list[Name]:
        """Autocomplete: names of ``facets`` starting with ``prefix`` (see
        :meth:`kb.suggest.Names.complete`)."""
        return self.names().complete(prefix, facets, limit)

    # -- did you mean
    def _suggest(  # noqa: PLR0913 - the search's state, passed as it is
        self,
        s: Any,
        cache: FacetCache,
        q: str,
        tree: Node,
        filters: np.ndarray,
        total: int,
        relaxed: bool = False,
    ) -> str | None:
        """``q`` corrected, when the correction is worth offering (a query that found
        ``total`` items under the request's ``filters``; see
        :func:`kb.suggest.worth_suggesting`), else None.  A ``relaxed`` word search (few
        items had every word, so items with most or any of them were shown) is treated as
        having found nothing: a misspelt word must not hide behind the others' results.

        Names in field filters that match nothing are corrected from the index's names
        (``speaker:horsfrod`` → ``speaker:Horsford``); plain words from the indexed words
        (when something was found, only rare words — used by at most
        :data:`kb.suggest.FEW_RESULTS` items — and only by words one edit away
        (:data:`kb.suggest.FEW_EDITS`) that more items use)."""
        if relaxed:
            total = 0
        corrected = q
        reader = Vocabulary(s.reader())  # words of several segments by automaton too
        for node, negated in _walk(tree):
            if isinstance(node, FieldQuery) and node.name in NAMED_FACETS:
                corrected = self._correct_name(s, cache, corrected, node)
            elif isinstance(node, Term) and not negated:
                found_words = analysis.WORD_RE.findall(node.word)
                if len(found_words) != 1:  # "s.137", "name:value": a reference, kept as typed
                    continue
                for word in found_words:
                    low = analysis.fold(word)
                    if low in analysis.STOPWORDS or not low.isalpha() or len(low) < 3:
                        continue
                    if total and spelling.used_by(reader, low) > FEW_RESULTS:
                        continue  # a word that many items use is not the misspelling
                    found = (
                        spelling.suggest_word(reader, low, commoner=True, max_edits=FEW_EDITS)
                        if total
                        else spelling.suggest_word(reader, low)
                    )
                    if found and found != low:
                        corrected = re.sub(
                            rf"(?<![\w:]){re.escape(word)}(?![\w:])",
                            lambda _m, new=found: new,  # type: ignore[misc]
                            corrected,
                            count=1,
                        )
        if corrected == q:
            return None
        try:
            better = parse(corrected)
        except QueryError:
            return None
        if relaxed and better is not None:  # the search relaxes the corrected words too
            better = _any_word(better)
        query = _Compiler(self.expander).compile(better) if better is not None else None
        if query is None:
            return None
        found_total = int((cache.mask(s.docs_for_query(query)) & filters).sum())
        return corrected if worth_suggesting(total, found_total) else None

    def _corrections(
        self, s: Any, cache: FacetCache, req: Any, selected: dict[str, np.ndarray]
    ) -> dict[str, dict[str, str]]:
        """For each named facet whose chosen values match no item at all: each value typed
        → the value of the closest name (``--speaker horsfrod`` → ``luton/greg-horsford``)."""
        out: dict[str, dict[str, str]] = {}
        for facet in NAMED_FACETS:
            chosen = selected.get(facet)
            if chosen is None or (chosen & cache.items).any():
                continue
            for value in getattr(req, facet):
                found = self._names(s, cache).closest(facet, str(value))
                if found is not None:
                    out.setdefault(facet, {})[str(value)] = found[0].value
        return out

    def _correct_name(self, s: Any, cache: FacetCache, q: str, node: FieldQuery) -> str:
        """``q`` with the value of filter ``node`` replaced by the closest name, when the
        filter matches no item at all."""
        fq = field_query(node.name, node.value, phrase=node.phrase)
        if fq is not None and (cache.mask(s.docs_for_query(fq)) & cache.items).any():
            return q
        better = self._names(s, cache).correct(node.name, node.value)
        return replace_field(q, node.name, node.value, better) if better else q
