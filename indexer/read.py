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
from collections.abc import Callable
from pathlib import Path

from indexer import isolate, read_text
from indexer.text import NotStreamable, StreamedLines
from kb.model import Block, Document, IngestError

#: Suffixes that ``kb ingest`` picks up when walking a folder.
SUFFIXES = {".txt", ".text", ".md", ".markdown", ".htm", ".html", ".php", ".xml", ".pdf", ".docx"}

#: Largest file read, in bytes; larger files are refused with a clear reason.
MAX_BYTES = 64 * 1024 * 1024


#: What each kind of content is called in messages ("not a PDF (it is an HTML page)").
KIND_NAMES = {
    "pdf": "a PDF",
    "docx": "a Word document",
    "zip": "a ZIP archive",
    "ole": "an old-style Office file (.doc/.xls)",
    "image": "an image",
    "html": "an HTML page",
    "xml": "an XML file",
    "binary": "binary data",
    "text": "text",
}

#: The kind a suffix promises (suffixes not listed promise text).
SUFFIX_KINDS = {".pdf": "pdf", ".docx": "docx", ".htm": "html", ".html": "html", ".php": "html"}
SUFFIX_KINDS[".xml"] = "xml"

_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")


def sniff_kind(data: bytes) -> str:
    """What ``data`` is, from its bytes alone: one of :data:`KIND_NAMES`' keys.

    PDF: ``%PDF`` in the first kilobyte (the header may follow junk); Word: a ZIP holding
    ``word/document.xml``; other ZIPs, OLE2 files and images by their magic numbers; HTML:
    a doctype or ``<html>`` tag opening the text; XML: an ``<?xml`` declaration (XHTML
    counts as HTML); anything else is text (checked for binary noise later)."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/document.xml" in data else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if data.startswith(_IMAGES):
        return "image"
    lower = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lower.startswith((b"<!doctype html", b"<html")) or (
        lower.startswith((b"<?xml", b"<!doctype")) and b"<html" in lower
    ):
        return "html"
    if lower.startswith(b"<?xml"):
        return "xml"
    return "binary" if _binary_controls(data) else "text"


def sniff(path: Path, data: bytes) -> tuple[str, str | None]:
    """The reader module's format name for ``data``, and a warning when the file's name
    says otherwise.  The bytes decide; the suffix only breaks ties (text that is an HTML
    fragment or declaration-less XML).  A file named ``.pdf`` or ``.docx`` that is
    something else, and a ZIP, Office or image file, is refused with an IngestError
    naming what it really is: "not a PDF (it is an HTML page)"."""
    kind = sniff_kind(data)
    suffix = path.suffix.lower()
    promised = SUFFIX_KINDS.get(suffix, "text")
    if promised in {"pdf", "docx"} and kind != promised:
        what = "a PDF" if promised == "pdf" else "a Word document"
        raise IngestError(f"not {what} (it is {KIND_NAMES[kind]}, despite its {suffix} name)")
    if kind in {"zip", "ole", "image"}:
        raise IngestError(f"not minutes this reader can read (it is {KIND_NAMES[kind]})")
    warning = None
    if kind != "text" and kind != promised and not (promised == "html" and kind == "xml"):
        named = f"named {suffix}" if suffix else "with no file extension"
        warning = f"{named} but it is {KIND_NAMES[kind]}; read as {KIND_NAMES[kind]}"
    if kind in {"pdf", "docx", "html"}:
        return kind, warning
    if kind == "binary" and promised != "text":
        raise IngestError(f"not {KIND_NAMES[promised]} (it is binary data)")
    lower = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if kind == "xml" or (promised == "xml" and lower.startswith(b"<")):
        return "moderngov", warning  # ModernGov reader or a clear refusal
    if promised == "html":
        return "html", warning  # an HTML fragment (a .php page body)
    return ("markdown" if suffix in {".md", ".markdown"} else "text"), warning


def sniff_format(path: Path, data: bytes) -> str:
    """The reader module's format name for ``data`` (see :func:`sniff`)."""
    return sniff(path, data)[0]


#: C0 control bytes that never occur in text (NUL, tab, newlines and form feed excluded:
#: the text reader handles those); more than BINARY_SHARE of them means binary data.
_CONTROL = bytes(sorted(set(range(32)) - {0, 9, 10, 11, 12, 13} | {127}))
BINARY_SHARE = 0.01


