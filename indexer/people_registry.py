"""``PeopleRegistry``: one record per person per council, across meetings, saved as JSON.

Ids are readable and stable: ``council/given-surname`` (``luton/greg-horsford``), else
``council/initials-surname`` when only initials were ever printed (``luton/m-dolling``), else
``council/surname``.  An id never changes once given: when "M. Dolling" is later seen as
"Meryl Dolling" the record keeps ``luton/m-dolling``, takes the full name as canonical and
records ``luton/meryl-dolling`` as an alias, which :meth:`PeopleRegistry.get` also answers.

Linking rule across meetings: the same person when surnames agree and the given name or its
initial agrees and nothing contradicts (two different given names, or Mr vs Mrs/Ms).  A sighting
with a surname only links only to a record that also has no given name or initial.
The index writer stores the registry in the index folder (:data:`FILENAME`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from indexer.people_names import fold_name
from kb.model import slugify

FILENAME = "people.json"
_MALE, _FEMALE = {"Mr"}, {"Mrs", "Ms", "Miss"}


@dataclass
class Person:
    """Everything known about one person in one council."""

    id: str
    council: str
    name: str
    surname: str
    given: str | None = None
    initials: str = ""
    forms: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    roles: list[dict[str, str]] = field(default_factory=list)  # {"role", "date"}
    committees: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # item ids spoken in

    def agrees(self, surname: str, given: str | None, initials: str, titles: list[str]) -> bool:
        """True when a sighting can be this person (see the module's linking rule)."""
        if _fold(surname) != _fold(self.surname):
            return False
        if (set(titles) & _MALE and set(self.titles) & _FEMALE) or (
            set(titles) & _FEMALE and set(self.titles) & _MALE
        ):
            return False
        if given and self.given:
            return fold_name(given) == fold_name(self.given)
        mine = (self.initials or self.given or "")[:1]
        theirs = (initials or given or "")[:1]
        if mine and theirs:
            return mine == theirs
        return not mine and not theirs


@lru_cache(maxsize=65_536)
def _fold(surname: str) -> str:
    """A surname as compared across meetings: folded, letters and digits only (cached)."""
    return "".join(ch for ch in fold_name(surname) if ch.isalnum())


def _canonical(surname: str, given: str | None, initials: str, titles: list[str]) -> str:
    first = given or " ".join(f"{c}." for c in initials)
    title = next((t for t in titles if t not in ("Mr", "Mrs", "Ms", "Miss")), "")
    return " ".join(p for p in (title, first, surname) if p)


class PeopleRegistry:
    """People per council, keyed by stable id; persists as JSON (atomic save)."""

    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self._alias: dict[str, str] = {}
        #: (council, folded surname) → people: a sighting is compared with its namesakes
        #: only, not with everyone (the registry grows with the index)
        self._by_surname: dict[tuple[str, str], list[Person]] = {}

    def _add(self, person: Person) -> None:
        """Store ``person`` under its id and its (council, folded surname)."""
        self.people[person.id] = person
        self._by_surname.setdefault((person.council, _fold(person.surname)), []).append(person)

    def __len__(self) -> int:
        return len(self.people)

    def get(self, person_id: str) -> Person | None:
        """The person with this id or alias, else None."""
        return self.people.get(self._alias.get(person_id, person_id))

    def _new_id(self, council: str, surname: str, given: str | None, initials: str) -> str:
        stem = slugify(f"{given or initials[:1]} {surname}".strip())
        base = f"{council}/{stem}"
        candidate, n = base, 1
        while candidate in self.people or candidate in self._alias:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def resolve(
        self,
        council: str,
        *,
        surname: str,
        given: str | None = None,
        initials: str = "",
        titles: list[str] | None = None,
        forms: list[str] | None = None,
        roles: list[str] | None = None,
        date: dt.date | None = None,
        committee: str = "",
    ) -> str:
        """Return the id of the person this sighting is, creating or enriching the record."""
        titles = titles or []
        council = slugify(council)
        initials = initials or (given or "")[:1]
        namesakes = self._by_surname.get((council, _fold(surname)), [])
        matches = [p for p in namesakes if p.agrees(surname, given, initials, titles)]
        matches.sort(key=lambda p: (not (given and p.given), p.id))
        person = matches[0] if matches else None
        if person is None:
            pid = self._new_id(council, surname, given, initials)
            person = Person(pid, council, "", surname, given, initials)
            self._add(person)
        elif given and not person.given:
            person.given = given
            alias = f"{council}/{slugify(f'{given} {surname}')}"
            if alias != person.id and alias not in self.people and alias not in self._alias:
                person.aliases.append(alias)
                self._alias[alias] = person.id
        if len(initials) > len(person.initials):
            person.initials = initials
        for t in titles:
            if t not in person.titles:
                person.titles.append(t)
        for f in forms or []:
            if f not in person.forms:
                person.forms.append(f)
        day = date.isoformat() if date else ""
        for r in roles or []:
            if not any(x["role"] == r for x in person.roles):
                person.roles.append({"role": r, "date": day})
        if committee and committee not in person.committees:
            person.committees.append(committee)
        person.name = _canonical(person.surname, person.given, person.initials, person.titles)
        return person.id

    def note_item(self, person_id: str, item: str) -> None:
        """Record that the person spoke in ``item`` (an item id)."""
        person = self.get(person_id)
        if person is not None and item not in person.items:
            person.items.append(item)

    # ----------------------------------------------------------------- persistence

    def to_json(self) -> str:
        """The registry as a JSON text (people sorted by id)."""
        data = {"version": 1, "people": [asdict(self.people[k]) for k in sorted(self.people)]}
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> PeopleRegistry:
        """Rebuild a registry from :meth:`to_json` output; ValueError on a malformed text."""
        try:
            data: dict[str, Any] = json.loads(text)
            registry = cls()
            for raw in data["people"]:
                person = Person(**raw)
                registry._add(person)
                for alias in person.aliases:
                    registry._alias[alias] = person.id
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a people registry: {exc}") from exc
        return registry

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PeopleRegistry:
        """Read a saved registry; a missing file gives an empty registry."""
        path = Path(path)
        if not path.exists():
            return cls()
        return cls.from_json(path.read_text(encoding="utf-8"))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically: a temporary file in the same folder, then rename over ``path``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".people-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.to_json())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
