"""Reader for plain-text and Markdown minutes: ``read(path, data) -> Document``.

Plain text here is usually text extracted from a PDF or a web page, so it carries stray HTML
(``<b>``, ``<p>``, ``<ul><li>``, ``<sup>``, ``<br />``, entities), Markdown bold (``**…**``)
and tab-separated table rows.  Markdown adds ``#`` headings, ``- `` lists, ``|a|b|`` tables,
backslash escapes, links and YAML front matter.

Blocks (see :class:`kb.model.Block`):

* one block per line, further cut at block tags (``<p>``, ``<li>``, ``<br>``, ``<hN>``);
  ``**a****b**`` (bold runs printed back to back, as in the seed's title line) gives one
  heading block per run;
* a line with a tab and two or more non-empty cells is a ``table-row``: ``cells`` holds the
  cells as printed (trailing empty cells dropped, leading empty ones kept so columns line
  up), ``text`` the non-empty cells joined by a tab, ``bold`` True when every non-empty cell
  is bold.  A tab line with one non-empty cell is ordinary text;
* ``#`` headings and ``<hN>`` give ``heading`` blocks with ``level`` N; ``<li>`` and Markdown
  bullets give ``list`` blocks (bullet characters removed; ``level`` = indent // 2);
* YAML front matter's ``title`` becomes a first heading block; its title, date, author, council,
  committee, site and description go to ``Document.metadata``; the rest is dropped;
  a ``===`` underline makes the line above a level-1 heading (a ``---`` underline is read as
  a page rule, the Limerick convention, never as a heading).

A line holding an HTML table (``<table>``/``<tr>``/``<td>``, as in some Village Pump posts)
is read by the HTML reader's block builder, so its cells become table rows.

Pages: a form feed, or a line holding only ``---`` (the Limerick page rule; also the
seed's ``--<tab>---<tab>--``), starts a new page.  When a file has any page marker every
block gets a 1-based ``page`` and ``Document.pages`` is the count; otherwise pages are None.
A rule that comes before any real content (e.g. after Limerick's ``[Original file](…)``
link) does not start a page.  Rules of four or more dashes are horizontal rules: dropped.

Continuation join: a paragraph or list block whose text does not end in terminal
punctuation (``. ! ? : ;``, optionally followed by a closing quote or bracket), followed —
across blank lines or a page break — by a non-bold paragraph starting with a lowercase
letter, is one paragraph: the two are joined with a space and keep the first one's kind
and page.  Headings, bold blocks and table rows never join.  Nothing is reordered or lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from itertools import chain, islice
from pathlib import Path

from indexer import limits
from indexer.text import (
    StreamedLines,
    decode,
    fold,
    is_all_bold,
    split_html_segments,
    strip_bullet,
    strip_tags,
)
from kb.model import Block, Document, IngestError

_PAGE_RULE = re.compile(r"-{2,3}(?:[ \t]+-{2,3})*")
_HR = re.compile(r"(?:[-*_][ \t]*){4,}")
_MD_HEADING = re.compile(r"(#{1,6})\s+(.*?)\s*#*\s*$")
_LONE_BULLET = re.compile(r"[\u2022\u25cf\u25aa\u25a0\u27a2\u2756\u00b7]")
_MD_BULLET = re.compile(r"^(\s*)[-*+\u2022\u25aa\u25cf\u27a2\u2756]\s+(.*)$")
_MD_TABLE_SEP = re.compile(r"\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_MD_EMPH = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_LINK_ONLY = re.compile(r"\s*\[[^\]]*\]\([^)]*\)\s*")
_HTML_TABLE = re.compile(r"<(?:table|tr|td|th)\b", re.I)
_TERMINAL = re.compile(r"[.!?:;][\"'\u201d\u2019)\]]*$")

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}


def clean_inline(markup: str, *, markdown: bool = True) -> str:
    """Plain text of one line's markup: HTML tags, ``**`` and (Markdown) links/escapes gone."""
    if markdown:
        markup = _MD_LINK.sub(r"\1", markup)
        markup = _MD_ESCAPE.sub(r"\1", markup)
        markup = _MD_EMPH.sub(r"\1", markup)
    return strip_tags(markup.replace("**", ""))


def _split_front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Remove YAML front matter (``---`` … ``---`` at the very top) and return its scalars."""
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for end in range(1, min(len(lines), 60)):
        if lines[end].strip() == "---":
            meta: dict[str, str] = {}
            for raw in lines[1:end]:
                m = re.match(r"([A-Za-z_][\w-]*):\s*(.*)$", raw)
                if m and m.group(2).strip():
                    meta[m.group(1).lower()] = m.group(2).strip().strip("\"'")
            if meta:
                return meta, lines[end + 1 :]
            return {}, lines
    return {}, lines


class _Builder:
    """Collects blocks while tracking the page; knows whether the current page has content."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.page = 1
        self.page_markers = 0
        self.content_seen = False

    def add(self, block: Block, *, content: bool = True) -> None:
        """Append ``block`` on the current page; ``content=False`` for a lone link line.

        A bullet glyph alone on its line (PDF-extracted Markdown prints '•' and its text on
        separate lines) makes the next paragraph a list item and is dropped.
        """
        last = self.blocks[-1] if self.blocks else None
        if last is not None and _LONE_BULLET.fullmatch(last.text.strip()):
            self.blocks.pop()
            if block.kind == "paragraph":
                block.kind = "list"
        block.page = self.page
        self.blocks.append(block)
        if content:
            self.content_seen = True

    def new_page(self) -> None:
        self.page_markers += 1
        if self.content_seen:
            self.page += 1
            self.content_seen = False


