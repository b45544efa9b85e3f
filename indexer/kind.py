"""Meeting kinds and files that hold more than one meeting.

:func:`detect_kind` reads a meeting's kind (one of :data:`kb.model.MEETING_KINDS`) from the
document's own heading cues: the title lines before the first agenda item ("EXTRAORDINARY
MEETING 6th FEBRUARY 2019", "Minutes of the Annual General Meeting …", "Annual Parish
Meeting", Welsh "Cyfarfod Arbennig" / "Cyfarfod Blynyddol").  A kind named only in passing
("held their meeting following the AGM") is not this meeting's kind.

:func:`split_meetings` finds where a second meeting starts in one file (an AGM followed by
the ordinary meeting, each with its own "Minutes of … meeting held on …" heading and its own
item numbers) and cuts the document there.
"""

from __future__ import annotations

import re
from dataclasses import replace

from indexer.meeting import is_item_start, split_preamble
from kb.model import Block, Document

#: Title lines (blocks before the first item) read for the kind.
TITLE_BLOCKS = 6

# Words that make a kind named in a title line someone else's ("following the AGM").
_ELSEWHERE = re.compile(
    r"\b(?:following|after|before|prior\s+to|preceding|end\s+of|close\s+of|previous|"
    r"last|next|since|from|until|at)\s+(?:the\s+|an?\s+|this\s+|year'?s\s+)?"
    r"(?:[\w'’]+\s+){0,2}$",
    re.I,
)

#: (kind, pattern) in order: the first that matches a title line wins.
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "annual-parish",
        re.compile(
            r"\bannual\s+(?:general\s+)?(?:parish|parishioners'?|village)\s+(?:meeting|assembly)"
            r"|\bannual\s+meeting\s+of\s+(?:the\s+)?(?:parish|parishioners|electors)\b(?!\s+council)"
            r"|\bparish\s+(?:annual\s+)?assembly\b|\bannual\s+assembly\b",
            re.I,
        ),
    ),
    (
        "annual-town",
        re.compile(
            r"\bannual\s+(?:general\s+)?town\s+(?:meeting|assembly)"
            r"|\bannual\s+meeting\s+of\s+(?:the\s+)?town\b(?!\s+council)"
            r"|\btown\s+(?:annual\s+)?assembly\b",
            re.I,
        ),
    ),
    (
        "agm",
        re.compile(
            r"\bannual\s+general\s+meeting\b|\bA\.?G\.?M\b\.?"
            r"|\bcyfarfod\s+cyffredinol\s+blynyddol\b|\bcyfarfod\s+blynyddol\s+cyffredinol\b",
            re.I,
        ),
    ),
    (
        "extraordinary",
        re.compile(
            r"\bextra[\s-]?ordinary\b(?:\s+[\w'’]+){0,5}?\s+meeting\b"
            r"|\bextra[\s-]?ordinary\s+(?:council|session)\b"
            r"|\bcyfarfod\s+(?:arbennig|eithriadol)\b",
            re.I,
        ),
    ),
    ("special", re.compile(r"\bspecial\b(?:\s+[\w'’]+){0,4}?\s+meeting\b", re.I)),
    (
        "annual",
        re.compile(
            r"\bannual\b(?:\s+[\w'’&]+){0,5}?\s+meeting\b|\bannual\s+council\b"
            r"|\bannual\s+meeting\b|\bcyfarfod\s+blynyddol\b",
            re.I,
        ),
    ),
)


# Other minutes a title line mentions ("INCLUDES THE DRAFT MINUTES OF THE AGM …").
_MENTION = re.compile(r"\b(?:includ\w*|incorporat\w*|attached|appended|enclos\w*|see)\b", re.I)


def kind_in(line: str) -> str | None:
    """The kind a title line names for its own meeting, or None (a kind named in passing,
    after "following the …", "at the last …", or in "includes the minutes of the AGM",
    does not count)."""
    for kind, rx in _CUES:
        for m in rx.finditer(line):
            before = line[: m.start()]
            if not _ELSEWHERE.search(before) and not _MENTION.search(before):
                return kind
    return None


def title_lines(blocks: list[Block]) -> list[str]:
    """The lines of a meeting's title: its first :data:`TITLE_BLOCKS` blocks before the first
    agenda item (table rows left out: an attendance table is not a title)."""
    preamble, _rest = split_preamble(blocks)
    lines = [b.text for b in preamble if b.kind != "table-row"][:TITLE_BLOCKS]
    return [ln for text in lines for ln in text.splitlines() if ln.strip()]


def detect_kind(blocks: list[Block], hint: str | None = None) -> str:
    """The kind of the meeting whose document (or part of one) starts with ``blocks``:
    from the first title line that decides it (one naming a kind, or the opening line
    "Minutes of a meeting of … held on …", which names none for an ordinary meeting), else
    ``hint`` (a format that states a meeting's kind), else ``ordinary``."""
    for line in title_lines(blocks):
        kind = kind_in(line)
        if kind:
            return kind
        if _OPENING.match(line.strip()):
            return "ordinary"
    return hint or "ordinary"


