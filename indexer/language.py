"""The language of a document's text: English (``en``) or Welsh (``cy``).

Counts common function words of each language that the other does not use; Welsh wins
only when its words outnumber the English ones, so bilingual headings ("Cyngor Cymuned …
Community Council") in an English text stay English.
"""

from __future__ import annotations

import re

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


def detect_language(text: str) -> str:
    """``cy`` when Welsh function words outnumber English ones in ``text``, else ``en``."""
    welsh = english = 0
    for n, m in enumerate(_WORD.finditer(text)):
        if n >= SAMPLE_WORDS:
            break
        word = m.group(0).lower()
        if word in _WELSH:
            welsh += 1
        elif word in _ENGLISH:
            english += 1
    return "cy" if welsh > english else "en"
