"""Per-file size limits of ``kb ingest``: items per file, characters per item and per file.

Each is a documented setting in :mod:`kb.config` (``KB_MAX_ITEMS_PER_FILE``,
``KB_MAX_ITEM_CHARS``, ``KB_MAX_FILE_CHARS``; 0 turns one off).  A file over a limit is cut,
not refused, and its meeting carries a warning saying exactly what was cut ("item 17
truncated at 2,000,000 characters"), so nothing is lost silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb import config
from kb.model import Document


@dataclass(frozen=True)
class Limits:
    """The limits in force (0: none)."""

    items_per_file: int
    item_chars: int
    file_chars: int


def current() -> Limits:
    """The limits from the settings (environment variables, else defaults)."""
    return Limits(
        int(config.get("max_items_per_file")),
        int(config.get("max_item_chars")),
        int(config.get("max_file_chars")),
    )


def cap_document(doc: Document, limit: int) -> str | None:
    """Cut ``doc``'s blocks (in place) after ``limit`` characters of text; the warning, or
    None when the document is within the limit."""
    if limit <= 0:
        return None
    total = 0
    for n, block in enumerate(doc.blocks):
        total += len(block.text)
        if total > limit:
            over = total - limit
            rest = sum(len(b.text) for b in doc.blocks[n + 1 :])
            block.text = block.text[: len(block.text) - over]
            if block.cells:
                block.cells = [block.text]
            del doc.blocks[n + 1 if block.text else n :]
            return (
                f"file truncated at {limit:,} characters ({over + rest:,} characters not "
                "indexed; KB_MAX_FILE_CHARS)"
            )
    return None


def cap_paragraphs(paragraphs: list[str], limit: int, number: str) -> str | None:
    """Cut an item's ``paragraphs`` (in place) so their text, joined by blank lines, fits in
    ``limit`` characters; the warning naming item ``number``, or None when it fits."""
    if limit <= 0:
        return None
    total = 0
    for n, text in enumerate(paragraphs):
        total += len(text) + (2 if n else 0)
        if total > limit:
            keep = len(text) - (total - limit)
            if keep > 0:
                paragraphs[n] = text[:keep]
                del paragraphs[n + 1 :]
            else:
                del paragraphs[n:]
            return f"item {number} truncated at {limit:,} characters (KB_MAX_ITEM_CHARS)"
    return None


def items_warning(found: int, limit: int) -> str:
    """The warning for a file with ``found`` items, cut to ``limit``."""
    return (
        f"file cut after {limit:,} items ({found - limit:,} more not indexed; "
        "KB_MAX_ITEMS_PER_FILE)"
    )


def reading_stopped_warning(line: int) -> str:
    """The warning for a text file whose reading stopped after ``line`` lines because the
    text before already held more items than ``KB_MAX_ITEMS_PER_FILE`` keeps."""
    return (
        f"reading stopped after line {line:,}: the text before it already holds more than "
        f"{current().items_per_file:,} items (KB_MAX_ITEMS_PER_FILE); the rest of the file "
        "was not read"
    )
