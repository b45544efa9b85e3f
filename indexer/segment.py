"""Cut a Document's blocks into agenda items (with their resolutions).

The segmenter knows nothing of file formats; it sees only ``Block``s.  It works in three
steps:

1. **Candidates** (:mod:`indexer.segment_numbers`).  Every block that *starts* with an item
   number is a candidate: ``01.``, ``6.``, ``2674.``, ``15.11.1``, ``21/19``, ``1)``, ``(1)``,
   ``1 -``, ``Item 7``, ``Minute 12/345``, ``Min 56``, minute references with a prefix or a
   year (``CAB/24/12``, ``PC.23/045``, ``2019/123``, ``C123/20``), resolution numbers
   (``Resolution R2024-101 – Title``; a motion with no title is titled by its ``THAT …``
   text), a number (or ``Item 4``) alone in a block with the title in the next block, a
   number in the first cell of a table row.  ``a)``/``(i)``/``i.`` never are.  Each
   candidate carries heading evidence: bold, heading kind, upper-case title, a short title
   line, a zero-padded number.  A reference with several digit groups is read once per
   group that may run ('2019/118': minute 2019 of /118, or minute 118 of 2019).
2. **The chain.**  Candidates are grouped by numbering style (and reading); within each
   style the best chain of rising numbers (steps of 1, small gaps tolerated) weighted by
   heading evidence is found; the best chain over all styles is the item list, so the
   document's own scheme wins.  Gaps in it are then filled by candidates of any style that
   carry exactly the missing number (``3238Any Other Business`` with the dot lost).  A
   numbered list inside an item body (``1. Focus on …``, restarting at 1) loses to the chain
   that continues the item numbers; a run of numbered lines with no text between them (an
   agenda printed above the minutes) loses to the minutes' own numbering; a plain numbered
   list inside one section of a document with unnumbered headings is not the item list.
3. **Fallbacks.**  Without a numbered chain, headings (heading kind, bold short lines,
   upper-case short lines; else plain short lines before a sentence and ``Title: text``
   paragraphs) after the attendance list start items, numbered 1, 2, … in order; without
   headings the whole text is one item titled by its first heading or "Minutes".

``Block.item_hint`` (structured formats) states items outright and overrides all of this.
Blocks before the first item (attendance) belong to no item; closing lines ("Meeting
ended…", "Signed … Chair") are left out of bodies.
"""

from __future__ import annotations

import bisect
import re

from indexer import limits
from indexer.resolutions import extract_resolutions
from indexer.segment_numbers import (
    TITLE_MAX,
    Candidate,
    clean_text,
    is_upper,
    parse_candidate,
    parse_item_heading,
    split_ref,
    split_title,
    tidy_title,
    variants,
)
from kb.model import Block, Document, Item, Meeting, item_id

__all__ = [
    "clean_text",
    "find_item_headings",
    "parse_item_heading",
    "segment",
    "split_ref",
    "split_title",
]

_CLOSING = re.compile(
    r"^\(?\s*(?:the\s+)?(?:meeting\s+(?:ended|closed|finished|concluded|terminated)"
    r"|there\s+being\s+no\s+(?:other|further)\s+business"
    r"|signed\b.{0,60}$|chair(?:man|person)?\s*[:.…_ ]*$|date\s*[:.…_ ]*$)",
    re.I,
)
_PREAMBLE_HEADING = re.compile(
    r"^(?:minutes?\b(?!\s+of\s+(?:the\s+)?(?:previous|last|prior|preceding)\b)|present|"
    r"presennol|in attendance|members\b|also present|agenda item\b|regrets\b|"
    r"(?:staff|officers?|councillors)\s+present\b|staff\s*:|"
    r"draft\b|held\b|meeting\b|.{0,80}\bheld\s+(?:at|in|on)\b|in the chair|"
    r".{0,30}\bofficials\b|garda nominations|councillors?\s*:?$|"
    r"community\b.{0,20}$|representatives|oireachtas|policing authority|apologies\s*:|"
    r"(?:and\s+)?(?:resolved|proposed|seconded|agreed)\b|cathaoirleach|mayor\s*:?$|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)",
    re.I,
)
_NOT_HEADING = re.compile(
    r"^(?:\(?[ivx]{1,5}\)|\([a-z]\)|[a-z]\)|item|no|action(?:\s+by|\s+date)?|absent\s*:?|"
    r"signed\b.*|date\b(?!\s+of\b).*|ends?|[_\W]+|(?:motion\s+)?(?:carried|defeated|lost)"
    r"(?:\s+unanimously)?|(?:moved|seconded)\s+by\b.*)$",
    re.I,
)
_RULE = re.compile(r"^[\s|:\-–—_=*]*$")


