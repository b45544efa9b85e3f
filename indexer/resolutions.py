"""Decisions recorded in an agenda item's text, as structured ``Resolution``s.

Recognised forms (all seen in real minutes):

* ``Resolved:`` / ``RESOLVED – That …`` / ``And Resolved:`` (text in the next paragraph) /
  ``Resolved 16/02/13.01 …`` (the parish minute reference becomes the label);
* labelled sub-resolutions ``(i) … (ii) …`` inline or one per paragraph;
* ``It was proposed by X(,) (and) seconded by Y (and unanimously) agreed/resolved that …``;
* ``Proposed by X;`` / ``Seconded by Y;`` paragraphs before ``And Resolved:`` (Limerick);
* Canadian motions: ``Resolution No. R2024-057`` (the label), ``Moved by X`` / ``Seconded by Y``
  (one per line or in one), then ``THAT …`` (the text; a trailing ``CARRIED`` is dropped);
* ``Agreed:`` / ``It was (unanimously) agreed that|to …``; ``Recommended:``;
* Welsh ``Penderfynwyd …`` and ``Cynigiwyd gan X, eiliwyd gan Y a chytunwyd …``.

A paragraph that does not end a sentence and is followed by one starting in lower case
(a page break inside a sentence) is joined to it first, so a resolution is always the whole
sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from indexer.text import squeeze
from kb.model import Resolution

_TERMINAL = ".!?;:”\"')"
_ABBREV = {
    "cllr", "cllrs", "mr", "mrs", "ms", "dr", "no", "ch", "ref", "st", "cyng", "co", "rd",
    "nos", "approx", "etc", "inc", "ltd", "cc", "vs", "e.g", "i.e", "gan", "y",
}  # fmt: skip

_LABEL = r"\((?:[ivx]{1,5}|[a-h]|\d{1,2})\)|(?:[ivx]{1,5}|[a-h])\)"
_LABEL_START = re.compile(rf"^\s*(?P<label>{_LABEL})\s*")
_LABEL_INLINE = re.compile(r"(?:(?<=^)|(?<=[\s;:.]))(?P<label>\((?:[ivx]{1,5}|[a-h])\))\s+")

_RESOLVED = re.compile(
    r"(?:\bAnd\s+)?\b(?P<kw>Resolved|RESOLVED|Penderfynwyd|PENDERFYNWYD|Recommended|RECOMMENDED"
    r"|Agreed|AGREED)\b"
    r"(?:\s*(?P<ref>\d{1,4}/\d{1,4}/\d{1,3}(?:\.\d{1,3})?))?"
    r"(?P<sep>\s*(?:[:–—-]+|\s(?=[Tt]hat\b|to\b)|$))"
)
_PROPOSED = re.compile(
    r"\b(?:It\s+was\s+)?(?:proposed|moved)\s+by\s+(?P<proposer>.+?)\s*,?\s*(?:and\s+)?"
    r"seconded\s+by\s+(?P<seconder>.+?)(?=\s*,|\s+and\b|\s+that\b|\s+to\b|\s+-\s|\s*[.;]?\s*$)",
    re.IGNORECASE,
)
_PROPOSED_ALONE = re.compile(
    r"^\s*(?:Proposed|Moved)\s+by:?\s*(?P<name>(?:(?!seconded)[^;.])+?)\s*[;.]?\s*$", re.I
)
#: 'Resolution No. R2024-057' alone: the number of the motion that follows (Canadian minutes).
_MOTION_NO = re.compile(
    r"^\s*(?:Resolution|Motion)\s*(?:No\.?|Number|#)?\s*"
    r"(?P<label>[A-Z]{0,4}[- ]?\d{1,4}(?:[./-]\d{1,5}){0,2})\s*[:.]?\s*$",
    re.I,
)
#: A motion's operative text: 'THAT the agenda be adopted as presented.' (capitals as printed).
_THAT = re.compile(r"^\s*(?:BE IT RESOLVED\s+)?THAT\b")
_OUTCOME = re.compile(r"\s*[-–—]?\s*\b(?:carried|defeated|lost)(?:\s+unanimously)?\s*\.?\s*$", re.I)
_SECONDED_ALONE = re.compile(r"^\s*Seconded\s+by:?\s*(?P<name>[^;.]+?)\s*[;.]?\s*$", re.I)
_WELSH_PROPOSED = re.compile(
    r"\bCynigiwyd\s+gan\s+(?P<proposer>.+?)\s*,\s*eiliwyd\s+gan\s+(?P<seconder>.+?)"
    r"(?=\s+(?:a|ac)\s+(?:chytunwyd|chymeradwywyd|roedd|phenderfynwyd)\b|\s*,|\s*[.;]?\s*$)",
)
#: _RESOLVED matches only where one of these (case as written) is in the text.
_KEYWORDS = ("Resolved", "RESOLVED", "Penderfynwyd", "PENDERFYNWYD", "Recommended")
_KEYWORDS += ("RECOMMENDED", "Agreed", "AGREED")
_PROPOSAL_TRIGGER = re.compile(r"\b(?:proposed|moved)\s+by\b|\bCynigiwyd\s+gan\b", re.I)
_IT_WAS_AGREED = re.compile(
    r"\bIt\s+was\s+(?:unanimously\s+|also\s+|further\s+)?(?P<kw>agreed|resolved|recommended)"
    r"\s+(?:that|to)\b",
    re.IGNORECASE,
)
_KIND = {"resolved": "resolved", "penderfynwyd": "resolved", "agreed": "agreed"}


def join_broken_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """Return paragraphs with sentences split by a page break joined back together.

    A paragraph is joined to the next when it does not end with sentence punctuation and
    the next starts with a lower-case letter.  Whitespace is folded; empty paragraphs vanish.
    """
    out: list[str] = []
    for para in paragraphs:
        text = squeeze(para)
        if not text:
            continue
        if out and not out[-1].endswith(tuple(_TERMINAL)) and text[:1].islower():
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
    return out


def sentence_end(text: str, start: int = 0) -> int:
    """Return the index just past the sentence that begins at ``start`` in ``text``.

    A sentence ends at '.', '!' or '?' followed by space and a capital (or the end), unless
    the word before the dot is a title or an initial ('Cllr.', 'P.').
    """
    for m in re.finditer(r"[.!?](?:[”\"')]*)(?=\s+[A-Z“\"(]|\s*$)", text[start:]):
        end = start + m.end()
        word = re.search(r"([\w.]+)[.!?][”\"')]*$", text[start:end])
        before = word.group(1).lower() if word else ""
        if before in _ABBREV or (len(before) == 1 and before.isalpha()):
            continue
        return end
    return len(text)


def _kind(keyword: str) -> str:
    key = keyword.lower()
    if key.startswith("recommend"):
        return "recommended"
    return _KIND.get(key, "resolved")


def _clean(text: str) -> str:
    return squeeze(text).strip(" \t-–—:")


def _split_labelled(text: str) -> list[tuple[str | None, str]]:
    """Split '(i) That … (ii) That …' into [(label, text), …]; unlabelled → [(None, text)]."""
    marks = list(_LABEL_INLINE.finditer(text))
    if not marks or marks[0].start() > 0 and text[: marks[0].start()].strip():
        start = _LABEL_START.match(text)
        if start:
            return [(start.group("label"), _clean(text[start.end() :]))]
        return [(None, _clean(text))]
    parts: list[tuple[str | None, str]] = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        parts.append((m.group("label"), _clean(text[m.end() : end])))
    return [p for p in parts if p[1]]


def extract_resolutions(paragraphs: Iterable[str]) -> list[Resolution]:
    """Return the decisions recorded in an item's paragraphs, in order.

    Each resolution's text is the whole decision sentence or paragraph after its keyword
    (``Resolved:`` …), joined across page breaks; labelled parts become separate
    resolutions with their labels; proposer and seconder are names as printed.
    """
    units = join_broken_paragraphs(paragraphs)
    found: list[Resolution] = []
    proposer: str | None = None
    seconder: str | None = None
    label: str | None = None
    i = 0
    while i < len(units):
        unit = units[i]
        if m := _MOTION_NO.match(unit):
            label, i = m.group("label"), i + 1
            continue
        if (proposer or seconder or label) and _THAT.match(unit):
            text = _clean(_OUTCOME.sub("", unit))
            found.append(Resolution(text, "resolved", label, proposer, seconder))
            proposer = seconder = label = None
            i += 1
            continue
        if m := _PROPOSED_ALONE.match(unit):
            proposer, i = _clean(m.group("name")), i + 1
            continue
        if m := _SECONDED_ALONE.match(unit):
            seconder, i = _clean(m.group("name")), i + 1
            continue
        # Labelled continuation paragraphs: '(ii) That …' after a resolution with '(i)'.
        lm = _LABEL_START.match(unit)
        if found and found[-1].label and lm and _same_family(found[-1].label, lm.group("label")):
            for label, text in _split_labelled(unit):
                found.append(Resolution(text=text, kind=found[-1].kind, label=label))
            i += 1
            continue
        consumed = _from_unit(unit, units[i + 1] if i + 1 < len(units) else None, found)
        if consumed is not None:
            new = found[consumed[0] :]
            if new and (proposer or seconder):
                new[0].proposer = new[0].proposer or proposer
                new[0].seconder = new[0].seconder or seconder
                proposer = seconder = None
            if new and label:
                new[0].label, label = new[0].label or label, None
            i += consumed[1]
            continue
        i += 1
    return found


def _same_family(a: str, b: str) -> bool:
    """True when two labels are from one numbering family ('(i)'/'(ii)', '(a)'/'(b)')."""
    ka, kb = a.strip("()"), b.strip("()")
    roman = set("ivx")
    if set(ka) <= roman and set(kb) <= roman:
        return True
    return ka.isalpha() == kb.isalpha() and ka.isdigit() == kb.isdigit()


def _from_unit(unit: str, nxt: str | None, found: list[Resolution]) -> tuple[int, int] | None:
    """Append the resolutions in ``unit`` to ``found``.

    Returns (index of the first new resolution, paragraphs consumed), or None when the
    paragraph records no decision.
    """
    first = len(found)
    proposal, keyword, it_was = _hints(unit)
    trigger = _PROPOSAL_TRIGGER.search(unit) if proposal else None
    if trigger:
        start = _sentence_start(unit, trigger.start())
        sentence = unit[start : sentence_end(unit, trigger.end())].strip()
    m = (_PROPOSED.search(sentence) or _WELSH_PROPOSED.search(sentence)) if trigger else None
    if m:
        # 'Unanimously Carried' / '- all agreed' in the next sentence belongs to it.
        lower = sentence.lower()
        kind = "resolved" if "resolved" in lower or "penderfynwyd" in lower else "agreed"
        text, used = sentence, 1
        if nxt and _THAT.match(nxt) and not unit[m.end() :].strip(" .,;"):
            text, used, kind = _OUTCOME.sub("", nxt), 2, "resolved"  # 'Moved by …' / 'THAT …'
        found.append(
            Resolution(
                text=_clean(text),
                kind=kind,
                proposer=re.sub(r"^y\s+", "", _clean(m.group("proposer"))),  # Welsh 'y Cyng.'
                seconder=re.sub(r"^y\s+", "", _clean(m.group("seconder"))),
            )
        )
        return first, used
    hits = [h for h in _RESOLVED.finditer(unit) if _is_decision_keyword(unit, h)] if keyword else []
    if hits:
        consumed = 1
        for n, h in enumerate(hits):
            end = hits[n + 1].start() if n + 1 < len(hits) else len(unit)
            body = unit[h.end() : end]
            if not h.group("sep").strip(" \t") and not h.group("ref"):
                body = unit[h.start("kw") : end]  # 'Agreed to give …': keep the keyword
            if not _clean(body) and n + 1 == len(hits) and nxt is not None:
                body, consumed = nxt, 2  # 'And Resolved:' with the text in the next paragraph
            kind = _kind(h.group("kw"))
            for label, text in _split_labelled(body):
                if text:
                    found.append(Resolution(text=text, kind=kind, label=label or h.group("ref")))
        return (first, consumed) if len(found) > first else None
    if it_was and (m := _IT_WAS_AGREED.search(unit)):
        start = _sentence_start(unit, m.start())
        end = sentence_end(unit, m.end())
        found.append(Resolution(text=_clean(unit[start:end]), kind=_kind(m.group("kw"))))
        return first, 1
    return None


def _hints(unit: str) -> tuple[bool, bool, bool]:
    """Whether ``unit`` may hold a proposal, a decision keyword, an 'it was agreed': each
    pattern needs a word that a substring test rules out far faster than the regex (for
    ASCII text only: IGNORECASE also folds a few non-ASCII letters); 'it was agreed' needs
    both "was" and its keyword."""
    keyword = any(k in unit for k in _KEYWORDS)
    if not unit.isascii():
        return True, keyword, True
    folded = unit.lower()
    proposal = "proposed" in folded or "moved" in folded or "cynigiwyd" in folded
    it_was = "was" in folded and any(k in folded for k in ("agreed", "resolved", "recommended"))
    return proposal, keyword, it_was


def _is_decision_keyword(unit: str, hit: re.Match[str]) -> bool:
    """A keyword counts when it opens the paragraph or a sentence, or is all capitals."""
    kw = hit.group("kw")
    before = unit[: hit.start()].rstrip()
    opens = not before or before.endswith((".", ":", ";", ")", "”"))
    if kw.isupper() and len(kw) > 2:
        return True
    if kw.lower() in {"agreed", "recommended"}:
        # 'Agreed:' / 'Agreed to …' / 'Agreed that …' opening a sentence; not 'was agreed'.
        return opens
    return opens or bool(hit.group("ref"))


def _sentence_start(text: str, pos: int) -> int:
    """Index where the sentence containing ``pos`` starts."""
    start = 0
    while True:
        end = sentence_end(text, start)
        if end >= pos or end >= len(text):
            return start
        nxt = end
        while nxt < len(text) and text[nxt].isspace():
            nxt += 1
        if nxt > pos:
            return start
        start = nxt
