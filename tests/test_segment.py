"""Segmentation into agenda items: the seed end to end, real heading lines, and the rules."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import pytest

from indexer.read import read_file
from indexer.segment import find_item_headings, parse_item_heading, segment
from kb.model import Block, Document, Item, Meeting, meeting_id


def _meeting_for(doc: Document) -> Meeting:
    """The meeting from indexer.meeting once it exists, else the seed's facts stated here."""
    try:
        module = importlib.import_module("indexer.meeting")
    except ModuleNotFoundError:
        date = dt.date(2018, 3, 27)
        committee = "Crime and Disorder Committee"
        return Meeting(
            id=meeting_id("Luton", committee, date),
            council="Luton",
            committee=committee,
            date=date,
            source=str(doc.path),
        )
    meeting: Meeting = module.extract_meeting(doc)
    return meeting


@pytest.fixture(scope="module")
def seed_items(seed_path: Path) -> tuple[Meeting, list[Item]]:
    doc = read_file(seed_path)
    meeting = _meeting_for(doc)
    return meeting, segment(doc, meeting)


def _by_number(items: list[Item]) -> dict[str, Item]:
    return {i.number: i for i in items}


def test_seed_has_nine_items_numbered_01_to_09(seed_items: tuple[Meeting, list[Item]]) -> None:
    _, items = seed_items
    assert [i.number for i in items] == [f"{n:02d}" for n in range(1, 10)]
    assert [i.order for i in items] == list(range(9))


@pytest.mark.parametrize(
    ("number", "title", "ref"),
    [
        ("01", "APOLOGY FOR ABSENCE", "REF: 1"),
        ("02", "MINUTES", "REF: 2"),
        ("03", "CHAIR'S ANNOUNCEMENT – WELCOME AND INTRODUCTIONS", "REF: 3"),
        ("04", "SETTING THE SCENE/INTRODUCTIONS/BRIEF SPEECH ON THE WORK OF THE COMMUNITY SAFETY",
         "REF: 7"),
        ("05", "UPDATE FROM THE CRIME AND DISORDER COMMITTEE 2016/17 RECOMMENDATIONS", "REF: 8"),
        ("06", "REDUCING VIOLENCE & EXPLOITATION – COMMUNITY SAFETY PARTNERSHIP BUSINESS PLAN",
         "REF: 9"),
        ("07", "KEEPING LUTON SAFE AND TIDY – COMMUNITY SAFETY PARTNERSHIP BUSINESS PLAN",
         "REF: 10"),
        ("08", "HIGHLIGHTS OF THE 2017/18 PRESENTATION AND VIDEO CLIP", "REF: 11"),
        ("09", "PUBLIC QUESTIONS (WRITTEN QUESTIONS ONLY)", "REF: 12"),
    ],
)  # fmt: skip
def test_seed_titles_and_refs(
    seed_items: tuple[Meeting, list[Item]], number: str, title: str, ref: str
) -> None:
    item = _by_number(seed_items[1])[number]
    assert (item.title, item.ref) == (title, ref)


def test_seed_item_ids_and_meeting_facts(seed_items: tuple[Meeting, list[Item]]) -> None:
    meeting, items = seed_items
    item = _by_number(items)["07"]
    assert item.id == f"{meeting.id}/07"
    assert item.meeting_id == meeting.id
    assert (item.council, item.committee, item.date, item.source) == (
        meeting.council, meeting.committee, meeting.date, meeting.source,
    )  # fmt: skip
    assert len({i.id for i in items}) == 9


def test_seed_item_05_resolution_is_whole_sentence_across_page_break(
    seed_items: tuple[Meeting, list[Item]],
) -> None:
    item = _by_number(seed_items[1])["05"]
    assert [r.text for r in item.resolutions] == [
        "That the report (Ref: 8) on the progress of the recommendations made from the Crime & "
        "Disorder Committee held on 27th February 2017 be noted."
    ]
    # The five recommendations are body text, not items or resolutions.
    assert item.body.count("Recommendation ") == 5