# A block that opens a meeting of its own: "Minutes of a meeting of the above Council held on
# Monday 20th May 2019 at 7.00pm", "(Draft) Minutes of the Annual General Meeting … held …";
# not a sentence about other minutes ("The minutes of the meeting held on … were agreed").
_OPENING = re.compile(
    r"^\W{0,3}(?:(?:draft|unconfirmed|unapproved)\s+)?minutes\s+of\s+(?:the|a|an)\s+"
    r"(?:[\w'’&,.-]+\s+){0,12}?(?:meeting|agm|session)\b.{0,200}?\bheld\b.{0,120}?\d",
    re.I | re.S,
)
_ABOUT_MINUTES = re.compile(
    r"\b(?:were|was|are|be|been)\s+(?:\w+\s+){0,2}(?:agreed|approved|signed|confirmed|"
    r"accepted|adopted|received|read|noted)\b|\btrue\s+record\b",
    re.I,
)
# Title blocks just above an opening ("TINTERN COMMUNITY COUNCIL", "ORDINARY MEETING").
_TITLE_LIKE = re.compile(r"^[^a-z]{3,120}$")


# A title line that is only a meeting's name: "ORDINARY MEETING", "Annual General Meeting".
_TITLE_OPENING = re.compile(
    r"^\W*(?:the\s+)?(?:(?:ordinary|regular|annual|extra[\s-]?ordinary|special|general|"
    r"monthly|inaugural|parish|town|council|full|community)\s+){1,4}(?:meeting|assembly)\b"
    r"[^\n]{0,80}$"
    r"|^\W*A\.?G\.?M\.?\s*$",
    re.I,
)
# The end of a meeting: "Meeting closed at 6.55pm", "There being no further business …".
_CLOSED = re.compile(
    r"\bmeeting\s+(?:was\s+)?(?:closed|ended|finished|concluded)\b|\bclosed\s+the\s+meeting\b"
    r"|\bno\s+further\s+business\b",
    re.I,
)
_NUMBER = re.compile(r"^\W*(?:item\s+|minute\s+)?(\d+)", re.I)


def _number(block: Block) -> int | None:
    m = _NUMBER.match(block.text)
    return int(m.group(1)) if m else None


def _title_opens(blocks: list[Block], i: int, lo: int) -> bool:
    """True when ``blocks[i]`` is a bare meeting title ("ORDINARY MEETING") that starts a
    new meeting: the meeting before it closed ("Meeting closed at …" just above), or the
    items after it number again from below where the items before it reached."""
    if not _TITLE_OPENING.match(blocks[i].text.strip()):
        return False
    if any(_CLOSED.search(b.text) for b in blocks[max(lo, i - 3) : i]):
        return True
    before = [n for b in blocks[lo:i] if is_item_start(b) and (n := _number(b)) is not None]
    after = next((_number(b) for b in blocks[i + 1 :] if is_item_start(b)), None)
    return bool(before) and after is not None and after < max(before)


def _opens_meeting(block: Block) -> bool:
    text = block.text.strip()
    if is_item_start(block) or not _OPENING.match(text):
        return False
    return not _ABOUT_MINUTES.search(text[:400])


def meeting_starts(blocks: list[Block]) -> list[int]:
    """Indices of the blocks where a further meeting starts (empty for one meeting).

    A further meeting starts at a block that opens a meeting ("Minutes of a meeting of …
    held on …", not an item) after agenda items have begun, when agenda items follow it;
    title lines printed just above it (the council's name in capitals) go with it."""
    starts: list[int] = []
    seen_items = False
    last = 0
    for i, block in enumerate(blocks):
        if is_item_start(block):
            seen_items = True
            continue
        if not seen_items or not (_opens_meeting(block) or _title_opens(blocks, i, last)):
            continue
        if not any(is_item_start(b) for b in blocks[i + 1 :]):
            break
        cut = i
        while cut - 1 > last and blocks[cut - 1].kind == "heading":
            above = blocks[cut - 1].text.strip()
            if is_item_start(blocks[cut - 1]) or not _TITLE_LIKE.match(above):
                break
            cut -= 1
        starts.append(cut)
        last, seen_items = cut, False
    return starts


def split_meetings(doc: Document) -> list[Document]:
    """``doc`` as one Document per meeting it holds, in reading order (``[doc]`` for one).

    Each part keeps the file's path, format and hints; the parts after the first carry no
    reader warnings (those are reported once, on the first)."""
    starts = meeting_starts(doc.blocks)
    if not starts:
        return [doc]
    bounds = [0, *starts, len(doc.blocks)]
    parts = []
    for n, (lo, hi) in enumerate(zip(bounds, bounds[1:], strict=False)):
        warnings = list(doc.warnings) if n == 0 else []
        parts.append(replace(doc, blocks=doc.blocks[lo:hi], warnings=warnings))
    return parts
