"""web.feeds: CSV with formula cells neutralised; Atom well-formed and escaped."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest

from web.feeds import csv_cell, search_atom, search_csv

ATOM = "{http://www.w3.org/2005/Atom}"
HIT = {
    "id": "c/k/2018-03-27/07",
    "council": "Luton",
    "committee": '=HYPERLINK("http://evil","x")',
    "date": "2018-03-27",
    "item_number": "07",
    "item_title": "<script>alert(1)</script> CCTV",
    "speakers": ["@Bob", "Ann"],
    "topics": ["crime"],
    "snippet": "-2+3 & more",
    "url": "/items/c/k/2018-03-27/07",
}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+44 1582", "'+44 1582"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
        (7, "7"),
    ],
)
def test_csv_cell(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_csv_rows() -> None:
    rows = list(csv.reader(io.StringIO(search_csv([HIT], "http://kb.test/"))))
    assert rows[0][:3] == ["id", "council", "committee"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["committee"].startswith("'=HYPERLINK(")
    assert row["speakers"] == "'@Bob; Ann"
    assert row["snippet"] == "'-2+3 & more"
    assert row["url"] == "http://kb.test/items/c/k/2018-03-27/07"


def test_atom_is_escaped_and_ordered() -> None:
    older = {**HIT, "id": "x/1", "date": "2017-01-05", "url": "/items/x/1"}
    xml = search_atom(
        [HIT, older],
        title="Q <&>",
        feed_url="http://kb.test/search.atom?q=a&b=c",
        base_url="http://kb.test/",
    )
    assert b"<script>" not in xml
    root = ET.fromstring(xml)
    assert root.find(f"{ATOM}title").text == "Q <&>"
    assert root.find(f"{ATOM}updated").text == "2018-03-27T00:00:00Z"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}updated").text[:10] for e in entries] == ["2018-03-27", "2017-01-05"]
    assert entries[0].find(f"{ATOM}title").text == "07 <script>alert(1)</script> CCTV"
    assert entries[0].find(f"{ATOM}link").get("href") == "http://kb.test/items/c/k/2018-03-27/07"


def _updated(xml: bytes) -> tuple[str, list[str]]:
    root = ET.fromstring(xml)
    entries = root.findall(f"{ATOM}entry")
    return root.find(f"{ATOM}updated").text, [e.find(f"{ATOM}updated").text for e in entries]


@pytest.mark.parametrize(
    ("hits", "feed_updated", "entries_updated"),
    [
        # undated item: takes the newest dated entry's date, not 1970
        (
            [{**HIT, "date": None}, {**HIT, "date": "2017-01-05"}],
            "2017-01-05T00:00:00Z",
            ["2017-01-05T00:00:00Z", "2017-01-05T00:00:00Z"],
        ),
        # undated item with its ingest time stored: that time wins
        (
            [{**HIT, "date": "", "ingested_at": "2024-05-01T09:30:00+00:00"}, HIT],
            "2024-05-01T09:30:00Z",
            ["2024-05-01T09:30:00Z", "2018-03-27T00:00:00Z"],
        ),
        # an unparseable date counts as undated
        (
            [{**HIT, "date": "unknown"}, HIT],
            "2018-03-27T00:00:00Z",
            ["2018-03-27T00:00:00Z", "2018-03-27T00:00:00Z"],
        ),
    ],
)
def test_atom_undated_items_get_a_real_fallback(
    hits: list[dict[str, object]], feed_updated: str, entries_updated: list[str]
) -> None:
    xml = search_atom(hits, title="t", feed_url="http://kb.test/f", base_url="http://kb.test")
    assert _updated(xml) == (feed_updated, entries_updated)


def test_atom_all_undated_uses_generation_time_never_1970() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    xml = search_atom(
        [{**HIT, "date": None}], title="t", feed_url="http://kb.test/f", base_url="http://kb.test"
    )
    feed_updated, (entry_updated,) = _updated(xml)
    assert b"1970" not in xml
    stamp = dt.datetime.strptime(entry_updated, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert before <= stamp <= dt.datetime.now(dt.UTC)
    assert feed_updated == entry_updated
    empty = search_atom([], title="t", feed_url="http://kb.test/f", base_url="http://kb.test")
    assert b"1970" not in empty
