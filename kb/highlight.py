"""One highlighter: which words of a text a query matched, for result snippets and item pages.

Pure Python, engine-neutral.  :func:`matcher_for` walks a parsed query (:mod:`kb.query`) and
collects what the search looks for, the way :mod:`kb.engine.plan` compiles it:

* a plain word: its stem and hyphen forms (:func:`kb.analysis.word_variants`) plus, with an
  expander, its synonyms and acronyms (``ASB`` → ``anti``, ``social``, ``antisoci``,
  ``behaviour``);
* a quoted phrase: the terms of its words;
* ``safe*``: every term starting with ``safe``;
* field filters (``speaker:hawkes``), year ranges and excluded words (``-funding``): nothing.

A :class:`Matcher` finds the words to mark among the *analysed* terms of a text
(:func:`term_hits` over :func:`kb.analysis.term_spans`), so a document word is marked when
the search would have matched it there (a synonym phrase only where the whole phrase
occurs).  Result snippets (:func:`kb.snippets.make_snippet`) and the item page
(:func:`mark_html`, through ``web.highlight``) both use it.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate, compress
from typing import Any

from kb import analysis, ranking, vocabulary
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
    parse,
)


@dataclass(frozen=True)
class Matcher:
    """What a query looks for: single analysed terms, term prefixes, and phrases (sequences
    of terms that count only where they occur in order, such as the words of
    "anti-social behaviour" that ``ASB`` stands for)."""

    terms: frozenset[str] = field(default_factory=frozenset)
    prefixes: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    def matches(self, term: str) -> bool:
        """Whether an analysed term counts on its own (a single term or a prefix's)."""
        return term in self.terms or term.startswith(self.prefixes)  # () matches nothing

    def candidate(self, term: str) -> bool:
        """Whether a term may be marked: on its own, or as a word of a phrase (where the
        phrase occurs, which :func:`term_hits` checks)."""
        return self.matches(term) or term in self.phrase_terms

    @functools.cached_property
    def phrase_terms(self) -> frozenset[str]:
        """Every term of the phrases."""
        return frozenset(t for phrase in self.phrases for t in phrase)

    @functools.cached_property
    def phrase_starts(self) -> frozenset[str]:
        """The first term of each phrase."""
        return frozenset(phrase[0] for phrase in self.phrases)

    def __bool__(self) -> bool:
        return bool(self.terms or self.prefixes or self.phrases)


Matches = Matcher | Callable[[str], bool]


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


def word_clauses(tree: Node | None, expander: Any | None) -> list[ranking.Clause] | None:
    """The clauses a plain word query is searched by (:func:`kb.ranking.clauses_of`, as
    the word search builds them): unquoted words, maybe with field filters and
    exclusions; None for any other query (phrases, OR, prefixes) or a blank one."""
    if tree is None:
        return None
    parts = tree.parts if isinstance(tree, And) else (tree,)
    words: list[str] = []
    for part in parts:
        if isinstance(part, Term):  # "name:value" or "s.137": one token, its words together
            words.append(" ".join(analysis.WORD_RE.findall(part.word)))
        elif not isinstance(part, FieldQuery | YearRange | Not):
            return None
    return ranking.clauses_of(words, expander) or None


def matcher_for(tree: Node | None, expander: Any | None = None) -> Matcher:
    """The :class:`Matcher` of a parsed query (an empty one for a blank query).  A plain word
    query marks what its clauses search (each word's forms and the synonyms of the word or
    of a run of words naming a known term); any other query what the query plan
    compiles."""
    terms: set[str] = set()
    prefixes: list[str] = []
    phrases: list[tuple[str, ...]] = []

    def add(seq: tuple[str, ...]) -> None:
        if len(seq) == 1:
            terms.add(seq[0])
        elif seq:
            phrases.append(seq)

    clauses = word_clauses(tree, expander)
    if clauses is not None:
        for clause in clauses:
            for seq in (*clause.terms, *clause.synonym_terms):
                add(seq)
        return Matcher(frozenset(terms), (), tuple(dict.fromkeys(phrases)))

    def walk(node: Node) -> None:
        if isinstance(node, Term):
            for word in analysis.WORD_RE.findall(node.word):
                for variant in alternatives(word, expander):
                    add(variant)
        elif isinstance(node, Phrase):
            add(tuple(analysis.phrase_terms(node.text)))
        elif isinstance(node, Prefix):
            prefixes.append(analysis.fold(node.prefix))
        elif isinstance(node, And | Or):
            for part in node.parts:
                walk(part)
        # Not: excluded words are never in a result; FieldQuery/YearRange: filters only

    if tree is not None and not isinstance(tree, Not):
        walk(tree)
    return Matcher(frozenset(terms), tuple(dict.fromkeys(prefixes)), tuple(dict.fromkeys(phrases)))


def matcher_for_query(q: str, expander: Any | None = None) -> Matcher:
    """:func:`matcher_for` of the query text ``q``; an empty matcher when ``q`` cannot be
    parsed (a page that only highlights must not fail on a bad query)."""
    try:
        return matcher_for(parse(q or ""), expander)
    except QueryError:
        return Matcher()


def term_hits(text: str, matches: Matches) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` of the analysed terms of ``text`` (:func:`kb.analysis.term_spans`)
    that ``matches`` looks for, in text order: a term that counts on its own, or each term of
    a phrase where the phrase's terms follow one another.  ``matches`` may be a plain
    ``term -> bool`` function (no phrases then)."""
    if isinstance(matches, Matcher) and not matches.prefixes:
        found = _set_hits(text, matches)
        if found is not None:
            return found
    spans = analysis.term_spans(text)
    terms_of = [term for _s, _e, term in spans]
    single = matches.matches if isinstance(matches, Matcher) else matches
    hit = list(map(single, terms_of))
    phrases = matches.phrases if isinstance(matches, Matcher) else ()
    if phrases and not matches.phrase_starts.isdisjoint(terms_of):  # type: ignore[union-attr]
        # one span per word position: a hyphenated word's joined form follows its parts
        # and starts inside them, so it is left out of the sequence
        seq: list[int] = []
        last_end = -1
        for i, (start, end, _term) in enumerate(spans):
            if start >= last_end:
                seq.append(i)
                last_end = end
        terms = [spans[i][2] for i in seq]
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            by_first.setdefault(phrase[0], []).append(phrase)
        for j, term in enumerate(terms):
            for phrase in by_first.get(term, ()):
                if tuple(terms[j : j + len(phrase)]) == phrase:
                    for k in range(j, j + len(phrase)):
                        hit[seq[k]] = True
    return [span for span, wanted in zip(spans, hit, strict=True) if wanted]


def _set_hits(text: str, matcher: Matcher) -> list[tuple[int, int, str]] | None:
    """:func:`term_hits` for a matcher without prefixes (the terms it wants are sets), from
    the process's :data:`kb.vocabulary.VOCABULARY`: only the words having a wanted term
    are visited, and word positions are a running sum of each word's count.  None when
    the text has a word too long for the vocabulary (the caller analyses it all)."""
    parts = vocabulary.split(text)  # gap, word, gap, word, …, gap
    words = parts[1::2]
    if not words:
        return []
    if max(map(len, words)) > vocabulary.LONGEST:
        return None
    distinct = set(words)
    spans, by_term, places = vocabulary.VOCABULARY.learn(distinct)
    terms = matcher.terms
    wanted = terms | matcher.phrase_terms
    having = distinct.intersection([raw for term in wanted for raw in by_term.get(term, ())])
    if not having:
        return []
    rows = list(compress(range(len(words)), map(having.__contains__, words)))
    starts = list(accumulate(map(len, parts)))  # word i starts where part 2i ends
    marked: set[int] = set()  # word positions inside a whole phrase
    firsts: list[int] = []  # the position of each visited word's first positional term
    if matcher.phrases:
        at_place = list(accumulate(map(places.__getitem__, words), initial=0))
        term_at: dict[int, str] = {}
        for row in rows:
            place = at_place[row]
            firsts.append(place)
            raw = words[row]
            for (_s, _e, term), takes in zip(spans[raw], _positional(raw), strict=True):
                if takes:
                    term_at[place] = term
                    place += 1
        for phrase in matcher.phrases:
            for place, term in term_at.items():
                if term == phrase[0] and all(
                    term_at.get(place + k) == phrase[k] for k in range(1, len(phrase))
                ):
                    marked.update(range(place, place + len(phrase)))
    out: list[tuple[int, int, str]] = []
    for n, row in enumerate(rows):
        raw = words[row]
        base = starts[2 * row]
        place = firsts[n] if marked else 0
        for (s, e, term), takes in zip(spans[raw], _positional(raw), strict=True):
            if term in terms or (takes and place in marked):
                out.append((base + s, base + e, term))
            place += takes
    return out


@functools.lru_cache(maxsize=20_000)
def _positional(raw: str) -> tuple[bool, ...]:
    """:func:`kb.vocabulary.positional` of a raw word's spans (cached)."""
    return tuple(vocabulary.positional(analysis._word_spans(raw)))


def marked_spans(text: str, matches: Matches) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` to mark, in order and not overlapping: each
    of :func:`term_hits`, skipping a term inside one already marked (the joined form of a
    hyphenated word after its parts) — the same words :func:`kb.snippets.make_snippet`
    marks."""
    out: list[tuple[int, int]] = []
    cursor = 0
    for start, end, _term in term_hits(text, matches):
        if start < cursor:
            continue
        out.append((start, end))
        cursor = end
    return out


def mark_html(text: str, matches: Matches) -> str:
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
