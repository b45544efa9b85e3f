"""Every text, Markdown and HTML file of the shared corpus segments into items.

Uses the ``corpus_dir``/``manifest`` fixtures (skipped with a reason where the corpus is
absent).  Spot checks compare the item numbers found with the ones printed in the files.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from indexer.read import read_file
from indexer.segment import segment
from kb.model import Item, Meeting

pytestmark = pytest.mark.corpus

TEXT_SUFFIXES = {".txt", ".md", ".php", ".htm", ".html"}


def _items(path: Path) -> list[Item]:
    doc = read_file(path)
    meeting = Meeting(
        id=f"corpus/{path.parent.name}/{path.stem}", council="", committee="", date=None
    )
    return segment(doc, meeting)


def test_every_text_markdown_html_file_yields_items(
    corpus_dir: Path, manifest: list[dict[str, str]]
) -> None:
    rows = [r for r in manifest if Path(r["file"]).suffix.lower() in TEXT_SUFFIXES]
    assert len(rows) >= 100  # the corpus has 77 text, 44 Markdown and 9 HTML files
    per_council: dict[str, list[int]] = collections.defaultdict(list)
    failures: list[str] = []
    for row in rows:
        path = corpus_dir / row["file"]
        items = _items(path)
        if not items:
            failures.append(row["file"])
        for item in items:
            assert item.title, f"{row['file']}: item {item.number} has no title"
            assert item.id.startswith("corpus/"), item.id
        assert [i.order for i in items] == list(range(len(items)))
        assert len({i.id for i in items}) == len(items), f"{row['file']}: duplicate ids"
        per_council[row["council"].split("(")[0].strip()].append(len(items))
    for council, counts in sorted(per_council.items()):
        print(f"{council}: {len(counts)} files, {sum(counts)} items, min {min(counts)}")
    assert failures == []


# (file, the item numbers printed in it, in order)
PRINTED = [
    pytest.param(
        "wyevalleycc/20190128.txt",
        [str(n) for n in range(2629, 2643)],
        id="wye-running-numbers",
    ),
    pytest.param(
        "wyevalleycc/20220131.txt",
        [str(n) for n in range(3222, 3240)],  # includes '3238Any Other Business' (dot lost)
        id="wye-html-breaks",
    ),
    pytest.param(
        "limerick-council-meetings/Minutes - Joint Policing Committee Meeting - 1st March 2024.md",
        [str(n) for n in range(1, 9)],
        id="limerick-jpc-bold",
    ),
    pytest.param(
        "limerick-council-meetings/"
        "Minutes - Full Meeting of Limerick City and County Council - 23rd May 2016.md",
        [str(n) for n in range(1, 31)],  # number alone on its line, title on the next
        id="limerick-full-council",
    ),
    pytest.param(
        "stokeferry-village-pump/2019-03_stoke-ferry-parish-council-minutes-february.md",
        [f"{n}/19" for n in range(21, 43) if n != 26],  # 26/19 is not printed
        id="stokeferry-minute-refs",
    ),
    pytest.param(
        "stokeferry-village-pump/2018-11_west-dereham-parish-council-minutes-of-november-meeting.md",
        [str(n) for n in range(1, 17)],  # 5.1, 6.1.1 … stay inside their parents
        id="westdereham-sub-numbers",
    ),
    pytest.param(
        "mscc/minutes_20-01-08.php",
        [str(n) for n in range(1, 13)],
        id="mscc-html-list",
    ),
]


@pytest.mark.parametrize(("name", "numbers"), PRINTED)
def test_item_numbers_are_the_printed_ones(corpus_dir: Path, name: str, numbers: list[str]) -> None:
    assert [i.number for i in _items(corpus_dir / name)] == numbers


def test_wye_titles_and_bodies(corpus_dir: Path) -> None:
    items = {i.number: i for i in _items(corpus_dir / "wyevalleycc/20190128.txt")}
    assert items["2629"].title == "Police Report"
    assert items["2629"].body == "Nothing to report since last meeting."
    assert items["2636"].title == "Planning Permissions"
    assert "DM/2019/00113" in items["2636"].body  # the lines after the heading stay in it
    assert "meeting closed" not in items["2642"].body  # closing line left out


def test_limerick_resolutions_have_proposer_and_seconder(corpus_dir: Path) -> None:
    name = (
        "limerick-council-meetings/"
        "Minutes - Full Meeting of Limerick City and County Council - 23rd May 2016.md"
    )
    first = _items(corpus_dir / name)[0]
    assert first.title == "Adoption of Minutes"
    res = first.resolutions[0]
    assert (res.kind, res.proposer, res.seconder) == (
        "resolved",
        "Councillor Collins (M)",
        "Councillor Ryan",
    )
    assert res.text.startswith("“That, the draft Minutes, as circulated, be taken as read")
