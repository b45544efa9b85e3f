"""One highlighter: which words of a text a query matched, for result snippets and item pages.

Pure Python (no Whoosh here).  :func:`matcher_for` walks a parsed query (:mod:`kb.query`) and
collects what the search looks for, the way :mod:`kb.querybuild` compiles it:

* a plain word: its stem and hyphen forms (:func:`kb.analysis.word_variants`) plus, with an
  expander, its synonyms and acronyms (``ASB`` → ``anti``, ``social``, ``antisoci``,
  ``behaviour``);
* a quoted phrase: the terms of its words;
* ``safe*``: every term starting with ``safe``;
* field filters (``speaker:hawkes``), year ranges and excluded words (``-funding``): nothing.

The :class:`Matcher` answers for *analysed* terms (:func:`kb.analysis.term_spans` of a text),
so a document word is marked exactly when the search would have matched it.  Result snippets
(:func:`kb.snippets.make_snippet`, called with ``matcher.matches``) and the item page
(:func:`mark_html`, through ``web.highlight``) both use it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kb import analysis
from kb.query import And, Node, Not, Or, Phrase, Prefix, QueryError, Term, parse


@dataclass(frozen=True)
class Matcher:
    """The analysed terms and term prefixes a query looks for."""

    terms: frozenset[str] = field(default_factory=frozenset)
    prefixes: tuple[str, ...] = ()

    def matches(self, term: str) -> bool:
        """Whether an analysed term of a document is one the query looked for."""
        return term in self.terms or any(term.startswith(p) for p in self.prefixes)

    def __bool__(self) -> bool:
        return bool(self.terms or self.prefixes)


def alternatives(word: str, expander: Any | None) -> list[tuple[str, ...]]:
    """How one query word may appear in a document: each alternative is a sequence of
    analysed terms (one term, or a phrase); the word's own forms first, then the expander's
    synonyms (an expander that fails adds nothing)."""
    variants = list(analysis.word_variants(word))
    if expander is not None and variants:
        try:
            extra = expander.expand(word)
        except Exception:  # noqa: BLE001 - expansion is a bonus, never a failure
            extra = []
        for alt in extra:
            variant = tuple(analysis.phrase_terms(alt))
            if variant and variant not in variants:
                variants.append(variant)
    return variants


def matcher_for(tree: Node | None, expander: Any | None = None) -> Matcher:
    """The :class:`Matcher` of a parsed query (an empty one for a blank query)."""
    terms: set[str] = set()
    prefixes: list[str] = []

    def walk(node: Node) -> None:
        if isinstance(node, Term):
            for word in analysis.WORD_RE.findall(node.word):
                for variant in alternatives(word, expander):
                    terms.update(variant)
        elif isinstance(node, Phrase):
            terms.update(analysis.terms(node.text))
        elif isinstance(node, Prefix):
            prefixes.append(analysis.fold(node.prefix))
        elif isinstance(node, And | Or):
            for part in node.parts:
                walk(part)
        # Not: excluded words are never in a result; FieldQuery/YearRange: filters only

    if tree is not None and not isinstance(tree, Not):
        walk(tree)
    return Matcher(frozenset(terms), tuple(dict.fromkeys(prefixes)))


def matcher_for_query(q: str, expander: Any | None = None) -> Matcher:
    """:func:`matcher_for` of the query text ``q``; an empty matcher when ``q`` cannot be
    parsed (a page that only highlights must not fail on a bad query)."""
    try:
        return matcher_for(parse(q or ""), expander)
    except QueryError:
        return Matcher()


def marked_spans(text: str, matches: Callable[[str], bool]) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` to mark, in order and not overlapping: each
    analysed term ``matches`` accepts, skipping a term inside one already marked (the joined
    form of a hyphenated word after its parts) — the same words
    :func:`kb.snippets.make_snippet` marks."""
    out: list[tuple[int, int]] = []
    cursor = 0
    for start, end, term in analysis.term_spans(text):
        if start < cursor or not matches(term):
            continue
        out.append((start, end))
        cursor = end
    return out


def mark_html(text: str, matches: Callable[[str], bool]) -> str:
    """``text`` HTML-escaped, with each word of :func:`marked_spans` wrapped in ``<mark>``:
    the only markup in the result is ``<mark>``/``</mark>``."""
    parts: list[str] = []
    cursor = 0
    for start, end in marked_spans(text, matches):
        parts.append(html.escape(text[cursor:start]))
        parts.append(f"<mark>{html.escape(text[start:end])}</mark>")
        cursor = end
    parts.append(html.escape(text[cursor:]))
    return "".join(parts)