def test_seed_item_06_body_keeps_paragraphs_across_page_breaks(
    seed_items: tuple[Meeting, list[Item]],
) -> None:
    item = _by_number(seed_items[1])["06"]
    assert "rehabilitation. The work had led to the closure of brothels" in item.body
    assert "The Chair commended Operation Meteor" in item.body
    assert "Focus on Guns and Gangs" in item.body
    assert item.body.index("Superintendent Greg Horsford") < item.body.index("Operation Meteor")
    assert [r.label for r in item.resolutions] == ["(i)", "(ii)"]
    if item.page_start is not None:  # the reader marks the seed's page rule
        assert item.page_end is not None and item.page_end > item.page_start


def test_seed_item_04_two_labelled_resolutions(seed_items: tuple[Meeting, list[Item]]) -> None:
    item = _by_number(seed_items[1])["04"]
    assert [(r.label, r.kind) for r in item.resolutions] == [
        ("(i)", "resolved"),
        ("(ii)", "resolved"),
    ]
    assert item.resolutions[0].text.startswith("That the comments made by the Chair")


def test_seed_item_07_and_closing_line(seed_items: tuple[Meeting, list[Item]]) -> None:
    items = seed_items[1]
    assert "10 CCTV units" in _by_number(items)["07"].body
    last = items[-1]
    assert last.body == "There were no public questions."
    assert all("Meeting ended" not in i.body for i in items)
    # The attendance preamble and members table are in no item.
    assert all("Boyle" not in i.body and "Councillors Chapman" not in i.body for i in items)


# --------------------------------------------------------------------------- heading lines

# Real lines copied from the seed and the corpus → (number, title) or None (not a heading).
HEADINGS = [
    pytest.param(
        "<b>01.</b>\t<b>APOLOGY FOR ABSENCE (REF: 1)</b>\t",
        ("01", "APOLOGY FOR ABSENCE"),
        id="luton-01",
    ),
    pytest.param(
        (
            "<b>07.</b>\t<b>KEEPING LUTON SAFE AND TIDY – COMMUNITY SAFETY PARTNERSHIP"
            " BUSINESS PLAN (REF: 10)</b>\t"
        ),
        ("07", "KEEPING LUTON SAFE AND TIDY – COMMUNITY SAFETY PARTNERSHIP BUSINESS PLAN"),
        id="luton-07",
    ),
    pytest.param(
        "2629. Police Report: Nothing to report since last meeting.",
        ("2629", "Police Report"),
        id="wye-running",
    ),
    pytest.param(
        "2635. Accounts for payment:-",
        ("2635", "Accounts for payment"),
        id="wye-colon-dash",
    ),
    pytest.param(
        ("3238Any Other Business:  5 street lights not working, MG 191, 193, 195, 198 & 200."),
        ("3238", "Any Other Business"),
        id="wye-glued",
    ),
    pytest.param(
        "2747 Police Report: Attached. No Police presence.",
        ("2747", "Police Report"),
        id="wye-no-dot",
    ),
    pytest.param(
        "3222.Police Report:   Attached.",
        ("3222", "Police Report"),
        id="wye-no-space",
    ),
    pytest.param(
        (
            "3624.   Public Session (15 mins) to receive & consider any matters raise"
            "d by members of the public for future consideration:  No one present."
        ),
        (
            "3624",
            (
                "Public Session (15 mins) to receive & consider any matters raised by mem"
                "bers of the public for future consideration"
            ),
        ),
        id="wye-long-title",
    ),
    pytest.param(
        "**1.MINUTES**",
        ("1", "MINUTES"),
        id="limerick-bold",
    ),
    pytest.param(
        ("**3.OVERVIEW ON CRIME STATISTICS FROM SENIOR CRIME AND POLICING ANALYST**"),
        ("3", "OVERVIEW ON CRIME STATISTICS FROM SENIOR CRIME AND POLICING ANALYST"),
        id="limerick-bold-3",
    ),
    pytest.param(
        "10. Question submitted by Councillor R. O'Donoghue",
        ("10", "Question submitted by Councillor R. O'Donoghue"),
        id="limerick-plain",
    ),
    pytest.param(
        "24/19 Clerk’s Report (Inc Matters Arising)",
        ("24/19", "Clerk’s Report (Inc Matters Arising)"),
        id="stokeferry-minute-ref",
    ),
    pytest.param(
        "3\\. To Approve/Sign the Minutes of the Council Meeting of 14 August 2013",
        ("3", "To Approve/Sign the Minutes of the Council Meeting of 14 August 2013"),
        id="stokeferry-escaped",
    ),
    pytest.param(
        ("5\\. Matters Arising from the Minutes of the meeting held on 11 October 2018"),
        ("5", "Matters Arising from the Minutes of the meeting held on 11 October 2018"),
        id="westdereham",
    ),
    pytest.param(
        "6.1 Chairman’s Report -",
        ("6.1", "Chairman’s Report"),
        id="westdereham-sub",
    ),
    pytest.param(
        "2.  CADARNHAU COFNODION Y CYFARFOD DIWETHAF",
        ("2", "CADARNHAU COFNODION Y CYFARFOD DIWETHAF"),
        id="mscc-welsh",
    ),
    pytest.param(
        ("(i) That the comments made by the Chair of the Community Safety Partnership be noted;"),
        None,
        id="luton-sub-i",
    ),
    pytest.param(
        (
            "**Recommendation 4 - Endorses the introduction of an Annual Business Pla"
            "n to direct action for the year.**"
        ),
        None,
        id="luton-recommendation",
    ),
    pytest.param(
        (
            "a) The Common - collection of rubbish - The new bin is now in place, it "
            "was reported it had not been emptied - this to be monitored over the nex"
            "t few weeks."
        ),
        None,
        id="stokeferry-sub-a",
    ),
    pytest.param(
        "i. Fen Report – M Pogmore",
        None,
        id="boughton-sub-roman",
    ),
    pytest.param(
        "2016.”",
        None,
        id="limerick-year-end-of-quote",
    ),
    pytest.param(
        "4.30 p.m;",
        None,
        id="limerick-time",
    ),
    pytest.param(
        "12 members of the public",
        None,
        id="wye-count",
    ),
    pytest.param(
        "121 drug driving offences.",
        None,
        id="limerick-figure",
    ),
]