def _best_chain(cands: list[Candidate]) -> tuple[float, list[Candidate]]:
    """The best chain of rising numbers in one style, weighted by heading evidence."""
    n = len(cands)
    listed = _listed(cands)
    best = [0.0] * n
    prev = [-1] * n
    for j in range(n):
        pj, cj = cands[j].counter
        best[j] = 1.0 + cands[j].evidence
        for i in range(max(0, j - 60), j):
            pi, ci = cands[i].counter
            step = cj - ci
            if pi != pj or not 1 <= step <= 8 or best[i] <= 0:
                continue
            value = best[i] + 1.0 + cands[j].evidence - 0.5 * min(step - 1, 2)
            if j in listed:
                value -= 0.75  # an agenda list printed above the minutes: items with no text
            if value >= best[j]:
                best[j], prev[j] = value, i
    if not n:
        return 0.0, []
    last = max(range(n), key=lambda k: best[k])
    chain: list[Candidate] = []
    j = last
    while j >= 0:
        chain.append(cands[j])
        j = prev[j]
    chain.reverse()
    return best[last], chain


def _listed(cands: list[Candidate]) -> set[int]:
    """Positions of candidates in runs of three or more numbers on consecutive lines with
    no text of their own ('1. Apologies' / '2. Minutes' / '3. Planning': an agenda list)."""
    out: set[int] = set()
    run = [0] if cands else []
    for k in range(1, len(cands) + 1):
        a = cands[k - 1]
        b = cands[k] if k < len(cands) else None
        if (
            b is not None
            and not a.rest
            and not a.uses_next
            and b.index == a.index + 1
            and b.counter == (a.counter[0], a.counter[1] + 1)
        ):
            run.append(k)
            continue
        if len(run) >= 3:
            out.update(run)
        run = [k]
    return out


def _fill_gaps(chain: list[Candidate], others: list[Candidate]) -> list[Candidate]:
    """Insert candidates of any style that carry exactly a number missing from the chain.

    Between two chain items numbered n and m (m > n + 1) a candidate numbered n + 1 is
    taken; after the last item one numbered last + 1; before the first, first - 1.
    """
    out = list(chain)
    taken = {id(c) for c in out}  # identity set: `c in out` made 10,000 items O(n³)
    others = [c for c in others if id(c) not in taken]
    changed = True
    while changed:
        changed = False
        for k in range(len(out) + 1):
            lo = out[k - 1] if k > 0 else None
            hi = out[k] if k < len(out) else None
            for c in others:
                if id(c) in taken or (lo and c.index <= lo.index) or (hi and c.index >= hi.index):
                    continue
                prefix, value = c.counter
                if c.inner_only and (lo is None or hi is None):
                    continue
                if lo is not None:
                    fits = prefix == lo.counter[0] and value == lo.counter[1] + 1
                    fits = fits and (hi is None or value < hi.counter[1])
                else:
                    fits = hi is not None and (prefix, value + 1) == hi.counter
                if fits:
                    out.insert(k, c)
                    taken.add(id(c))
                    changed = True
                    break
            if changed:
                break
    return out


def find_item_headings(blocks: list[Block]) -> list[Candidate]:
    """Return the candidates that start agenda items, in block order ([] if none)."""
    cands = [
        v for i in range(len(blocks)) if (c := parse_candidate(blocks, i)) for v in variants(c)
    ]
    styles = sorted({c.style for c in cands if c.style != "glued"})
    best_value, best_chain = 0.0, []
    for style in styles:
        group = [c for c in cands if c.style == style]
        value, chain = _best_chain(group)
        if style.startswith("dotted") and style != "dotted0":
            value *= 0.5  # '5.1', '5.2' are usually sub-items of '5.'
        if len(chain) == 1 and (chain[0].evidence < 2 or style == "bare"):
            continue  # one weak heading, or one number alone above a line: no sequence
        if value > best_value:
            best_value, best_chain = value, chain
    if not best_chain:
        return []
    if _lists_under_headings(cands, best_chain, blocks) or _list_in_one_section(best_chain, blocks):
        return []  # numbered lists under unnumbered headings: use the headings
    if best_chain[0].style.startswith("keyed") and len(_body_headings(blocks)) >= len(best_chain):
        return []  # numbered motions under business headings: the headings are the items
    return _fill_gaps(best_chain, cands)


