"""People in a meeting: who spoke or presented in each item, who was only named, and who is who.

Entry point: :func:`resolve_people` fills ``item.speakers`` (spoke or presented, in order of
first speech) and ``item.mentioned`` (named only) with :class:`~kb.model.PersonRef`.

Speaker rule.  A mention is a *speaker* when it is the subject of a speech verb in its
sentence: nothing but an introductory phrase ("In reply to Members,", "Responding to
questions,") or other subjects ("Mr X and Mr Y") comes before it, and only an appositive of
capitalised words ("Vicky Hawkes Strategic Regulatory Manager, Neighbourhood Delivery Luton
Council") sits between it and the verb (advised, explained, reported, stated, said, delivered,
presented, asked, commended…), or an appositive between commas ("Karen Tully, CEO of the
library, presented").  "presentation by X", "question from X", "It was reported by the Clerk"
also make X a speaker.
Pronouns ("She advised") add no speaker; "Officers advised" names nobody.  Proposers and
seconders, people thanked, apologies and "on behalf of Y" are *mentioned*.

Identity.  Within a meeting every form of one person is linked: attendance entries and
members-table rows first, then text forms by surname and compatible given name or initial;
"the Chair" is the attendance chair (so are "the Convenor", "the Mayor", "the Reeve"; with no
chair named, the one person titled Mayor/Reeve; their deputies likewise); a role phrase ("the
Clerk", "the CAO") is matched to the post printed beside a name in attendance or a table,
the exact post when two share words ("Town Clerk" / "Deputy Town Clerk").  Across meetings
:class:`~indexer.people_registry.PeopleRegistry` gives stable ids (see that module).
A post that speaks but is never named in the meeting ("The Clerk reported") gets the id
``council/role/<post-slug>`` (``wye-valley/role/clerk``); such posts are not registry people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.people_names import (
    NO_CUES,
    ROLE_WORDS,
    NameForm,
    chair_kind,
    find_mentions,
    fold_name,
    norm_surname,
    parse_name,
    sentence_cues,
)
from indexer.people_registry import PeopleRegistry, Person
from indexer.sentences import sentences
from kb.model import Meeting, MembersTable, PersonRef, slugify

__all__ = [
    "FoundPeople",
    "PeopleRegistry",
    "Person",
    "assign_people",
    "find_people",
    "item_people",
    "resolve_people",
    "sentences",
]

SPEECH = re.compile(
    r"\b(?:advised|explained|reported|stated|said|informed|outlined|updated|presented|"
    r"delivered|gave|introduced|asked|queried|questioned|enquired|inquired|raised|replied|"
    r"responded|answered|confirmed|clarified|commented|noted|welcomed|commended|thanked|"
    r"congratulated|highlighted|expressed|added|indicated|suggested|requested|spoke|"
    r"addressed|emphasi[sz]ed|stressed|pointed|referred|acknowledged|mentioned|remarked|"
    r"urged|called|sought|told|briefed|summari[sz]ed|reminded|described|detailed|"
    r"expanded|elaborated|assured|feels|felt|believed|reiterated|extended|set out|shared|"
    r"offered|voiced|re|circulated|tabled|"
    r"led|opened|invited|provided an update|read)\b"
)
#: Lowercase words allowed between a subject and its verb, or before a subject.
CONNECTORS = frozenset(
    [
        "and",
        "of",
        "the",
        "for",
        "in",
        "on",
        "at",
        "to",
        "then",
        "also",
        "further",
        "briefly",
        "duly",
        "kindly",
        "again",
        "subsequently",
        "later",
        "from",
        "with",
        "both",
    ]
)
INTRO = re.compile(
    r"^\s*(?:In|On|When|While|Whilst|Following|After|Before|Responding|Replying|Answering|"
    r"Speaking|Referring|Regarding|With|Having|Commenting|Turning|As)\b"
)
INTRO_NO_COMMA = re.compile(r"^\s*(?:In (?:reply|response|answer)|Responding|Replying)\b", re.I)
BY_BEFORE = re.compile(
    r"\b(?:given|presented|delivered|introduced|outlined|presentation|update|briefing|"
    r"questions?|quer(?:y|ies)|comments?|raised|asked|addressed|reported|stated|advised|"
    r"explained|confirmed|read|informed|told|updated|briefed|assured|(?:discussion|debate)\s+led)"
    r"\s+(?:\w+\s+)?(?:from|by)\s*"
    r"(?:(?:County|District|Borough|Town|City|Parish)\s+)?$"
    # a sentence that opens with the report: 'Report from County Councillor Ford.'
    r"|^\s*(?:(?:a|the)\s+)?(?:\w+\s+)?reports?\s+(?:(?:were|was)\s+(?:received|given|presented)\s+)?"
    r"(?:from|by)\s*(?:(?:County|District|Borough|Town|City|Parish)\s+)?$",
    re.I,
)
#: Names listed after 'by'/'from' ('received from X, Y and Z'): each is the one before.
_LISTED_BEFORE = re.compile(r"(?:\x00\d+\x00\s*(?:,|and|&)\s*)+$")
_LIST_GOES_ON = re.compile(r"\s*(?:,|and|&)\s*(?:and\s+)?\x00")
POSTPONED = re.compile(
    r"\b(?:delayed|postponed|deferred|cancelled|adjourned|will|would|forthcoming|upcoming|"
    r"next meeting)\b"
)
#: 'in readiness for a presentation by X': a presentation still to come.
_AHEAD = re.compile(r"\b(?:in readiness for|in preparation for|ahead of|prior to)\b[^.]*$", re.I)
_PLACE = "\x00{}\x00"


def _only_connectors(text: str) -> bool:
    """True when ``text`` holds nothing but placeholders, punctuation, capitalised words
    (an appositive such as a job title) and connector words."""
    text = re.sub(r"\x00\d+\x00", " ", text)
    for word in re.findall(r"[^\W\d_][\w'’\-]*", text):
        if word[0].islower() and word not in CONNECTORS:
            return False
    return len(text.split()) <= 25


_APPOSITIVE = re.compile(
    r"\s*,[^,;()\x00]{1,80},\s*(?:also\s+|then\s+|further\s+)?"
    r"|\s*(?:was|were)\s+(?:present|in attendance)\s+and\s+"  # 'X was present and reported'
    r"|\s*(?:of|from)\s+(?:the\s+)?(?:[\w'’&-]+\s+){1,4}"  # 'Mrs Patel from the school addressed'
)
#: 'A member of the public, Mr Harris, spoke …': the person named after a description.
_LEAD_APPOSITIVE = re.compile(r"\s*(?:A|An|The)\s+[^,.;\x00]{1,40},\s*")
#: A second clause: '… queried the cost and the Clerk responded' (the first has a verb).
_CLAUSE_AND = re.compile(r"\x00\s+[a-z]{3,}\b[^\x00]*\s(?:and|but|whilst|while)\s+(?:the\s+)?$")


def _speaking(masked: str, idx: int) -> bool:
    """Decide whether placeholder ``idx`` in a masked sentence is the subject of speech."""
    token = _PLACE.format(idx)
    start = masked.index(token)
    prefix, rest = masked[:start], masked[start + len(token) :]
    listed = _LISTED_BEFORE.search(prefix)
    if listed and listed.group().rstrip().endswith(",") and not _LIST_GOES_ON.match(rest):
        listed = None  # 'by X, Information Technology, Garda': an appositive, not a list
    if BY_BEFORE.search(prefix[: listed.start()] if listed else prefix):  # not the next clause's
        return not POSTPONED.search(rest.split(",")[0]) and not _AHEAD.search(prefix)
    if prefix.strip() and not (
        _only_connectors(prefix)
        or re.search(r"[,;]\s*(?:and|but|then)\s*$", prefix)
        or _CLAUSE_AND.search(prefix)  # 'Cllr X queried the cost and the Clerk responded'
        or _LEAD_APPOSITIVE.fullmatch(prefix)
        and rest.lstrip().startswith(",")
        or INTRO.match(prefix)
        and prefix.rstrip().endswith(",")
        or INTRO_NO_COMMA.match(prefix)
        and "," not in prefix
    ):
        return False
    verb = SPEECH.search(rest)
    if not verb:
        return False
    between = re.sub(r"\([^()\x00]{0,60}\)", " ", rest[: verb.start()])  # 'Mrs Brown (resident)'
    # '… or an appositive between commas: 'Karen Tully, CEO of the library, presented'
    return _only_connectors(between) or bool(_APPOSITIVE.fullmatch(between))


@dataclass
class _Who:
    """A person within one meeting: every form seen, merged."""

    surname: str | None
    given: str | None = None
    initials: str = ""
    titles: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    chair: str | None = None
    person_id: str = ""

    @property
    def name(self) -> str:
        if self.surname is None:
            return f"the {self.roles[0]}" if self.roles else "the Chair"
        title = next((t for t in self.titles if t not in ("Mr", "Mrs", "Ms", "Miss")), "")
        first = self.given or ".".join(self.initials) + ("." if self.initials else "")
        return " ".join(p for p in (title, first, self.surname) if p)

    def compatible(self, form: NameForm) -> bool:
        if form.surname is None or self.surname is None:
            return False
        if norm_surname(form.surname) != norm_surname(self.surname):
            return False
        if form.given and self.given:
            return fold_name(form.given) == fold_name(self.given)
        a, b = (form.initials or "")[:1], self.initials[:1]
        return not (a and b and a != b)

    def absorb(self, form: NameForm) -> None:
        self.given = self.given or form.given
        if len(form.initials) > len(self.initials) or not self.initials:
            self.initials = form.initials or self.initials
        for t in form.titles:
            if t not in self.titles:
                self.titles.append(t)
        if form.role and form.role not in self.roles:
            self.roles.append(form.role)
        if form.form not in self.forms:
            self.forms.append(form.form)
        self.chair = self.chair or form.chair


class _Cast:
    """The people of one meeting, built from attendance and tables, grown from the text."""

    def __init__(self, meeting: Meeting) -> None:
        self.people: list[_Who] = []
        att = meeting.attendance
        if att.chair:
            self._seed(att.chair, chair="chair")
        for entry in att.vice_chairs:
            self._seed(entry, chair="vice")
        for entry in att.present + att.officers:
            self._seed(entry)
        for table in att.members_tables:
            for form in table_people(table):
                self.add(form)
        self._chair_by_title()
        self.known = {norm_surname(w.surname) for w in self.people if w.surname}

    def _chair_by_title(self) -> None:
        """With no chair named as such, the one person titled Mayor/Reeve/Convenor chairs
        ('Mayor Gail Henderson'), and the one titled Deputy Mayor/Reeve is the vice chair."""
        for kind in ("chair", "vice"):
            if any(w.chair == kind for w in self.people):
                continue
            titled = [w for w in self.people if any(chair_kind(t) == kind for t in w.titles)]
            if len(titled) == 1:
                titled[0].chair = kind

    def _seed(self, entry: str, chair: str | None = None) -> None:
        """Add the people of one attendance entry (one name, or a run of several)."""
        entry = re.sub(r"\s+(?:and|&)$", "", entry.strip())
        spans = [s for s in find_mentions(entry, set()) if s[2].surname]
        if len(spans) <= 1:
            form = parse_name(entry)
            if form:
                form.chair = form.chair or chair
                self.add(form)
            return
        for start, end, form in spans:  # "Cllr A (Chair) Cllr B (Vice-Chair) C D (Clerk)"
            after = re.match(r"\s*\(([^()]*)\)", entry[end:])
            before = re.search(r"([A-Z][^(),]*?)\s*\($", entry[:start])
            role = after.group(1).strip() if after else None
            if chair_kind(role):
                form.chair = chair_kind(role)
            elif role:
                form.role = role
            elif before and entry[end:].lstrip().startswith(")"):
                form.role = before.group(1).strip()
            form.chair = form.chair or chair
            self.add(form)

    def add(self, form: NameForm) -> _Who | None:
        """Link ``form`` to a known person (or a new one); role-only forms resolve by title."""
        if form.surname is None:
            return self.by_role(form)
        matches = [w for w in self.people if w.compatible(form)]
        if len(matches) > 1:  # prefer the one agreeing on given name or initial
            exact = [
                w
                for w in matches
                if w.given and form.given or w.initials[:1] == (form.initials or "")[:1]
            ]
            # a bare surname shared by people with different initials is ambiguous: keep it
            # apart rather than guess ("Collins" when J. Collins and L. Collins are present)
            matches = exact[:1] or ([] if not (form.given or form.initials) else matches[:1])
        who = matches[0] if matches else _Who(form.surname)
        if not matches:
            self.people.append(who)
        who.absorb(form)
        return who

    def by_role(self, form: NameForm, create: bool = False) -> _Who | None:
        if form.chair:  # "the Vice Chair" with two vice chairs names nobody in particular
            chairs = [w for w in self.people if w.chair == form.chair]
            return chairs[0] if len(chairs) == 1 else None
        role_words = _role_tokens(form.role or "")
        if not role_words:
            return None
        hits = [
            w
            for w in self.people
            if w.surname and any(role_words <= _role_tokens(r) for r in w.roles)
        ]
        if len(hits) > 1:  # 'the Town Clerk' beside a Deputy Town Clerk: the exact post
            hits = [w for w in hits if any(role_words == _role_tokens(r) for r in w.roles)]
        if len(hits) == 1:
            if form.form not in hits[0].forms:
                hits[0].forms.append(form.form)
            return hits[0]
        if not create or not role_words & ROLE_WORDS or not form.role or form.role.endswith("s"):
            return None
        for who in self.people:  # the same unnamed post seen before in this meeting
            if who.surname is None and who.roles and _role_tokens(who.roles[0]) == role_words:
                return who
        who = _Who(None, roles=[form.role], forms=[form.form])
        self.people.append(who)
        return who


_ABBREV = {"exec": "executive", "dir": "director", "mgr": "manager", "supt": "superintendent"}


def _role_tokens(role: str) -> set[str]:
    words = re.findall(r"[a-z]+", role.lower())
    return {_ABBREV.get(w, w) for w in words if w not in CONNECTORS and w not in ("the", "a")}


def table_people(table: MembersTable) -> list[NameForm]:
    """People in a members table: columns chosen by header (surname / first name / job title)."""
    header = [re.sub(r"<[^>]+>", "", h).strip().lower() for h in table.header]

    def col(*words: str) -> int | None:
        return next((i for i, h in enumerate(header) if any(w in h for w in words)), None)

    sur, first = col("surname", "last"), col("first", "forename", "given")
    name, role = col("name"), col("title", "role", "position", "organisation")
    out: list[NameForm] = []
    for row in table.rows:

        def cell(i: int | None, row: list[str] = row) -> str:
            return row[i].strip() if i is not None and i < len(row) else ""

        if sur is not None:
            text = f"{cell(first)} {cell(sur)}".strip()
            text = re.sub(r"^(Cllr|Councillor|Mr|Mrs|Ms|Dr)\.?\s+(.*)$", r"\1 \2", text)
        else:
            text = cell(name)
        form = parse_name(text)
        if form and form.surname:
            form.role = cell(role) or form.role
            form.form = text
            out.append(form)
    return out


def item_people(text: str, cast: _Cast) -> tuple[list[_Who], list[_Who]]:
    """(speakers in order of first speech, mentioned-only) for one item's text."""
    speakers: list[_Who] = []
    mentioned: list[_Who] = []
    split = sentences(text)
    for sentence, cues in zip(split, sentence_cues(split), strict=True):
        spans = find_mentions(sentence, cast.known, cues) if cues != NO_CUES else []
        if not spans:
            continue
        masked, last = "", 0
        for i, (start, end, _) in enumerate(spans):
            masked += sentence[last:start] + _PLACE.format(i)
            last = end
        masked += sentence[last:]
        for i, (_, _, form) in enumerate(spans):
            speaking = _speaking(masked, i)
            who = cast.add(form) if form.surname else cast.by_role(form, create=speaking)
            if who is None:
                continue
            target = speakers if speaking else mentioned
            if who not in target:
                target.append(who)
    return speakers, [w for w in mentioned if w not in speakers]


