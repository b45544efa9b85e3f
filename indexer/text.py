"""Shared text helpers for readers: decoding bytes, stripping stray HTML, folding whitespace.

These are format-neutral so every reader (text, Markdown, HTML, PDF, DOCX) can use them:

* :func:`decode` turns file bytes into ``str`` (BOMs, UTF-8, UTF-16, cp1252 fallback) and
  never raises: undecodable bytes are replaced and a warning says so; NUL bytes are removed.
* :func:`strip_tags` turns an HTML *fragment* (the stray ``<b>``, ``<p>``, ``<sup>`` and
  entities that PDF-to-text tools leave behind) into plain text.
* :func:`split_html_segments` cuts one line of such text at block tags (``<p>``, ``<li>``,
  ``<br>``, headings) into :class:`Segment` pieces, each knowing if it was a list item and
  whether it was wholly bold.
* :func:`fold` collapses runs of whitespace to one space and trims; :func:`squeeze` does
  so for every kind of whitespace (``str.split``'s).
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# --------------------------------------------------------------------------- decoding

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _guess_bomless_utf16(data: bytes) -> str | None:
    """Return 'utf-16-le'/'utf-16-be' when ``data`` looks like BOM-less UTF-16 text."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def decode(data: bytes) -> tuple[str, list[str]]:
    """Decode file bytes to text and return ``(text, warnings)``; never raises.

    Order: a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32) decides outright; BOM-less UTF-16
    is recognised by its pattern of NUL bytes; otherwise strict UTF-8 is tried, then cp1252
    (the usual Windows encoding of British minutes) — unless the bytes are mostly valid UTF-8
    with a few broken sequences, which stay UTF-8.  Bytes that still cannot be decoded
    become U+FFFD with a warning giving their count.  NUL characters are removed with a
    warning.  Line endings are normalised to ``\\n`` (form feeds are kept: they mark pages).
    """
    warnings: list[str] = []
    encoding: str | None = None
    body = data
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, body = name, data[len(bom) :]
            break
    if encoding is None:
        encoding = _guess_bomless_utf16(data)
        if encoding:
            warnings.append(f"no byte-order mark; decoded as {encoding} from its NUL pattern")
    if encoding is not None:
        text = body.decode(encoding, errors="replace")
    else:
        try:
            text = body.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            text = body.decode("utf-8", errors="replace")
            bad = text.count("\ufffd")
            good = sum(1 for ch in text if ord(ch) > 127) - bad
            if good > bad:  # UTF-8 with a few broken bytes: keep UTF-8, replace the bad ones
                encoding = "utf-8"
            else:
                text = body.decode("cp1252", errors="replace")
                warnings.append("not valid UTF-8; decoded as cp1252 (Windows-1252)")
                encoding = "cp1252"
    bad = text.count("\ufffd")
    if bad:
        warnings.append(f"{bad} undecodable byte(s) replaced with U+FFFD ({encoding})")
    nuls = text.count("\x00")
    if nuls:
        text = text.replace("\x00", "")
        warnings.append(f"{nuls} NUL byte(s) removed")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return symbol_glyphs(text), warnings


#: Private-use code points that Word's Symbol and Wingdings fonts leave in extracted text,
#: mapped to the characters they show.  Other private-use characters are left alone.
_SYMBOL_GLYPHS = str.maketrans(
    {
        "\uf0b7": "•",  # Symbol bullet
        "\uf0a7": "▪",  # Wingdings square bullet
        "\uf0d8": "➢",  # Wingdings arrowhead bullet
        "\uf076": "❖",  # Wingdings diamond bullet
        "\uf0fc": "✓",  # Wingdings tick
        "\uf0e0": "→",  # Wingdings arrow
        "\uf02d": "-",  # Symbol hyphen
    }
)


class NotStreamable(Exception):
    """A file :class:`StreamedLines` cannot decode as it reads (not strict UTF-8, or it
    holds NUL bytes): read it whole with :func:`decode` instead."""


class StreamedLines:
    """The lines of a UTF-8 text file, decoded as they are read (never the whole file in
    memory): the same lines, with the same warnings, as ``decode(data)[0].split("\n")``
    for a file :func:`decode` would read as UTF-8 (with or without a byte-order mark).

    Iterating raises :class:`NotStreamable` at the first sign that :func:`decode` would read
    the file differently (an invalid UTF-8 sequence, a NUL byte): the caller then reads it
    whole.  :meth:`streamable` says up front whether to try at all (UTF-16/32 files do not
    stream).  After iterating, :attr:`warnings` holds decode's warnings and
    :attr:`has_text` whether any line held more than whitespace."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.warnings: list[str] = []
        self.has_text = False
        self._replaced = 0

    @staticmethod
    def streamable(head: bytes) -> bool:
        """False when the file's first bytes (``head``) call for another decoding than UTF-8:
        a UTF-16/32 byte-order mark, BOM-less UTF-16, or NUL bytes."""
        if any(head.startswith(bom) for bom, name in _BOMS if name != "utf-8"):
            return False
        return b"\x00" not in head and _guess_bomless_utf16(head) is None

    def __iter__(self) -> Iterator[str]:
        with self.path.open(encoding="utf-8-sig", errors="strict", newline=None) as file:
            try:
                for line in file:
                    if "\x00" in line:
                        raise NotStreamable("NUL bytes")
                    line = line.removesuffix("\n")
                    self._replaced += line.count("\ufffd")
                    self.has_text = self.has_text or not line.isspace() and bool(line)
                    yield symbol_glyphs(line)
            except UnicodeDecodeError as exc:
                raise NotStreamable(str(exc)) from None
        if self._replaced:
            self.warnings.append(
                f"{self._replaced} undecodable byte(s) replaced with U+FFFD (utf-8)"
            )


#: The glyphs :data:`_SYMBOL_GLYPHS` replaces.
_GLYPHS = tuple(chr(c) for c in _SYMBOL_GLYPHS)


def symbol_glyphs(text: str) -> str:
    """Replace Symbol/Wingdings private-use glyphs (bullets, ticks) with what they show.

    ``str.translate`` with a table looks up every character; a text holding none of the
    glyphs (ASCII text never does) is returned as it is, found by a few substring scans."""
    if text.isascii() or not any(glyph in text for glyph in _GLYPHS):
        return text
    return text.translate(_SYMBOL_GLYPHS)


# --------------------------------------------------------------------------- whitespace

_WS = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def fold(text: str) -> str:
    """Collapse every run of spaces/tabs/non-breaking spaces (and newlines) to one space."""
    text = text.replace("\n", " ")
    # ASCII text with no tab and no double space has nothing to collapse (the common case)
    if not text.isascii() or "\t" in text or "  " in text:
        text = _WS.sub(" ", text)
    return text.strip()


def squeeze(text: str) -> str:
    """``" ".join(text.split())``: every run of whitespace one space, none at either end.
    A text already so (printable, so its only whitespace is " ", with no double space
    and none at an end: most block texts) is returned as it is, without the split."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


