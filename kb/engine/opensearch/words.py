"""Plain word queries on OpenSearch by :mod:`kb.ranking`'s policy: all the words, else most
of them, else any.

A query of unquoted words (with field filters and exclusions, as :mod:`kb.ranking` defines
it) becomes one ``should`` clause per word — the word as typed on ``title``/``body``, and its
synonyms at :data:`kb.ranking.SYNONYM_WEIGHT` — and the level is the first of ``all``,
``most``, ``any`` whose ``minimum_should_match`` (:func:`kb.ranking.needed`) finds at least
:data:`kb.ranking.FALLBACK_BELOW` items among those the filters allow: the same items as the
embedded engine matches.  Not here yet: the embedded engine's text re-ranking of the top
results and the folding of near-identical items of one meeting (:func:`kb.ranking.rank`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kb import ranking
from kb.engine.opensearch.compile import Query, field_of, to_dsl
from kb.engine.plan import FIELD_BOOSTS, SEARCH_FIELDS, Planner
from kb.query import And, Node


@dataclass
class WordsPlan:
    """The clauses of a plain word query and the plan of its filters and exclusions."""

    clauses: list[ranking.Clause]
    hard: Any = None
    also_searched: list[str] = field(default_factory=list)


def plan_words(tree: Node | None, expander: Any | None) -> WordsPlan | None:
    """The word plan of ``tree`` when it is unquoted words, optionally with field filters and
    exclusions; None for anything else (phrases, OR, prefixes), searched as its plan."""
    parts = ranking.word_query_parts(tree)
    if parts is None:
        return None
    words, hard = parts
    clauses = ranking.clauses_of(words, expander)
    if not clauses:
        return None
    hard_plan = Planner(expander).plan(And(tuple(hard))) if hard else None
    also = list(dict.fromkeys(s for c in clauses for s in c.synonyms))
    return WordsPlan(clauses, hard_plan, also)


def _sequences(seqs: tuple[tuple[str, ...], ...], weight: float) -> list[Query]:
    out: list[Query] = []
    for seq in seqs:
        for f in SEARCH_FIELDS:
            boost = FIELD_BOOSTS.get(f, 1.0) * weight / len(seq)
            if len(seq) == 1:
                out.append({"term": {field_of(f): {"value": seq[0], "boost": boost}}})
            else:
                body = {"query": " ".join(seq), "boost": boost}
                out.append({"match_phrase": {field_of(f): body}})
    return out


def clause_query(clause: ranking.Clause) -> Query:
    """Documents matching one clause: as typed, or through a synonym (weighted lower)."""
    should = _sequences(clause.terms, 1.0)
    should += _sequences(clause.synonym_terms, ranking.SYNONYM_WEIGHT)
    return {"bool": {"should": should, "minimum_should_match": 1}}


def words_query(
    plan: WordsPlan,
    filters: list[Query],
    count: Callable[[Query], int],
    years: Callable[[], list[str]],
) -> tuple[Query, str]:
    """(the text query, its level): the first level that finds enough items among those the
    ``filters`` allow (module docstring); the text query holds the word clauses and the
    query's own filters, not ``filters``."""
    hard = [to_dsl(plan.hard, years)] if plan.hard is not None else []
    clauses = [clause_query(c) for c in plan.clauses]
    n = len(clauses)
    tried: set[int] = set()
    query: Query = {}
    level = "all"
    for candidate in ("all", "most", "any"):
        need = ranking.needed(candidate, n)
        if need in tried:  # one or two clauses: "most" is "all"
            continue
        tried.add(need)
        level = candidate
        match = {"bool": {"should": clauses, "minimum_should_match": need}}
        query = {"bool": {"filter": hard, "must": [match]}}
        if count({"bool": {"filter": filters, "must": [query]}}) >= ranking.FALLBACK_BELOW:
            break
    return query, level


@dataclass
class Head:
    """The best :data:`kb.ranking.RERANK_DEPTH` hits of a word query re-ranked by their text
    (:func:`kb.ranking.text_boost`), near-identical items of one meeting folded into the
    first (:func:`kb.ranking.near_duplicates`): ``hits`` in order, ``folded`` ids, and
    ``grouped`` (kept id → folded ids)."""

    hits: list[dict[str, Any]]
    folded: list[str]
    grouped: dict[str, list[str]]


def rerank_head(plan: WordsPlan, hits: list[dict[str, Any]]) -> Head:
    """The :class:`Head` of ``hits`` (best first, with ``_score`` and the stored ``id``,
    ``title``, ``body``, ``date``, ``meeting_id``), as :func:`kb.ranking.rank` does it."""
    if not hits:
        return Head([], [], {})
    boosted = [
        float(h.get("_score") or 0.0)
        * ranking.text_boost(
            plan.clauses, h["_source"].get("title") or "", h["_source"].get("body") or ""
        )
        for h in hits
    ]
    order = sorted(range(len(hits)), key=lambda i: (-boosted[i], i))
    head = [hits[i] for i in order]
    for h, i in zip(head, order, strict=True):
        h["_score"] = boosted[i]
    rows = [
        (
            str(h["_source"]["id"]),
            ranking.meeting_key(h["_source"]),
            f"{h['_source'].get('title') or ''} {h['_source'].get('body') or ''}",
        )
        for h in head
    ]
    dups = ranking.near_duplicates(rows)
    grouped: dict[str, list[str]] = {}
    for i, j in dups.items():
        grouped.setdefault(rows[j][0], []).append(rows[i][0])
    kept = [h for i, h in enumerate(head) if i not in dups]
    return Head(kept, [rows[i][0] for i in sorted(dups)], grouped)
