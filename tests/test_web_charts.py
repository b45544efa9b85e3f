"""web.charts: the year × committee SVG and its table equivalent."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from web.charts import OTHER, histogram_rows, series_names, year_chart

SVG = "{http://www.w3.org/2000/svg}"
HIST = {2016: {"Licensing": 2}, 2018: {"Crime and Disorder": 3, "Licensing": 1}}


def test_one_linked_bar_per_year_with_data_stacked_by_committee() -> None:
    svg = str(year_chart(HIST, lambda y: f"/search?q=cctv&year={y}"))
    root = ET.fromstring(svg)  # well-formed XML
    links = root.findall(f"{SVG}a")
    assert [a.get("href") for a in links] == [
        "/search?q=cctv&year=2016",
        "/search?q=cctv&year=2018",
    ]
    assert [len(a.findall(f"{SVG}rect")) for a in links] == [1, 2]  # 2018 stacks two committees
    assert links[1].get("aria-label") == "2018: 4 mentions"
    # the gap year is labelled on the axis but has no bar
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert {"2016", "2017", "2018"} <= set(labels)


def test_bar_heights_are_proportional() -> None:
    root = ET.fromstring(str(year_chart(HIST)))
    bars = [
        float(r.get("height")) for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None
    ]
    # 2016: Licensing 2; 2018: Crime and Disorder 3, Licensing 1 — out of a peak of 4
    unit = bars[2]
    assert bars == pytest.approx([2 * unit, 3 * unit, unit])


def test_no_data_no_chart() -> None:
    assert str(year_chart({})) == ""
    assert str(year_chart({2018: {"X": 0}})) == ""


def test_labels_are_escaped_and_no_style_attribute() -> None:
    hostile = {2019: {'<script>alert(1)</script>" onmouseover="x': 1}}
    svg = str(year_chart(hostile, lambda y: f'/s?year={y}&q="><script>'))
    assert "<script>" not in svg and 'onmouseover="x' not in svg
    assert not re.search(r"\sstyle=", svg)
    ET.fromstring(svg)


def test_many_committees_fold_into_other() -> None:
    hist = {2020: {f"C{i}": i + 1 for i in range(10)}}
    names = series_names(hist)
    assert len(names) == 8 and names[-1] == OTHER and names[0] == "C9"


def test_table_equivalent() -> None:
    assert histogram_rows(HIST) == [
        (2016, 2, "Licensing: 2"),
        (2018, 4, "Crime and Disorder: 3; Licensing: 1"),
    ]


def test_committee_keys_shown_by_label() -> None:
    hist = {2018: {"luton/cdc": 2, "luton/lic": 1}}
    labels = {"luton/cdc": "Crime and Disorder (Luton)"}
    svg = str(year_chart(hist, labels=labels))
    assert "Crime and Disorder (Luton)" in svg and "luton/cdc" not in svg and "luton/lic" in svg
    assert histogram_rows(hist, labels) == [
        (2018, 3, "Crime and Disorder (Luton): 2; luton/lic: 1")
    ]


def test_small_counts_have_whole_number_ticks() -> None:
    root = ET.fromstring(str(year_chart({2018: {"A": 1}})))
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert ticks == ["0", "1"]
