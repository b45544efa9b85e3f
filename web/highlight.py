"""Query-term highlighting built from escaped text: the only markup added is ``<mark>``.

``highlight(text, terms)`` escapes every character of ``text`` and wraps whole-word matches
of ``terms`` (case-insensitive; a term also matches its plural/-ing/-ed forms) in
``<mark>``.  Nothing from ``text`` or ``terms`` can become markup.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_FIELD = re.compile(r"\b[a-z_]+:", re.IGNORECASE)
_OPERATORS = {"and", "or", "not", "to"}
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def query_terms(q: str) -> list[str]:
    """The words of a query worth highlighting: no operators, field names or 1-letter words."""
    q = _FIELD.sub(" ", q or "")
    terms: list[str] = []
    for word in _WORD.findall(q):
        lower = word.lower()
        if lower in _OPERATORS or len(lower) < 2 or lower.isdigit() and len(lower) < 4:
            continue
        if lower not in terms:
            terms.append(lower)
    return terms[:20]


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    stems = sorted({re.escape(t) for t in terms}, key=len, reverse=True)
    suffix = r"(?:s|es|ed|ing|'s|’s)?"
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(stems)}){suffix}(?![^\W_])", re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> Markup:
    """Return ``text`` escaped, with matches of ``terms`` wrapped in ``<mark>``."""
    pattern = _pattern(terms)
    if pattern is None:
        return Markup(escape(text))
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        parts.append(str(escape(text[last : match.start()])))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts))
