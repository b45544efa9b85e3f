"""Placing a file's meetings in the index: new, renamed, or a copy merged into one indexed.

A mixin of each engine's writer session (kept apart so each module stays
readable); the rules of :mod:`kb.engine.identity` decide, this module stages the documents
and manifest entries.  A file's manifest entry records, besides its hash and status:

* ``meeting_ids`` — the meetings whose items it holds (``meeting_id`` is the first, or the
  first merged one when it holds none);
* ``merged_into`` — the meetings it is a further copy of (one ``source`` document each);
* ``records`` — meeting id → :func:`identity.identity_record` (packed item fingerprint and
  text sketch, rank, whether the date is only guessed, format, language) for recognising
  copies later;
* ``item_ids`` — every item it holds.

Guarantees: a meeting's items are indexed once, from its best copy (:func:`identity.better`:
a date read from the text, then more items, then the richer format; on a tie the copy
already indexed); every copy is listed as a source; removing one copy keeps the meeting
(``kb ingest`` reads the others again, :meth:`PlacingMixin.orphans`), removing all removes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kb.engine import identity
from kb.engine.base import Status
from kb.model import Meeting, rename_meeting, to_jsonable


def held_ids(entry: dict[str, Any]) -> list[str]:
    """The meeting ids whose items a manifest entry's source holds (``meeting_ids``; an
    entry written before files could hold several meetings has only ``meeting_id``)."""
    if "meeting_ids" in entry:
        return list(entry["meeting_ids"])
    return [entry["meeting_id"]] if entry.get("meeting_id") else []


def _prefix(meeting_id: str) -> str:
    """``council/committee`` of a meeting id."""
    return meeting_id.rsplit("/", 1)[0]


@dataclass
class Placement:
    """Where :meth:`PlacingMixin.put_meetings` put a file's meetings."""

    #: ids of the meetings indexed with their items (renamed ones under their new id)
    indexed: list[str] = field(default_factory=list)
    #: meeting id -> the source already holding it, for meetings merged as a further copy
    merged: dict[str, str] = field(default_factory=dict)
    #: meeting id -> the source that held it until this better copy took its items over
    took_over: dict[str, str] = field(default_factory=dict)
    item_ids: list[str] = field(default_factory=list)


