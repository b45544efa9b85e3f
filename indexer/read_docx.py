"""Read a Word (.docx) file into Blocks, with Word's automatic numbers made visible.

* The zip is checked before parsing (entry count, total uncompressed size, compression
  ratio) so a zip bomb is refused with IngestError instead of filling memory; password-
  protected files (an OLE container, not a zip) and damaged zips are refused by name.
* Body paragraphs and tables are read in order (content controls included).  Headers,
  footers and comments are separate parts and are left out of the text (the first page
  header goes to ``metadata['running_header']``); page-number and signature lines typed
  into the body are dropped as in the PDF reader.
* ``Heading N``/``Title`` styles give ``heading`` Blocks (``level`` N); tables give one
  ``table-row`` Block per row with ``cells`` (merged cells once).
* Automatic numbering is computed from ``numbering.xml`` (numId → abstractNum levels,
  ``start``/``startOverride``, ``lvlText`` such as ``%1.%2``, decimal/letter/roman formats;
  numPr on the paragraph or inherited from its style), so a paragraph shows '3. Finance' as
  Word does.  A level-0 numbered paragraph that is a heading or wholly bold, and short,
  gets ``item_hint = (number, title)``; other numbered or bulleted paragraphs are ``list``.
* ``page`` comes from the page breaks Word recorded (``lastRenderedPageBreak`` and hard
  page breaks) when there are any; otherwise pages are unknown (None).
* The core properties (title, subject, author, keywords, category) and the first page
  header go to ``Document.metadata``.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from indexer.pdf_layout import is_furniture_line
from kb.model import Block, Document, IngestError

#: Refuse a .docx whose parts would unpack to more than this many bytes.
MAX_UNCOMPRESSED = 256 * 1024 * 1024
#: Refuse a .docx whose parts unpack to over this many times their packed size (and > 10 MB).
MAX_RATIO = 100
MAX_ENTRIES = 10_000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ITEM_TITLE_MAX = 150


def read(path: Path, data: bytes) -> Document:
    """Read .docx bytes into a Document; IngestError for unsafe, damaged or non-Word files."""
    check_zip(data)
    try:
        word = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for damaged parts
        raise IngestError(f"damaged Word document: {exc}") from exc
    numbering = _Numbering(word)
    warnings: list[str] = []
    blocks: list[Block] = []
    pages = _Pages(word.element.body)
    for element in _body_elements(word.element.body):
        if element.tag == qn("w:p"):
            block = _paragraph_block(Paragraph(element, word), numbering, pages.page_of(element))
            if block is not None:
                blocks.append(block)
        elif element.tag == qn("w:tbl"):
            blocks.extend(_table_blocks(Table(element, word), pages.page_of(element)))
    if not blocks:
        warnings.append("the Word document has no text")
    return Document(
        path=path,
        format="docx",
        blocks=blocks,
        warnings=warnings,
        pages=pages.count if pages.known else None,
        metadata=core_metadata(word),
    )


def core_metadata(word: Any) -> dict[str, str]:
    """The document's core properties (title, subject, author, keywords, category) as
    ``Document.metadata``; empty values are left out and a damaged part gives nothing."""
    try:
        props = word.core_properties
        values = {
            "title": props.title,
            "subject": props.subject,
            "author": props.author,
            "keywords": props.keywords,
            "category": props.category,
        }
    except Exception:  # noqa: BLE001 - a damaged docProps part loses only the metadata
        return {}
    out: dict[str, str] = {}
    for key, value in values.items():
        text = " ".join(str(value or "").split())
        if text:
            out[key] = text[:300]
    header = _first_header(word)
    if header:
        out["running_header"] = header
    return out


def _first_header(word: Any) -> str:
    """The first section's page header lines ('Anytown Parish Council – Planning
    Committee'), joined by ' | ' and cut to 300 characters; '' when there is none."""
    try:
        if not word.sections:
            return ""
        header = word.sections[0].header
        if header.is_linked_to_previous:
            return ""
        lines = [" ".join(p.text.split()) for p in header.paragraphs]
        for table in header.tables:
            lines.extend(" ".join(c.text.split()) for row in table.rows for c in row.cells)
    except Exception:  # noqa: BLE001 - a damaged header part loses only the header
        return ""
    lines = [t for t in dict.fromkeys(lines) if re.search(r"[^\W\d_]{3}", t)]
    return " | ".join(lines)[:300]


# --------------------------------------------------------------------------- safety


