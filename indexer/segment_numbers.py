"""Item-number candidates: which lines of a document open with an agenda item number.

:func:`parse_candidate` reads one block (and, for a number printed alone, the next) and
returns a :class:`Candidate`: the printed number, the title, the rest of the block, its
numbering *style* and its heading evidence (bold, heading kind, upper case, short line).
Which candidates really start items is decided over the whole document by
:mod:`indexer.segment`.  Title splitting (:func:`split_title`) lives here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from indexer.text import squeeze
from kb.model import Block

_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_REF = re.compile(r"\(\s*(REF|Ref|ref)\s*[:.]?\s*([\w./-]+)\s*\)")
TITLE_MAX = 120

# Patterns for an item number at the start of a block (after cleaning), tried in order.
# 'keyed' and 'prefixed' numbers (resolution numbers, minute references with a committee
# prefix or a year) are read as digit groups; which group runs is learnt per document
# (see :func:`variants`).
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("item", re.compile(r"^(?:Agenda\s+)?Item\s+(?:No\.?\s*)?(\d{1,3}(?:\.\d{1,2})?)\b[.:)]?\s*[-–—:]?\s*(.*)$", re.I)),  # noqa: E501
    ("minute", re.compile(r"^(?:Minute|Min\.?)\s*(?:No\.?\s*)?(\d{1,5}(?:/\d{1,5}){0,2})\b[.:]?\s*[-–—:]?\s*(.*)$", re.I)),  # noqa: E501
    ("keyed", re.compile(r"^(?:Resolution|Motion)\s*(?:No\.?|Number|#)?\s*([A-Z]{0,4}\d{1,4}(?:[./-]\d{1,5}){0,2})(?:[.:)]|(?=\s)|$)\s*[-–—:]?\s*(.*)$", re.I)),  # noqa: E501
    ("prefixed", re.compile(r"^([A-Z]{1,5}[./ ]?\d{1,4}(?:[./-]\d{1,5}){1,2})(?:[.:)]|(?=\s))\s*[-–—:]?\s*(.*)$")),  # noqa: E501
    ("slash", re.compile(r"^(\d{1,4}/\d{1,4}(?:/\d{1,3}(?:\.\d{1,2})?)?)(?=\s)\s*[-–—:.]?\s*(.*)$")),  # noqa: E501
    ("paren", re.compile(r"^\(?(\d{1,3})\.?\)\s*(.*)$")),
    ("dashed", re.compile(r"^(\d{1,3})\s*[:–—-]\s+(?=[A-Z])(.*)$")),
    ("dotted", re.compile(r"^(\d{1,6}(?:\.\d{1,3}){0,3})(?:\.|(?=\s)|(?=[A-Z]{2}))\s*(.*)$")),
)  # fmt: skip
_GLUED = re.compile(r"^(\d{3,5})(?=[A-Z][a-z])(.*)$")
#: The ASCII characters each of the patterns above can match first (IGNORECASE folds only
#: letters of the same name onto an ASCII letter, and a few non-ASCII ones: a text opening
#: with a non-ASCII character tries every pattern).
_DIGITS_FIRST = "0123456789"
_FIRST = {
    "item": "aAiI",
    "minute": "mM",
    "keyed": "rRmM",
    "prefixed": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "slash": _DIGITS_FIRST,
    "paren": "(" + _DIGITS_FIRST,
    "dashed": _DIGITS_FIRST,
    "dotted": _DIGITS_FIRST,
    "bare": _DIGITS_FIRST,
    "bare-keyed": "aAiImM",
    "glued": _DIGITS_FIRST,
}
#: Per ASCII first character, the patterns of _PATTERNS (in order) that may match.
_PATTERNS_BY_FIRST = {
    chr(c): tuple((style, p) for style, p in _PATTERNS if chr(c) in _FIRST[style])
    for c in range(128)
}


def _may_open(text: str, style: str) -> bool:
    """Whether the pattern of ``style`` may match ``text`` (non-empty) at its first
    character (see :data:`_FIRST`)."""
    return text[0] in _FIRST[style] or not text[0].isascii()


_BARE = re.compile(r"^(\d{1,3}(?:\.\d{1,2})?)(\.?)$")
# 'Item 4' / 'Minute 56' alone in its block, the title in the next block.
_BARE_KEYED = re.compile(
    r"^(?P<kw>(?:Agenda\s+)?Item|Minute|Min\.?)\s*(?:No\.?\s*)?(?P<n>\d{1,4}(?:\.\d{1,2})?)[.:]?$",
    re.I,
)
_DIGITS = re.compile(r"\d+")


@dataclass
class Candidate:
    index: int  # block index of the heading
    number: str
    title: str
    rest: str  # body text that shares the heading block
    style: str
    evidence: float
    uses_next: bool = False  # the title is the next block (number alone in its block)
    inner_only: bool = False  # may only fill a gap between two chain items (a page number?)
    run: str | None = None  # which digit group counts ('first'/'last'), for refs with groups

    @property
    def counter(self) -> tuple[str, int]:
        """(prefix, running counter): '15.11.1' → ('15.11', 1); '21/19' → ('/19', 21);
        with ``run``: 'CAB/24/12' (last) → ('CAB/24/#', 12), 'C123/20' (first) → ('C#/20', 123).
        """
        if self.run is not None:
            groups = list(_DIGITS.finditer(self.number))
            g = groups[-1] if self.run == "last" else groups[0]
            return self.number[: g.start()] + "#" + self.number[g.end() :], int(g.group())
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


def variants(cand: Candidate) -> list[Candidate]:
    """The readings of a candidate's number: one, or one per digit group that may run.

    '2019/118' may be minute 2019 of '/118' or minute 118 of 2019; 'C123/20' minute 123 of
    2020; 'CAB/24/12' minute 12 of CAB/24.  Each reading is its own style, so the document's
    own sequence decides which one holds.
    """
    if cand.style in ("slash", "minute") and cand.number.count("/") == 1:
        if "." not in cand.number:
            return [cand, replace(cand, run="last", style=f"{cand.style}-last")]
        return [cand]
    if cand.style in ("keyed", "prefixed"):
        out = [replace(cand, run="last", style=f"{cand.style}-last")]
        if len(_DIGITS.findall(cand.number)) > 1:
            out.append(replace(cand, run="first", style=f"{cand.style}-first"))
        return out
    return [cand]


_LEAD_MARKUP = re.compile(r"^[#>\s*_]+")
_LEAD_MARKUP_FIRST = frozenset("#>*_")  # and whitespace (``\s`` is ``str.isspace``)
_LIST_AND_NUMBER = re.compile(r"^(\d{1,3})\.\s+\1\.")  # '1. **1.** Apologies' (list + number)


def clean_text(text: str) -> str:
    """Block text without stray tags, Markdown emphasis/escapes and folded whitespace.
    (Called for every block, several times: the patterns are compiled once.)"""
    if "<" in text:
        text = _TAG.sub("", text)
    text = text.replace("\\", "").replace("**", "").replace("__", "")
    if text[:1] in _LEAD_MARKUP_FIRST or text[:1].isspace():  # what _LEAD_MARKUP can open with
        text = _LEAD_MARKUP.sub("", text)
    if text[:1].isdigit():
        text = _LIST_AND_NUMBER.sub(r"\1.", text)
    return squeeze(text)


def split_ref(title: str) -> tuple[str, str | None]:
    """Remove a '(REF: 9)' from a title; return (title, 'REF: 9' or None)."""
    m = _REF.search(title)
    if not m:
        return title, None
    rest = (title[: m.start()] + title[m.end() :]).strip()
    return rest, f"{m.group(1).upper()}: {m.group(2)}"


def tidy_title(title: str) -> str:
    return title.strip(" \t:;-–—.,").strip()


#: A short title closed by a full stop, then a sentence: 'Apologies. Cllr E Jarrett sent …'.
_SHORT_TITLE_STOP = re.compile(
    r"(?P<title>[A-Z][^.:;!?]{0,78}?[\w'’])\.\s+(?=[A-Z“\"(£])"
    r"(?=\S+\s+\S|(?:Approved|Noted|None|Nil|Agreed|Received|Deferred)\.?\s*$)"
)


def _title_stop(text: str) -> tuple[int, int] | None:
    """(end of title, start of text) at the full stop closing a short title, or None.

    Not after an abbreviation or an initial ('Sgt. B. Leetch', 'Councillor L. Galvin'),
    a one-letter label ('REPORTS a. Norfolk'), or before more capitals ('LDP. TO CONSIDER').
    """
    stop = _SHORT_TITLE_STOP.match(text)
    if not stop:
        return None
    last, after = stop.group("title").split()[-1], text[stop.end() :]
    if len(last) == 1 or last.lower() in _ABBREVIATIONS or re.match(r"[A-Z]\.|[A-Z]{2,}\b", after):
        return None
    return len(stop.group("title")), stop.end()


_ABBREVIATIONS = frozenset(
    ["cllr", "cllrs", "mr", "mrs", "ms", "dr", "st", "no", "nos", "rd", "ref", "co", "ltd",
     "inc", "cc", "dc", "pc", "approx", "etc", "vs", "min", "mins"]
)  # fmt: skip
#: A title in capitals, then the text in ordinary case: 'CORRESPONDENCE Letter from the …'.
_CAPS_TITLE = re.compile(
    r"(?P<title>(?:[A-Z][A-Z'’&/-]+\s+)*[A-Z][A-Z'’&/-]+)\s+(?=[A-Z][a-z]+\s+[a-z])"
)
_SPEAKER_FIRST = re.compile(r"(?:Cllrs?|Councillors?|Mr|Mrs|Ms|Dr|PCSO|The)\b")
#: After a spaced dash, the item's text rather than more title: 'Minutes – the minutes of …',
#: 'Apologies – Cllr S. Tovey.', 'Declarations – none.'
_DASH_RUN_ON = re.compile(
    r"(?:[a-z]|(?:Cllrs?|Councillors?|Mr|Mrs|Ms|Dr|PCSO|The|None|Nil|No)\b"
    r"|(?:[A-Z][\w.'’-]*\s+){1,3}(?:reported|presented|advised|said|explained|asked|stated|"
    r"confirmed|gave|outlined|introduced|updated|thanked|welcomed)\b).*[.!?:]\s*$"
)


def split_title(text: str, *, plain: bool = False) -> tuple[str, str]:
    """Split the text after an item number into (title, rest of the block).

    The title ends at the first colon (``Police Report: Nothing to report``), else at a
    spaced dash in a long text, else at the earliest of: where it runs into its first
    sentence (``Highways Cllr Gray reported …``), the full stop after a short title
    (``Minutes. The minutes …``), a spaced dash followed by a sentence (``Minutes – the
    minutes of …``), a date ending the line (``Date of next meeting 16 January 2024``);
    else it is the whole text when short, else the first sentence.  ``plain`` leaves out
    the last three cuts (heading evidence is weighed on the plain split).
    """
    text = text.strip()
    masked = re.sub(r"\([^()]*\)", lambda m: "x" * len(m.group()), text)
    colon = re.search(r":-?", masked)
    dash = re.search(r"\s[-–—]\s", masked)
    speaker_after_dash = dash and _SPEAKER_FIRST.match(text, dash.end())
    if colon and not text[colon.end() :].strip() and speaker_after_dash:
        colon = None  # 'Events – Cllr Parr reported on the carnival:' (a list follows)
    if colon and 0 < colon.start() <= TITLE_MAX and ". " not in masked[: colon.start()]:
        return tidy_title(text[: colon.start()]), text[colon.end() :].strip(" -–—:")
    if len(text) > TITLE_MAX and dash and dash.start() <= TITLE_MAX:
        return tidy_title(text[: dash.start()]), text[dash.end() :].strip()
    cuts: list[tuple[int, int]] = []
    if (run := _run_on_cut(text)) is not None:
        cuts.append((run, run))
    if not plain:
        caps = _CAPS_TITLE.match(text)  # 'PLANNING APPLICATIONS The clerk reported …'
        if caps and max(len(w) for w in caps.group("title").split()) >= 5:  # not 'CCTV Review'
            cuts.append((caps.end("title"), caps.end("title")))
        if stop := _title_stop(text):
            cuts.append(stop)
        if dash and _DASH_RUN_ON.match(text, dash.end()):
            cuts.append((dash.start(), dash.end()))
        date = _TRAILING_DATE.search(text) if len(text) <= TITLE_MAX else None
        before = text[: date.start()] if date else ""
        if date and not re.search(r"\b(?:on|of|held|from|dated?|\w+day)$|\s[-–—:]\s|:", before):
            cuts.append((date.end(), date.end()))
    if cuts:
        a, b = min(cuts)
        return tidy_title(text[:a]), text[b:].strip()
    if len(text) <= TITLE_MAX:
        return tidy_title(text), ""
    m = re.search(r"[.!?]\s", text)
    if m and m.start() <= TITLE_MAX:
        return tidy_title(text[: m.start()]), text[m.end() :].strip()
    cut = text.rfind(" ", 0, TITLE_MAX)
    cut = cut if cut > 0 else TITLE_MAX
    return tidy_title(text[:cut]) + "…", text


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
    words = list(re.finditer(r"\S+", text[: TITLE_MAX + 40]))
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
        if k >= 1 and _opens_report(text, w, words[k - 1].group()):
            return w.start()
        nxt_lower = k + 1 < len(words) and words[k + 1].group()[:1].islower()
        if k == 1 and word in _FIRST_OPENERS and nxt_lower:
            return w.start()  # 'Minutes The minutes of … were approved
        seen.add(word.lower())
    return None


_FIRST_OPENERS = frozenset(["The", "No", "None", "There", "It", "This", "These", "All", "Nothing"])
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
#: A date ending a title line: 'Date of next meeting 16 January 2024.' (not '… held on 6 May').
_TRAILING_DATE = re.compile(
    r"(?<=[a-z])\s+(?=(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?\d{1,2}(?:st|nd|rd|th)?"
    rf"\s+(?:{_MONTHS})[a-z]*\.?(?:\s+\d{{4}})?(?:\s+at\s+[\w.:]+)?\.?\s*$)"
)
#: Only names after a title: 'Apologies for absence Cllr W Fox.' (the body is the names).
_NAMES_ONLY = re.compile(
    r"(?:(?:Cllrs?|Councillors?|Mr|Mrs|Ms|Miss|Dr)\.?\s+(?:[A-Z]\.?\s+){0,3}[A-Z][\w'’-]+"
    r"(?:\s*(?:,|and|&)\s*)?)+\.?\s*$"
)


#: Words that open a sentence naming who spoke ('PCSO Lamb reported', 'The Clerk advised').
_SPEAKER_OPENERS = frozenset(
    ["Cllr", "Cllrs", "Councillor", "Councillors", "PCSO", "PC", "Mr", "Mrs", "Ms", "Miss",
     "Dr", "The", "County", "Clerk", "Mayor", "Reeve"]
)  # fmt: skip
_REPORT_AFTER = re.compile(
    r"\S+\s+(?:[A-Z][\w.'’-]*\s+){0,4}(?:reported|advised|said|explained|asked|presented|"
    r"stated|confirmed|informed|noted|gave|updated|outlined|introduced|thanked|welcomed|"
    r"declared|read|raised|circulated|provided|had|has|was|were|is|are|will|would)\b"
)
_TITLE_LINKS = frozenset(["of", "from", "by", "to", "with", "for", "and", "&", "re", "on"])


def _opens_report(text: str, word: re.Match[str], prev: str) -> bool:
    """True when ``word`` opens the item's first sentence: 'Highways Cllr Gray reported …',
    'Finance The Clerk reported …', or a closing 'None.' ('Correspondence None.')."""
    prev = prev.strip("*_")
    if not prev[-1:].isalnum() or prev.lower() in _TITLE_LINKS or prev.lower() == "the":
        return False
    if word.group() in ("None.", "None", "Nil.", "Nil") and not text[word.end() :].strip():
        return True
    opener = word.group().strip("*_") in _SPEAKER_OPENERS
    if opener and _NAMES_ONLY.fullmatch(text, word.start()):
        return True
    return opener and bool(_REPORT_AFTER.match(text, word.start()))


def is_upper(title: str) -> bool:
    """At least 3 letters, 80 % of them capitals.  (In ASCII only letters are upper case,
    so both counts are taken over the whole title in C.)"""
    if title.isascii():
        letters, upper = sum(map(str.isalpha, title)), sum(map(str.isupper, title))
        return letters >= 3 and upper >= 0.8 * letters
    letters = [c for c in title if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def parse_candidate(blocks: list[Block], index: int) -> Candidate | None:
    """Return the item-number candidate that block ``index`` opens, if any."""
    block = blocks[index]
    raw = block.text
    if block.cells and len([c for c in block.cells if c.strip()]) >= 2:
        cells = [clean_text(c) for c in block.cells if clean_text(c)]
        raw = " ".join(cells[:2]) + (" " + " ".join(cells[2:]) if cells[2:] else "")
    text = clean_text(raw)
    if not text or not (text[0].isalnum() or text.startswith("(") and text[1:2].isdigit()):
        return None
    bare = (_BARE.match(text) if _may_open(text, "bare") else None) or (
        _BARE_KEYED.match(text) if _may_open(text, "bare-keyed") else None
    )
    if bare:
        nxt = clean_text(blocks[index + 1].text) if index + 1 < len(blocks) else ""
        if not nxt or not nxt[0].isalpha():
            return None
        title, rest = split_title(nxt)
        evidence = _plain_evidence(blocks[index + 1], nxt)
        if bare.re is _BARE_KEYED:
            number, keyword = bare.group("n"), bare.group("kw").lower()
            style = "item" if keyword.endswith("item") else "minute"
            return Candidate(index, number, title, rest, style, evidence + 0.5, True)
        number = bare.group(1)
        dotted = bool(bare.group(2)) or "." in number
        depth = 0 if number.endswith(".0") else number.count(".")
        style = f"dotted{depth}" if dotted else "glued"
        inner_only = not dotted
        if not dotted and evidence >= 2 and not rest:
            style, inner_only = "bare", False  # '4' alone, then 'PLANNING' (a heading)
        cand = Candidate(index, number, title, rest, style, 0.0, True, inner_only=inner_only)
        cand.evidence = evidence + 0.5
        return cand
    for style, pattern in _PATTERNS_BY_FIRST.get(text[0], _PATTERNS):
        m = pattern.match(text)
        if not m:
            continue
        number, after = m.group(1), m.group(2)
        if style == "keyed" and (not after or _MOVED.match(after)):
            return _motion_candidate(blocks, index, number, after)
        opens = bool(after) and (after[0].isalpha() or after[0] in "“\"'‘(")
        if not opens and not (style == "keyed" and after[:1].isdigit()):
            return None  # ('Resolution 12 – 2024 Tax Rates' may open with a digit)
        penalty = 0.5 if style in ("paren", "dashed") else 0.0  # '1)' often numbers a list
        if penalty and not after[0].isupper():
            return None  # '3) the council agreed …': a list inside an item
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
                if penalty and not split_title(after, plain=True)[1] and len(after) <= 60:
                    penalty = 0.5  # '23 Apologies' alone on its line: a heading
        title, rest = split_title(after)
        cand = Candidate(index, number, title, rest, style, 0.0)
        cand.evidence = _plain_evidence(block, after) - penalty
        cand.evidence += 1.0 if _REF.search(title) else 0.0
        cand.evidence += 1.0 if number.startswith("0") else 0.0
        return cand
    if _may_open(text, "glued") and (m := _GLUED.match(text)):
        title, rest = split_title(m.group(2))
        return Candidate(index, m.group(1), title, rest, "glued", 0.0)
    return None


_MOVED = re.compile(r"(?:Moved|Proposed|Seconded)\s+by\b", re.I)
_THAT = re.compile(r"\b(?:BE IT RESOLVED\s+)?(THAT\b.*)$")


def _motion_candidate(blocks: list[Block], index: int, number: str, after: str) -> Candidate | None:
    """A numbered motion with no title ('Resolution No. R2024-057' / 'Moved by …' /
    'THAT the agenda be adopted.'): titled by its operative text, found in this block or
    the next four; weak heading evidence, so business headings win where there are any."""
    texts = [after] + [clean_text(b.text) for b in blocks[index + 1 : index + 5]]
    for text in texts:
        if m := _THAT.search(text):
            title = re.sub(r"\s*[-–—]?\s*\b(?:carried|defeated)\b.*$", "", m.group(1), flags=re.I)
            title = (
                title if len(title) <= TITLE_MAX else title[: title.rfind(" ", 0, TITLE_MAX)] + "…"
            )
            return Candidate(index, number, tidy_title(title), "", "keyed", -0.5)
    return None


def parse_item_heading(
    text: str, *, bold: bool = False, kind: str = "paragraph"
) -> tuple[str, str] | None:
    """Return (number, title) when one line of text opens with an item number, else None.

    The title is without the number and the REF.  This looks at the line alone; whether
    it really starts an item is decided by :func:`find_item_headings` over the document.
    """
    block = Block(text=text, kind=kind, bold=bold)  # type: ignore[arg-type]
    cand = parse_candidate([block], 0)
    if cand is None:
        return None
    return cand.number, split_ref(cand.title)[0]


def _plain_evidence(block: Block, text: str) -> float:
    """Heading evidence of ``text`` split plainly (see :func:`split_title`), so that finer
    title cuts never change which numbers are chosen as items."""
    title, rest = split_title(text, plain=True)
    return _evidence(block, split_ref(title)[0], rest)


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
    if is_upper(title):
        score += 2
    if not rest and len(title) <= 80:
        score += 0.5
    if title.endswith("…"):
        score -= 0.5
    return score
