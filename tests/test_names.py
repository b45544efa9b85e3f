"""Reading a name backwards from a committee or council word, and title case."""

from __future__ import annotations

import pytest

from indexer.names import STOP, name_before, title_case


@pytest.mark.parametrize(
    ("text", "end", "name"),
    [
        (
            "Minutes of the Amenities, Leisure and Community Services Committee",
            "Committee",
            "Amenities, Leisure and Community Services",
        ),
        (
            "Minutes of the Finance & General Purposes Committee",
            "Committee",
            "Finance & General Purposes",
        ),
        ("MINUTES OF THE PLANNING COMMITTEE", "COMMITTEE", "PLANNING"),
        ("the Licensing Act 2003 Sub-Committee", "Sub-Committee", "Licensing Act 2003"),
        ("held in January 2020 Manordeilo Community Council", "Community", "Manordeilo"),
        ("a meeting of the planning committee", "committee", ""),
        ("Items, Planning Committee", "Committee", "Planning"),  # no closing 'and': a list ends
    ],
)
def test_name_before(text: str, end: str, name: str) -> None:
    assert name_before(text, text.rindex(end), stop=STOP) == name


@pytest.mark.parametrize(
    ("text", "cased"),
    [
        ("CRIME AND DISORDER COMMITTEE", "Crime and Disorder Committee"),
        ("OSB – CRIME", "OSB – Crime"),
        ("JPC SUBCOMMITTEE", "JPC Subcommittee"),
        ("Overview and Scrutiny Board", "Overview and Scrutiny Board"),
    ],
)
def test_title_case(text: str, cased: str) -> None:
    assert title_case(text) == cased
