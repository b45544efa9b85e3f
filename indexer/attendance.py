"""Who was at a meeting: chair, vice chairs, present, apologies, officers, members tables.

Minutes print attendance as labelled runs of names near the top:

    PRESENT: COUNCILLORS                              (a label alone, names below)
    Councillor M. Dolling (Chair), Agbley (Vice Chair), Baker (Vice Chair),
    Councillors Chapman, Franks, Keens, T. Malik, Mirza, Rogers, Roden and J. Taylor.

    Present: Cllr D Llewellyn - Chairman, Cllr I. Mack - Vice Chairman
    IN THE CHAIR : / COUNCILLORS : / OFFICIALS : / APOLOGIES :   (Limerick)

:func:`extract_attendance` reads those runs from the blocks before the first agenda item
(apologies also from the first items: "An apology for absence … was received from
Councillor Moles").  Names are returned as printed, without titles (``Councillor``,
``Cllr``, ``Cllrs.``), roles or trailing punctuation: ``"M. Dolling"``, ``"Agbley"``.
"""

from __future__ import annotations

import re
from dataclasses import replace

from indexer.people_names import ROLE_WORDS, chair_kind, parse_name
from kb.model import Attendance, Block, MembersTable

_LABELS: dict[str, str] = {
    r"present in the chair|in the chair|cadeirydd": "chair",
    r"present|members present|councillors present|presennol|attendance|sederunt|"
    r"in attendance:? members": ("present"),
    r"chair(?:man|person)?": "chair",
    r"councillors|cllrs|cynghorwyr|members": "present",
    r"apolog(?:y|ies)(?: for absence)?(?: received)?|ymddiheuriadau|regrets": "apologies",
    r"(?:also )?in attendance|officers?(?: present| in attendance)?|officials|also present|"
    r"clerk|staff(?: present| in attendance)?|garda nominations": "officers",
}
_LABEL_RX = [
    (re.compile(rf"^\s*(?:{rx})\s*(?::|-|–|\s*$)\s*(?P<rest>.*)$", re.I | re.S), role)
    for rx, role in _LABELS.items()
]
#: A label that is itself a post: the people after it hold it ('Clerk: Ms R Stevens').
_POST_LABEL = re.compile(
    r"^\s*(?P<post>(?:(?:parish|town|community|deputy|assistant)\s+)?clerk(?:\s+to the council)?"
    r"|(?:responsible financial officer|rfo|treasurer|secretary))\s*[:\-–]",
    re.I,
)
#: Members of the public counted among those in attendance are not officers.
_PUBLIC = re.compile(
    r"\bmembers? of (?:the )?public\b|^(?:\d+|one|two|three|four|five|six|several|no)\s+"
    r"(?:\w+\s+)?(?:members?|residents?|parishioners|people|public)\b",
    re.I,
)
_TITLE = re.compile(
    r"^(?:(?:county|district|borough|town|community|parish)\s+)?"
    r"(?:councillors?|cllrs?\.?|cyng\.?|cynghorwyr|mr\.?|mrs\.?|ms\.?|miss|dr\.?)\s+",
    re.I,
)
_ROLE_PAREN = re.compile(r"\((?P<role>[^)]*)\)")
_ROLE_DASH = re.compile(r"\s+[-–]\s+(?P<role>[^-–]+)$|\s+(?P<chair>in the chair)$", re.I)
_ROLE_ONLY = re.compile(r"(?:vice[- ])?chair(?:man|person)?", re.I)
_ROLE_PREFIX = re.compile(r"^(?P<role>(?:vice[- ])?chair(?:man|person)?)\s+", re.I)
_NOT_NAME = re.compile(
    r"\d|members? of (?:the )?public|\bclerk\b|\bnone\b|\bno one\b|\bnil\b|^the\b|"
    r"^(?:mayor|(?:chief\s+)?superintendent|inspector|sergeant|borough|county|parish|"
    r"councillors?|t\.?d\.?|n/?a|chief executive|deputy|mr|mrs|ms|miss|dr)$|councillor|/",
    re.I,
)


def split_names(text: str) -> list[tuple[str, str | None]]:
    """Split a printed list of people into ``(name, role)`` pairs.

    Separators are commas, semicolons, ' and ', '&'.  Titles are dropped; a role in
    brackets ('(Chair)'), after a dash ('- Vice Chairman') or before the name ('Chair Cllr
    X') is returned separately.  Entries that are not names (counts, 'members of the
    public', 'the Clerk', 'None') are skipped.
    """
    text = re.sub(r"\s+", " ", text).strip().rstrip(".")
    out: list[tuple[str, str | None]] = []
    splitter = (
        r",|;|\s+and\s+|\s+&\s+|\s+\+\s+|\s+a\s+(?=[A-Z])"
        r"|(?<!ounty)\s+(?=(?i:county\s+)?(?i:councillor|cllr))"
    )
    pending: str | None = None
    for raw in re.split(splitter, text):
        part = re.sub(r"\s+(?:and|&)$", "", raw.strip(" .:"))
        if _ROLE_ONLY.fullmatch(part):
            pending = part
            continue
        role, pending = pending, None
        m = _ROLE_PAREN.search(part)
        if m:
            role, part = m.group("role").strip(), (part[: m.start()] + part[m.end() :]).strip()
        m = _ROLE_DASH.search(part)
        if m:
            role, part = (m.group("role") or "chair").strip(), part[: m.start()].strip()
        m = _ROLE_PREFIX.match(part)
        if m:
            role, part = m.group("role"), part[m.end() :].strip()
        while True:
            stripped = _TITLE.sub("", part).strip()
            if stripped == part:
                break
            part = stripped
        if not part or _NOT_NAME.search(part) or not part[:1].isupper() or len(part) > 40:
            continue
        out.append((part, role))
    return out