def _binary_controls(data: bytes) -> tuple[int, int] | None:
    """(control bytes, bytes looked at) when ``data`` is binary: in its first 64 KB, over 5%
    control bytes, or over 1% and at least 64 (a few stray escapes in a short file are
    text); None for text.  UTF-16/32 text (with a byte-order mark) counts as text."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or not head:
        return None
    controls = len(head) - len(head.translate(None, _CONTROL))
    share = controls / len(head)
    if share > 5 * BINARY_SHARE or (share > BINARY_SHARE and controls >= 64):
        return controls, len(head)
    return None


def refuse_binary(data: bytes) -> None:
    """Raise IngestError when ``data`` (meant as text) is binary (see
    :func:`_binary_controls`)."""
    found = _binary_controls(data)
    if found is not None:
        controls, looked = found
        raise IngestError(
            f"binary data, not text ({controls:,} control bytes in the first {looked:,})"
        )


#: Text files larger than this many bytes are decoded and parsed as they are read
#: (:func:`indexer.read_text.read_streamed`) rather than read whole.
STREAM_BYTES = 1024 * 1024
#: bytes of a file's head that decide its kind (:func:`sniff` looks no further for text)
HEAD_BYTES = 65536


def read_file(path: Path, enough: Callable[[list[Block]], bool] | None = None) -> Document:
    """Read ``path`` with the reader its content calls for.

    A text or Markdown file over :data:`STREAM_BYTES` is read as a stream (memory holds its
    blocks, not its bytes), and ``enough`` (``indexer.segment.ReadEnough``), when given,
    may stop its reading once the blocks read hold all the items that will be kept.
    Raises IngestError with the reason for empty, oversized or unreadable files.
    """
    size = path.stat().st_size
    if size == 0:
        raise IngestError("empty file (0 bytes)")
    if size > MAX_BYTES:
        raise IngestError(f"file too large ({size:,} bytes; the limit is {MAX_BYTES:,})")
    if size > STREAM_BYTES:
        streamed = _read_streamed(path, enough)
        if streamed is not None:
            return streamed
    data = path.read_bytes()
    fmt, warning = sniff(path, data)
    if fmt in {"text", "markdown"}:
        refuse_binary(data)
    if fmt == "html":  # CMIS/ModernGov listings and decision pages are declined up front
        from indexer.not_minutes import check_html

        check_html(data.decode("utf-8", "replace"))
    isolated = isolate.read(path, fmt)  # a reader process, when one is active
    if isolated is not None:
        return isolated
    module_name = {"markdown": "text"}.get(fmt, fmt)
    try:
        module = importlib.import_module(f"indexer.read_{module_name}")
    except ModuleNotFoundError as exc:  # a format whose reader is not installed
        raise IngestError(f"no reader for {fmt} files") from exc
    doc: Document = module.read(path, data)
    if warning:
        doc.warnings.insert(0, warning)
    return strip_controls(doc)


def _read_streamed(path: Path, enough: Callable[[list[Block]], bool] | None) -> Document | None:
    """``path`` read as a stream when its head says it is UTF-8 text (the same answer
    :func:`sniff` gives from the whole file: for text it looks at the first
    :data:`HEAD_BYTES` only); None when it must be read whole."""
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
    if head.startswith(b"PK\x03\x04"):  # a ZIP's kind depends on more than its head
        return None
    fmt, _ = sniff(path, head)
    if fmt not in {"text", "markdown"} or not StreamedLines.streamable(head):
        return None
    refuse_binary(head)
    try:
        return strip_controls(read_text.read_streamed(path, enough))
    except NotStreamable:
        return None


#: Terminal escape sequences (CSI, OSC and other ESC forms), then any other C0/C1 control
#: character but tab and newline: none belongs in minutes text, and on a terminal they
#: could retitle the window or forge links (``kb search`` prints titles as they are).
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


#: Every match of _ESCAPES starts with one of these characters (ESC is one), and each of them
#: alone is a match: a search for them, a character class the regex engine skips to in C,
#: tells whether _ESCAPES would match, faster.
_CONTROL_CHAR = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


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

    cells = [c for block in doc.blocks for c in block.cells or []]
    if not _CONTROL_CHAR.search("\n".join([b.text for b in doc.blocks] + cells)):
        return doc  # nothing to remove (the common case), found in one search
    for block in doc.blocks:
        if _CONTROL_CHAR.search(block.text) or any(
            _CONTROL_CHAR.search(c) for c in block.cells or []
        ):
            block.text = clean(block.text)
            if block.cells:
                block.cells = [clean(c) for c in block.cells]
    if removed:
        doc.warnings.append(f"{removed} control character(s) or terminal escape(s) removed")
    return doc
