"""Very long item bodies are shown a part at a time (``/items/<id>?part=N``).

An agenda pack that segments as one item can hold megabytes of text; one page of it would
be a 10 MB response and highlighting it would take seconds.  :func:`body_part` cuts a body
into parts of about :data:`PART_CHARS` characters, each ending at a line break where one is
near, so the page's cost is bounded by the part, not the item.
"""

from __future__ import annotations

from dataclasses import dataclass

#: characters per part of an item page (a short item is one part)
PART_CHARS = 100_000


@dataclass(frozen=True)
class Part:
    """One part of a body: its ``text``, 1-based ``number`` and the number of ``parts``."""

    text: str
    number: int
    parts: int


def _bounds(body: str, size: int) -> list[int]:
    """Start offsets of each part: every cut is at the first line break at least ``size``
    characters after the last (or exactly ``size`` on when there is none for a while)."""
    starts = [0]
    while len(body) - starts[-1] > size:
        at = starts[-1] + size
        newline = body.find("\n", at, at + max(size // 10, 80))
        start = newline + 1 if newline >= 0 else at
        if start >= len(body):  # only the closing line break was left
            break
        starts.append(start)
    return starts


def body_part(body: str, part: int = 1, size: int = PART_CHARS) -> Part:
    """Part ``part`` of ``body`` (clamped to the parts there are)."""
    starts = _bounds(body, size)
    number = min(max(1, part), len(starts))
    end = starts[number] if number < len(starts) else len(body)
    return Part(body[starts[number - 1] : end], number, len(starts))