def _label(block: Block) -> tuple[str, str] | None:
    """``(role, rest of line)`` when the block starts with an attendance label."""
    text = block.text.replace("\t", " ")
    for rx, role in _LABEL_RX:
        m = rx.match(text)
        if m:
            return role, m.group("rest").strip()
    return None


def _is_chair_role(role: str | None) -> bool:
    return chair_kind(role) == "chair"


def _is_vice_role(role: str | None) -> bool:
    return chair_kind(role) == "vice"


def extract_attendance(preamble: list[Block], body: list[Block]) -> Attendance:
    """Attendance from the blocks before the first item (``preamble``) and the first items.

    A label line ('PRESENT:', 'APOLOGIES:', 'IN THE CHAIR :', 'OFFICIALS :') starts a run;
    the run continues over following paragraph blocks until the next label, heading-like
    bold block, table row or item.  Apologies missing from the preamble are looked for in
    the first eight ``body`` blocks.
    """
    att = Attendance()
    _scan(preamble, att)
    if not (att.present or att.chair or att.officers):
        # An agenda list printed above 'Present:' ends the preamble too early: read the
        # labelled runs of the first blocks after it ('1. Apologies' / … / 'Present: …').
        _scan(body[:_AFTER_AGENDA], att, labelled_only=True)
    if not att.apologies:
        for block in body[:8]:
            m = re.search(r"apolog\w*", block.text, re.I)
            if not m:
                continue
            f = re.search(r".*\bfrom\b|:", block.text[m.end() :])
            if f:
                _add(att, "apologies", block.text[m.end() + f.end() :])
            if att.apologies:
                break
    att.members_tables = members_tables(preamble)
    return att


_AFTER_AGENDA = 30
#: A label inside a paragraph, where a PDF joined the lines ('… at 7.30pm Present: Cllr A …').
_INNER_LABEL = re.compile(
    r"(?<=\s)(?<!(?i:staff) )(?<!(?i:also) )(?<!(?i:members) )(?<!(?i:council) )"
    r"(?<!(?i:councillors) )"
    r"(?=(?:Present|PRESENT|Members [Pp]resent|Councillors [Pp]resent|In [Aa]ttendance|"
    r"IN ATTENDANCE|Also [Pp]resent|ALSO PRESENT|Apologies|APOLOGIES|Staff [Pp]resent|Staff|"
    r"Officers [Pp]resent|Officers|Regrets|"
    r"Sederunt)\s*:)"
)


def _split_at_labels(block: Block) -> list[Block]:
    """``block`` cut before each attendance label inside it (one block when there is none)."""
    if block.kind == "table-row" or not _INNER_LABEL.search(block.text):
        return [block]
    parts = [p.strip() for p in _INNER_LABEL.split(block.text) if p.strip()]
    return [replace(block, text=p) for p in parts]


def _scan(blocks: list[Block], att: Attendance, labelled_only: bool = False) -> None:
    """Add to ``att`` the labelled runs of names in ``blocks`` (see :func:`extract_attendance`).

    ``labelled_only`` reads only 'Present'/'In attendance'-type labels (not 'Apologies', which
    is also an agenda item's title) and stops at the first block after a run.
    """
    role: str | None = None
    expect_more = False
    # a run's text cut inside a bracket ('Superintendent (Mr. B.' / 'Sugrue), …'), held
    # until the next block closes it, so one entry is never split across two blocks
    held = ""

    def add(text: str) -> bool:
        """Add ``text`` (after any held part) to the run; True when the run goes on."""
        nonlocal held
        text = f"{held} {text}".strip() if held else text
        held = ""
        if text.count("(") > text.count(")"):
            held = text
            return True
        _add(att, role or "", text)
        return _continues(text)

    def flush() -> None:
        nonlocal held
        if held and role:
            _add(att, role, held)
        held = ""

    for block in (part for b in blocks for part in _split_at_labels(b)):
        found = _label(block)
        if found and labelled_only and found[0] == "apologies":
            found = None
        if found:
            flush()
            role, rest = found
            if role == "present" and re.match(r"councillors?\s*:?\s*$", rest, re.I):
                rest = ""
            before = len(att.officers)
            expect_more = add(rest) or not rest
            if post := _POST_LABEL.match(block.text.replace("*", "")):  # 'Clerk: Ms R Stevens'
                for k in range(before, len(att.officers)):
                    if not _is_post(att.officers[k]) and "," not in att.officers[k]:
                        att.officers[k] += f", {post.group('post').strip()}"
            continue
        starts_like_names = bool(_TITLE.match(block.text) or re.match(r"and\b", block.text))
        if (
            role
            and not block.bold
            and block.kind != "table-row"
            and (expect_more or starts_like_names)
        ):
            expect_more = add(block.text)
        else:
            flush()
            if labelled_only and role:
                return
            role, expect_more = None, False
    flush()