def _lead_candidate(blocks: list[Block], before: int) -> Candidate | None:
    """An item numbered 1 before the first unnumbered heading ('1. Adoption of Minutes')."""
    for i in range(before):
        c = parse_candidate(blocks, i)
        if c is not None and c.counter == ("", 1) and not c.inner_only:
            return c
    return None


def _lists_under_headings(
    cands: list[Candidate], chain: list[Candidate], blocks: list[Block]
) -> bool:
    """True when the chain's numbering restarts (three times or more) right under headings.

    That is the shape of numbered lists inside unnumbered sections ('PLANNING' / '1. …').
    Restarts that are not under headings (an agenda printed before the minutes) don't count.
    """
    style, first = chain[0].style, chain[0].counter
    restarts = [c.index for c in cands if c.style == style and c.counter == first]
    if len(restarts) < 3:
        return False
    headings = set(_heading_blocks(blocks))
    under = sum(1 for i in restarts if {i - 1, i - 2} & headings)
    return under * 3 >= len(restarts) * 2


def _list_in_one_section(chain: list[Candidate], blocks: list[Block]) -> bool:
    """True when the chain is a plain numbered list inside one section of a document whose
    items are unnumbered headings: no chain member looks like a heading, all sit between
    the same two headings, and at least three headings lie outside that section."""
    if any(c.evidence >= 2 for c in chain):
        return False
    heads = [i for i in _body_headings(blocks) if blocks[i].kind != "table-row"]
    section = {bisect.bisect(heads, c.index) for c in chain}
    if len(section) != 1:
        return False
    (k,) = section
    return len(heads) >= 3 and k < len(heads)


_ATTENDANCE_LABEL = re.compile(
    r"^(?:(?:members|councillors|officers?|staff)\s+present|present|in attendance|also present|"
    r"also in attendance|staff|officers|regrets)\s*(?::|$)|^apologies\s*:",
    re.I,
)


def _body_headings(blocks: list[Block]) -> list[int]:
    """:func:`_heading_blocks` without the title lines printed above the attendance list
    ('Kelso Community Council' before 'Present: …'), when two or more headings follow it."""
    heads = _heading_blocks(blocks)
    label = next(
        (i for i, b in enumerate(blocks) if _ATTENDANCE_LABEL.match(clean_text(b.text))), None
    )
    if label is None:
        return heads
    after = [i for i in heads if i > label]
    return after if len(after) >= 2 else heads


def _unnumbered_headings(blocks: list[Block]) -> list[tuple[int, str, str]]:
    """(block index, title, rest of the block) of the headings of a document whose items
    carry no numbers: marked headings (bold, capitals, heading markup) when there are two
    or more, else plain short lines and 'Title: text' paragraphs when three or more."""
    marked = _body_headings(blocks)
    if len(marked) >= 2:
        return [(i, clean_text(blocks[i].text), "") for i in marked]
    found = {i: (clean_text(blocks[i].text), "") for i in _plain_headings(blocks)}
    for i, title, rest in _colon_headings(blocks):
        found[i] = (title, rest)  # "Planning: None" read as title and text
    if len(found) < 3:
        return []
    return [(i, *found[i]) for i in sorted(found)]


#: 'Police Matters: PCSO Kay reported …' — a short title, a colon, then the item's text.
_COLON_TITLE = re.compile(r"^(?P<title>[A-Z][\w'’&,/()\- ]{2,50}?)\s*:\s+(?P<rest>\S.*)$")
_NOT_COLON_TITLE = re.compile(
    r"^(?:(?:the|a|an)\s|(?:cllrs?|councillors?|mr|mrs|ms|dr|pcso|pc)\b)|\b(?:reported|"
    r"advised|said|stated|explained|noted|asked|agreed|resolved|confirmed|presented|added|"
    r"proposed|seconded|moved|carried|note|action|vote[sd]?)\b",
    re.I,
)


