"""Plans (:mod:`kb.engine.plan`) as OpenSearch query DSL, one node to one clause.

Text fields are searched in their ``t_`` term fields with ``term``/``match_phrase``/
``prefix`` (the terms are already analysed, see :mod:`.client`); keyword fields with
``term``.  A year range becomes the ``terms`` of the indexed years inside it (``years()``
lists them), so it compares exactly as the embedded engine's term range does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kb.engine.opensearch.client import TERM_FIELDS
from kb.engine.plan import (
    FIELD_BOOSTS,
    AllQ,
    AnyQ,
    ButNot,
    EveryQ,
    PhraseQ,
    PlanNode,
    PrefixQ,
    RangeQ,
    TermQ,
)

Query = dict[str, Any]


def field_of(name: str) -> str:
    """The OpenSearch field a plan's field name is searched in."""
    return f"t_{name}" if name in TERM_FIELDS else name


def to_dsl(node: PlanNode, years: Callable[[], list[str]]) -> Query:
    """The query clause of ``node`` (``years``: the indexed ``year`` values, for ranges)."""
    if isinstance(node, TermQ):
        boost = FIELD_BOOSTS.get(node.field, 1.0)
        return {"term": {field_of(node.field): {"value": node.term, "boost": boost}}}
    if isinstance(node, PhraseQ):
        boost = FIELD_BOOSTS.get(node.field, 1.0)
        query = {"query": " ".join(node.terms), "boost": boost}
        return {"match_phrase": {field_of(node.field): query}}
    if isinstance(node, PrefixQ):
        return {"prefix": {field_of(node.field): {"value": node.prefix}}}
    if isinstance(node, RangeQ):
        inside = [
            y
            for y in years()
            if (node.start is None or y >= node.start) and (node.end is None or y <= node.end)
        ]
        return {"terms": {node.field: inside}} if inside else {"match_none": {}}
    if isinstance(node, AnyQ):
        should = [to_dsl(p, years) for p in node.parts]
        return {"bool": {"should": should, "minimum_should_match": 1}}
    if isinstance(node, AllQ):
        return {"bool": {"must": [to_dsl(p, years) for p in node.parts]}}
    if isinstance(node, ButNot):
        return {
            "bool": {"must": [to_dsl(node.base, years)], "must_not": [to_dsl(node.excluded, years)]}
        }
    if isinstance(node, EveryQ):
        return {"match_all": {}}
    raise TypeError(f"not a plan node: {node!r}")  # pragma: no cover - plans make no others
