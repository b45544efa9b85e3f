"""Reading whole documents from OpenSearch: items, meetings, committees, people, topics, stats.

A mixin of :class:`kb.engine.opensearch.reader.OpenSearchReader` (kept apart so each module
stays readable); the records are built as the embedded engine builds them
(:mod:`kb.engine.browsing`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from opensearchpy import NotFoundError
from opensearchpy.exceptions import RequestError

from kb.engine.base import (
    CommitteeSummary,
    IndexStats,
    ItemRecord,
    ItemSummary,
    MeetingRecord,
    PersonRecord,
    PersonSummary,
    TopicSummary,
)
from kb.engine.browsing import (
    group_committees,
    item_record,
    item_summary,
    meeting_record,
    merged_sources,
    same_day,
    sort_meetings,
    with_neighbours,
)
from kb.model import slugify

#: buckets of an aggregation that lists every value (people, topics)
ALL = 65_535
ITEM = {"term": {"doctype": "item"}}
MEETING = {"term": {"doctype": "meeting"}}
SOURCE = {"term": {"doctype": "source"}}
Query = dict[str, Any]


def day(value: Any) -> str | None:
    """A stored date as ``YYYY-MM-DD`` (None when missing)."""
    return str(value)[:10] if value else None


class BrowseMixin:
    """get_item, get_meeting, more_like_this, meeting_ids, list_committees,
    committee_meetings, people, person, topics_summary, stats."""

    client: Any
    alias: str

    # provided by OpenSearchReader
    def _search(self, body: dict[str, Any]) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    def _count(self, query: Query) -> int:  # pragma: no cover
        raise NotImplementedError

    def _scan(
        self, query: Query, sort: list[Any], fields: list[str] | None = None
    ) -> Iterator[dict[str, Any]]:  # pragma: no cover
        raise NotImplementedError

    def _values(self, field: str, query: Query = ITEM) -> dict[str, int]:  # pragma: no cover
        raise NotImplementedError

    def label(self, facet: str, value: str) -> str:  # pragma: no cover
        raise NotImplementedError

    # -- reading documents
    def _doc(self, doc_id: str, doctype: str) -> dict[str, Any] | None:
        q = {"bool": {"filter": [{"term": {"id": doc_id}}, {"term": {"doctype": doctype}}]}}
        hits = self._search({"query": q, "size": 1})["hits"]["hits"]
        return hits[0] if hits else None

    def get_item(self, item_id: str) -> ItemRecord | None:
        """The full item with its meeting facts and neighbours; None when unknown."""
        found = self._doc(item_id, "item")
        if found is None:
            return None
        item = item_record(found["_source"])
        item.setdefault("id", item_id)
        meeting = self._doc(found["_source"]["meeting_id"], "meeting")
        mdata = json.loads(meeting["_source"]["data"]) if meeting else {}
        if meeting:
            self._add_sources(mdata)
        return with_neighbours(item, mdata)

    def get_meeting(self, meeting_id: str) -> MeetingRecord | None:
        """The meeting with its full items in agenda order; None when unknown."""
        found = self._doc(meeting_id, "meeting")
        if found is None:
            return None
        meeting: MeetingRecord = json.loads(found["_source"]["data"])
        self._add_sources(meeting)
        meeting["same_day"] = self._same_day(meeting)
        q = {"bool": {"filter": [ITEM, {"term": {"meeting_id": meeting_id}}]}}
        meeting["items"] = [item_record(h["_source"]) for h in self._scan(q, [{"order": "asc"}])]
        return meeting

    def _add_sources(self, meeting: MeetingRecord) -> None:
        """Complete ``meeting["sources"]`` (its own file first) with the files merged into it
        as copies (``source`` documents), in path order."""
        q = {"bool": {"filter": [SOURCE, {"term": {"meeting_id": meeting["id"]}}]}}
        merged = [json.loads(h["_source"].get("data") or "{}") for h in self._scan(q, [])]
        meeting["sources"] = merged_sources(meeting, merged)

    def _same_day(self, meeting: MeetingRecord) -> list[dict[str, Any]]:
        """The other meetings of the same council and committee on the same day."""
        q = {
            "bool": {
                "filter": [
                    {"term": {"council_id": meeting.get("council_id", "")}},
                    {"term": {"committee_id": meeting.get("committee_id", "")}},
                ]
            }
        }
        return same_day(meeting, self._meetings(q))

    def more_like_this(
        self, item_id: str, n: int = 5, *, body: str | None = None
    ) -> list[ItemSummary]:
        """Up to ``n`` other items with similar wording (OpenSearch's more_like_this on the
        stored item; ``body`` is not needed: the cluster reads the item itself)."""
        found = self._doc(item_id, "item")
        if found is None:
            return []
        like = {"_index": found["_index"], "_id": found["_id"]}
        mlt = {"more_like_this": {"fields": ["t_body"], "like": [like], "min_term_freq": 1}}
        q = {"bool": {"must": [mlt], "filter": [ITEM], "must_not": [{"term": {"id": item_id}}]}}
        hits = self._search({"query": q, "size": n})["hits"]["hits"]
        return [_summary(h) for h in hits]

    def _meetings(self, query: Query | None = None) -> list[MeetingRecord]:
        q = {"bool": {"filter": [MEETING] + ([query] if query else [])}}
        hits = self._scan(q, [], ["data"])
        return sort_meetings([meeting_record(h["_source"]) for h in hits])

    def meeting_ids(self) -> list[str]:
        """Every meeting id, oldest meeting first."""
        return [m["id"] for m in self._meetings()]

    def list_committees(self) -> list[CommitteeSummary]:
        """Each council/committee pair with counts and date range."""
        return group_committees(self._meetings())

    def committee_meetings(self, council_id: str, committee_id: str) -> list[MeetingRecord]:
        """The meetings of one committee, oldest first."""
        q = {
            "bool": {
                "filter": [
                    {"term": {"council_id": council_id}},
                    {"term": {"committee_id": committee_id}},
                ]
            }
        }
        return self._meetings(q)

    def people(self, council: str | None = None) -> list[PersonSummary]:
        """People who spoke, most items first; ``council`` narrows to one council."""
        people: list[PersonSummary] = [
            {
                "id": pid,
                "name": self.label("speaker", pid),
                "council_id": pid.split("/", 1)[0],
                "items": count,
                "url": f"/people/{pid}",
            }
            for pid, count in self._values("speaker").items()
        ]
        if council:
            wanted = slugify(council)
            people = [p for p in people if p["council_id"] == wanted]
        return sorted(people, key=lambda p: (-p["items"], p["name"]))

    def _items_with(self, field: str, value: str) -> list[dict[str, Any]]:
        q = {"bool": {"filter": [ITEM, {"term": {field: value}}]}}
        return list(self._scan(q, [{"date": {"order": "desc", "missing": "_last"}}]))

    def person(self, person_id: str) -> PersonRecord | None:
        """One person: name, printed forms, items spoken in / mentioned in (newest first)."""
        spoke = self._items_with("speaker", person_id)
        mentioned = self._items_with("mentioned", person_id)
        if not spoke and not mentioned:
            return None
        forms: set[str] = set()
        name = person_id
        for hit in spoke:
            for ref in json.loads(hit["_source"].get("data") or "{}").get("speakers", []):
                if ref.get("person_id") == person_id:
                    name = ref.get("name") or name
                    forms.add(ref.get("form") or "")
        forms.discard("")
        return {
            "id": person_id,
            "name": name,
            "council_id": person_id.split("/", 1)[0],
            "forms": sorted(forms),
            "spoke_in": [_summary(h) for h in spoke],
            "mentioned_in": [_summary(h) for h in mentioned],
        }

    def topics_summary(self) -> list[TopicSummary]:
        """Each topic: items, primary items and items per year, most items first."""
        body = {
            "size": 0,
            "query": ITEM,
            "aggs": {
                "topic": {
                    "terms": {"field": "topic", "size": ALL},
                    "aggs": {"year": {"terms": {"field": "year", "size": ALL}}},
                },
                "primary": {"terms": {"field": "topic_primary", "size": ALL}},
            },
        }
        aggs = self._search(body)["aggregations"]
        primary = {b["key"]: int(b["doc_count"]) for b in aggs["primary"]["buckets"]}
        out: list[TopicSummary] = []
        for b in aggs["topic"]["buckets"]:
            by_year = {str(y["key"]): int(y["doc_count"]) for y in b["year"]["buckets"]}
            out.append(
                {
                    "topic": b["key"],
                    "label": self.label("topic", b["key"]),
                    "items": int(b["doc_count"]),
                    "primary": primary.get(b["key"], 0),
                    "by_year": dict(sorted(by_year.items())),
                }
            )
        return sorted(out, key=lambda t: (-t["items"], t["topic"]))

    def stats(self) -> IndexStats:
        """Counts, date range, the alias and the size of its indices in bytes."""
        meetings = self._meetings()
        dates = [m["date"] for m in meetings if m.get("date")]
        try:
            raw = self.client.indices.stats(index=self.alias, metric="store")
            size = int(raw["_all"]["primaries"]["store"]["size_in_bytes"])
        except (NotFoundError, KeyError, TypeError, RequestError):
            size = 0
        return {
            "items": self._count(ITEM),
            "meetings": len(meetings),
            "councils": len(self._values("council_id")),
            "committees": len(self._values("committee_key")),
            "people": len(self._values("speaker")),
            "topics": len(self._values("topic")),
            "first_date": min(dates) if dates else None,
            "last_date": max(dates) if dates else None,
            "index": f"{self.alias} (OpenSearch)",
            "index_bytes": size,
        }


def _summary(hit: dict[str, Any]) -> ItemSummary:
    src = hit["_source"]
    return item_summary(src["id"], src, day(src.get("date")))
