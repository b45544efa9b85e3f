"""An item's text as sentences and list lines, for the people finder (:mod:`indexer.people`).

:func:`sentences` removes tags, keeps "Cllr. Smith" and "J. Smith" whole (a title's or an
initial's full stop ends no sentence) and splits at sentence ends, line breaks, bullets,
spaced dashes before a capital, "…: the Clerk" and "… the Clerk" / "The Finance Officer"
openings.

Speed, not behaviour, shapes the patterns below.  Python's regex engine skips ahead in C to
the next possible first character only when a pattern *starts* with a character or a
character class; a pattern that starts with ``\\b`` or a lookbehind is tried at every
position.  So each pattern here consumes its first character first and checks what came
before it with a lookbehind after it: ``[A-Z](?<!\\w[A-Z])`` is ``\\b[A-Z]``, and
``[\\s•](?<=[.!?;:]\\s)\\s*`` is ``(?<=[.!?;:])\\s+``.  The matches are the same, at the same
places (``tests/test_sentences.py`` checks them against the patterns as first written).
"""

from __future__ import annotations

import re

from indexer.people_words import TITLES
from indexer.text import squeeze

#: Words whose full stop ends no sentence ("Cllr. Smith", "St. Mary's").
ABBREVIATIONS = (*TITLES, "St", "No", "Ref", "Supt", "Insp")


def _word_at_boundary(words: tuple[str, ...]) -> str:
    """A pattern matching ``\\b(?:w1|w2|…)`` (first match in that order), written to start
    with a character class: every word starts with a capital letter.  Each alternative
    then matches the rest of its word and checks the first letter by a lookbehind after
    it: an alternative that opens with a literal is passed over at once where that letter
    is not next, one that opens with a lookbehind is run."""
    if not all(re.match(r"[A-Z]", w) for w in words):
        raise ValueError("every word must start with a capital A-Z")
    rest = "|".join(f"{re.escape(w[1:])}(?<={re.escape(w)})" for w in words)
    return rf"[A-Z](?<!\w[A-Z])(?:{rest})"


#: ``\b(Title|St|…)\.\s``: a title's full stop, kept inside the sentence.
_ABBREVIATION = re.compile(rf"({_word_at_boundary(ABBREVIATIONS)})\.\s")
#: ``\b([A-Z])\.\s(?=[A-Z])``: an initial's full stop ("J. Smith"); the full stop is
#: matched before the lookbehind that checks what comes before the capital (most capitals
#: are not followed by one, so the lookbehind is seldom run).
_INITIAL_DOT = re.compile(r"([A-Z])\.(?<!\w[A-Z]\.)\s(?=[A-Z])")
_TAG = re.compile(r"<[^<>]{1,200}>")

#: Sentence breaks: the alternatives of one regex, in order, each with a character string
#: it cannot match without (None: always needed).  :func:`_sentence_break` leaves out those
#: that cannot match a given text, which gives the same split faster.  Every break starts
#: with a space or a bullet, consumed by the leading ``[\s•]`` of the whole pattern; each
#: alternative then checks that character (and the one before it) by lookbehind.  As first
#: written, in the same order: ``(?<=[.!?;:])\s+(?=[A-Z“"(•\-])``, ``\n+``, ``\s*•\s*``,
#: ``\s+-\s+(?=[A-Z])``, ``(?<=:)\s+(?=the [A-Z])``,
#: ``(?<=[a-z])\s+(?=The (?:Chair|Clerk|…))``.
_SENT_PARTS = (
    (r"(?<=[.!?;:]\s)\s*(?=[A-Z“\"(•\-])|(?<=\n)\n*", None),
    (r"(?<=\s)\s*•\s*|(?<=•)\s*", "•"),
    (r"(?<=\s)\s*-\s+(?=[A-Z])", "-"),
    (r"(?<=:\s)\s*(?=the [A-Z])", ":"),  # 'Speed limit: the Clerk advised …'
    (r"(?<=[a-z]\s)\s*(?=The (?:Chair|Clerk|Vice|[A-Z]\w+ (?:Officer|Manager|Director)))", "The "),
)
_SENT_BY_NEED: dict[tuple[bool, ...], re.Pattern[str]] = {}


def _sentence_break(text: str) -> re.Pattern[str]:
    """The break pattern without the alternatives that cannot match ``text`` (cached per
    combination)."""
    need = tuple(key is None or key in text for _, key in _SENT_PARTS)
    pattern = _SENT_BY_NEED.get(need)
    if pattern is None:
        chosen = [part for (part, _), keep in zip(_SENT_PARTS, need, strict=True) if keep]
        pattern = _SENT_BY_NEED[need] = re.compile(r"[\s•](?:" + "|".join(chosen) + ")")
    return pattern


def sentences(text: str) -> list[str]:
    """Split item text into sentences and list lines (tags removed, spaces collapsed, list
    markers stripped, empty pieces dropped)."""
    if "<" in text:
        text = _TAG.sub("\n", text)
    text = text.replace("&amp;", "&")
    if "." in text:
        text = _ABBREVIATION.sub("\\1.\x01", text)
        text = _INITIAL_DOT.sub("\\1.\x01", text)
    pieces = _sentence_break(text).split(text)
    parts = [squeeze(p.replace("\x01", " ")).lstrip("-–•*·> ") for p in pieces]
    return [p for p in parts if p]