def _colon_headings(blocks: list[Block]) -> list[tuple[int, str, str]]:
    """Paragraphs that open with a short title and a colon, after the attendance list."""
    label = next(
        (i for i, b in enumerate(blocks) if _ATTENDANCE_LABEL.match(clean_text(b.text))), -1
    )
    out: list[tuple[int, str, str]] = []
    for i in range(label + 1, len(blocks)):
        m = _COLON_TITLE.match(clean_text(blocks[i].text))
        if not m or blocks[i].kind not in ("paragraph", "heading"):
            continue
        title = m.group("title")
        if len(title.split()) > 6 or _NOT_COLON_TITLE.search(title):
            continue
        attendance = _PREAMBLE_HEADING.match(title) or _ATTENDANCE_LABEL.match(f"{title}:")
        if attendance and not re.match(r"apolog", title, re.I):
            continue  # 'Present: …' is attendance; 'Apologies: …' is an item here
        out.append((i, title, m.group("rest")))
    return out


_SENTENCE_END = re.compile(r"[.,;:!?)\"”’]$")


def _plain_headings(blocks: list[Block]) -> list[int]:
    """Headings with no bold, capitals or heading markup (plain text from a DOCX): short
    lines with no end punctuation (or a colon after a few words), each followed by a body
    paragraph that is a sentence, none next to another (a one-name-per-line list is not
    headings), after the attendance."""
    label = next(
        (i for i, b in enumerate(blocks) if _ATTENDANCE_LABEL.match(clean_text(b.text))), -1
    )
    out: list[int] = []
    for i in range(label + 1, len(blocks) - 1):
        text, nxt = clean_text(blocks[i].text), clean_text(blocks[i + 1].text)
        if text.endswith(":") and len(text.split()) <= 6:
            text = text.rstrip(": ")  # 'Police Matters:' alone on its line
        if (
            blocks[i].kind != "paragraph"
            or not 4 <= len(text) <= 60
            or len(text.split()) > 8
            or not text[0].isupper()
            or _SENTENCE_END.search(text)
            or _CLOSING.match(text)
            or _PREAMBLE_HEADING.match(text)
            or _NOT_HEADING.match(text)
            or _ATTENDANCE_LABEL.match(text)
            or re.match(r"(?:Cllrs?|Councillors?|Mr|Mrs|Ms|Dr)\b", text)
            or not _SENTENCE_END.search(nxt)
            or nxt == text
        ):
            continue
        if out and out[-1] == i - 1:
            return []  # two short lines in a row: a list, not headings
        out.append(i)
    return out


def _heading_blocks(blocks: list[Block]) -> list[int]:
    """Indexes of unnumbered blocks that look like section headings."""
    out: list[int] = []
    for i, b in enumerate(blocks):
        text = clean_text(b.text)
        if not text or len(text) > 80 or _CLOSING.match(text):
            continue
        if _PREAMBLE_HEADING.match(text) and not re.fullmatch(r"(?i)minutes\.?", text):
            continue  # ('Minutes' alone heads the item that approves the last minutes)
        if text[0].isdigit() or text.endswith((".", ",")) and b.kind != "heading":
            continue
        if sum(c.isalpha() for c in text) < 4 or _NOT_HEADING.match(text):
            continue
        upper = is_upper(text) and len(text) <= 60
        if b.kind == "heading" or b.bold or upper:
            out.append(i)
    return out


def _is_rule(text: str) -> bool:
    return bool(_RULE.match(text))


def _block_body_text(block: Block) -> str:
    if block.cells:
        cells = [c.strip() for c in block.cells if c.strip()]
        return "\t".join(cells)
    return block.text.strip()