def _add_markup_line(b: _Builder, line: str, *, markdown: bool) -> None:
    """Turn one non-table line of text/Markdown (maybe holding HTML) into blocks."""
    stripped = line.strip()
    m = _MD_HEADING.match(stripped)
    if m:
        text = clean_inline(m.group(2), markdown=True)
        if text:
            b.add(Block(text, "heading", bold=is_all_bold(m.group(2)), level=len(m.group(1))))
        return
    if stripped.startswith("**") and "****" in stripped:
        runs = [r for r in stripped.split("****")]
        runs = [("**" + r.removeprefix("**")).removesuffix("**") + "**" for r in runs]
        for run in runs:
            text = clean_inline(run, markdown=markdown)
            if text:
                b.add(Block(text, "heading", bold=is_all_bold(run)))
        return
    bullet = _MD_BULLET.match(line)
    level = 0
    if bullet and not _HR.fullmatch(stripped):
        level = len(bullet.group(1).expandtabs(4)) // 2
        line = bullet.group(2)
    if "<" not in line:  # one segment (split_html_segments): its plain text found once
        plain = strip_tags(line.replace("**", ""))
        text = clean_inline(line, markdown=True) if markdown and plain else plain
        if not text:
            return
        bold = is_all_bold(line, plain)
        if bullet:
            b.add(Block(strip_bullet(text) or text, "list", bold=bold, level=level))
        else:
            b.add(Block(text, "paragraph", bold=bold))
        return
    for i, seg in enumerate(split_html_segments(line)):
        text = clean_inline(seg.markup, markdown=markdown)
        if not text:
            continue
        if seg.heading:
            b.add(Block(text, "heading", bold=seg.bold, level=seg.heading))
        elif seg.is_list or (bullet and i == 0):
            b.add(Block(strip_bullet(text) or text, "list", bold=seg.bold, level=level))
        else:
            b.add(Block(text, "paragraph", bold=seg.bold))


def _add_cells(b: _Builder, raw_cells: list[str], *, markdown: bool) -> bool:
    """Add a table row from raw cells; False (nothing added) when < 2 cells have text."""
    cells = [clean_inline(c, markdown=markdown) for c in raw_cells]
    filled = [(c, raw) for c, raw in zip(cells, raw_cells, strict=True) if c]
    if len(filled) < 2:
        return False
    while cells and not cells[-1]:
        cells.pop()
    bold = all(is_all_bold(raw) for _, raw in filled)
    b.add(Block("\t".join(c for c, _ in filled), "table-row", bold=bold, cells=cells))
    return True


def parse_lines(text: str, *, markdown: bool) -> tuple[list[Block], int | None]:
    """Blocks of a decoded text or Markdown document and its page count (None: no pages)."""
    blocks, pages, _ = parse_line_stream(text.split("\n"), markdown=markdown)
    return blocks, pages


#: lines read between two questions to a streaming read's ``enough``
CHECK_EVERY_LINES = 1000


def parse_line_stream(
    lines: Iterable[str],
    *,
    markdown: bool,
    enough: Callable[[list[Block]], bool] | None = None,
) -> tuple[list[Block], int | None, int | None]:
    """:func:`parse_lines` for lines as they come (a file being read): the blocks, the page
    count, and the number of lines read when ``enough`` stopped the reading (None: every
    line was read).  ``enough`` is asked every :data:`CHECK_EVERY_LINES` lines with the
    blocks so far (before continuation joins); True ends the reading there."""
    lines = iter(lines)
    meta: dict[str, str] = {}
    if markdown:  # front matter is looked for in the first 60 lines only
        meta, head = _split_front_matter(list(islice(lines, 60)))
        lines = chain(head, lines)
    b = _Builder()
    if meta.get("title"):
        b.add(Block(clean_inline(meta["title"], markdown=True), "heading", level=1))
    stopped = None
    for count, raw_line in enumerate(lines, 1):
        parts = raw_line.split("\f")
        for n, line in enumerate(parts):
            if n:
                b.new_page()
            _add_line(b, line, markdown=markdown)
        if enough is not None and count % CHECK_EVERY_LINES == 0 and enough(b.blocks):
            stopped = count
            break
    blocks = join_continuations(b.blocks)
    if not b.page_markers:
        for block in blocks:
            block.page = None
        return blocks, None, stopped
    return blocks, max((blk.page or 1 for blk in blocks), default=1), stopped