def _continues(text: str) -> bool:
    """True when a printed list of names runs on to the next line (ends with ',', 'and', '&')."""
    return bool(re.search(r"(?:,|\band|&)\s*$", text))


def _add(att: Attendance, role: str, text: str) -> None:
    """Add the people printed in ``text`` to ``att`` under ``role``.

    Officers keep their printed form ('Chief Executive (Dr. P. Daly)'); others are split
    into names.  A clerk named among those present ('… & the Clerk') is listed as an officer.
    """
    if (
        role == "present"
        and re.search(r"\bthe clerk\b", text, re.I)
        and "Clerk" not in att.officers
    ):
        att.officers.append("Clerk")
    text = re.sub(r"^\s*(?:resolved|agreed)\s*:\s*", "", text, flags=re.I)
    text = re.sub(
        r"^\s*(?:(?:were|was|have been|had been)\s+)?(?:(?:received|given|tendered)\s+)?"
        r"(?:from\s+)?[:\-–]?\s*",
        "",
        text,
        flags=re.I,
    )
    if role == "officers":
        for part in re.split(r",(?![^(]*\))|;|\s+and\s+(?![^(]*\))", text):
            part = re.sub(r"\s+(?:and|&)$", "", part.strip(" .:"))
            if not part or re.fullmatch(r"none|nil|and", part, re.I) or _PUBLIC.search(part):
                continue
            last = att.officers[-1] if att.officers else ""
            # a post after a bare name is that person's ('Mrs Rhian Davies, Clerk'); after
            # 'Rank (Mr. X. Name)' the name already has its post, so it starts a new entry
            if last and _is_post(part) and not _is_post(last) and "(" not in last:
                att.officers[-1] += f", {part}"  # 'Mrs Rhian Davies, Clerk': one officer
            else:
                att.officers.append(part)
        return
    for name, printed_role in split_names(text):
        if role == "apologies":
            att.apologies.append(name)
            continue
        if role == "chair" or _is_chair_role(printed_role):
            att.chair = att.chair or name
        elif _is_vice_role(printed_role):
            att.vice_chairs.append(name)
        elif printed_role and _is_post(printed_role):  # 'Mr I Jamieson (Treasurer)'
            att.officers.append(f"{name} ({printed_role})")
        if name not in att.present:
            att.present.append(name)


def _is_post(text: str) -> bool:
    """True when ``text`` names a post and no person ('Clerk', 'Director of Finance'); a
    post with its holder in brackets ('Superintendent (Mr. B. Sugrue', even with the
    bracket left open by the document) names a person."""
    held = re.search(r"\(([^()]*)\)?\s*$", text)
    if held and (holder := parse_name(held.group(1))) and holder.surname:
        return False
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
    form = parse_name(text)
    return bool(words & ROLE_WORDS) and not (form and (form.given or form.initials or form.titles))


_HEADER_CELL = re.compile(
    r"(?:(?:first|given|last|sur|fore)\s*name|name|role|title|job title|position|"
    r"organi[sz]ation|councillor|member|officer)s?",
    re.I,
)


def _is_header_row(row: Block) -> bool:
    """A table row whose every cell is a column name ('Name | Role')."""
    cells = [c.strip() for c in row.cells or [] if c.strip()]
    return bool(cells) and all(_HEADER_CELL.fullmatch(c) for c in cells)


def _lone_name_cell(block: Block) -> bool:
    """A table row read as a paragraph because its other cells are empty ('| Cllr X | |')."""
    text = block.text.strip()
    return block.kind == "paragraph" and len(text) <= 60 and parse_name(text) is not None


def members_tables(blocks: list[Block]) -> list[MembersTable]:
    """Tables of members or officers: a heading naming members, officers, staff or those
    present, followed by two or more table rows.

    The first row is the header when it is bold (e.g. SURNAME / FIRST NAME / JOB TITLE).
    """
    tables: list[MembersTable] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind != "table-row" and re.search(
            r"\bmembers?\b|\bmembership\b|\bofficers\b|\bstaff\b|\bpresent\b|\battendance\b",
            block.text,
            re.I,
        ):
            rows = []
            j = i + 1
            while j < len(blocks) and (
                blocks[j].kind == "table-row" or rows and _lone_name_cell(blocks[j])
            ):
                rows.append(blocks[j])
                j += 1
            if len(rows) >= 2:
                header: list[str] = []
                if rows[0].bold or _is_header_row(rows[0]):
                    header = [c for c in (rows[0].cells or []) if c]
                    rows = rows[1:]
                tables.append(
                    MembersTable(
                        title=block.text,
                        header=header,
                        rows=[[c for c in (r.cells or [r.text]) if c] for r in rows],
                    )
                )
                i = j
                continue
        i += 1
    return tables