def check_zip(data: bytes) -> None:
    """Refuse bytes that are not a safe-to-open .docx zip, saying why (IngestError)."""
    if not data:
        raise IngestError("empty file (0 bytes)")
    if data.startswith(_OLE_MAGIC):
        raise IngestError(
            "password-protected or old binary Word (.doc) file: save it as .docx without a password"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError) as exc:
        # NotImplementedError: a damaged central directory can claim a zip version or
        # compression method that zipfile does not support.
        raise IngestError(f"damaged or truncated Word document (not a valid zip: {exc})") from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise IngestError(f"refused: the .docx holds {len(entries):,} parts (a zip bomb?)")
        unpacked = sum(e.file_size for e in entries)
        packed = sum(e.compress_size for e in entries) or 1
        if unpacked > MAX_UNCOMPRESSED:
            raise IngestError(
                f"refused: the .docx would unpack to {unpacked:,} bytes "
                f"(limit {MAX_UNCOMPRESSED:,}; a zip bomb?)"
            )
        if unpacked > 10 * 1024 * 1024 and unpacked > MAX_RATIO * packed:
            raise IngestError(
                f"refused: the .docx unpacks {unpacked // packed}× its size (a zip bomb?)"
            )
        if "word/document.xml" not in archive.namelist():
            raise IngestError("a zip file but not a Word document (no word/document.xml)")


# --------------------------------------------------------------------------- walking


def _body_elements(container: Any) -> Iterator[Any]:
    """Paragraphs and tables of the body in order, looking inside content controls."""
    for child in container.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _body_elements(content)


class _Pages:
    """Page numbers from the page breaks Word wrote into the body."""

    def __init__(self, body: Any) -> None:
        self._first: dict[Any, int] = {}
        page = 1
        self.known = False
        for element in _body_elements(body):
            self._first[element] = page
            for br in element.iter(qn("w:lastRenderedPageBreak"), qn("w:br")):
                if br.tag == qn("w:br") and br.get(qn("w:type")) != "page":
                    continue
                page += 1
                self.known = True
        self.count = page

    def page_of(self, element: Any) -> int | None:
        return self._first.get(element) if self.known else None


# --------------------------------------------------------------------------- numbering


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


