"""Query highlighting on web pages, from the one shared matcher (:mod:`kb.highlight`).

``highlight(text, matcher)`` escapes every character of ``text`` and wraps in ``<mark>``
exactly the words a result snippet marks for the same query: stems (``policing`` marks
"police"), hyphen forms, synonyms and acronyms (``ASB`` marks "anti-social behaviour"),
prefixes (``safe*``) and quoted phrases.  Nothing from ``text`` or the query can become markup.
"""

from __future__ import annotations

from markupsafe import Markup

from kb.highlight import Matcher, mark_html

__all__ = ["Matcher", "highlight"]


def highlight(text: str, matcher: Matcher | None) -> Markup:
    """Return ``text`` escaped, with the words ``matcher`` matches wrapped in ``<mark>``."""
    return Markup(mark_html(text, matcher or Matcher()))  # noqa: S704 - mark_html escapes all text