def segment(doc: Document, meeting: Meeting) -> list[Item]:
    """Return the agenda items of ``doc``: at least one when it has any text, none when it
    has no text at all (a cancelled ModernGov meeting).

    Each item has its printed number, title (without number and REF), ``ref``, body (every
    paragraph, list and table row of the item, blank-line separated), page span, 0-based
    order, resolutions, an id from ``item_id`` and the meeting's council, committee, date and
    source.
    """
    blocks = doc.blocks
    if not any(b.text.strip() for b in blocks):
        return []
    starts = item_starts(blocks)
    if not starts:
        starts = [(0, "1", _whole_title(blocks), "", 0)]
    caps = limits.current()
    cut = len(blocks)  # where the last kept item ends
    if 0 < caps.items_per_file < len(starts):
        meeting.warnings.append(limits.items_warning(len(starts), caps.items_per_file))
        cut = starts[caps.items_per_file][0]
        starts = starts[: caps.items_per_file]

    items: list[Item] = []
    taken: set[str] = set()
    for order, (index, number, title, rest, skip) in enumerate(starts):
        end = starts[order + 1][0] if order + 1 < len(starts) else cut
        head_blocks = blocks[index : index + skip]
        body_blocks = blocks[index + skip : end]
        paragraphs = [rest] if rest else []
        previous_page = head_blocks[-1].page if head_blocks else None
        for b in body_blocks:
            text = _block_body_text(b)
            new_page, previous_page = b.page != previous_page, b.page
            if not text or _is_rule(text) or _CLOSING.match(clean_text(text)):
                continue
            if new_page and b.page is not None and re.fullmatch(r"\d{1,3}", text):
                continue  # a printed page number at the top of a page
            paragraphs.append(text)
        if warning := limits.cap_paragraphs(paragraphs, caps.item_chars, number):
            meeting.warnings.append(warning)
        pages = [b.page for b in head_blocks + body_blocks if b.page is not None]
        title, ref = split_ref(title)
        items.append(
            Item(
                id=item_id(meeting.id, number, taken),
                meeting_id=meeting.id,
                number=number,
                title=tidy_title(title) or "Minutes",
                body="\n\n".join(paragraphs),
                order=order,
                ref=ref,
                resolutions=extract_resolutions(paragraphs),
                page_start=min(pages) if pages else None,
                page_end=max(pages) if pages else None,
                ocr=doc.ocr,
                council=meeting.council,
                committee=meeting.committee,
                date=meeting.date,
                source=meeting.source,
            )
        )
    return items


#: where an item starts: (block index, number, title, rest of the heading's text, blocks the
#: heading takes)
Start = tuple[int, str, str, str, int]


def item_starts(blocks: list[Block]) -> list[Start]:
    """Where the items of ``blocks`` start, in order (steps 1-3 of the module docstring but
    the whole-text fallback): stated ``item_hint``s, else the numbered chain, else
    unnumbered headings; empty when none is found."""
    starts: list[Start] = []
    if any(b.item_hint for b in blocks):
        for i, b in enumerate(blocks):
            if b.item_hint:
                starts.append((i, b.item_hint[0], b.item_hint[1], "", 1))
    elif heads := find_item_headings(blocks):
        for c in heads:
            starts.append((c.index, c.number, c.title, c.rest, 2 if c.uses_next else 1))
    elif heads := _unnumbered_headings(blocks):
        lead = _lead_candidate(blocks, heads[0][0])
        if lead is not None:
            skip = 2 if lead.uses_next else 1
            starts.append((lead.index, lead.number, lead.title, lead.rest, skip))
        for i, title, rest in heads:
            starts.append((i, str(len(starts) + 1), title, rest, 1))
    return starts


class ReadEnough:
    """Tells a streaming reader (:func:`indexer.read_text.read_streamed`) when the blocks it
    has read already hold more items than ``KB_MAX_ITEMS_PER_FILE`` keeps, so the rest of
    a huge file need not be read: memory and time then follow the items kept, not the file.

    The blocks are segmented (:func:`item_starts`) only when their number has grown by half
    since the last look, and first when it passes the limit (an item takes a block at least),
    so the looks cost time linear in what is read.  The items kept are those the text read
    shows: a file within the limit is always read to its end."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limits.current().items_per_file if limit is None else limit
        self._next_look = self.limit + 1

    def __call__(self, blocks: list[Block]) -> bool:
        if self.limit <= 0 or len(blocks) < self._next_look:
            return False
        self._next_look = len(blocks) + len(blocks) // 2 + 1
        return len(item_starts(blocks)) > self.limit


def _whole_title(blocks: list[Block]) -> str:
    for b in blocks:
        if b.kind == "heading" and clean_text(b.text):
            return clean_text(b.text)[:TITLE_MAX]
    return "Minutes"
