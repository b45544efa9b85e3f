"""Choose a reader for a file and return its Document.

Each format lives in its own module ``indexer/read_<format>.py`` exposing

    def read(path: Path, data: bytes) -> Document

and raising ``kb.model.IngestError`` (or ``NotMinutesError``) with a user-readable reason.
The format is chosen from the content first (a file's name can lie: a ``.pdf`` that is HTML,
a ``.php`` that is an HTML fragment), then from the suffix.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from kb.model import Document, IngestError

#: Suffixes that ``kb ingest`` picks up when walking a folder.
SUFFIXES = {".txt", ".text", ".md", ".markdown", ".htm", ".html", ".php", ".xml", ".pdf", ".docx"}

#: Largest file read, in bytes; larger files are refused with a clear reason.
MAX_BYTES = 64 * 1024 * 1024


def sniff_format(path: Path, data: bytes) -> str:
    """Return the reader module's format name for ``data`` (content beats suffix)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = head.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if lower.startswith(b"<?xml") and b"<html" not in lower:
        return "moderngov"
    suffix = path.suffix.lower()
    if suffix == ".xml" and lower.startswith(b"<") and b"<html" not in lower:
        return "moderngov"  # XML without a declaration: ModernGov reader or a clear refusal
    if suffix in {".htm", ".html", ".php"} or lower.startswith((b"<!doctype html", b"<html")):
        return "html"
    if suffix == ".pdf":
        raise IngestError("named .pdf but is not a PDF (no %PDF header)")
    if suffix == ".docx":
        raise IngestError("named .docx but is not a Word document (not a zip file)")
    if suffix == ".md" or suffix == ".markdown":
        return "markdown"
    return "text"


#: C0 control bytes that never occur in text (NUL, tab, newlines and form feed excluded:
#: the text reader handles those); more than BINARY_SHARE of them means binary data.
_CONTROL = bytes(sorted(set(range(32)) - {0, 9, 10, 11, 12, 13} | {127}))
BINARY_SHARE = 0.01


def refuse_binary(data: bytes) -> None:
    """Raise IngestError when ``data`` (meant as text) is binary: in its first 64 KB, over 5%
    control bytes, or over 1% and at least 64 (a few stray escapes in a short file are
    text).  UTF-16/32 text (with a byte-order mark) is left to the text reader."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or not head:
        return
    controls = len(head) - len(head.translate(None, _CONTROL))
    share = controls / len(head)
    if share > 5 * BINARY_SHARE or (share > BINARY_SHARE and controls >= 64):
        raise IngestError(
            f"binary data, not text ({controls:,} control bytes in the first {len(head):,})"
        )


def read_file(path: Path) -> Document:
    """Read ``path`` with the reader its content calls for.

    Raises IngestError with the reason for empty, oversized or unreadable files.
    """
    size = path.stat().st_size
    if size == 0:
        raise IngestError("empty file (0 bytes)")
    if size > MAX_BYTES:
        raise IngestError(f"file too large ({size:,} bytes; the limit is {MAX_BYTES:,})")
    data = path.read_bytes()
    fmt = sniff_format(path, data)
    if fmt in {"text", "markdown"}:
        refuse_binary(data)
    if fmt == "html":  # CMIS/ModernGov listings and decision pages are declined up front
        from indexer.not_minutes import check_html

        check_html(data.decode("utf-8", "replace"))
    module_name = {"markdown": "text"}.get(fmt, fmt)
    try:
        module = importlib.import_module(f"indexer.read_{module_name}")
    except ModuleNotFoundError as exc:  # a format whose reader is not installed
        raise IngestError(f"no reader for {fmt} files") from exc
    doc: Document = module.read(path, data)
    return strip_controls(doc)


#: Terminal escape sequences (CSI, OSC and other ESC forms), then any other C0/C1 control
#: character but tab and newline: none belongs in minutes text, and on a terminal they
#: could retitle the window or forge links (``kb search`` prints titles as they are).
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def _blank(match: re.Match[str]) -> str:
    """An escape sequence goes; a lone control character (a vertical tab is a Word line
    break) becomes a space, so the words either side stay apart."""
    return "" if match.group().startswith("\x1b") and len(match.group()) > 1 else " "


def strip_controls(doc: Document) -> Document:
    """Remove terminal escape sequences and control characters from every block's text and
    cells (in place), with one warning saying how many were removed."""
    removed = 0

    def clean(text: str) -> str:
        nonlocal removed
        out, n = _ESCAPES.subn(_blank, text)
        removed += n
        return out

    for block in doc.blocks:
        if _ESCAPES.search(block.text) or any(_ESCAPES.search(c) for c in block.cells or []):
            block.text = clean(block.text)
            if block.cells:
                block.cells = [clean(c) for c in block.cells]
    if removed:
        doc.warnings.append(f"{removed} control character(s) or terminal escape(s) removed")
    return doc
