"""English text analysis shared by the index writer, the query parser and the snippets.

Pure Python, engine-neutral: every engine indexes the terms :func:`tokenize` gives, so
indexing, querying and highlighting agree on what a "word" is.

* Words are runs of letters/digits joined by hyphens or apostrophes, matched on the original
  text so each token keeps its character offsets (for highlighting).
* Lowercase, accents folded (``café`` → ``cafe``), possessive ``'s`` dropped.
* Stopwords come from ``data/stopwords.txt``; they are dropped without taking a position.
* Snowball English stemming (NLTK's, no NLTK data needed; see :mod:`kb.stemmer`) behind an
  LRU cache.
* Hyphenated words are indexed as their parts *and* as one joined word at the first part's
  position: "anti-social" gives ``anti``, ``social`` and ``antisoci``, so the queries
  ``anti-social``, ``"anti social"`` and ``antisocial`` all find it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, islice
from pathlib import Path

from kb.config import data_dir
from kb.stemmer import english_stemmer

#: A word: letters/digits, optionally joined by hyphens or apostrophes ("anti-social", "o'neill").
WORD_RE = re.compile(r"[^\W_]+(?:[-\u2010\u2011'\u2019][^\W_]+)*")
#: splits a text into its gaps and its words (:data:`WORD_RE`), alternately
WORD_SPLIT_RE = re.compile(f"({WORD_RE.pattern})")
_JOINERS_RE = re.compile(r"[-\u2010\u2011]")
_APOSTROPHE_RE = re.compile(r"['\u2019]")

MAX_WORD_LENGTH = 60

_STEMMER = english_stemmer()  # NLTK's Snowball English, without importing all of NLTK


@dataclass(frozen=True, slots=True)
class Token:
    """One indexed term: ``text`` is the normalised (and usually stemmed) term, ``pos`` its
    word position, ``start``/``end`` the character span of the word in the analysed text."""

    text: str
    pos: int
    start: int
    end: int


def load_stopwords(path: Path | None = None) -> frozenset[str]:
    """The stopword set from ``path`` (default ``<data_dir>/stopwords.txt``).

    One word per line, ``#`` starts a comment.  A missing file gives an empty set (nothing is
    dropped) rather than an error, so a bare checkout still indexes.
    """
    path = path or data_dir() / "stopwords.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return frozenset()
    words = (line.split("#", 1)[0].strip().lower() for line in lines)
    return frozenset(w for w in words if w)


STOPWORDS: frozenset[str] = load_stopwords()


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball English stem of a lowercase word (cached; numbers come back unchanged)."""
    if word.isdigit():
        return word
    return _STEMMER.stem(word)


@functools.lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lowercase ``word`` and strip accents and apostrophes; drop a possessive ``'s``
    (cached: the vocabulary of minutes is small)."""
    if word.isascii() and "'" not in word:
        return word.lower()
    word = unicodedata.normalize("NFKD", word.casefold())
    word = "".join(ch for ch in word if not unicodedata.combining(ch))
    word = re.sub(r"['\u2019]s$", "", word)
    return _APOSTROPHE_RE.sub("", word)


def _keep(part: str, stop: bool) -> bool:
    if not part or len(part) > MAX_WORD_LENGTH:
        return False
    if len(part) == 1 and not part.isdigit():
        return False
    return not (stop and part in STOPWORDS)


@functools.lru_cache(maxsize=200_000)
def _term(piece: str, do_stem: bool, stop: bool) -> tuple[str, str | None]:
    """(folded word, its index term or None when it is not kept) for a raw word piece."""
    word = fold(piece)
    if not _keep(word, stop):
        return word, None
    return word, stem(word) if do_stem else word


def unstemmed_term(word: str) -> str | None:
    """The term :func:`tokenize` gives a single unhyphenated ``word`` with ``do_stem=False``
    (folded, not stemmed), or None when it is dropped (a stopword, a single letter)."""
    return _term(word, False, True)[1]


def tokenize(text: str, *, do_stem: bool = True, stop: bool = True) -> Iterator[Token]:
    """Yield the terms of ``text`` in order, with positions and character offsets.

    Stopwords (when ``stop``) and single letters are skipped without using a position.
    Hyphenated words yield each part and then the joined word at the first part's position.
    """
    pos = 0
    for match in WORD_RE.finditer(text):
        raw = match.group()
        start = match.start()
        if "-" not in raw and "\u2010" not in raw and "\u2011" not in raw:
            term = _term(raw, do_stem, stop)[1]
            if term is not None:
                yield Token(term, pos, start, match.end())
                pos += 1
            continue
        first_pos = None
        offset = start
        folded: list[str] = []
        for piece in _JOINERS_RE.split(raw):
            word, term = _term(piece, do_stem, stop)
            folded.append(word)
            if term is not None:
                if first_pos is None:
                    first_pos = pos
                yield Token(term, pos, offset, offset + len(piece))
                pos += 1
            offset += len(piece) + 1
        joined = _term("".join(folded), do_stem, False)[1]
        if joined is not None:
            at = pos if first_pos is None else first_pos
            yield Token(joined, at, start, match.end())
            if first_pos is None:
                pos += 1


@functools.lru_cache(maxsize=200_000)
def _word_spans(raw: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((t.start, t.end, t.text) for t in tokenize(raw))


def term_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` of each term :func:`tokenize` gives for ``text`` (stemmed,
    stopwords dropped), without positions: each distinct word is analysed once (cached),
    and the words and their offsets are split out in C (no match object per word), which
    makes this several times faster than :func:`tokenize` for snippets."""
    parts = WORD_SPLIT_RE.split(text)  # gap, word, gap, word, …, gap
    starts = islice(accumulate(map(len, parts)), 0, None, 2)  # word i starts where gap i ends
    words = map(_word_spans, parts[1::2])
    return [
        (at + s, at + e, term)
        for at, spans in zip(starts, words, strict=False)  # one more gap than words
        for s, e, term in spans
    ]


