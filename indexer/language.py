"""The language of a document's text: English (``en``) or Welsh (``cy``).

Counts common function words of each language that the other does not use; Welsh wins
only when its words outnumber the English ones, so bilingual headings ("Cyngor Cymuned …
Community Council") in an English text stay English.
"""

from __future__ import annotations

import re
import string
from collections import Counter

_WELSH = frozenset(
    {
        *("y", "yr", "ac", "yn", "gan", "fod", "wedi", "bod", "roedd", "oedd", "hefyd"),
        *("gyda", "mae", "ei", "eu", "ar", "dros", "fel", "neu", "nad", "hyn", "hynny"),
        *("ddim", "gael", "cael", "byddai", "bydd", "iawn", "mewn", "sydd", "trwy"),
        *("cyngor", "cyfarfod", "cynghorydd", "cynghorwyr", "clerc", "cadeirydd"),
        *("ynghylch", "ynglyn", "gyfer", "wrth", "hon", "hwn", "rhaid"),
    }
)
_ENGLISH = frozenset(
    {
        *("the", "and", "of", "to", "was", "that", "for", "with", "were", "be", "is"),
        *("this", "which", "from", "by", "have", "had", "it", "on", "council", "meeting"),
        *("councillor", "clerk", "chairman", "chair"),
    }
)
_WORD = re.compile(r"[^\W\d_]+")
#: Words read from the start of the text (enough to tell, cheap for a long file).
SAMPLE_WORDS = 4000


def sample_words(text: str, limit: int = SAMPLE_WORDS) -> list[str]:
    """The first ``limit`` words of ``text`` (all of them when it has fewer), exactly as
    ``_WORD.finditer(text)`` gives them: found in C over a prefix of the text that grows
    until it holds more than ``limit`` words (so the last one kept is whole), never over a
    long file's whole text."""
    span = limit * 12
    while True:
        words = _WORD.findall(text, 0, span)
        if len(words) > limit or span >= len(text):
            return words[:limit]
        span *= 2


#: Every byte but an ASCII letter → a space (for :func:`ascii_sample`).
_NOT_LETTER = bytes(c if chr(c) in string.ascii_letters else 32 for c in range(256))
_WELSH_BYTES = frozenset(w.encode() for w in _WELSH)
_ENGLISH_BYTES = frozenset(w.encode() for w in _ENGLISH)


def ascii_sample(text: str, limit: int = SAMPLE_WORDS) -> list[bytes]:
    """:func:`sample_words` of an ASCII ``text``, lowercased, as bytes: the same words (in
    ASCII a letter is exactly ``[^\\W\\d_]``), found by byte translation and split in C
    (a third of the regex's time)."""
    span = limit * 12
    while True:
        words = text[:span].encode("ascii").lower().translate(_NOT_LETTER).split()
        if len(words) > limit or span >= len(text):
            return words[:limit]
        span *= 2


def detect_language(text: str) -> str:
    """``cy`` when Welsh function words outnumber English ones in the first
    :data:`SAMPLE_WORDS` words of ``text``, else ``en`` (the two lists share no word)."""
    if text.isascii():
        found = Counter(ascii_sample(text))
        welsh = sum(found[word] for word in _WELSH_BYTES)
        english = sum(found[word] for word in _ENGLISH_BYTES)
        return "cy" if welsh > english else "en"
    counts = Counter(map(str.lower, sample_words(text)))
    welsh = sum(n for word, n in counts.items() if word in _WELSH)
    english = sum(n for word, n in counts.items() if word in _ENGLISH)
    return "cy" if welsh > english else "en"
