"""Ranking policy for plain word queries, independent of the search engine.

A query of unquoted words (plus filters such as ``year:2019`` or ``-police``) is searched as
*clauses*, one per word (a run of words naming a known term, such as ``criminal damage``,
lends each of its words that term's synonyms).  An engine scores each clause twice — the
words as typed (with their hyphen variants) and the clause's synonyms from
``data/synonyms.toml`` — and hands the per-document scores to :func:`combine`, which
decides how many clauses a result must match:

* ``all`` — every clause (AND), when that finds at least :data:`FALLBACK_BELOW` items;
* ``most`` — at least :data:`MOST_FRACTION` of the clauses, when that finds enough;
* ``any`` — any clause (BM25 over any word).

A document's score is the sum of its clause scores (a synonym-only match counts
:data:`SYNONYM_WEIGHT` of its score), times its share of the clauses matched to the power
:data:`COVERAGE_POWER`, so items with every word still lead a relaxed search.
:func:`text_boost` then rescores the top :data:`RERANK_DEPTH` by their text: clauses in the
title, clauses near each other, and the clauses in the order typed (the phrase, rewarded but
never required).  :func:`near_duplicates` finds items of one meeting with near-identical
text, shown once.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kb import analysis
from kb.query import And, FieldQuery, Node, Not, Term, YearRange

#: the AND result must have at least this many items, else the search is relaxed
FALLBACK_BELOW = 10
#: "most of the words": at least this share of the clauses (rounded up)
MOST_FRACTION = 2 / 3
#: a clause matched only through a synonym scores this share of its BM25 score
SYNONYM_WEIGHT = 0.7
#: a document's score is multiplied by (clauses matched / clauses) ** COVERAGE_POWER
COVERAGE_POWER = 2.0
#: how many of the best documents are rescored by their text
RERANK_DEPTH = 50
#: text boosts (see :func:`text_boost`): every clause in the title, all clauses within a
#: few words of each other, and all of them adjacent in the order typed
TITLE_WEIGHT = 0.5
PROXIMITY_WEIGHT = 0.5
PHRASE_WEIGHT = 0.5
#: items of one meeting whose word sets overlap at least this much (Jaccard) are one result
DUPLICATE_SIMILARITY = 0.9
#: characters of a body the text boosts and the near-duplicate check read (its opening):
#: the rescoring costs the same for a 10 MB item as for a 100 kB one (issue 12)
RERANK_BODY_CHARS = 100_000

#: how each match level is described to the user
MATCH_LABELS = {
    "all": "all of the words",
    "most": "most of the words",
    "any": "any of the words",
}


@dataclass(frozen=True)
class Clause:
    """One word (or known multi-word term) of a query: how it was typed, the term sequences
    that find it as typed, and its synonyms (as written, and as term sequences)."""

    text: str
    terms: tuple[tuple[str, ...], ...]
    synonyms: tuple[str, ...] = ()
    synonym_terms: tuple[tuple[str, ...], ...] = ()


def clauses_of(words: Sequence[str], expander: Any | None) -> list[Clause]:
    """The clauses of a query's plain words, in order; stop words and punctuation drop out.

    Each word is a clause; the words of a run that names a term of the expander
    (``criminal damage``) also take that term's synonyms (``vandalism``), so an item with the
    synonym matches every word of the run.  A ``word`` with spaces is one token typed with
    inner punctuation (``s.137``, ``name:value``): one clause, its words side by side.
    ``expander`` may be None (no synonyms).
    """
    spans: list[tuple[int, int, list[str]]] = []
    if expander is not None:
        try:
            spans = [sp for sp in expander.spans(list(words)) if sp[1] - sp[0] > 1]
        except Exception:  # noqa: BLE001 - expansion is a bonus, never a failure
            spans = []
    run_alternatives: dict[int, list[str]] = {}
    for start, end, alternatives in spans:
        for k in range(start, end):
            run_alternatives[k] = alternatives
    out: list[Clause] = []
    for i, text in enumerate(words):
        extra = _expand(expander, text) + run_alternatives.get(i, [])
        if " " in text:  # one token typed with inner punctuation: its words side by side
            seq = tuple(analysis.phrase_terms(text))
            clause = _clause(text, (seq,) if seq else (), extra)
        else:
            clause = _clause(text, tuple(analysis.word_variants(text)), extra)
        if clause.terms:
            out.append(clause)
    return out


def word_query_parts(tree: Node | None) -> tuple[list[str], list[Node]] | None:
    """(the words typed, the query's field filters and exclusions) when ``tree`` is a plain
    word query — unquoted words, maybe with field filters (``year:2019``) and exclusions
    (``-police``) — else None (phrases, OR, prefixes, a blank query).  A token typed with
    inner punctuation (``name:value``, ``s.137``) is one word of its words side by side."""
    if tree is None:
        return None
    parts = tree.parts if isinstance(tree, And) else (tree,)
    words: list[str] = []
    hard: list[Node] = []
    for part in parts:
        if isinstance(part, Term):
            words.append(" ".join(analysis.WORD_RE.findall(part.word)))
        elif isinstance(part, FieldQuery | YearRange | Not):
            hard.append(part)
        else:
            return None
    return words, hard


def _expand(expander: Any | None, word: str) -> list[str]:
    if expander is None:
        return []
    try:
        return list(expander.expand(word))[1:]
    except Exception:  # noqa: BLE001 - expansion is a bonus, never a failure
        return []


def _clause(text: str, terms: tuple[tuple[str, ...], ...], alternatives: list[str]) -> Clause:
    syn_text: list[str] = []
    syn_terms: list[tuple[str, ...]] = []
    for alt in alternatives:
        seq = tuple(analysis.phrase_terms(alt))
        if len(seq) == 1 and len(re.split(r"[\s\-\u2010\u2011]+", alt.strip())) > 1:
            continue  # "break-in" is just "break" once "in" is dropped: far too broad
        if seq and seq not in terms and seq not in syn_terms:
            syn_text.append(alt)
            syn_terms.append(seq)
    return Clause(text, terms, tuple(syn_text), tuple(syn_terms))


def needed(level: str, n: int) -> int:
    """How many of ``n`` clauses a document must match at ``level``."""
    if level == "all":
        return n
    if level == "most":
        return max(1, math.ceil(n * MOST_FRACTION))
    return 1


def combine(
    typed: Sequence[np.ndarray],
    synonym: Sequence[np.ndarray | None],
    allowed: np.ndarray,
) -> tuple[str, np.ndarray, np.ndarray]:
    """(level, match mask, scores) from per-clause dense score arrays (0 = no match).

    ``typed[i]`` scores clause i as typed, ``synonym[i]`` through its synonyms (or None);
    ``allowed`` is the mask of documents the filters let through, used to decide whether the
    AND result is too small.  Scores are as the module docstring says.
    """
    n = len(typed)
    size = len(allowed)
    counts = np.zeros(size, dtype=np.int32)
    total = np.zeros(size, dtype=np.float64)
    for t, syn in zip(typed, synonym, strict=True):
        score = t if syn is None else np.where(t > 0, t, SYNONYM_WEIGHT * syn)
        counts += score > 0
        total += score
    level, tried = "all", set()
    for candidate in ("all", "most", "any"):
        if needed(candidate, n) in tried:  # one or two clauses: "most" is "all"
            continue
        level = candidate
        tried.add(needed(candidate, n))
        if int(((counts >= needed(candidate, n)) & allowed).sum()) >= FALLBACK_BELOW:
            break
    match = counts >= needed(level, n)
    scores = np.where(match, total * (counts / max(n, 1)) ** COVERAGE_POWER, 0.0)
    return level, match, scores


@functools.lru_cache(maxsize=200_000)
def _word_terms(raw: str) -> tuple[str, ...]:
    return tuple(analysis.terms(raw))


def text_terms(text: str) -> list[str]:
    """The terms of ``text`` as :func:`kb.analysis.terms` gives them (each distinct word
    analysed once, cached: several times faster on long bodies)."""
    # map() and chain() walk the words without a Python-level loop per word
    return list(itertools.chain.from_iterable(map(_word_terms, analysis.WORD_RE.findall(text))))


def _positions(tokens: Sequence[str], sequences: Sequence[tuple[str, ...]]) -> list[int]:
    """Where any of ``sequences`` starts in ``tokens``."""
    firsts = {seq[0] for seq in sequences}
    if all(len(seq) == 1 for seq in sequences):  # single words: where any of them is
        return [i for i, tok in enumerate(tokens) if tok in firsts]
    found: list[int] = []
    for i in [i for i, tok in enumerate(tokens) if tok in firsts]:
        for seq in sequences:
            if tuple(tokens[i : i + len(seq)]) == seq:
                found.append(i)
                break
    return found


def _smallest_window(positions: list[list[int]]) -> int:
    """The fewest tokens that hold one position of every list (all non-empty)."""
    events = sorted((p, k) for k, ps in enumerate(positions) for p in ps)
    need = len(positions)
    have: dict[int, int] = {}
    best = math.inf
    left = 0
    for right, (pos, k) in enumerate(events):
        have[k] = have.get(k, 0) + 1
        while len(have) == need:
            lpos, lk = events[left]
            best = min(best, pos - lpos + 1)
            have[lk] -= 1
            if not have[lk]:
                del have[lk]
            left += 1
        del right
    return int(best) if best is not math.inf else 0


def _in_order(
    tokens: Sequence[str], clauses: Sequence[Clause], positions: list[list[int]] | None = None
) -> bool:
    """Whether the clauses occur one right after another, in the order typed (``positions``:
    each clause's :func:`_positions` in ``tokens``, when already known)."""
    if positions is None:
        positions = [_positions(tokens, c.terms) for c in clauses]
    starts = [set(found) for found in positions]
    lengths = [min(len(seq) for seq in c.terms) for c in clauses]
    for p in starts[0]:
        q, ok = p + lengths[0], True
        for k in range(1, len(clauses)):
            if q not in starts[k]:
                ok = False
                break
            q += lengths[k]
        if ok:
            return True
    return False


def text_boost(clauses: Sequence[Clause], title: str, body: str) -> float:
    """The factor (≥ 1) a document's score is multiplied by for how its text holds the
    clauses as typed: ``TITLE_WEIGHT`` × the share of clauses in the title, plus, for two or
    more clauses, ``PROXIMITY_WEIGHT`` × how tightly they sit together (1 when adjacent,
    falling with the words between them) and ``PHRASE_WEIGHT`` when they are adjacent in
    the order typed (in the title or the body)."""
    if not clauses:
        return 1.0
    title_tokens = text_terms(title)
    in_title = sum(1 for c in clauses if _positions(title_tokens, c.terms))
    factor = 1.0 + TITLE_WEIGHT * in_title / len(clauses)
    if len(clauses) < 2:
        return factor
    body_tokens = text_terms(body)
    best = 0.0
    phrase = False
    for tokens in (title_tokens, body_tokens):
        positions = [_positions(tokens, c.terms) for c in clauses]
        if not all(positions):
            continue
        window = _smallest_window(positions)
        span = sum(min(len(seq) for seq in c.terms) for c in clauses)
        best = max(best, min(1.0, span / max(window, 1)))
        phrase = phrase or _in_order(tokens, clauses, positions)
    return factor + PROXIMITY_WEIGHT * best + (PHRASE_WEIGHT if phrase else 0.0)


_WORDS_RE = re.compile(r"\w+")


def near_duplicates(rows: Sequence[tuple[str, str, str]]) -> dict[int, int]:
    """Indexes of ``rows`` (id, meeting id, text) that repeat an earlier row of the same
    meeting with near-identical words (lowercased, unstemmed: Jaccard of the word sets at
    least :data:`DUPLICATE_SIMILARITY`), mapped to that earlier row's index."""
    kept: dict[str, list[tuple[int, set[str]]]] = {}
    out: dict[int, int] = {}
    shared = {m for m, n in Counter(meeting for _id, meeting, _text in rows).items() if n > 1}
    for i, (_id, meeting, text) in enumerate(rows):
        if meeting not in shared:  # alone in its meeting: no words to compare (a 10 MB item)
            continue
        words = set(_WORDS_RE.findall(text.lower()))
        for j, other in kept.get(meeting, []):
            union = len(words | other)
            if union and len(words & other) / union >= DUPLICATE_SIMILARITY:
                out[i] = j
                break
        else:
            kept.setdefault(meeting, []).append((i, words))
    return out


@dataclass
class Ranked:
    """A ranked word search: match level, docnums (the reranked best first, in order; the
    rest after them in docnum order: ``fastscore.page`` orders just the page), their
    scores, and the ids of near-identical items folded into a result (keyed by that
    result's docnum)."""

    level: str
    docs: np.ndarray
    scores: np.ndarray
    grouped: dict[int, list[str]] = field(default_factory=dict)
    #: every document matching at ``level``, whatever the filters (``allowed``) let through:
    #: what disjunctive facet counts need outside the filters
    matched: np.ndarray | None = None


def _best_first(docs: np.ndarray, scores: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """(docs, scores) with the best ``depth`` first, in order (score descending, then
    docnum), and the rest after them in the order given: only the documents that can be among
    the best (scoring at least the ``depth``-th best score) are sorted."""
    if len(docs) <= depth:
        order = np.lexsort((docs, -scores))
        return docs[order], scores[order]
    neg = -scores
    cut = np.partition(neg, depth - 1)[depth - 1]  # the depth-th best score, negated
    near = np.flatnonzero(neg <= cut)
    head = near[np.lexsort((docs[near], neg[near]))[:depth]]
    rest = np.ones(len(docs), dtype=bool)
    rest[head] = False
    return np.concatenate([docs[head], docs[rest]]), np.concatenate([scores[head], scores[rest]])


def meeting_key(stored: Mapping[str, Any]) -> str:
    """What says two items come from the same meeting: its date (one meeting read from two
    files, a PDF and its text, may be given two meeting ids), else its meeting id."""
    date = stored.get("date")
    if date is not None and hasattr(date, "isoformat"):
        return f"date:{date.isoformat()}"
    return f"date:{date}" if date else str(stored.get("meeting_id", ""))


def rank(
    clauses: Sequence[Clause],
    typed: Sequence[np.ndarray],
    synonym: Sequence[np.ndarray | None],
    allowed: np.ndarray,
    stored: Callable[[int], Mapping[str, Any]],
) -> Ranked:
    """The whole policy, for any engine: ``typed[i]`` / ``synonym[i]`` are clause i's dense
    per-document scores (0 = no match) as typed and through its synonyms, ``allowed`` the
    documents the filters let through, ``stored(docnum)`` a document's ``id``, ``title``,
    ``body``, ``date`` and ``meeting_id``.  The top :data:`RERANK_DEPTH` documents (score
    descending, then docnum) rescored by :func:`text_boost` and listed first in that order,
    among them near-identical items of one meeting shown once (:attr:`Ranked.grouped`);
    the rest after them in docnum order (only the top is ever sorted)."""
    level, match, scores = combine(typed, synonym, allowed)
    docs = np.flatnonzero(match & allowed)
    found = scores[docs]
    docs, found = _best_first(docs, found, RERANK_DEPTH)
    top = min(len(docs), RERANK_DEPTH)
    grouped: dict[int, list[str]] = {}
    if not top:
        return Ranked(level, docs, found, grouped, match)
    fields = [stored(d) for d in docs[:top].tolist()]
    bodies = [(f.get("body") or "")[:RERANK_BODY_CHARS] for f in fields]
    boosted = found[:top] * np.array(
        [text_boost(clauses, f.get("title") or "", b) for f, b in zip(fields, bodies, strict=True)]
    )
    head = np.lexsort((docs[:top], -boosted))
    fields, bodies = [fields[i] for i in head.tolist()], [bodies[i] for i in head.tolist()]
    head_docs, head_scores = docs[:top][head], boosted[head]
    rows = [
        (str(f["id"]), meeting_key(f), f"{f.get('title') or ''} {b}")
        for f, b in zip(fields, bodies, strict=True)
    ]
    dups = near_duplicates(rows)
    for i, j in dups.items():
        grouped.setdefault(int(head_docs[j]), []).append(rows[i][0])
    keep = np.array([i not in dups for i in range(top)], dtype=bool)
    docs = np.concatenate([head_docs[keep], docs[top:]])
    found = np.concatenate([head_scores[keep], found[top:]])
    return Ranked(level, docs, found, grouped, match)