def terms(text: str, *, do_stem: bool = True, stop: bool = True) -> list[str]:
    """The term texts of :func:`tokenize`, in order (joined hyphen forms included)."""
    return [t.text for t in tokenize(text, do_stem=do_stem, stop=stop)]


def phrase_terms(text: str) -> list[str]:
    """The terms of ``text`` one per position, for phrase queries: a hyphenated word counts as
    its parts ("anti-social behaviour" → ``anti``, ``social``, ``behaviour``)."""
    seen: set[int] = set()
    out: list[str] = []
    for tok in tokenize(text):
        if tok.pos not in seen:
            seen.add(tok.pos)
            out.append(tok.text)
    return out


def word_variants(word: str) -> list[tuple[str, ...]]:
    """How a single query word may appear in the index: a list of alternatives, each a
    sequence of stemmed terms that must appear in order (one term = a plain term query).

    ``"CCTV"`` → ``[("cctv",)]``; ``"anti-social"`` → ``[("anti", "social"), ("antisoci",)]``;
    a stopword or punctuation gives ``[]``.
    """
    pieces = [fold(p) for p in _JOINERS_RE.split(word)]
    if len(pieces) == 1:
        w = pieces[0]
        return [(stem(w),)] if _keep(w, True) else []
    kept = tuple(stem(p) for p in pieces if _keep(p, True))
    variants: list[tuple[str, ...]] = [kept] if kept else []
    joined = "".join(pieces)
    if _keep(joined, False):
        variants.append((stem(joined),))
    return variants


#: where one sentence ends and the next begins: after . ! ? and space before what can start a
#: sentence, at line breaks, and around a bullet
_SENTENCE_BREAKS = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9•\-])|\n+|\s*•\s*")
#: the same for a text without a bullet (its last alternative can match nothing there, and
#: trying it at every character is a third of the time)
_SENTENCE_BREAKS_NO_BULLET = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9•\-])|\n+")


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (split after . ! ? or a line break).

    Good enough for snippet context; bullets and headings count as sentences of their own.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    breaks = _SENTENCE_BREAKS if "•" in text else _SENTENCE_BREAKS_NO_BULLET
    for match in breaks.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


#: A word of a topic phrase: letters/digits, apostrophes inside (hyphens split words).
_PHRASE_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


def phrase_variants(phrase: str) -> list[tuple[str, ...]]:
    """Stem sequences a phrase matches: words split at hyphens and spaces, and all joined
    (used by the topic tagger and by query expansion)."""
    words = _PHRASE_WORD_RE.findall(phrase)
    split = tuple(stem(fold(w)) for w in words)
    out = [split]
    if len(words) > 1:
        out.append((stem(fold("".join(words))),))
    return out