@dataclass
class _Numbering:
    """Word list numbering: level definitions and running counters per abstract list."""

    word: Any
    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        try:
            root = self.word.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in root.iterfind(qn("w:abstractNum")):
            levels: dict[int, _Level] = {}
            for lvl in abstract.iterfind(qn("w:lvl")):
                levels[_int(lvl.get(qn("w:ilvl")), 0)] = _Level(
                    fmt=_val(lvl, "w:numFmt") or "decimal",
                    text=_val(lvl, "w:lvlText") or "",
                    start=_int(_val(lvl, "w:start"), 1),
                )
            self.levels[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.iterfind(qn("w:num")):
            overrides = {
                _int(o.get(qn("w:ilvl")), 0): _int(_val(o, "w:startOverride"), 1)
                for o in num.iterfind(qn("w:lvlOverride"))
                if o.find(qn("w:startOverride")) is not None
            }
            self.nums[num.get(qn("w:numId"))] = (_val(num, "w:abstractNumId") or "", overrides)

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the list and return the visible label ('3.', '2(b)'), None for bullets."""
        if num_id not in self.nums:
            return None
        abstract_id, overrides = self.nums[num_id]
        levels = self.levels.get(abstract_id, {})
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.used:
            self.used.add(num_id)
            for level, start in overrides.items():
                counters[level] = start - 1
                for deeper in [k for k in counters if k > level]:
                    del counters[deeper]
        level = levels.get(ilvl, _Level())
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level.fmt in {"bullet", "none"}:
            return None

        def number(match: re.Match[str]) -> str:
            n = int(match.group(1)) - 1
            lvl = levels.get(n, _Level())
            return _format(counters.get(n, lvl.start), lvl.fmt)

        return re.sub(r"%(\d)", number, level.text) or None


def _int(value: str | None, default: int) -> int:
    """A whole number from an attribute, or ``default`` when it is missing or malformed."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _val(element: Any, tag: str) -> str | None:
    child = element.find(qn(tag))
    return child.get(qn("w:val")) if child is not None else None


def _roman(n: int) -> str:
    out = ""
    for value, letters in (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ):  # fmt: skip
        while n >= value:
            out, n = out + letters, n - value
    return out


def _format(n: int, fmt: str) -> str:
    """A counter as Word shows it in format ``fmt`` (unknown formats fall back to decimal)."""
    if fmt in {"lowerLetter", "upperLetter"}:
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in {"lowerRoman", "upperRoman"}:
        roman = _roman(n)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _num_pr(paragraph: Paragraph) -> tuple[str, int] | None:
    """(numId, ilvl) from the paragraph, else from its style chain; None when not numbered."""
    p_pr = paragraph._p.pPr
    num_pr = p_pr.find(qn("w:numPr")) if p_pr is not None else None
    style = paragraph.style
    while num_pr is None and style is not None:
        style_ppr = style.element.find(qn("w:pPr"))
        num_pr = style_ppr.find(qn("w:numPr")) if style_ppr is not None else None
        style = style.base_style
    if num_pr is None:
        return None
    num_id = _val(num_pr, "w:numId")
    if not num_id or num_id == "0":
        return None
    return num_id, _int(_val(num_pr, "w:ilvl"), 0)


# --------------------------------------------------------------------------- blocks


#: Runs inside these are not visible text of the paragraph itself.
_HIDDEN_CONTAINERS = frozenset(
    qn(tag) for tag in ("w:del", "w:moveFrom", "w:txbxContent", "w:drawing", "w:pict")
)


def _visible_runs(paragraph: Paragraph) -> list[Run]:
    """Every run Word shows in the paragraph, in order: inside insertions, hyperlinks,
    smart tags, fields and inline content controls too (python-docx's ``.runs`` skips
    those), but not deleted text or text boxes."""
    runs: list[Run] = []
    for element in paragraph._p.iter(qn("w:r")):
        ancestor = element.getparent()
        while ancestor is not None and ancestor is not paragraph._p:
            if ancestor.tag in _HIDDEN_CONTAINERS:
                break
            ancestor = ancestor.getparent()
        else:
            runs.append(Run(element, paragraph))
    return runs


def _run_text(run: Run) -> str:
    parts: list[str] = []
    for child in run._r:
        if child.tag == qn("w:t"):
            parts.append(child.text or "")
        elif child.tag in (qn("w:tab"), qn("w:br"), qn("w:cr")):
            parts.append(" ")
        elif child.tag == qn("w:noBreakHyphen"):
            parts.append("-")
    return "".join(parts)


def _paragraph_text(runs: list[Run]) -> str:
    return " ".join("".join(_run_text(run) for run in runs).split())


def _is_bold(paragraph: Paragraph, runs: list[Run]) -> bool:
    """True when every run with text is bold (directly, by character or paragraph style)."""
    style_bold = False
    style = paragraph.style
    while style is not None:
        if style.font.bold is not None:
            style_bold = bool(style.font.bold)
            break
        style = style.base_style
    texts = [run for run in runs if _run_text(run).strip()]
    if not texts:
        return False
    for run in texts:
        bold = run.bold
        if bold is None and run.style is not None and run.style.font.bold is not None:
            bold = run.style.font.bold
        if not (bold if bold is not None else style_bold):
            return False
    return True


def _heading_level(paragraph: Paragraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.lower() == "title":
        return 1
    match = re.fullmatch(r"(?i)heading\s*(\d)", name.strip())
    return int(match.group(1)) if match else None


def _paragraph_block(paragraph: Paragraph, numbering: _Numbering, page: int | None) -> Block | None:
    runs = _visible_runs(paragraph)
    text = _paragraph_text(runs)
    num = _num_pr(paragraph)
    label = numbering.label(*num) if num else None
    if not text or is_furniture_line(text):
        return None
    heading = _heading_level(paragraph)
    bold = _is_bold(paragraph, runs)
    if num is None:
        kind = "heading" if heading else "paragraph"
        return Block(text=text, kind=kind, page=page, bold=bold, level=heading or 0)
    ilvl = num[1]
    shown = f"{label} {text}" if label else text
    if label and ilvl == 0 and (heading or bold) and len(text) <= _ITEM_TITLE_MAX:
        number = label.strip().rstrip(".):").lstrip("(")
        return Block(
            text=shown, kind="heading", page=page, bold=bold, level=heading or 1,
            item_hint=(number, text),
        )  # fmt: skip
    kind = "heading" if heading else "list"
    return Block(text=shown, kind=kind, page=page, bold=bold, level=heading or ilvl)


def _table_blocks(table: Table, page: int | None) -> list[Block]:
    blocks: list[Block] = []
    for row in table.rows:
        cells: list[str] = []
        seen: list[Any] = []
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):  # a merged cell repeats across its columns
                continue
            seen.append(cell._tc)
            texts = (_paragraph_text(_visible_runs(p)) for p in cell.paragraphs)
            cells.append(" ".join(t for t in texts if t))
        if not any(cells):
            continue
        filled = [c for c in cells if c]
        if len(filled) == 1:
            blocks.append(Block(text=filled[0], kind="paragraph", page=page))
        else:
            blocks.append(Block(text="\t".join(cells), kind="table-row", page=page, cells=cells))
    return blocks
