"""Search results as CSV (formula-safe) and as an Atom feed (newest first).

``csv_cell`` neutralises spreadsheet formulas: a cell starting with ``= + - @`` (or a tab
or carriage return) is prefixed with ``'`` so Excel/LibreOffice show it as text.
Atom is built with ElementTree, so every text node and attribute is XML-escaped.

Atom requires an ``<updated>`` on every entry. An item whose meeting has no date gets, in
order: its own ingest time (``ingested_at``) when the hit carries one, else the newest
meeting date among the feed's dated entries, else the time the feed is generated. It never
gets a made-up epoch date such as 1970-01-01, which feed readers would show as real.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree as ET

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "council",
    "committee",
    "date",
    "item_number",
    "item_title",
    "speakers",
    "topics",
    "snippet",
    "url",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ATOM_NS = "http://www.w3.org/2005/Atom"


def csv_cell(value: Any) -> str:
    """A value as CSV text, with a leading formula character neutralised by a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def names(values: Iterable[Any] | None) -> list[str]:
    """Display names from a list of names, dicts or objects with ``name``/``label``."""
    out = []
    for v in values or []:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            out.append(str(v.get("name") or v.get("label") or v.get("topic") or ""))
        else:
            out.append(str(getattr(v, "name", None) or getattr(v, "label", None) or v))
    return [n for n in out if n]


def _get(hit: Any, key: str) -> Any:
    return hit.get(key) if isinstance(hit, dict) else getattr(hit, key, None)


def search_csv(hits: Iterable[Any], base_url: str) -> str:
    """Hits as CSV text with a header row; URLs absolute under ``base_url``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for hit in hits:
        row = []
        for col in CSV_COLUMNS:
            value = _get(hit, col)
            if col in ("speakers", "topics"):
                value = "; ".join(names(value))
            elif col == "url":
                value = base_url.rstrip("/") + str(value or "")
            elif isinstance(value, dt.date):
                value = value.isoformat()
            row.append(csv_cell(value))
        writer.writerow(row)
    return buf.getvalue()


def _stamp(day: Any) -> str | None:
    """An Atom timestamp for a meeting date or ISO datetime text; None when undated."""
    if isinstance(day, dt.datetime):
        return day.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(day, str):
        try:
            moment = dt.datetime.fromisoformat(day.replace("Z", "+00:00"))
        except ValueError:
            try:
                day = dt.date.fromisoformat(day[:10])
            except ValueError:
                return None
        else:
            if len(day) > 10:  # a full timestamp, e.g. an ingest time
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=dt.UTC)
                return _stamp(moment)
            day = moment.date()
    if isinstance(day, dt.date):
        return f"{day.isoformat()}T00:00:00Z"
    return None


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def search_atom(hits: list[Any], *, title: str, feed_url: str, base_url: str) -> bytes:
    """An Atom 1.0 feed of ``hits`` (kept in the given order: ask for newest first).

    Undated hits get the fallback ``<updated>`` described in the module docstring."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    base = base_url.rstrip("/")
    dated = [s for s in (_stamp(_get(h, "date")) for h in hits) if s]
    fallback = max(dated, default=None) or _now()

    def updated(hit: Any) -> str:
        return _stamp(_get(hit, "date")) or _stamp(_get(hit, "ingested_at")) or fallback

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", feed_url)
    sub(feed, "title", title)
    sub(feed, "updated", max((updated(h) for h in hits), default=fallback))
    sub(feed, "link", rel="self", href=feed_url)
    author = sub(feed, "author")
    sub(author, "name", "Minutes KB")
    for hit in hits:
        entry = sub(feed, "entry")
        url = base + str(_get(hit, "url") or "")
        sub(entry, "id", url)
        heading = f"{_get(hit, 'item_number') or ''} {_get(hit, 'item_title') or ''}".strip()
        sub(entry, "title", heading or "Untitled item")
        sub(entry, "updated", updated(hit))
        sub(entry, "link", href=url)
        crumbs = " › ".join(
            str(x) for x in (_get(hit, "council"), _get(hit, "committee"), _get(hit, "date")) if x
        )
        sub(entry, "summary", f"{crumbs}: {_get(hit, 'snippet') or ''}")
        for topic in names(_get(hit, "topics")):
            sub(entry, "category", term=topic)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
