"""Whoosh queries from plans (:mod:`kb.engine.plan`): the compiler used by :mod:`.search`.

* :class:`_Compiler` plans a :mod:`kb.query` tree (:class:`kb.engine.plan.Planner`: search
  fields, hyphen and synonym variants, field queries, highlights) and translates the plan
  node by node (:func:`to_whoosh`), so this engine matches what every engine matches;
* :func:`field_query` is a public field's query (also the request's facet filters);
* :class:`AndNot` is Whoosh's ``ANDNOT`` with its first-document bug fixed.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq
from whoosh.matching import binary

from kb.engine.plan import (
    SEARCH_FIELDS,
    AllQ,
    AnyQ,
    ButNot,
    EveryQ,
    PhraseQ,
    Planner,
    PlanNode,
    PrefixQ,
    RangeQ,
    TermQ,
    field_plan,
)
from kb.query import Node

__all__ = ["SEARCH_FIELDS", "AndNot", "_Compiler", "field_query", "to_whoosh"]


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


def to_whoosh(node: PlanNode) -> wq.Query:
    """The Whoosh query of a plan node (field boosts are the schema's, not the plan's)."""
    if isinstance(node, TermQ):
        return wq.Term(node.field, node.term)
    if isinstance(node, PhraseQ):
        return wq.Phrase(node.field, list(node.terms))
    if isinstance(node, PrefixQ):
        return wq.Prefix(node.field, node.prefix)
    if isinstance(node, RangeQ):
        return wq.TermRange(node.field, node.start, node.end)
    if isinstance(node, AnyQ):
        return wq.Or([to_whoosh(p) for p in node.parts])
    if isinstance(node, AllQ):
        return wq.And([to_whoosh(p) for p in node.parts])
    if isinstance(node, ButNot):
        return AndNot(to_whoosh(node.base), to_whoosh(node.excluded))
    if isinstance(node, EveryQ):
        return wq.Every()
    raise TypeError(f"not a plan node: {node!r}")  # pragma: no cover - plans make no others


def field_query(name: str, value: str, *, phrase: bool = False) -> wq.Query | None:
    """The query for a public field (also used for the request's facet filters): the exact
    facet value or its slug, or the words of a name/label."""
    plan = field_plan(name, value, phrase=phrase)
    return to_whoosh(plan) if plan is not None else None


class _Compiler(Planner):
    """Turns a :mod:`kb.query` tree into a Whoosh query through its plan; records the terms
    to highlight (``highlight``, ``prefixes``, ``matches``) and the plain words typed."""

    def compile(self, node: Node) -> wq.Query | None:
        plan = self.plan(node)
        return to_whoosh(plan) if plan is not None else None
