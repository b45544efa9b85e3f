"""web.cite: an item cited as plain text, BibTeX-like and CSL-JSON."""

from __future__ import annotations

import json

import pytest

from kb.config import UNKNOWN_COUNCIL
from web import cite

URL = "https://kb.example/items/luton/licensing-committee/2019-06-12/2"
ITEM = {
    "id": "luton/licensing-committee/2019-06-12/2",
    "council": "Luton",
    "committee": "Licensing Committee",
    "date": "2019-06-12",
    "number": "2",
    "title": "CCTV IN LICENSED PREMISES",
}


@pytest.mark.parametrize(
    ("item", "text"),
    [
        (
            ITEM,
            "Luton, Licensing Committee, minutes of the meeting of 12 June 2019, item 2: "
            f"“CCTV IN LICENSED PREMISES”. Minutes KB, {URL}",
        ),
        (
            {**ITEM, "date": None, "title": ""},
            "Luton, Licensing Committee, minutes of the meeting of unknown date, item 2: "
            f"“Untitled item”. Minutes KB, {URL}",
        ),
        (
            {
                "id": "x",
                "meeting": {"council": "Bury", "committee": "Cabinet", "date": "2020-01-02"},
                "number": "4a",
                "title": "Budget",
            },  # fmt: skip
            "Bury, Cabinet, minutes of the meeting of 2 January 2020, item 4a: “Budget”. "
            f"Minutes KB, {URL}",
        ),
        (
            {**ITEM, "date": "not a date"},
            "Luton, Licensing Committee, minutes of the meeting of unknown date, item 2: "
            f"“CCTV IN LICENSED PREMISES”. Minutes KB, {URL}",
        ),
    ],
)
def test_plain(item: dict, text: str) -> None:
    assert cite.plain(item, URL) == text


def test_plain_with_access_date() -> None:
    import datetime as dt

    assert cite.plain(ITEM, URL, accessed=dt.date(2026, 1, 5)).endswith(
        f"{URL} (accessed 5 January 2026)"
    )


def test_bibtex_entry() -> None:
    assert cite.bibtex(ITEM, URL) == (
        "@misc{luton2019-06-12item2,\n"
        "  author = {{Luton}},\n"
        "  title = {Item 2: CCTV IN LICENSED PREMISES},\n"
        "  howpublished = {Minutes of the Licensing Committee, 12 June 2019},\n"
        "  organization = {Licensing Committee},\n"
        "  year = {2019},\n"
        "  date = {2019-06-12},\n"
        "  publisher = {Minutes KB},\n"
        f"  url = {{{URL}}}\n"
        "}\n"
    )


@pytest.mark.parametrize(
    ("title", "escaped"),
    [
        ("Fees & charges: 5% {rise}", r"Fees \& charges: 5\% \{rise\}"),
        ("C:\\path_to #1 ~ ^", r"C:\\path\_to \#1 \~ \^"),
        ("$100", r"\$100"),
    ],
)
def test_bibtex_escapes_special_characters(title: str, escaped: str) -> None:
    entry = cite.bibtex({**ITEM, "title": title}, URL)
    assert f"  title = {{Item 2: {escaped}}},\n" in entry
    assert entry.count("{") == entry.count("}")


@pytest.mark.parametrize(
    ("item", "key"),
    [
        (ITEM, "luton2019-06-12item2"),
        (
            {**ITEM, "council": "St. Helens Borough Council", "number": "4(a)"},
            "sthelensboroughcounc2019-06-12item4a",
        ),
        ({**ITEM, "date": None, "number": ""}, "lutonundateditemx"),
    ],
)
def test_cite_key(item: dict, key: str) -> None:
    assert cite.cite_key(item) == key


def test_csl_json() -> None:
    (entry,) = json.loads(json.dumps(cite.csl_json(ITEM, URL)))
    assert entry == {
        "id": ITEM["id"],
        "type": "document",
        "title": "Item 2: CCTV IN LICENSED PREMISES",
        "author": [{"literal": "Luton"}],
        "container-title": "Minutes of the Licensing Committee",
        "publisher": "Minutes KB",
        "URL": URL,
        "issued": {"date-parts": [[2019, 6, 12]]},
    }
    assert "issued" not in cite.csl_json({**ITEM, "date": None}, URL)[0]


@pytest.mark.parametrize("council", [UNKNOWN_COUNCIL, "", None])
def test_no_author_when_the_council_is_not_known(council: str | None) -> None:
    """'Council not stated' is a placeholder, not an author a reference manager should import."""
    item = {**ITEM, "council": council}
    entry = cite.bibtex(item, URL)
    assert "author" not in entry and entry.startswith("@misc{councilnotstated2019-06-12item2,")
    assert "  organization = {Licensing Committee},\n" in entry
    (csl,) = cite.csl_json(item, URL)
    assert "author" not in csl and csl["container-title"] == "Minutes of the Licensing Committee"
    assert cite.plain(item, URL).startswith("Council not stated, Licensing Committee, ")
