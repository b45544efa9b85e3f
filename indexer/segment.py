"""Cut a Document's blocks into agenda items (with their resolutions).

The segmenter knows nothing of file formats; it sees only ``Block``s.  It works in three
steps:

1. **Candidates.**  Every block that *starts* with an item number is a candidate: ``01.``,
   ``6.``, ``2674.``, ``15.11.1``, ``21/19``, ``Item 7``, ``Minute 12/345``, a number alone
   in a block with the title in the next block (PDF-to-Markdown), a number in the first cell
   of a table row.  ``a)``/``(i)``/``i.`` never are.  Each candidate carries heading
   evidence: bold, heading kind, upper-case title, a short title line, a zero-padded number.
2. **The chain.**  Candidates are grouped by numbering style; within each style the best
   chain of rising numbers (steps of 1, small gaps tolerated) weighted by heading evidence
   is found; the best chain over all styles is the item list.  Gaps in it are then filled by
   candidates of any style that carry exactly the missing number (``3238Any Other
   Business`` with the dot lost).  A numbered list inside an item body (``1. Focus on …``,
   restarting at 1) loses to the chain that continues the item numbers.
3. **Fallbacks.**  Without a numbered chain, headings (heading kind, bold short lines,
   upper-case short lines) start items, numbered 1, 2, … in order; without headings the
   whole text is one item titled by its first heading or "Minutes".

``Block.item_hint`` (structured formats) states items outright and overrides all of this.
Blocks before the first item (attendance) belong to no item; closing lines ("Meeting
ended…", "Signed … Chair") are left out of bodies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer import limits
from indexer.resolutions import extract_resolutions
from kb.model import Block, Document, Item, Meeting, item_id

_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_REF = re.compile(r"\(\s*(REF|Ref|ref)\s*[:.]?\s*([\w./-]+)\s*\)")
_TITLE_MAX = 120

# Patterns for an item number at the start of a block (after cleaning).
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("item", re.compile(r"^(?:Agenda\s+)?Item\s+(?:No\.?\s*)?(\d{1,3}(?:\.\d{1,2})?)\b[.:)]?\s*[-–—:]?\s*(.*)$", re.I)),  # noqa: E501
    ("minute", re.compile(r"^Minute\s+(?:No\.?\s*)?(\d{1,5}(?:/\d{1,5}){0,2})\b[.:]?\s*[-–—:]?\s*(.*)$", re.I)),  # noqa: E501
    ("slash", re.compile(r"^(\d{1,4}/\d{1,4}(?:/\d{1,3}(?:\.\d{1,2})?)?)(?=\s)\s*[-–—:.]?\s*(.*)$")),  # noqa: E501
    ("dotted", re.compile(r"^(\d{1,6}(?:\.\d{1,3}){0,3})(?:\.|(?=\s)|(?=[A-Z]{2}))\s*(.*)$")),
)  # fmt: skip
_GLUED = re.compile(r"^(\d{3,5})(?=[A-Z][a-z])(.*)$")
_BARE = re.compile(r"^(\d{1,3}(?:\.\d{1,2})?)(\.?)$")
_CLOSING = re.compile(
    r"^\(?\s*(?:the\s+)?(?:meeting\s+(?:ended|closed|finished|concluded|terminated)"
    r"|there\s+being\s+no\s+(?:other|further)\s+business"
    r"|signed\b.{0,60}$|chair(?:man|person)?\s*[:.…_ ]*$|date\s*[:.…_ ]*$)",
    re.I,
)
_PREAMBLE_HEADING = re.compile(
    r"^(?:minutes?\b|present|presennol|in attendance|members\b|also present|agenda item\b|"
    r"draft\b|held\b|meeting\b|.{0,80}\bheld\s+(?:at|in|on)\b|in the chair|"
    r".{0,30}\bofficials\b|garda nominations|councillors?\s*:?$|"
    r"community\b.{0,20}$|representatives|oireachtas|policing authority|apologies\s*:|"
    r"(?:and\s+)?(?:resolved|proposed|seconded|agreed)\b|cathaoirleach|mayor\s*:?$|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)",
    re.I,
)
_NOT_HEADING = re.compile(
    r"^(?:\(?[ivx]{1,5}\)|\([a-z]\)|[a-z]\)|item|no|action(?:\s+by|\s+date)?|absent\s*:?|"
    r"signed\b.*|date\b.*|ends?|[_\W]+)$",
    re.I,
)
_RULE = re.compile(r"^[\s|:\-–—_=*]*$")


@dataclass
class _Candidate:
    index: int  # block index of the heading
    number: str
    title: str
    rest: str  # body text that shares the heading block
    style: str
    evidence: float
    uses_next: bool = False  # the title is the next block (number alone in its block)
    inner_only: bool = False  # may only fill a gap between two chain items (a page number?)

    @property
    def counter(self) -> tuple[str, int]:
        """(prefix, running counter): '15.11.1' → ('15.11', 1); '21/19' → ('/19', 21)."""
        if "/" in self.number:
            parts = self.number.split("/")
            if len(parts) == 2:
                return f"/{parts[1]}", int(parts[0])
            last = parts[-1].split(".")[0]
            return "/".join(parts[:-1]), int(last)
        parts = self.number.split(".")
        if len(parts) == 2 and parts[1] == "0":
            return "", int(parts[0])  # '1.0', '2.0' head sections whose points are 1.1, 1.2
        return ".".join(parts[:-1]), int(parts[-1])


def clean_text(text: str) -> str:
    """Block text without stray tags, Markdown emphasis/escapes and folded whitespace."""
    text = _TAG.sub("", text)
    text = text.replace("\\", "").replace("**", "").replace("__", "")
    text = re.sub(r"^[#>\s*_]+", "", text)
    text = re.sub(r"^(\d{1,3})\.\s+\1\.", r"\1.", text)  # '1. **1.** Apologies' (list + number)
    return " ".join(text.split())


def split_ref(title: str) -> tuple[str, str | None]:
    """Remove a '(REF: 9)' from a title; return (title, 'REF: 9' or None)."""
    m = _REF.search(title)
    if not m:
        return title, None
    rest = (title[: m.start()] + title[m.end() :]).strip()
    return rest, f"{m.group(1).upper()}: {m.group(2)}"


def _tidy_title(title: str) -> str:
    return title.strip(" \t:;-–—.,").strip()


def split_title(text: str) -> tuple[str, str]:
    """Split the text after an item number into (title, rest of the block).

    The title ends at the first colon (``Police Report: Nothing to report``), else at a
    spaced dash, else it is the whole text when short, else the first sentence.
    """
    text = text.strip()
    masked = re.sub(r"\([^()]*\)", lambda m: "x" * len(m.group()), text)
    colon = re.search(r":-?", masked)
    if colon and 0 < colon.start() <= _TITLE_MAX and ". " not in masked[: colon.start()]:
        return _tidy_title(text[: colon.start()]), text[colon.end() :].strip(" -–—:")
    dash = re.search(r"\s[-–—]\s", masked)
    if len(text) > _TITLE_MAX and dash and dash.start() <= _TITLE_MAX:
        return _tidy_title(text[: dash.start()]), text[dash.end() :].strip()
    cut = _run_on_cut(text)
    if cut:
        return _tidy_title(text[:cut]), text[cut:].strip()
    if len(text) <= _TITLE_MAX:
        return _tidy_title(text), ""
    m = re.search(r"[.!?]\s", text)
    if m and m.start() <= _TITLE_MAX:
        return _tidy_title(text[: m.start()]), text[m.end() :].strip()
    cut = text.rfind(" ", 0, _TITLE_MAX)
    cut = cut if cut > 0 else _TITLE_MAX
    return _tidy_title(text[:cut]) + "…", text


_SENTENCE_OPENERS = frozenset(
    ["The", "No", "None", "It", "There", "Cllr", "Cllrs", "Members", "Mr", "Mrs", "Ms", "A",
     "An", "This", "These", "He", "She", "They", "We", "Clerk", "Councillors", "Apologies",
     "All", "Nothing", "Approved", "Agreed", "Resolved", "Noted"]
)  # fmt: skip


def _run_on_cut(text: str) -> int | None:
    """Where a title printed without a colon runs into its first sentence, or None.

    'Apologies for absence Apologies were received …' → before the second 'Apologies';
    'Declaration of Interest on agenda items No declarations were made' → before 'No'.
    A cut needs a capitalised word after a lower-case word or a number, that opens a
    sentence or repeats a title word, followed by a lower-case word.
    """
    words = list(re.finditer(r"\S+", text[: _TITLE_MAX + 40]))
    seen: set[str] = set()
    for k, w in enumerate(words):
        word = w.group().strip("‘’'\"(),")
        if k >= 2 and k + 1 < len(words) and word[:1].isupper():
            prev = words[k - 1].group()
            nxt = words[k + 1].group()
            prev_ok = (prev[:1].islower() or prev[:1].isdigit()) and prev[-1:].isalnum()
            repeat = word.lower() in seen and not words[k - 1].group()[:1].isupper()
            opener = word in _SENTENCE_OPENERS and prev_ok
            if (opener or (repeat and prev[-1:].isalnum())) and nxt[:1].islower():
                return w.start()
        seen.add(word.lower())
    return None


def _is_upper(title: str) -> bool:
    letters = [c for c in title if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _parse_candidate(blocks: list[Block], index: int) -> _Candidate | None:
    """Return the item-number candidate that block ``index`` opens, if any."""
    block = blocks[index]
    raw = block.text
    if block.cells and len([c for c in block.cells if c.strip()]) >= 2:
        cells = [clean_text(c) for c in block.cells if clean_text(c)]
        raw = " ".join(cells[:2]) + (" " + " ".join(cells[2:]) if cells[2:] else "")
    text = clean_text(raw)
    if not text or not text[0].isalnum():
        return None
    if m := _BARE.match(text):
        nxt = clean_text(blocks[index + 1].text) if index + 1 < len(blocks) else ""
        if not nxt or not nxt[0].isalpha():
            return None
        number = m.group(1)
        dotted = bool(m.group(2)) or "." in number
        title, rest = split_title(nxt)
        depth = 0 if number.endswith(".0") else number.count(".")
        style = f"dotted{depth}" if dotted else "glued"
        cand = _Candidate(index, number, title, rest, style, 0.0, True, inner_only=not dotted)
        cand.evidence = _evidence(blocks[index + 1], split_ref(title)[0], rest) + 0.5
        return cand
    for style, pattern in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        number, after = m.group(1), m.group(2)
        if not after or not (after[0].isalpha() or after[0] in "“\"'‘("):
            return None
        penalty = 0.0
        if style == "dotted":
            if any(len(p) > 3 for p in number.split(".")[1:]):
                return None  # a date such as 12.05.2019
            style = "dotted0" if re.fullmatch(r"\d+\.0", number) else f"dotted{number.count('.')}"
            if text[len(number) : len(number) + 1] != "." and after[0].islower():
                return None  # '4.30 p.m;', '12 members of the public'
            if "." not in number and text[len(number)] != ".":
                # '1 Commence Site 2 …' or '2021 onwards': weak without heading evidence.
                if not after[0].isupper():
                    return None
                penalty = 1.5 if len(number) < 3 else 0.0
        title, rest = split_title(after)
        cand = _Candidate(index, number, title, rest, style, 0.0)
        cand.evidence = _evidence(block, split_ref(title)[0], rest) - penalty
        cand.evidence += 1.0 if _REF.search(title) else 0.0
        cand.evidence += 1.0 if number.startswith("0") else 0.0
        return cand
    if m := _GLUED.match(text):
        title, rest = split_title(m.group(2))
        return _Candidate(index, m.group(1), title, rest, "glued", 0.0)
    return None


def parse_item_heading(
    text: str, *, bold: bool = False, kind: str = "paragraph"
) -> tuple[str, str] | None:
    """Return (number, title) when one line of text opens with an item number, else None.

    The title is without the number and the REF.  This looks at the line alone; whether
    it really starts an item is decided by :func:`find_item_headings` over the document.
    """
    block = Block(text=text, kind=kind, bold=bold)  # type: ignore[arg-type]
    cand = _parse_candidate([block], 0)
    if cand is None:
        return None
    return cand.number, split_ref(cand.title)[0]


def _evidence(block: Block, title: str, rest: str) -> float:
    """Heading evidence for a candidate: higher means more like an agenda heading."""
    score = 0.0
    if block.bold:
        score += 2
    if block.kind == "heading":
        score += 2
    if block.kind == "list":
        score -= 1.5
    if block.cells and len([c for c in block.cells if c.strip()]) >= 2:
        score += 1
    if _is_upper(title):
        score += 2
    if not rest and len(title) <= 80:
        score += 0.5
    if title.endswith("…"):
        score -= 0.5
    return score


def _best_chain(cands: list[_Candidate]) -> tuple[float, list[_Candidate]]:
    """The best chain of rising numbers in one style, weighted by heading evidence."""
    n = len(cands)
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
            if value >= best[j]:
                best[j], prev[j] = value, i
    if not n:
        return 0.0, []
    last = max(range(n), key=lambda k: best[k])
    chain: list[_Candidate] = []
    j = last
    while j >= 0:
        chain.append(cands[j])
        j = prev[j]
    chain.reverse()
    return best[last], chain


def _fill_gaps(chain: list[_Candidate], others: list[_Candidate]) -> list[_Candidate]:
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


def find_item_headings(blocks: list[Block]) -> list[_Candidate]:
    """Return the candidates that start agenda items, in block order ([] if none)."""
    cands = [c for i in range(len(blocks)) if (c := _parse_candidate(blocks, i))]
    styles = sorted({c.style for c in cands if c.style != "glued"})
    best_value, best_chain = 0.0, []
    for style in styles:
        group = [c for c in cands if c.style == style]
        value, chain = _best_chain(group)
        if style.startswith("dotted") and style != "dotted0":
            value *= 0.5  # '5.1', '5.2' are usually sub-items of '5.'
        if len(chain) == 1 and chain[0].evidence < 2:
            continue
        if value > best_value:
            best_value, best_chain = value, chain
    if not best_chain:
        return []
    if _lists_under_headings(cands, best_chain, blocks):
        return []  # numbered lists restarting under unnumbered headings: use the headings
    return _fill_gaps(best_chain, cands)


def _lead_candidate(blocks: list[Block], before: int) -> _Candidate | None:
    """An item numbered 1 before the first unnumbered heading ('1. Adoption of Minutes')."""
    for i in range(before):
        c = _parse_candidate(blocks, i)
        if c is not None and c.counter == ("", 1) and not c.inner_only:
            return c
    return None


def _lists_under_headings(
    cands: list[_Candidate], chain: list[_Candidate], blocks: list[Block]
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


def _heading_blocks(blocks: list[Block]) -> list[int]:
    """Indexes of unnumbered blocks that look like section headings."""
    out: list[int] = []
    for i, b in enumerate(blocks):
        text = clean_text(b.text)
        if not text or len(text) > 80 or _CLOSING.match(text) or _PREAMBLE_HEADING.match(text):
            continue
        if text[0].isdigit() or text.endswith((".", ",")) and b.kind != "heading":
            continue
        if sum(c.isalpha() for c in text) < 4 or _NOT_HEADING.match(text):
            continue
        upper = _is_upper(text) and len(text) <= 60
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
    starts: list[tuple[int, str, str, str, int]] = []  # (index, number, title, rest, skip)
    if any(b.item_hint for b in blocks):
        for i, b in enumerate(blocks):
            if b.item_hint:
                starts.append((i, b.item_hint[0], b.item_hint[1], "", 1))
    elif heads := find_item_headings(blocks):
        for c in heads:
            starts.append((c.index, c.number, c.title, c.rest, 2 if c.uses_next else 1))
    elif len(heads := _heading_blocks(blocks)) >= 2:
        lead = _lead_candidate(blocks, heads[0])
        if lead is not None:
            skip = 2 if lead.uses_next else 1
            starts.append((lead.index, lead.number, lead.title, lead.rest, skip))
        for i in heads:
            starts.append((i, str(len(starts) + 1), clean_text(blocks[i].text), "", 1))
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
                title=_tidy_title(title) or "Minutes",
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


def _whole_title(blocks: list[Block]) -> str:
    for b in blocks:
        if b.kind == "heading" and clean_text(b.text):
            return clean_text(b.text)[:_TITLE_MAX]
    return "Minutes"