@pytest.mark.parametrize(("line", "expected"), HEADINGS)
def test_parse_item_heading_real_lines(line: str, expected: tuple[str, str] | None) -> None:
    assert parse_item_heading(line) == expected


# --------------------------------------------------------------------------- rules on blocks


def _doc(*blocks: Block) -> Document:
    return Document(path=Path("t.txt"), format="text", blocks=list(blocks))


MEETING = Meeting(id="c/m/2020-01-01", council="C", committee="M", date=dt.date(2020, 1, 1))


def test_numbered_list_inside_item_is_not_items() -> None:
    # Wye Valley 20180904.txt's appendix options list, inside a numbered meeting.
    doc = _doc(
        Block("Present: Chair Cllr Stephenie Shewell"),
        Block("2566. Apologies for absence: None."),
        Block("2567. Declarations of interest: None."),
        Block("2568. Options:"),
        Block("1 Commence Site 2 in March 19 followed by Site 1 in April"),
        Block("2 Commence Site 2 in April 19 followed by Site 1"),
        Block("3 Delay Site 1 works until September 19 and follow on with Site 2."),
        Block("2569. Correspondence: None."),
    )
    items = segment(doc, MEETING)
    assert [i.number for i in items] == ["2566", "2567", "2568", "2569"]
    assert "3 Delay Site 1 works" in items[2].body


def test_sub_numbers_stay_in_parent_item() -> None:
    # West Dereham 2018-11: '5.' with '5.1' … inside, then '6.'.
    doc = _doc(
        Block("4. Minutes of the Parish Council meeting held on 11 October 2018"),
        Block("5. Matters Arising from the Minutes of the meeting held on 11 October 2018"),
        Block("5.1 Norfolk County Council Highways Department (NCC-HD) - Footpath Noticeboard"),
        Block("5.2 War Memorial - The Parish Clerk reported that he had now had a conversation"),
        Block("5.3 Overgrown brambles growing adjacent to 10 Ryston Road"),
        Block("6. Reports"),
    )
    items = segment(doc, MEETING)
    assert [i.number for i in items] == ["4", "5", "6"]
    assert items[1].body.count("\n\n") == 2 and "5.3 Overgrown" in items[1].body