def _ref(who: _Who, form_index: int = 0) -> PersonRef:
    role = who.roles[0] if who.roles else None
    return PersonRef(who.person_id, who.name, who.forms[form_index] if who.forms else "", role)


@dataclass
class FoundPeople:
    """The people of one meeting found in its text, before ids are given: every person
    (:attr:`people`) and, per item, (speakers, mentioned-only).  Picklable, so it can be
    found in a worker process and resolved in the process that owns the registry; pickled
    together with nothing else, the per-item lists keep pointing at the same people."""

    people: list[_Who]
    per_item: list[tuple[list[_Who], list[_Who]]]


def find_people(meeting: Meeting) -> FoundPeople:
    """Who is in each item of ``meeting`` (attendance, tables, text); no registry needed."""
    cast = _Cast(meeting)
    per_item = []
    for item in meeting.items:
        title = item.title.title() if item.title.isupper() else item.title
        per_item.append(item_people(f"{title}\n{item.body}", cast))
    return FoundPeople(cast.people, per_item)


def assign_people(
    meeting: Meeting, found: FoundPeople, registry: PeopleRegistry | None = None
) -> None:
    """Give the people ``found`` in ``meeting`` their ids through ``registry`` and fill every
    item's ``speakers`` and ``mentioned`` (the second half of :func:`resolve_people`)."""
    registry = registry if registry is not None else PeopleRegistry()
    council = slugify(meeting.council)
    for who in found.people:
        if who.surname is None:
            who.person_id = f"{council}/role/{slugify(who.roles[0])}"
            continue
        who.person_id = registry.resolve(
            council,
            surname=who.surname,
            given=who.given,
            initials=who.initials,
            titles=who.titles,
            forms=who.forms,
            roles=who.roles,
            date=meeting.date,
            committee=meeting.committee,
        )
    for item, (speakers, mentioned) in zip(meeting.items, found.per_item, strict=True):
        item.speakers = [_ref(w) for w in speakers]
        item.mentioned = [_ref(w) for w in mentioned]
        for who in speakers:
            if who.surname is not None:
                registry.note_item(who.person_id, item.id)


def resolve_people(meeting: Meeting, registry: PeopleRegistry | None = None) -> None:
    """Fill every item's ``speakers`` and ``mentioned`` and record people in ``registry``.

    Without a registry a private one is used, so ids are the same readable
    ``council/given-surname`` form either way.  Never raises on odd text.
    (:func:`find_people` then :func:`assign_people`.)
    """
    assign_people(meeting, find_people(meeting), registry)
