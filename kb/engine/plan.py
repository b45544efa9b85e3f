"""The engine-neutral query plan: :mod:`kb.query`'s tree compiled to what any engine can run.

A plan is a small tree of exact-term, phrase, prefix, term-range, any/all and but-not nodes
over the index fields of :mod:`kb.engine.documents` (text fields hold the terms
:func:`kb.analysis.tokenize` gives).  Everything the query language means is decided here,
once: the search fields (``title``, ``body``), each word's hyphen and synonym/acronym
variants (:mod:`kb.expansion`), what a ``name:value`` field query matches, year ranges, and
the terms to highlight.  A backend only translates nodes one to one (OpenSearch: a bool
query), so both engines match the same items.

:func:`facet_filter` gives the lenient query behind a request filter on a facet's name
rather than its exact value (the exact values are the backend's to look up).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kb import analysis
from kb.model import slugify
from kb.query import (
    And,
    FieldQuery,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    QueryError,
    Term,
    YearRange,
    year_node,
)

#: the fields a plain word or phrase is searched in, and the relevance boost of each
SEARCH_FIELDS = ("title", "body")
FIELD_BOOSTS = {"title": 2.5, "body": 1.0}


@dataclass(frozen=True)
class TermQ:
    """Documents having exactly ``term`` in ``field`` (an analysed term or a keyword value)."""

    field: str
    term: str


@dataclass(frozen=True)
class PhraseQ:
    """Documents having ``terms`` at consecutive positions of ``field``."""

    field: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class PrefixQ:
    """Documents having a term of ``field`` starting with ``prefix``."""

    field: str
    prefix: str


@dataclass(frozen=True)
class RangeQ:
    """Documents whose keyword ``field`` is between ``start`` and ``end`` (inclusive; None:
    open), compared as strings."""

    field: str
    start: str | None
    end: str | None


@dataclass(frozen=True)
class AnyQ:
    """Documents matching any part (scores add up)."""

    parts: tuple[PlanNode, ...]


@dataclass(frozen=True)
class AllQ:
    """Documents matching every part."""

    parts: tuple[PlanNode, ...]


@dataclass(frozen=True)
class ButNot:
    """Documents matching ``base`` and not ``excluded``."""

    base: PlanNode
    excluded: PlanNode


@dataclass(frozen=True)
class EveryQ:
    """Every item."""


PlanNode = TermQ | PhraseQ | PrefixQ | RangeQ | AnyQ | AllQ | ButNot | EveryQ


def _words(fieldname: str, text: str, *, phrase: bool) -> PlanNode | None:
    """``text`` analysed for ``fieldname``: a phrase, or all its words (AND)."""
    words = analysis.phrase_terms(text)
    if not words:
        return None
    if len(words) == 1:
        return TermQ(fieldname, words[0])
    if phrase:
        return PhraseQ(fieldname, tuple(words))
    return AllQ(tuple(TermQ(fieldname, w) for w in words))


def _any(parts: list[PlanNode | None]) -> PlanNode | None:
    kept = [p for p in parts if p is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else AnyQ(tuple(kept))


def field_plan(name: str, value: str, *, phrase: bool = False) -> PlanNode | None:
    """The plan of a public field query ``name:value``: the exact facet value or its slug,
    or the words of a name/label.  Raises QueryError for an unknown field."""
    value = value.strip()
    if not value:
        return None
    slug = slugify(value)
    if name == "council":
        return _any([TermQ("council_id", slug), _words("council_text", value, phrase=True)])
    if name == "committee":
        exact: list[PlanNode | None] = [
            TermQ("committee_key", value.lower()),
            TermQ("committee_id", slug),
        ]
        return _any([*exact, _words("committee_text", value, phrase=True)])
    if name == "speaker":
        return _any([TermQ("speaker", value), _words("speaker_names", value, phrase=phrase)])
    if name == "topic":
        return _any(
            [TermQ("topic", value), TermQ("topic", slug), _words("topic_text", value, phrase=True)]
        )
    if name == "kind":
        return TermQ("kind", slug)
    if name == "year":
        return year_plan(year_node(value))
    raise QueryError(f"unknown field {name!r}")


def facet_filter(facet: str, value: str) -> PlanNode | None:
    """The lenient plan of a request filter whose value is not an exact facet value (a
    committee or person's name, a council's name)."""
    return field_plan(facet, value)


def year_plan(node: YearRange) -> PlanNode:
    """One year as an exact term, a range as a term range over ``year``."""
    if node.start is not None and node.start == node.end:
        return TermQ("year", str(node.start))
    start = str(node.start) if node.start is not None else None
    end = str(node.end) if node.end is not None else None
    return RangeQ("year", start, end)


class Planner:
    """Compiles a :mod:`kb.query` tree into a plan; records the terms to highlight, the
    prefixes, and the plain words typed (for did-you-mean)."""

    def __init__(self, expander: Any | None) -> None:
        self.expander = expander
        self.highlight: set[str] = set()
        self.prefixes: list[str] = []
        self.plain_words: list[str] = []

    def _alternatives(self, word: str) -> PlanNode | None:
        variants = list(analysis.word_variants(word))
        if self.expander is not None and variants:
            try:
                extra = self.expander.expand(word)
            except Exception:  # noqa: BLE001 - expansion is a bonus, never a failure
                extra = []
            for alt in extra:
                variant = tuple(analysis.phrase_terms(alt))
                if variant and variant not in variants:
                    variants.append(variant)
        parts: list[PlanNode | None] = []
        for variant in variants:
            self.highlight.update(variant)
            for f in SEARCH_FIELDS:
                parts.append(TermQ(f, variant[0]) if len(variant) == 1 else PhraseQ(f, variant))
        return _any(parts)

    def compile(self, node: Node) -> Any:
        """The plan of ``node``; None when it has nothing to search for (only stopwords).
        An engine's compiler overrides this to translate the plan."""
        return self.plan(node)

    def plan(self, node: Node) -> PlanNode | None:
        """The plan of ``node`` (see :meth:`compile`)."""
        if isinstance(node, Term):
            words = analysis.WORD_RE.findall(node.word)
            self.plain_words.extend(words)
            kept = [p for p in (self._alternatives(w) for w in words) if p is not None]
            if not kept:
                return None
            return kept[0] if len(kept) == 1 else AllQ(tuple(kept))
        if isinstance(node, Phrase):
            self.highlight.update(analysis.terms(node.text))
            return _any([_words(f, node.text, phrase=True) for f in SEARCH_FIELDS])
        if isinstance(node, Prefix):
            prefix = analysis.fold(node.prefix)
            self.prefixes.append(prefix)
            return _any([PrefixQ(f, prefix) for f in SEARCH_FIELDS])
        if isinstance(node, FieldQuery):
            return field_plan(node.name, node.value, phrase=node.phrase)
        if isinstance(node, YearRange):
            return year_plan(node)
        if isinstance(node, Or):
            return _any([self.plan(p) for p in node.parts])
        if isinstance(node, Not):
            inner = self.plan(node.part)
            return ButNot(EveryQ(), inner) if inner is not None else None
        if isinstance(node, And):
            pos = [self.plan(p) for p in node.parts if not isinstance(p, Not)]
            neg = _any([self.plan(p.part) for p in node.parts if isinstance(p, Not)])
            kept = [q for q in pos if q is not None]
            if not kept:
                return ButNot(EveryQ(), neg) if neg is not None else None
            base = kept[0] if len(kept) == 1 else AllQ(tuple(kept))
            return ButNot(base, neg) if neg is not None else base
        raise QueryError("unsupported query")  # pragma: no cover - the parser makes no others

    def matches(self, term: str) -> bool:
        """Whether an analysed term of a document should be highlighted."""
        return term in self.highlight or any(term.startswith(p) for p in self.prefixes)