def test_gap_filled_by_number_that_lost_its_dot() -> None:
    doc = _doc(
        Block("3237. Correspondence:  Welsh Air Ambulance request for donation."),
        Block("3238Any Other Business:  5 street lights not working."),
        Block("3239.Date of next meeting:  28th February 2022."),
    )
    assert [i.number for i in segment(doc, MEETING)] == ["3237", "3238", "3239"]


def test_item_hint_overrides_text() -> None:
    doc = _doc(
        Block("Minutes", kind="heading"),
        Block("Appointment of Chair", kind="heading", item_hint=("1", "Appointment of Chair")),
        Block("1. Focus on increasing the knowledge of partner organisations", kind="list"),
        Block("Audit Plan", kind="heading", item_hint=("2", "Audit Plan")),
        Block("RESOLVED – That the plan be approved."),
    )
    items = segment(doc, MEETING)
    assert [(i.number, i.title) for i in items] == [
        ("1", "Appointment of Chair"),
        ("2", "Audit Plan"),
    ]
    assert items[1].resolutions[0].text == "That the plan be approved."


def test_unnumbered_headings_fall_back_to_headings() -> None:
    # Stoke Ferry 2001: upper-case sections with numbered lists restarting at 1.
    doc = _doc(
        Block("PRESENT V.Chairman,, & Messrs Patterson, Bonnett"),
        Block("MATTERS ARISING"),
        Block("1. The cemetery land had now been sprayed."),
        Block("PLANNING"),
        Block("1. Bennett. Micklefields. Sun lounge to bungalow. Parish Council approved."),
        Block("2. Bennett. Micklefields. Conservatory to bungalow. Parish Council approved."),
        Block("CORRESPONDENCE"),
        Block("1. Cheque for £12.00 received from B.Council re Election.."),
        Block("2. Enforcement officer wrote re Bashams Quarry."),
    )
    assert find_item_headings(doc.blocks) == []
    items = segment(doc, MEETING)
    assert [i.title for i in items] == ["MATTERS ARISING", "PLANNING", "CORRESPONDENCE"]
    assert [i.number for i in items] == ["1", "2", "3"]


def test_no_numbering_no_headings_gives_one_item() -> None:
    doc = _doc(
        Block("Present: Cllrs Evans, Shewell"),
        Block("Cllr Shewell outlined the reason for the meeting."),
        Block("Option 1 was unanimously chosen."),
    )
    items = segment(doc, MEETING)
    assert len(items) == 1
    assert items[0].title == "Minutes" and "Option 1 was unanimously chosen." in items[0].body


def test_document_without_text_yields_no_items() -> None:
    # A cancelled ModernGov meeting reads as a Document with no blocks: nothing to index.
    assert segment(_doc(), MEETING) == []
    assert segment(_doc(Block("   "), Block("")), MEETING) == []


def test_repeated_number_gets_distinct_ids() -> None:
    # A structured format stating the same number twice (two meetings in one file).
    doc = _doc(
        Block("Apologies", kind="heading", item_hint=("1", "Apologies")),
        Block("Minutes", kind="heading", item_hint=("2", "Minutes")),
        Block("Apologies", kind="heading", item_hint=("1", "Apologies")),
    )
    ids = [i.id for i in segment(doc, MEETING)]
    assert ids == ["c/m/2020-01-01/1", "c/m/2020-01-01/2", "c/m/2020-01-01/1-2"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Item 7 - Planning Applications", ("7", "Planning Applications")),
        ("Minute 12/345 Finance: the accounts were approved.", ("12/345", "Finance")),
        ("15.11.1 Play area inspection", ("15.11.1", "Play area inspection")),
    ],
)
def test_other_numbering_styles(line: str, expected: tuple[str, str]) -> None:
    assert parse_item_heading(line) == expected
