"""The language of a document's text: English (``en``) or Welsh (``cy``).

Counts common function words of each language that the other does not use; Welsh wins
only when its words outnumber the English ones, so bilingual headings ("Cyngor Cymuned …
Community Council") in an English text stay English.
"""

from __future__ import annotations

import codecs
import re
import string
from itertools import repeat

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


#: Every byte but an ASCII letter or 0x80 (a non-ASCII letter, :func:`_letters`) → a space.
_NOT_LETTER = bytes(c if chr(c) in string.ascii_letters or c == 0x80 else 32 for c in range(256))
#: +1 for a Welsh function word, -1 for an English one (lowercased, as bytes).
_BALANCE = {w.encode(): 1 for w in _WELSH} | {w.encode(): -1 for w in _ENGLISH}
_LETTERS = "kb-language-letters"


def _letters(exc: UnicodeError) -> tuple[bytes, int]:
    """The encoding error handler of :func:`letter_sample`: each non-ASCII character a
    space when ``[^\\W\\d_]`` does not match it, else its lowercase when that is ASCII
    letters (the Kelvin sign is "k"), else 0x80 (a letter no function word holds)."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = bytearray()
    for char in exc.object[exc.start : exc.end]:
        if not _WORD.fullmatch(char):
            out += b" "
            continue
        low = char.lower()
        out += low.encode("ascii") if low.isascii() and low.isalpha() else b"\x80"
    return bytes(out), exc.end


codecs.register_error(_LETTERS, _letters)


def letter_sample(text: str, limit: int = SAMPLE_WORDS) -> list[bytes]:
    """:func:`sample_words`, lowercased, as bytes, found by byte translation and split in C
    (a fraction of the regex's time): the same number of words in the same places, since a
    letter is exactly ``[^\\W\\d_]`` (ASCII letters, and the non-ASCII characters
    :func:`_letters` keeps as letters); a word with a non-ASCII letter keeps 0x80 for it
    unless its lowercase is ASCII, so it is a function word exactly when its lowercase is."""
    span = limit * 12
    while True:
        words = text[:span].encode("ascii", _LETTERS).lower().translate(_NOT_LETTER).split()
        if len(words) > limit or span >= len(text):
            return words[:limit]
        span *= 2


def detect_language(text: str) -> str:
    """``cy`` when Welsh function words outnumber English ones in the first
    :data:`SAMPLE_WORDS` words of ``text``, else ``en`` (the two lists share no word)."""
    balance = sum(map(_BALANCE.get, letter_sample(text), repeat(0)))
    return "cy" if balance > 0 else "en"