class PlacingMixin:
    """What every engine's writer session shares: the manifest's view of sources
    (``status_of``, ``record``, ``remove``, ``prune``) and ``put``, ``put_meetings``,
    ``orphans``."""

    # provided by each engine's writer session
    rebuild: bool
    manifest: dict[str, dict[str, Any]]
    _pending: Any
    _owners: dict[str, str | set[str]]
    _touched: set[str]
    _bulk_keys: set[str]
    _by_prefix: dict[str, set[str]]
    _weak: dict[str, set[str]]

    # -- the manifest's view of sources, shared by every engine's writer
    def status_of(self, source_key: str, digest: str) -> Status:
        """'unchanged' when the manifest has this hash for the source (and it did not fail)."""
        entry = self._entry(source_key)
        if entry is None:
            return "new"
        if entry.get("hash") == digest and entry.get("status") != "failed":
            return "unchanged"
        return "changed"

    def owner_of(self, meeting_id: str, *, besides: str) -> str | None:
        """The source (other than ``besides``) whose indexed meeting has this id, if any."""
        for key in sorted(self._owners_of(meeting_id)):
            if key != besides:
                return key
        return None

    def _owners_of(self, meeting_id: str) -> set[str]:
        """The sources whose indexed meeting has this id (a new set: change it freely)."""
        held = self._owners.get(meeting_id)
        if held is None:
            return set()
        return {held} if isinstance(held, str) else set(held)

    def _own(self, key: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        """Keep ``_owners`` (and the meetings held per committee) true when ``key``'s entry
        goes from ``old`` to ``new``.  A meeting held by one source (nearly all) maps to
        that source's key itself, by several to a set of keys: a one-key set would cost
        ~200 bytes per meeting of a large rebuild."""
        owners = self._owners
        if old and old.get("status") == "indexed":
            for mid in held_ids(old):
                held = owners.get(mid)
                if held == key:
                    del owners[mid]
                elif isinstance(held, set):
                    held.discard(key)
                    if len(held) == 1:
                        owners[mid] = next(iter(held))
        if new and new.get("status") == "indexed":
            records = new.get("records", {})
            for mid in held_ids(new):
                held = owners.get(mid)
                if held is None:
                    owners[mid] = key
                elif isinstance(held, str):
                    if held != key:
                        owners[mid] = {held, key}
                else:
                    held.add(key)
                prefix = _prefix(mid)
                self._by_prefix.setdefault(prefix, set()).add(mid)
                if records.get(mid, {}).get("weak_date"):
                    self._weak.setdefault(prefix, set()).add(mid)

    def _entry(self, key: str) -> dict[str, Any] | None:
        """``key``'s manifest entry as it stands with the pending batch applied."""
        if key in self._pending.manifest:
            return self._pending.manifest[key]
        return self.manifest.get(key)

    def record(self, source_key: str, digest: str | None, status: str, **info: Any) -> None:
        """Record a source that gives no documents ('not-minutes', 'failed'), removing any
        documents it had."""
        self._flush_if_streamed(source_key)
        self._touched.add(source_key)
        self._pending.deletes.append(source_key)
        self._stage_entry(source_key, digest, status, **info)

    def remove(self, source_key: str) -> None:
        """Stage deleting a source's documents and its manifest entry."""
        self._flush_if_streamed(source_key)
        self._touched.add(source_key)
        self._pending.deletes.append(source_key)
        self._own(source_key, self._entry(source_key), None)
        self._pending.manifest[source_key] = None
        self._bump()

    def prune(self, keep: Callable[[str], bool]) -> list[str]:
        """Stage removal of every manifest source for which ``keep(key)`` is false."""
        gone = [k for k in list(self.manifest) if not keep(k)]
        for key in gone:
            self.remove(key)
        return gone

    def _stage_entry(self, key: str, digest: str | None, status: str, **info: Any) -> None:
        """Stage ``key``'s new manifest entry (hash, status, time, ``info``)."""
        entry = {
            "hash": digest,
            "status": status,
            "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        entry.update(to_jsonable(info))
        self._own(key, self._entry(key), entry)
        self._pending.manifest[key] = entry
        self._bump()

    # -- provided by each engine's writer
    def _bump(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def _stream(self, key: str, docs: list[dict[str, Any]], id_deletes: Any = ()) -> None:
        raise NotImplementedError  # pragma: no cover

    def _flush_if_streamed(self, source_key: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def _documents(self, meeting: Meeting, source_key: str) -> list[dict[str, Any]]:
        raise NotImplementedError  # pragma: no cover

    # -- what is known of indexed meetings
    def _record(self, key: str, meeting_id: str) -> dict[str, Any] | None:
        """The identity record of ``key``'s meeting ``meeting_id`` (None if not kept)."""
        entry = self._entry(key) or {}
        return entry.get("records", {}).get(meeting_id)

    def _twin(self, mine: dict[str, Any], meeting_id: str, key: str) -> tuple[str, str] | None:
        """(holder, meeting id) of an indexed meeting of the same council and committee under
        another id whose content is ``mine``'s, when one of the two dates is only guessed
        (from a file name): the same minutes published twice under different names."""
        prefix = _prefix(meeting_id)
        pool = (self._by_prefix if mine["weak_date"] else self._weak).get(prefix, set())
        for mid in sorted(pool):
            if mid == meeting_id:
                continue
            for owner in sorted(self._owners_of(mid) - {key}):
                theirs = self._record(owner, mid)
                if theirs is None or not (mine["weak_date"] or theirs.get("weak_date")):
                    continue
                if identity.same_meeting(mine, theirs):
                    return owner, mid
        return None

    # -- staging
    def put(self, source_key: str, digest: str, meeting: Meeting, **info: Any) -> list[str]:
        """Stage ``meeting`` as the content of ``source_key``; the item ids staged (none
        when it was merged into the same meeting from another source): see
        :meth:`put_meetings`."""
        return self.put_meetings(source_key, digest, [meeting], **info).item_ids

    def put_meetings(
        self, source_key: str, digest: str, meetings: list[Meeting], **info: Any
    ) -> Placement:
        """Stage ``meetings`` (those one file holds) as the content of ``source_key``,
        replacing what it had.  Each meeting goes under the first of its
        :func:`identity.candidate_ids` that no other source holds, or that another source
        holds with the same content (see :func:`identity.same_meeting`; also an indexed
        meeting of the same committee under another date when a date was only guessed).
        New: indexed (renamed, with a warning, when its own id was taken).  The same: the
        better copy (:func:`identity.better`) holds the items, the other is recorded as a
        further source.  Meetings are renamed in place."""
        self._pending.deletes.append(source_key)
        # a source staged twice in one batch: its first version's documents are dropped
        self._pending.docs = [d for d in self._pending.docs if d["source_key"] != source_key]
        placed = Placement()
        handed: list[str] = []  # sources whose copy of a meeting this file's copy replaces
        docs: list[dict[str, Any]] = []
        id_deletes: list[str] = []
        records: dict[str, dict[str, Any]] = {}
        for meeting in meetings:
            mine = meeting.identity or identity.identity_record(meeting)
            twin = self._twin(mine, meeting.id, source_key)
            for candidate in identity.candidate_ids(meeting):
                if candidate in records:
                    continue
                owner = self.owner_of(candidate, besides=source_key)
                if owner is None and twin is None:
                    if candidate != meeting.id:
                        clash = self.owner_of(meeting.id, besides=source_key)
                        meeting.warnings.append(
                            f"another meeting with the id {meeting.id} ({clash}) has "
                            f"different items; this one is kept as {candidate}"
                        )
                    break
                theirs = None if owner is None else self._record(owner, candidate)
                if twin is not None and owner is None:
                    owner, candidate = twin
                    theirs = self._record(owner, candidate)
                if theirs is None or not identity.same_meeting(mine, theirs):
                    continue
                if not identity.better(mine, theirs):
                    record = identity.source_record(meeting)
                    docs.append(identity.source_document(source_key, candidate, record))
                    placed.merged[candidate] = owner
                    records[candidate] = mine
                    candidate = ""
                    break
                gone, source = self._hand_over(owner, candidate, theirs)
                placed.took_over[candidate] = owner
                id_deletes += gone
                docs.append(source)
                handed.append(owner)
                break
            if not candidate:
                continue
            if candidate != meeting.id:
                rename_meeting(meeting, candidate)
            records[candidate] = mine
            docs.extend(self._documents(meeting, source_key))
            placed.item_ids.extend(i.id for i in meeting.items)
            placed.indexed.append(candidate)
        if self.rebuild:
            self._stream(source_key, docs, id_deletes)
            self._bulk_keys.update(handed)  # their source documents are in the writer
        else:
            self._pending.id_deletes.extend(id_deletes)
            self._pending.docs.extend(docs)
        self._touched.add(source_key)
        if "warnings" not in info:
            kept = [m for m in meetings if m.id in placed.indexed]
            info["warnings"] = list(dict.fromkeys(w for m in kept for w in m.warnings))
        self._stage_entry(
            source_key,
            digest,
            "indexed",
            meeting_id=(placed.indexed or list(placed.merged) or [""])[0],
            meeting_ids=placed.indexed,
            merged_into=sorted(placed.merged),
            item_ids=placed.item_ids,
            records=records,
            **info,
        )
        return placed

    def _hand_over(
        self, owner: str, meeting_id: str, record: dict[str, Any]
    ) -> tuple[list[str], dict[str, Any]]:
        """Make ``owner``'s copy of ``meeting_id`` a further source of it (a better copy
        takes its items): its documents of that meeting are dropped (staged ones here; the
        ids returned, for committed ones), its manifest entry is rewritten, and the
        ``source`` document recording it is returned; its other meetings are untouched."""
        self._flush_if_streamed(owner)
        old = dict(self._entry(owner) or {})
        mine = [i for i in old.get("item_ids", []) if i.startswith(meeting_id + "/")]
        gone = {meeting_id, *mine}
        self._pending.docs = [
            d
            for d in self._pending.docs
            if not (d.get("source_key") == owner and d.get("id") in gone)
        ]
        new = dict(old)
        new["meeting_ids"] = [m for m in held_ids(old) if m != meeting_id]
        new["merged_into"] = sorted({*old.get("merged_into", []), meeting_id})
        new["item_ids"] = [i for i in old.get("item_ids", []) if i not in gone]
        new["meeting_id"] = (new["meeting_ids"] or new["merged_into"])[0]
        self._own(owner, old, new)
        self._pending.manifest[owner] = new
        self._touched.add(owner)
        source = identity.held_source(owner, record)
        return sorted(gone), identity.source_document(owner, meeting_id, source)

    def orphans(self) -> list[str]:
        """Sources merged into a meeting that no source now holds, or whose holder was
        replaced or removed in this session while they were not: their files must be read
        again (``kb ingest`` does) so that their content is not lost."""
        out = []
        for key in sorted(set(self.manifest) | set(self._pending.manifest)):
            entry = self._entry(key)
            if not entry or key in self._touched or not entry.get("merged_into"):
                continue
            for mid in entry["merged_into"]:
                owners = self._owners_of(mid)
                if not owners or owners & self._touched:
                    out.append(key)
                    break
        return out
