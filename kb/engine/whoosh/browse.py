"""Reading whole documents from the index: items, meetings, committees, people, topics.

A mixin of :class:`~.search.WhooshReader`, kept apart so each module stays readable.  It
imports no Whoosh: queries come from the service's ``_term``/``_all`` and searchers from its
pool (``self.searcher()``).
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import AbstractContextManager
from typing import Any

import numpy as np

from kb.engine.browsing import group_committees
from kb.engine.whoosh.bodies import whole_body
from kb.engine.whoosh.facets import FacetCache
from kb.model import slugify

#: characters of an item's body that "more like this" analyses (its opening, for a long one)
MORE_LIKE_CHARS = 20_000


def day(value: Any) -> str | None:
    """A stored DATETIME as ``YYYY-MM-DD`` (None when missing)."""
    return value.date().isoformat() if isinstance(value, dt.datetime) else None


class BrowseMixin:
    """get_item, get_meeting, more_like_this, meeting_ids, list_committees,
    committee_meetings, people, person, topics_summary, stats."""

    index_dir: Any

    # provided by WhooshReader
    def searcher(self) -> AbstractContextManager[Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _facet_cache(self, s: Any) -> FacetCache:  # pragma: no cover - overridden
        raise NotImplementedError

    @staticmethod
    def _term(fieldname: str, value: str) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    @staticmethod
    def _all(queries: list[Any]) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    @staticmethod
    def _prefix(fieldname: str, text: str) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    # -- reading documents
    def _stored(self, s: Any, doc_id: str, doctype: str) -> tuple[int, dict[str, Any]] | None:
        docnum = s.document_number(id=doc_id)
        if docnum is None:
            return None
        stored = s.stored_fields(docnum)
        return (docnum, stored) if stored.get("doctype") == doctype else None

    @staticmethod
    def _item_dict(s: Any, docnum: int, stored: dict[str, Any]) -> dict[str, Any]:
        item = json.loads(stored.get("data") or "{}")
        item["body"] = whole_body(s, docnum, stored)
        item["council_id"] = stored.get("council_id")
        item["committee_id"] = stored.get("committee_id")
        item["url"] = f"/items/{stored['id']}"
        return item

    def get_item(self, item_id: str) -> dict[str, Any] | None:
        """The full item (resolutions, speakers, topic tags with evidence, body, pages,
        source), its ``meeting`` facts (without items) and ``prev_id``/``next_id`` in the
        meeting; None when there is no such item."""
        with self.searcher() as s:
            found = self._stored(s, item_id, "item")
            if found is None:
                return None
            item = self._item_dict(s, *found)
            meeting = self._stored(s, found[1]["meeting_id"], "meeting")
            mdata = json.loads(meeting[1]["data"]) if meeting else {}
            if meeting:
                self._add_sources(s, mdata)
        ids: list[str] = mdata.get("item_ids", [])
        pos = ids.index(item_id) if item_id in ids else -1
        item["meeting"] = mdata
        item["prev_id"] = ids[pos - 1] if pos > 0 else None
        item["next_id"] = ids[pos + 1] if 0 <= pos < len(ids) - 1 else None
        return item

    def get_meeting(self, meeting_id: str) -> dict[str, Any] | None:
        """The meeting (attendance, times, venue, warnings…) with ``items``: its full items
        in agenda order; None when unknown."""
        with self.searcher() as s:
            found = self._stored(s, meeting_id, "meeting")
            if found is None:
                return None
            meeting = json.loads(found[1]["data"])
            self._add_sources(s, meeting)
            meeting["same_day"] = self._same_day(s, meeting)
            q = self._all([self._term("doctype", "item"), self._term("meeting_id", meeting_id)])
            hits = s.search(q, limit=None, sortedby="order")
            meeting["items"] = [self._item_dict(s, h.docnum, h.fields()) for h in hits]
        return meeting

    def _add_sources(self, s: Any, meeting: dict[str, Any]) -> None:
        """Complete ``meeting["sources"]`` (its own file, first) with the files merged into
        it as copies of the same meeting (``source`` documents), in path order; a meeting
        indexed before sources were recorded gets its one ``source``."""
        sources = meeting.get("sources") or [
            {"path": meeting.get("source", ""), "format": meeting.get("format", "")}
        ]
        q = self._all([self._term("doctype", "source"), self._term("meeting_id", meeting["id"])])
        merged = [json.loads(s.stored_fields(d).get("data") or "{}") for d in s.docs_for_query(q)]
        meeting["sources"] = sources + sorted(merged, key=lambda src: src.get("path", ""))

    def _same_day(self, s: Any, meeting: dict[str, Any]) -> list[dict[str, Any]]:
        """The other meetings of the same council and committee on the same day (an
        extraordinary meeting, an AGM, a Welsh edition): ``{id, kind, language}`` by id.
        Their ids share ``council/committee/date`` (one prefix query, not a committee scan)."""
        day = meeting.get("date") or "undated"
        base = f"{meeting.get('council_id', '')}/{meeting.get('committee_id', '')}/{day}"
        q = self._prefix("id", base)
        return [
            {"id": m["id"], "kind": m.get("kind", "ordinary"), "language": m.get("language")}
            for m in sorted(self._meetings(s, q), key=lambda m: m["id"])
            if m["id"] != meeting["id"]
            and m.get("date") == meeting.get("date")
            and m.get("committee_id") == meeting.get("committee_id")
        ]

    def more_like_this(
        self, item_id: str, n: int = 5, *, body: str | None = None
    ) -> list[dict[str, Any]]:
        """Up to ``n`` other items with similar wording: ``{id, title, meeting_id, date, url}``.
        ``body`` is the item's text when the caller has it already (``get_item``): the
        stored document is then not read again (a 10 MB one takes ~0.1 s to decompress)."""
        with self.searcher() as s:
            if body is None:
                found = self._stored(s, item_id, "item")
                docnum, body = (None, "") if found is None else (found[0], found[1].get("body"))
            else:
                docnum = s.document_number(id=item_id, doctype="item")
            if docnum is None:
                return []
            # a very long body is judged by its opening (analysing 10 MB would take seconds)
            text = (body or "")[:MORE_LIKE_CHARS]
            only_items = self._term("doctype", "item")
            hits = s.more_like(docnum, "body", text=text, top=n, filter=only_items)
            return [_summary(h) for h in hits]

    def meeting_ids(self) -> list[str]:
        """Every meeting id in the index, oldest meeting first."""
        with self.searcher() as s:
            return [m["id"] for m in self._meetings(s)]

    def _meetings(self, s: Any, q: Any = None) -> list[dict[str, Any]]:
        query = (
            self._term("doctype", "meeting")
            if q is None
            else self._all([self._term("doctype", "meeting"), q])
        )
        out = []
        for docnum in s.docs_for_query(query):
            data = json.loads(s.stored_fields(docnum).get("data") or "{}")
            data["item_count"] = len(data.get("item_ids", []))
            out.append(data)
        return sorted(out, key=lambda m: (m.get("date") or "", m.get("id", "")))

    def list_committees(self) -> list[dict[str, Any]]:
        """Each council/committee pair: ids, names, meeting and item counts, first/last date."""
        with self.searcher() as s:
            meetings = self._meetings(s)
        return list(group_committees(meetings))  # type: ignore[arg-type]

    def committee_meetings(self, council_id: str, committee_id: str) -> list[dict[str, Any]]:
        """The meetings of one committee, oldest first (meeting JSON plus ``item_count``)."""
        with self.searcher() as s:
            q = self._all(
                [self._term("council_id", council_id), self._term("committee_id", committee_id)]
            )
            return self._meetings(s, q)

    def people(self, council: str | None = None) -> list[dict[str, Any]]:
        """People who spoke: ``{id, name, council_id, items}``, most items first; ``council``
        (an id or name) narrows to one council."""
        with self.searcher() as s:
            cache = self._facet_cache(s)
            spoke = cache.counts(
                "speaker", cache.mask(s.docs_for_query(self._term("doctype", "item")))
            )
            people = [
                {
                    "id": pid,
                    "name": cache.label(s, "speaker", pid),
                    "council_id": pid.split("/", 1)[0],
                    "items": count,
                    "url": f"/people/{pid}",
                }
                for pid, count in spoke.items()
            ]
        if council:
            wanted = slugify(council)
            people = [p for p in people if p["council_id"] == wanted]
        return sorted(people, key=lambda p: (-p["items"], p["name"]))

    def person(self, person_id: str) -> dict[str, Any] | None:
        """One person: name, the forms printed, and the items they spoke in / were
        mentioned in (newest first); None when the index has no such person."""
        with self.searcher() as s:
            spoke = self._items_with(s, "speaker", person_id)
            mentioned = self._items_with(s, "mentioned", person_id)
            if not spoke and not mentioned:
                return None
            forms: set[str] = set()
            name = person_id
            for docnum in s.docs_for_query(self._term("speaker", person_id)):
                data = json.loads(s.stored_fields(docnum).get("data") or "{}")
                for ref in data.get("speakers", []):
                    if ref.get("person_id") == person_id:
                        name = ref.get("name") or name
                        forms.add(ref.get("form") or "")
        forms.discard("")
        return {
            "id": person_id,
            "name": name,
            "council_id": person_id.split("/", 1)[0],
            "forms": sorted(forms),
            "spoke_in": spoke,
            "mentioned_in": mentioned,
        }

    def _items_with(self, s: Any, fieldname: str, value: str) -> list[dict[str, Any]]:
        q = self._all([self._term("doctype", "item"), self._term(fieldname, value)])
        hits = s.search(q, limit=None, sortedby="date", reverse=True)
        return [_summary(h) for h in hits]

    def topics_summary(self) -> list[dict[str, Any]]:
        """Each topic: ``{topic, label, items, primary, by_year: {year: items}}``."""
        with self.searcher() as s:
            cache = self._facet_cache(s)
            live = cache.mask(s.docs_for_query(self._term("doctype", "item")))
            totals = cache.counts("topic", live)
            out = []
            years = cache.dense["year"]
            for code, topic in enumerate(cache.values["topic"]):
                if topic not in totals:
                    continue
                docs = cache.docs["topic"][cache.codes["topic"] == code]
                docs = docs[live[docs]]
                codes, counts = np.unique(years[docs], return_counts=True)
                by_year = {
                    cache.values["year"][c]: int(n)
                    for c, n in zip(codes.tolist(), counts.tolist(), strict=True)
                    if c >= 0
                }
                primary = sum(1 for _ in s.docs_for_query(self._term("topic_primary", topic)))
                out.append(
                    {
                        "topic": topic,
                        "label": cache.label(s, "topic", topic),
                        "items": totals[topic],
                        "primary": primary,
                        "by_year": dict(sorted(by_year.items())),
                    }
                )
        return sorted(out, key=lambda t: (-t["items"], t["topic"]))

    def stats(self) -> dict[str, Any]:
        """Counts of items, meetings, councils, committees, people and topics, and of files
        merged into a meeting as further copies of it (``merged_files``); date range; index
        folder and its size in bytes."""
        with self.searcher() as s:
            cache = self._facet_cache(s)
            live = cache.mask(s.docs_for_query(self._term("doctype", "item")))
            meetings = self._meetings(s)
            result = {
                "items": int(live.sum()),
                "meetings": len(meetings),
                "councils": len(cache.counts("council", live)),
                "committees": len(cache.counts("committee", live)),
                "people": len(cache.counts("speaker", live)),
                "topics": len(cache.counts("topic", live)),
                "merged_files": sum(1 for _ in s.docs_for_query(self._term("doctype", "source"))),
            }
        dates = [m["date"] for m in meetings if m.get("date")]
        result["first_date"] = min(dates) if dates else None
        result["last_date"] = max(dates) if dates else None
        result["index"] = str(self.index_dir)
        result["index_bytes"] = sum(
            p.stat().st_size for p in self.index_dir.iterdir() if p.is_file()
        )
        return result


def _summary(hit: Any) -> dict[str, Any]:
    """The short form of an item hit used in lists: id, title, meeting, committee, date, url."""
    return {
        "id": hit["id"],
        "title": hit.get("title", ""),
        "meeting_id": hit.get("meeting_id"),
        "committee": hit.get("committee"),
        "date": day(hit.get("date")),
        "url": f"/items/{hit['id']}",
    }
