"""indexer.kind: meeting kinds from heading cues, and files holding two meetings."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.kind import detect_kind, kind_in, meeting_starts, split_meetings
from indexer.read import read_file
from kb.model import MEETING_KINDS, Block, Document

FIXTURES = Path(__file__).parent / "fixtures" / "identity"


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("EXTRAORDINARY MEETING 6th FEBRUARY 2019", "extraordinary"),
        (
            "MANORDEILO & SALEM COMMUNITY COUNCIL EXTRAORDINARY MEETING 6th FEBRUARY 2019",
            "extraordinary",
        ),
        ("Extraordinary Meeting of the Parish Council", "extraordinary"),
        ("Minutes of an Extra-ordinary Council meeting held on 3 May", "extraordinary"),
        ("Minutes of the Annual General Meeting of the above Council held on …", "agm"),
        ("Minutes of the AGM of the above Council held on Monday 23rd May 2022", "agm"),
        ("A.G.M.", "agm"),
        ("ANNUAL MEETING", "annual"),
        ("Minutes of the Annual Wereham Parish Council Meeting", "annual"),
        ("Annual Meeting of the Parish Council", "annual"),
        ("Annual Council", "annual"),
        ("Annual Parish Meeting", "annual-parish"),
        ("Minutes of the Annual Meeting of the Parish held on 20 April 2023", "annual-parish"),
        ("Annual Parishioners' Meeting", "annual-parish"),
        ("Annual Town Meeting 2022", "annual-town"),
        ("Special Meeting of the Planning Committee", "special"),
        ("Special Council Meeting", "special"),
        ("Regular Meeting of Council", None),
        ("Cyfarfod Arbennig o'r Cyngor", "extraordinary"),
        ("Cyfarfod Blynyddol Cyffredinol", "agm"),
        ("Cyfarfod Blynyddol", "annual"),
        # a kind named for another meeting is not this meeting's kind
        ("held their meeting at 8.00pm following the AGM on the 10th May 2017", None),
        ("held their meeting following the Extraordinary Meeting on the 6th February", None),
        ("INCLUDES THE DRAFT MINUTES OF THE AGM HELD ON THE SAME DATE", None),
        ("Minutes of the meeting of the Parish Council held on 5 March 2020", None),
        ("Planning and Licensing Committee", None),
    ],
)
def test_kind_in_title_lines(line: str, kind: str | None) -> None:
    assert kind_in(line) == kind
    assert kind is None or kind in MEETING_KINDS


def _doc(*texts: str, kinds: dict[int, str] | None = None) -> Document:
    blocks = [Block(t, kind=(kinds or {}).get(n, "paragraph")) for n, t in enumerate(texts)]
    return Document(path=Path("x.txt"), format="text", blocks=blocks)


@pytest.mark.parametrize(
    ("texts", "kind"),
    [
        (["EXTRAORDINARY MEETING", "Present: Cllrs A, B.", "1. Apologies: none."], "extraordinary"),
        # the opening line decides before a later line naming other minutes
        (
            [
                "Minutes of a meeting of the above Council held on Monday 18th May 2020 at 7pm.",
                "INCLUDES THE DRAFT MINUTES OF THE ANNUAL GENERAL MEETING",
                "1. Police report: none.",
            ],
            "ordinary",
        ),
        # an item titled after a kind is not a title line
        (["Minutes of the Parish Council", "1. Annual Parish Meeting: date set."], "ordinary"),
        (["Minutes", "1. Apologies."], "ordinary"),
    ],
)
def test_detect_kind_reads_title_lines_only(texts: list[str], kind: str) -> None:
    assert detect_kind(_doc(*texts).blocks) == kind


def test_detect_kind_falls_back_to_the_formats_hint() -> None:
    assert detect_kind(_doc("Minutes", "1. Apologies.").blocks, "special") == "special"


def test_agm_followed_by_ordinary_meeting_each_numbering_from_1() -> None:
    doc = read_file(FIXTURES / "agm-then-ordinary.txt")
    first, second = split_meetings(doc)
    assert first.blocks[0].text == "BRAMBLE HEATH PARISH COUNCIL"
    assert second.blocks[0].text.startswith("Minutes of the Ordinary Meeting")
    assert first.blocks + second.blocks == doc.blocks  # nothing lost, nothing twice
    assert detect_kind(first.blocks) == "agm" and detect_kind(second.blocks) == "ordinary"
    assert second.path == doc.path and second.warnings == []


@pytest.mark.parametrize(
    ("texts", "starts"),
    [
        # "Minutes of … meeting … held on …" after items, with items after it
        (
            [
                "Minutes of the AGM held on 3 May 2022 at 6.30pm.",
                "805. Election of Chairman: Cllr A.",
                "TOWN COUNCIL",
                "Minutes of a meeting of the above Council held on 3 May 2022 at 7pm.",
                "2691. Police report: none.",
            ],
            [2],
        ),
        # a bare title after "Meeting closed at …"
        (
            [
                "ANNUAL MEETING",
                "824. Election of Chairman: Cllr A.",
                "Meeting closed at 6.55pm.",
                "ORDINARY MEETING",
                "3503. Police Reports: attached.",
            ],
            [3],
        ),
        # a bare title after which the items number again from 1
        (
            ["ANNUAL MEETING", "1. Chairman.", "2. Accounts.", "ORDINARY MEETING", "1. Apologies."],
            [3],
        ),
        (
            [
                "SPECIAL MEETING",
                "1. Budget.",
                "2. Adjourn.",
                "Regular Meeting of Council",
                "1. Roll.",
            ],
            [3],
        ),
        # approving earlier minutes is not a new meeting
        (
            [
                "Minutes",
                "1. Apologies.",
                "The minutes of the Parish Council meeting held on 02/08/12 were agreed.",
                "2. Planning.",
            ],
            [],
        ),
        # an item about the annual meeting, numbering on: one meeting
        (
            ["Minutes", "1. Apologies.", "2. Accounts.", "Annual Parish Meeting", "3. Footpaths."],
            [],
        ),
        # a new opening with no items after it (a closing note) starts nothing
        (["Minutes", "1. Apologies.", "Minutes of the meeting held on 3 May 2022 at 7pm."], []),
    ],
)
def test_meeting_starts(texts: list[str], starts: list[int]) -> None:
    kinds = {n: "heading" for n, t in enumerate(texts) if t.isupper()}
    assert meeting_starts(_doc(*texts, kinds=kinds).blocks) == starts


def test_a_file_with_one_meeting_is_returned_whole() -> None:
    doc = read_file(FIXTURES / "ordinary-2019-02-06.txt")
    assert split_meetings(doc) == [doc]