def _add_line(b: _Builder, line: str, *, markdown: bool) -> None:
    stripped = line.strip()
    if not stripped:
        return
    if _PAGE_RULE.fullmatch(stripped):
        b.new_page()
        return
    if _HR.fullmatch(stripped):
        return
    if markdown and re.fullmatch(r"={3,}", stripped):  # setext underline: the line above
        if b.blocks and b.blocks[-1].kind == "paragraph":  # is a level-1 heading
            b.blocks[-1].kind, b.blocks[-1].level = "heading", 1
        return
    if _HTML_TABLE.search(stripped):  # a whole HTML table pasted into the text
        from indexer.read_html import html_blocks  # rare: not imported by every reader

        for block in html_blocks(stripped)[0]:
            b.add(block)
        return
    if markdown and _LINK_ONLY.fullmatch(stripped):
        b.add(Block(clean_inline(stripped, markdown=True)), content=False)
        return
    if markdown and stripped.startswith("|") and stripped.count("|") >= 2:
        if _MD_TABLE_SEP.fullmatch(stripped):
            return
        inner = stripped[1:-1] if stripped.endswith("|") else stripped[1:]
        raw_cells = re.split(r"(?<!\\)\|", inner)
        if _add_cells(b, raw_cells, markdown=markdown):
            return
        line = " ".join(raw_cells)
    elif "\t" in stripped:
        raw_cells = line.split("\t")
        if _add_cells(b, raw_cells, markdown=markdown):
            return
        line = " ".join(c for c in raw_cells if c.strip())
    _add_markup_line(b, line, markdown=markdown)


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends with terminal punctuation (maybe followed by a quote/bracket)."""
    return bool(_TERMINAL.search(text.rstrip()))


def join_continuations(blocks: list[Block]) -> list[Block]:
    """Join sentence continuations split by a line/page break (rule in the module docstring)."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind in {"paragraph", "list"}
            and not prev.bold
            and block.kind == "paragraph"
            and not block.bold
            and block.text[:1].islower()
            and not ends_sentence(prev.text)
        ):
            prev.text = fold(prev.text + " " + block.text)
            continue
        out.append(block)
    return out


def read(path: Path, data: bytes) -> Document:
    """Read a text or Markdown file into a Document (format "text" or "markdown").

    Markdown is chosen by the suffix (``.md``/``.markdown``).  Raises IngestError when the
    file holds no text at all; decoding problems are warnings, never errors.
    """
    text, warnings = decode(data)
    markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
    if not text.strip():
        raise IngestError("file holds no text (only whitespace)")
    blocks, pages = parse_lines(text, markdown=markdown)
    return _document(path, blocks, pages, warnings, front_matter_metadata(text), markdown)


def read_streamed(path: Path, enough: Callable[[list[Block]], bool] | None = None) -> Document:
    """:func:`read` for a large UTF-8 file, decoded and parsed as it is read, so memory
    holds the blocks but never the whole file's bytes, text or lines; the same Document as
    :func:`read` when every line is read.  ``enough`` (see :func:`parse_line_stream`) may
    stop the reading early: the Document then says where, in a warning.  Raises
    :class:`~indexer.text.NotStreamable` when the file must be read whole instead
    (:class:`~indexer.text.StreamedLines`), IngestError as :func:`read` does."""
    markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
    lines = StreamedLines(path)
    stream = iter(lines)
    head = list(islice(stream, 60))
    blocks, pages, stopped = parse_line_stream(
        chain(head, stream), markdown=markdown, enough=enough
    )
    if not lines.has_text and stopped is None:
        raise IngestError("file holds no text (only whitespace)")
    warnings = list(lines.warnings)
    if stopped is not None:
        warnings.append(limits.reading_stopped_warning(stopped))
    meta = front_matter_metadata("\n".join(head)) if markdown else {}
    return _document(path, blocks, pages, warnings, meta, markdown)


def _document(
    path: Path,
    blocks: list[Block],
    pages: int | None,
    warnings: list[str],
    metadata: dict[str, str],
    markdown: bool,
) -> Document:
    """The Document of a text or Markdown file's blocks (IngestError when there are none)."""
    if not blocks:
        raise IngestError("file holds no readable text")
    return Document(
        path=path,
        format="markdown" if markdown else "text",
        blocks=blocks,
        warnings=warnings,
        pages=pages,
        metadata=metadata if markdown else {},
    )


#: Front-matter keys → ``Document.metadata`` keys (the first key present wins).
_FRONT_MATTER_KEYS = {
    "title": ("title",),
    "date": ("date", "meeting_date", "published"),
    "author": ("author", "authors"),
    "council": ("council", "organisation", "organization"),
    "committee": ("committee", "body"),
    "site_name": ("site", "site_name", "sitename"),
    "subject": ("subject", "description", "summary"),
}


def front_matter_metadata(text: str) -> dict[str, str]:
    """``Document.metadata`` from a Markdown file's YAML front matter (scalars only)."""
    meta, _ = _split_front_matter(text.split("\n", 60)[:60])
    out: dict[str, str] = {}
    for key, names in _FRONT_MATTER_KEYS.items():
        value = next((meta[n] for n in names if meta.get(n)), "")
        if value:
            out[key] = clean_inline(value, markdown=True)[:300]
    return out
