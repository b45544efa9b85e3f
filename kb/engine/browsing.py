"""Browse records built the same way by every engine from stored documents."""

from __future__ import annotations

import json
from typing import Any

from kb.engine.base import CommitteeSummary, ItemRecord, ItemSummary, MeetingRecord
from kb.engine.documents import REST_FIELDS


def item_record(stored: dict[str, Any]) -> ItemRecord:
    """An item document's stored fields as the full item (JSON data plus body, ids, url)."""
    item: dict[str, Any] = json.loads(stored.get("data") or "{}")
    item["body"] = stored.get("body", "") + stored.get(REST_FIELDS[0], "")  # see split_body
    item["council_id"] = stored.get("council_id")
    item["committee_id"] = stored.get("committee_id")
    item["url"] = f"/items/{stored['id']}"
    return item


def meeting_record(stored: dict[str, Any]) -> MeetingRecord:
    """A meeting document's stored fields as the meeting JSON plus ``item_count``."""
    data: dict[str, Any] = json.loads(stored.get("data") or "{}")
    data["item_count"] = len(data.get("item_ids", []))
    return data


def sort_meetings(meetings: list[MeetingRecord]) -> list[MeetingRecord]:
    """Oldest meeting first (undated first), then by id."""
    return sorted(meetings, key=lambda m: (m.get("date") or "", m.get("id", "")))


def with_neighbours(item: ItemRecord, meeting: MeetingRecord) -> ItemRecord:
    """``item`` with its ``meeting`` facts and ``prev_id``/``next_id`` in agenda order."""
    ids: list[str] = meeting.get("item_ids", [])
    pos = ids.index(item["id"]) if item.get("id") in ids else -1
    item["meeting"] = meeting
    item["prev_id"] = ids[pos - 1] if pos > 0 else None
    item["next_id"] = ids[pos + 1] if 0 <= pos < len(ids) - 1 else None
    return item


def item_summary(item_id: str, stored: dict[str, Any], date: str | None) -> ItemSummary:
    """The short form of an item used in lists."""
    return {
        "id": item_id,
        "title": stored.get("title", ""),
        "meeting_id": stored.get("meeting_id"),
        "committee": stored.get("committee"),
        "date": date,
        "url": f"/items/{item_id}",
    }


def group_committees(meetings: list[MeetingRecord]) -> list[CommitteeSummary]:
    """Each council/committee pair of ``meetings`` (oldest first) with its counts and dates."""
    groups: dict[tuple[str, str], CommitteeSummary] = {}
    for m in meetings:
        key = (m.get("council_id", ""), m.get("committee_id", ""))
        g = groups.setdefault(
            key,
            {
                "council_id": key[0],
                "committee_id": key[1],
                "council": m.get("council"),
                "committee": m.get("committee"),
                "meetings": 0,
                "items": 0,
                "first_date": m.get("date"),
                "last_date": m.get("date"),
            },
        )
        g["meetings"] += 1
        g["items"] += m["item_count"]
        g["first_date"] = g["first_date"] or m.get("date")  # undated meetings sort first
        g["last_date"] = m.get("date") or g["last_date"]
    return sorted(groups.values(), key=lambda g: (g["council"] or "", g["committee"] or ""))


def merged_sources(meeting: MeetingRecord, merged: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The meeting's own sources (its file first; a meeting indexed before sources were
    recorded has its one ``source``) and then the files merged into it, in path order."""
    own = meeting.get("sources") or [
        {"path": meeting.get("source", ""), "format": meeting.get("format", "")}
    ]
    return list(own) + sorted(merged, key=lambda src: src.get("path", ""))


def same_day(
    meeting: MeetingRecord, committee_meetings: list[MeetingRecord]
) -> list[dict[str, Any]]:
    """The other meetings of the committee on ``meeting``'s day (an extraordinary meeting, an
    AGM, a Welsh edition): ``{id, kind, language}`` by id."""
    return [
        {"id": m["id"], "kind": m.get("kind", "ordinary"), "language": m.get("language")}
        for m in sorted(committee_meetings, key=lambda m: m["id"])
        if m["id"] != meeting["id"] and m.get("date") == meeting.get("date")
    ]
