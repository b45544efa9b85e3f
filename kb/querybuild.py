"""Whoosh queries from :mod:`kb.query` trees: the compiler used by :mod:`kb.search`.

* :class:`_Compiler` turns a parsed query into a Whoosh query over ``title``/``body`` (each word
  with its hyphen and synonym variants) and records the terms to highlight;
* :func:`field_query` builds a public field's query (also the request's facet filters);
* :class:`AndNot` is Whoosh's ``ANDNOT`` with its first-document bug fixed.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq
from whoosh.matching import binary

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
)

SEARCH_FIELDS = ("title", "body")


def _words_query(fieldname: str, text: str, *, phrase: bool) -> wq.Query | None:
    """``text`` analysed for ``fieldname``: a phrase, or all its words (AND)."""
    words = analysis.phrase_terms(text)
    if not words:
        return None
    if len(words) == 1:
        return wq.Term(fieldname, words[0])
    if phrase:
        return wq.Phrase(fieldname, words)
    return wq.And([wq.Term(fieldname, w) for w in words])


def _any(queries: list[wq.Query | None]) -> wq.Query | None:
    kept = [q for q in queries if q is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else wq.Or(kept)


def field_query(name: str, value: str, *, phrase: bool = False) -> wq.Query | None:
    """The query for a public field (also used for the request's facet filters): the exact
    facet value or its slug, or the words of a name/label."""
    value = value.strip()
    if not value:
        return None
    slug = slugify(value)
    if name == "council":
        return _any([wq.Term("council_id", slug), _words_query("council_text", value, phrase=True)])
    if name == "committee":
        exact = [wq.Term("committee_key", value.lower()), wq.Term("committee_id", slug)]
        return _any([*exact, _words_query("committee_text", value, phrase=True)])
    if name == "speaker":
        return _any(
            [wq.Term("speaker", value), _words_query("speaker_names", value, phrase=phrase)]
        )
    if name == "topic":
        exact = [wq.Term("topic", value), wq.Term("topic", slug)]
        return _any([*exact, _words_query("topic_text", value, phrase=True)])
    if name == "kind":
        return wq.Term("kind", slug)
    if name == "year":
        from kb.query import _field_node  # the year syntax lives with the parser

        node = _field_node("year", value, False)
        assert isinstance(node, YearRange)
        return _year_query(node)
    raise QueryError(f"unknown field {name!r}")


def _year_query(node: YearRange) -> wq.Query:
    if node.start is not None and node.start == node.end:
        return wq.Term("year", str(node.start))
    start = str(node.start) if node.start is not None else None
    end = str(node.end) if node.end is not None else None
    return wq.TermRange("year", start, end)


class _AndNotMatcher(binary.AndNotMatcher):
    """Whoosh 2.7.4's AndNotMatcher moves the excluded matcher up to the first included
    document only when both start on the same document, so an included document that comes
    after an excluded one at the start of a segment was let through ("report -police" found
    an item about the police).  This one always does."""

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class AndNot(wq.AndNot):
    """``a ANDNOT b`` with the fixed matcher (see :class:`_AndNotMatcher`)."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        scored = self.a.matcher(searcher, context)
        excluded = self.b.matcher(searcher, searcher.boolean_context())
        return _AndNotMatcher(scored, excluded)


class _Compiler:
    """Turns a :mod:`kb.query` tree into a Whoosh query; records the terms to highlight."""

    def __init__(self, expander: Any | None) -> None:
        self.expander = expander
        self.highlight: set[str] = set()
        self.prefixes: list[str] = []
        self.plain_words: list[str] = []

    def _alternatives(self, word: str) -> wq.Query | None:
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
        queries: list[wq.Query | None] = []
        for variant in variants:
            self.highlight.update(variant)
            for f in SEARCH_FIELDS:
                if len(variant) == 1:
                    queries.append(wq.Term(f, variant[0]))
                else:
                    queries.append(wq.Phrase(f, list(variant)))
        return _any(queries)

    def compile(self, node: Node) -> wq.Query | None:
        if isinstance(node, Term):
            words = analysis.WORD_RE.findall(node.word)
            self.plain_words.extend(words)
            parts = [self._alternatives(w) for w in words]
            kept = [p for p in parts if p is not None]
            if not kept:
                return None
            return kept[0] if len(kept) == 1 else wq.And(kept)
        if isinstance(node, Phrase):
            self.highlight.update(analysis.terms(node.text))
            return _any([_words_query(f, node.text, phrase=True) for f in SEARCH_FIELDS])
        if isinstance(node, Prefix):
            prefix = analysis.fold(node.prefix)
            self.prefixes.append(prefix)
            return _any([wq.Prefix(f, prefix) for f in SEARCH_FIELDS])
        if isinstance(node, FieldQuery):
            return field_query(node.name, node.value, phrase=node.phrase)
        if isinstance(node, YearRange):
            return _year_query(node)
        if isinstance(node, Or):
            return _any([self.compile(p) for p in node.parts])
        if isinstance(node, Not):
            inner = self.compile(node.part)
            return AndNot(wq.Every(), inner) if inner is not None else None
        if isinstance(node, And):
            pos = [self.compile(p) for p in node.parts if not isinstance(p, Not)]
            neg = [self.compile(p.part) for p in node.parts if isinstance(p, Not)]
            pos_q = [q for q in pos if q is not None]
            neg_q = _any(neg)
            base: wq.Query
            if not pos_q:
                if neg_q is None:
                    return None
                base = wq.Every()
            else:
                base = pos_q[0] if len(pos_q) == 1 else wq.And(pos_q)
            return AndNot(base, neg_q) if neg_q is not None else base
        raise QueryError("unsupported query")  # pragma: no cover - the parser makes no others

    def matches(self, term: str) -> bool:
        """Whether an analysed term of a document should be highlighted."""
        return term in self.highlight or any(term.startswith(p) for p in self.prefixes)