# --------------------------------------------------------------------------- HTML fragments

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*?(/?)>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
#: Tags after which a new block starts when they appear inside a line of text.
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "blockquote",
        "section",
        "article",
    ]
)


def has_html(text: str) -> bool:
    """True when ``text`` contains something that looks like an HTML tag or entity."""
    return bool(_TAG.search(text)) or "&" in text and bool(re.search(r"&#?\w+;", text))


def strip_tags(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, whitespace folded.

    Inline tags vanish without a space (``27<sup>TH</sup>`` → ``27TH``); block tags
    (``<p>``, ``<br>``, ``<li>`` …) become a space so words do not run together.
    """
    if "<" not in fragment and "&" not in fragment:  # no tag, comment or entity
        return fold(fragment)
    fragment = _COMMENT.sub("", fragment)

    def repl(m: re.Match[str]) -> str:
        return " " if m.group(2).lower() in BLOCK_TAGS else ""

    return fold(html.unescape(_TAG.sub(repl, fragment)))


def is_all_bold(fragment: str, plain: str | None = None) -> bool:
    """True when every letter/digit of ``fragment`` sits inside ``<b>``/``<strong>`` or ``**``.

    A fragment with no letters or digits at all is not bold.  ``plain``, when the caller
    has it, is ``strip_tags(fragment.replace("**", ""))`` (not computed again).
    """
    if plain is None:
        plain = strip_tags(fragment.replace("**", ""))
    if not _ANY_WORD.search(plain):
        return False
    if "**" not in fragment and "<" not in fragment:  # no bold markup: nothing is inside
        return not _LETTER.search(plain)
    outside = _STARS.sub("", fragment)
    outside = _BOLD_TAG.sub("", outside)
    return not _LETTER.search(strip_tags(outside))


_ANY_WORD = re.compile(r"\w")
_LETTER = re.compile(r"[^\W_]")
_STARS = re.compile(r"\*\*.*?\*\*", re.S)
_BOLD_TAG = re.compile(r"<(b|strong)\b[^>]*>.*?</\1\s*>", re.S | re.I)


@dataclass
class Segment:
    """A piece of one line cut at block tags: its raw markup, list-ness and heading level."""

    markup: str
    is_list: bool = False
    heading: int = 0  # 1-6 for <h1>…<h6>, else 0

    @property
    def text(self) -> str:
        """The plain text (tags stripped, entities decoded, whitespace folded)."""
        return strip_tags(self.markup)

    @property
    def bold(self) -> bool:
        return is_all_bold(self.markup)


def split_html_segments(line: str) -> list[Segment]:
    """Cut a line of text holding stray HTML into segments at block tags.

    ``<p>a</p> <p>b</p>`` gives two segments; ``<li>`` starts a list segment;
    ``<br>`` and ``<hr>`` end a segment; ``<hN>`` gives a heading segment.  Inline markup
    (``<b>``, ``<sup>``, ``**``) is kept in ``markup`` so boldness can still be judged.
    Segments with no text are dropped; a line without block tags is one segment.
    """
    if "<" not in line:  # no tag at all: one segment, or none without text
        return [Segment(line)] if strip_tags(line.replace("**", "")) else []
    segments: list[Segment] = []
    buf: list[str] = []
    state = {"list": False, "heading": 0}

    def flush() -> None:
        markup = "".join(buf)
        buf.clear()
        if strip_tags(markup.replace("**", "")):
            segments.append(Segment(markup, state["list"] is True, int(state["heading"])))

    pos = 0
    for m in _TAG.finditer(line):
        name = m.group(2).lower()
        buf.append(line[pos : m.start()])
        pos = m.end()
        if name not in BLOCK_TAGS:
            buf.append(m.group(0))
            continue
        closing = m.group(1) == "/"
        flush()
        if name == "li":
            state["list"] = not closing
        elif name in {"ul", "ol"}:
            state["list"] = False
        elif name[0] == "h" and name[1:].isdigit():
            state["heading"] = 0 if closing else int(name[1:])
        elif name == "p" and not closing:
            state["heading"] = 0
    buf.append(line[pos:])
    flush()
    return segments


_BULLET = re.compile(
    r"^\s*(?:[\u2022\u25cf\u25aa\u25a0\u2023\u2043\u00b7\u2219\uf0b7\uf0a7\u27a2\u2756o]\s+)+"
)


def strip_bullet(text: str) -> str:
    """Remove leading bullet characters ('•', '·', '▪', '' …) from a list item's text."""
    return _BULLET.sub("", text).strip()
