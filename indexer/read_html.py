"""Reader for HTML pages and PHP-saved HTML fragments: ``read(path, data) -> Document``.

Built on the standard library's streaming :class:`html.parser.HTMLParser`: no tree is
built, so deeply nested or unbalanced markup cannot exhaust the recursion limit, and
fragments (no ``<html>``/``<body>``, stray closing tags) read the same as whole pages.

Blocks:

* ``<h1>``…``<h6>`` → ``heading`` (``level`` N); ``<p>``, ``<div>``, ``<blockquote>`` and
  loose text → ``paragraph``; text directly in ``<li>`` → ``list`` (``level`` = nesting − 1);
  ``<br>`` ends a block (each line is its own block, as printed);
* ``<tr>`` → ``table-row`` with ``cells`` (``<td>``/``<th>``; block tags inside a cell become
  spaces); a row with fewer than two non-empty cells is a paragraph.  A ``<dl>`` entry
  (``<dt>`` and its ``<dd>``\\ s) is a table row too;
* ``bold`` is True when all the block's text is inside ``<b>``/``<strong>``;
* ``<script>``, ``<style>``, ``<nav>``, ``<noscript>``, ``<template>``, ``<button>``,
  ``<select>`` and ``<head>`` (except ``<title>``, which becomes a first heading) are dropped;
* an outermost ``<ol>`` whose ``<li>`` starts with a heading is the agenda itself (the
  mscc ``minute-matters`` list): that heading gets ``item_hint = (number, title)`` with the
  number the browser would show (``start`` attribute honoured).

There are no pages in HTML: ``page`` is None.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from indexer.text import decode, fold, strip_bullet
from kb.model import Block, BlockKind, Document, IngestError

_SKIP = frozenset({"script", "style", "nav", "noscript", "template", "button", "select", "head"})
_BLOCK = frozenset(
    {"p", "div", "blockquote", "section", "article", "header", "footer", "main", "aside"}
    | {"pre", "address", "figure", "figcaption", "form", "fieldset", "hr", "center"}
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BOLD = frozenset({"b", "strong"})
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "wbr"})


class _ListState:
    """One open ``<ul>``/``<ol>``: whether it is ordered and the next item number."""

    def __init__(self, ordered: bool, start: int, outermost: bool) -> None:
        self.ordered = ordered
        self.next_number = start
        self.outermost = outermost


class _BlockParser(HTMLParser):
    """Streams HTML and appends Blocks to ``self.blocks`` (see module docstring)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title: list[str] = []
        #: ``<meta name|property=… content=…>`` values by lower-cased name (first wins).
        self.meta: dict[str, str] = {}
        self._pieces: list[tuple[str, bool]] = []  # (text, bold) of the open block
        self._skip = 0
        self._in_title = False
        self._bold = 0
        self._heading = 0
        self._lists: list[_ListState] = []
        self._li_depth = 0
        self._containers: list[list[str | bool]] = []  # [tag, is agenda item] open blocks
        self._pending_hint: str | None = None  # item number waiting for its heading
        self._row: list[list[tuple[str, bool]]] | None = None  # cells of an open <tr>/<dl>
        self._cell: list[tuple[str, bool]] | None = None
        self._dl_rows: list[list[list[tuple[str, bool]]]] = []

    # ------------------------------------------------------------------ emitting

    def _flush(self) -> None:
        pieces, self._pieces = self._pieces, []
        text = fold("".join(t for t, _ in pieces))
        if not text:
            return
        bold = all(b for t, b in pieces if t.strip())
        kind: BlockKind = "paragraph"
        level = 0
        if self._heading:
            kind, level = "heading", self._heading
        elif self._containers and self._containers[-1] == ["li", False]:
            kind, level = "list", max(0, len(self._lists) - 1)
            text = strip_bullet(text) or text
        block = Block(text, kind, bold=bold, level=level)
        if self._pending_hint is not None:
            if kind == "heading":
                block.item_hint = (self._pending_hint, text)
                for container in reversed(self._containers):
                    if container[0] == "li":
                        container[1] = True
                        break
            self._pending_hint = None
        self.blocks.append(block)

    def _emit_row(self, cells_pieces: list[list[tuple[str, bool]]]) -> None:
        cells = [fold("".join(t for t, _ in c)) for c in cells_pieces]
        filled = [(c, p) for c, p in zip(cells, cells_pieces, strict=True) if c]
        if len(filled) >= 2:
            while cells and not cells[-1]:
                cells.pop()
            bold = all(all(b for t, b in p if t.strip()) for _, p in filled)
            self.blocks.append(
                Block("\t".join(c for c, _ in filled), "table-row", bold=bold, cells=cells)
            )
        elif filled:
            self._pieces = filled[0][1]
            self._flush()

    def _open_cell(self) -> None:
        if self._row is not None and self._cell is not None:
            self._row.append(self._cell)
        self._cell = []

    def _close_row(self) -> None:
        if self._row is None:
            return
        if self._cell is not None:
            self._row.append(self._cell)
        row, self._row, self._cell = self._row, None, None
        self._emit_row(row)

    # ------------------------------------------------------------------ parser events

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self._add_meta(attrs)
            return
        if tag in _SKIP:
            if tag not in _VOID:
                self._skip += 1
            return
        if tag == "title":
            self._in_title = True
            return
        if self._skip:
            return
        if tag in _BOLD:
            self._bold += 1
        elif tag in {"tr", "dt"}:
            self._flush()
            self._close_row()
            self._row, self._cell = [], None
        elif tag in {"td", "th", "dd"}:
            if self._row is None:  # a cell outside any row: treat as its own row
                self._flush()
                self._row = []
            self._open_cell()
        elif tag in {"table", "dl"}:
            self._flush()
            self._close_row()
        elif self._row is not None and (tag in _BLOCK or tag in _HEADINGS or tag == "br"):
            self._add_text(" ")
        elif tag in _HEADINGS:
            self._flush()
            self._heading = int(tag[1])
        elif tag in {"ul", "ol"}:
            self._flush()
            start = 1
            for key, value in attrs:
                if key == "start" and value and value.strip().isdigit():
                    start = int(value)
            outermost = not self._lists
            self._lists.append(_ListState(tag == "ol", start, outermost))
        elif tag == "li":
            self._flush()
            self._li_depth += 1
            self._containers.append(["li", False])
            if self._lists:
                state = self._lists[-1]
                if state.ordered and state.outermost:
                    self._pending_hint = str(state.next_number)
                state.next_number += 1
        elif tag in _BLOCK or tag == "br":
            self._flush()
            if tag in _BLOCK and tag not in _VOID:
                self._containers.append([tag, False])

    def _pop_container(self, tag: str) -> None:
        for i in range(len(self._containers) - 1, -1, -1):
            if self._containers[i][0] == tag:
                del self._containers[i:]
                return

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if tag == "title":
            self._in_title = False
            return
        if self._skip:
            return
        if tag in _BOLD:
            self._bold = max(0, self._bold - 1)
        elif tag in {"tr", "dl", "table"}:
            self._close_row()
        elif self._row is not None and (tag in _BLOCK or tag in _HEADINGS):
            self._add_text(" ")
        elif tag in _HEADINGS:
            self._flush()
            self._heading = 0
        elif tag in {"ul", "ol"}:
            self._flush()
            if self._lists:
                self._lists.pop()
        elif tag == "li":
            self._flush()
            self._li_depth = max(0, self._li_depth - 1)
            self._pending_hint = None
            self._pop_container("li")
        elif tag in _BLOCK:
            self._flush()
            self._pop_container(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def _add_text(self, data: str) -> None:
        piece = (data, self._bold > 0 or self._heading > 0)
        if self._row is not None:
            if self._cell is None:
                self._cell = []
            self._cell.append(piece)
        else:
            self._pieces.append(piece)

    def _add_meta(self, attrs: list[tuple[str, str | None]]) -> None:
        """Keep a ``<meta>`` tag's content under its name or property (first one wins)."""
        values = {k.lower(): (v or "") for k, v in attrs}
        name = (values.get("name") or values.get("property") or "").strip().lower()
        content = fold(values.get("content", ""))
        if name and content and len(name) <= 40:
            self.meta.setdefault(name, content[:300])

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
            return
        if self._skip:
            return
        self._add_text(data)

    def close(self) -> None:
        super().close()
        self._close_row()
        self._flush()


def html_blocks(markup: str) -> tuple[list[Block], str]:
    """Blocks of an HTML page or fragment, and its ``<title>`` text ('' when none)."""
    parser = _BlockParser()
    parser.feed(markup)
    parser.close()
    return parser.blocks, fold("".join(parser.title))


#: ``<meta>`` names → ``Document.metadata`` keys (the first name present wins).
_META_KEYS = {
    "site_name": ("og:site_name", "application-name", "dc.publisher", "publisher"),
    "author": ("author", "dc.creator", "article:author"),
    "subject": ("dc.subject", "og:title", "twitter:title"),
    "date": ("dc.date", "article:published_time", "date"),
}


def page_metadata(parser: _BlockParser, title: str) -> dict[str, str]:
    """``Document.metadata`` of a parsed page: ``title``, the first ``h1`` and the
    ``<meta>`` values of :data:`_META_KEYS` that the page gives."""
    meta: dict[str, str] = {}
    if title:
        meta["title"] = title
    h1 = next((b.text for b in parser.blocks if b.kind == "heading" and b.level == 1), "")
    if h1:
        meta["h1"] = h1[:300]
    for key, names in _META_KEYS.items():
        value = next((parser.meta[n] for n in names if parser.meta.get(n)), "")
        if value:
            meta[key] = value
    return meta


def read(path: Path, data: bytes) -> Document:
    """Read an HTML page or fragment (``.html``, ``.htm``, ``.php``) into a Document.

    The ``<title>``, when present, is the first block (a level-1 heading); it, the first
    ``<h1>`` and the site name/author/date ``<meta>`` tags also go to ``metadata``.
    Raises IngestError when the markup holds no visible text.
    """
    text, warnings = decode(data)
    parser = _BlockParser()
    parser.feed(text)
    parser.close()
    blocks, title = parser.blocks, fold("".join(parser.title))
    metadata = page_metadata(parser, title)
    if title:
        blocks.insert(0, Block(title, "heading", level=1))
    if not blocks:
        raise IngestError("HTML holds no visible text (only markup, scripts or styles)")
    return Document(path=path, format="html", blocks=blocks, warnings=warnings, metadata=metadata)
