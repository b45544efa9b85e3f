"""Plain word queries on the Whoosh index, ranked by the policy of :mod:`kb.ranking`.

:func:`plan` says whether a parsed query is plain words (plus filters and exclusions);
:func:`rank_words` scores each clause with :mod:`kb.fastscore` (Whoosh's BM25F, as typed and
through its synonyms), lets :func:`kb.ranking.combine` choose AND or a relaxed match, and
rescores the best documents by their text (:func:`kb.ranking.rank`, engine-neutral: this
module only supplies each clause's BM25F scores and the stored text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import query as wq

from kb import analysis, fastscore, ranking
from kb.deadline import Deadline
from kb.query import And, FieldQuery, Node, Not, Term, YearRange
from kb.querybuild import SEARCH_FIELDS, _Compiler


@dataclass
class WordPlan:
    """A plain word query: its clauses and the query of its filters (None: no filters)."""

    clauses: list[ranking.Clause]
    hard: wq.Query | None = None
    also_searched: list[str] = field(default_factory=list)


def plan(tree: Node | None, expander: Any | None) -> WordPlan | None:
    """The word plan of ``tree`` when it is unquoted words, optionally with field filters
    (``year:2019``) and exclusions (``-police``); None for anything else (phrases, OR,
    prefixes), which the caller searches as before."""
    if tree is None:
        return None
    parts = tree.parts if isinstance(tree, And) else (tree,)
    words: list[str] = []
    hard: list[Node] = []
    for part in parts:
        if isinstance(part, Term):  # "name:value" or "s.137": one token, all its words
            words.append(" ".join(analysis.WORD_RE.findall(part.word)))
        elif isinstance(part, FieldQuery | YearRange | Not):
            hard.append(part)
        else:
            return None
    clauses = ranking.clauses_of(words, expander)
    if not clauses:
        return None
    hard_q = _Compiler(expander).compile(And(tuple(hard))) if hard else None
    also = list(dict.fromkeys(s for c in clauses for s in c.synonyms))
    return WordPlan(clauses, hard_q, also)


def _sequence_query(terms: tuple[tuple[str, ...], ...]) -> wq.Query | None:
    parts: list[wq.Query] = []
    for seq in terms:
        for f in SEARCH_FIELDS:
            parts.append(wq.Term(f, seq[0]) if len(seq) == 1 else wq.Phrase(f, list(seq)))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def _dense(  # noqa: PLR0913 - the scoring inputs, then the deadline
    s: Any,
    q: wq.Query | None,
    lengths: Any,
    postings: Any,
    size: int,
    deadline: Deadline | None = None,
) -> np.ndarray:
    """Every document's BM25F score for ``q`` (0 where it does not match); past
    ``deadline`` :class:`kb.deadline.DeadlineExceeded` is raised."""
    out = np.zeros(size, dtype=np.float64)
    if q is None:
        return out
    ranked = fastscore.rank(s, q, lengths, postings, ordered=False, deadline=deadline)
    if ranked is None:
        ranked = fastscore.exhaustive(s, q, deadline=deadline)
    docs, scores = ranked
    out[docs] = np.maximum(scores, 1e-9)  # a match always scores above 0
    return out


def _synonym_scores(  # noqa: PLR0913 - the scoring inputs, then the deadline
    s: Any,
    clause: ranking.Clause,
    lengths: Any,
    postings: Any,
    size: int,
    deadline: Deadline | None = None,
) -> np.ndarray | None:
    """Per document, the best score of any of the clause's synonyms, each divided by its
    number of words: a multi-word synonym ("criminal damage") sums a score per word, and
    must not outweigh the one word typed for being longer."""
    if not clause.synonym_terms:
        return None
    best = np.zeros(size, dtype=np.float64)
    for seq in clause.synonym_terms:
        found = _dense(s, _sequence_query((seq,)), lengths, postings, size, deadline) / len(seq)
        np.maximum(best, found, out=best)
    return best


def rank_words(  # noqa: PLR0913 - the scoring inputs, then the deadline
    s: Any,
    word_plan: WordPlan,
    lengths: Any,
    postings: Any,
    allowed: np.ndarray,
    *,
    deadline: Deadline | None = None,
) -> ranking.Ranked:
    """The documents of a word plan among the ``allowed`` ones (and its filters), ranked by
    :func:`kb.ranking.rank` from Whoosh's per-clause BM25F scores.  Past ``deadline``
    (checked while reading postings, see :func:`kb.fastscore.rank`)
    :class:`kb.deadline.DeadlineExceeded` is raised."""
    size = len(allowed)
    mask = allowed.copy()
    hard: np.ndarray | None = None
    if word_plan.hard is not None:
        hard = np.zeros(size, dtype=bool)
        hard_docs = np.fromiter(s.docs_for_query(word_plan.hard), dtype=np.int64)
        hard[hard_docs[hard_docs < size]] = True
        mask &= hard
    clauses = word_plan.clauses
    typed = [
        _dense(s, _sequence_query(c.terms), lengths, postings, size, deadline) for c in clauses
    ]
    synonym = [_synonym_scores(s, c, lengths, postings, size, deadline) for c in clauses]
    ranked = ranking.rank(clauses, typed, synonym, mask, s.stored_fields)
    if ranked.matched is not None and hard is not None:  # the query's own field filters
        ranked.matched = ranked.matched & hard
    return ranked
