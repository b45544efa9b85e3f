"""Meeting metadata: the seed, a table of real corpus lines, and the rules one by one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import meeting as meeting_mod
from indexer.attendance import split_names
from indexer.dates import find_dates, find_times
from indexer.meeting import (
    UNKNOWN_COUNCIL,
    extract_meeting,
    filename_date,
    find_council_in_committee_title,
)
from indexer.read import read_file
from indexer.read_html import read as read_html
from indexer.read_text import read as read_text
from kb.model import Block, Document, Meeting


def _meeting(text: str, name: str = "minutes.md", *, council: str | None = None) -> Meeting:
    path = Path(name)
    reader = read_html if path.suffix in {".php", ".html"} else read_text
    return extract_meeting(reader(path, text.encode()), council=council)


# --------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed(seed_path: Path) -> Meeting:
    return extract_meeting(read_file(seed_path))


def test_seed_meeting_facts(seed: Meeting) -> None:
    assert seed.id == "luton/crime-and-disorder-committee/2018-03-27"
    assert seed.date == dt.date(2018, 3, 27) and seed.date_source == "text"
    assert seed.date_evidence == "27TH MARCH 2018 AT 7.00 P.M AT THE COUNCIL CHAMBER"
    assert (seed.council, seed.committee) == ("Luton", "Crime and Disorder Committee")
    assert seed.parent_body == "Overview and Scrutiny Board"
    assert (seed.start_time, seed.end_time, seed.venue) == ("19:00", "20:30", "Council Chamber")
    assert seed.format == "text" and seed.pages == 2 and seed.items == []


def test_seed_attendance(seed: Meeting) -> None:
    att = seed.attendance
    assert att.chair == "M. Dolling"
    assert att.vice_chairs == ["Agbley", "Baker"]
    assert att.present == [
        "M. Dolling", "Agbley", "Baker", "Chapman", "Franks", "Keens", "T. Malik", "Mirza",
        "Rogers", "Roden", "J. Taylor",
    ]  # fmt: skip
    assert att.apologies == ["Moles"]


def test_seed_members_table(seed: Meeting) -> None:
    (table,) = seed.attendance.members_tables
    assert table.title == "MEMBERS OF COMMUNITY SAFETY PARTNERSHIP"
    assert table.header == ["SURNAME", "FIRST NAME", "JOB TITLE"]
    assert len(table.rows) == 15
    assert table.rows[0] == ["Boyle", "David", "Chief Superintendent"]
    assert table.rows[-1][:2] == ["Taylor", "Gerry"]


# --------------------------------------------------------------------------- real lines

#: Lines copied exactly from the corpus (file named in the comment), each read as the first
#: line of a document named ``name`` → (date, start time).  Markup is left as printed.
REAL_LINES = [
    # stokeferry-village-pump/2001-10_minutes-of-stoke-ferry-parish-council-meeting.md
    ("Held on the 5th July 2001 at 7:30pm", "x.md", "2001-07-05", "19:30"),
    # …/2003-02_west-dereham-parish-council-4.md
    (
        "Minutes of the meeting held on 9th January 2003 at 8p.m. in the Village Hall.",
        "x.md", "2003-01-09", "20:00",
    ),
    # …/2006-01_west-dereham-pc-minutes-2.md (month misspelt)
    (
        "MINUTES OF THE MEETING OF THE WEST DEREHAM PARISH COUNCIL HELD ON THURSDAY 8th "
        "DECEMEBER 2005 IN THE VILLAGE HALL",
        "x.md", "2005-12-08", None,
    ),
    # …/2008-12_wereham-parish-council-minutes-11.md
    (
        "Minutes of the meeting of Wereham Parish council held in the Village Hall On Tuesday "
        "11th November 2008 at 7.30 p.m.",
        "x.md", "2008-11-11", "19:30",
    ),
    # …/2010-11_northwold-parish-council-meeting-4.md (month before day)
    (
        "MINUTES OF NORTHWOLD PARISH COUNCIL MEETING HELD AT THE VILLAGE HALL TUESDAY "
        "SEPTEMBER 7TH 2010",
        "x.md", "2010-09-07", None,
    ),
    # …/2011-11_wereham-parish-council-meeting-3.md (bold runs)
    (
        "**held on** **8th November 2011** **at** **7.30 p.m.****in the Village Hall.**",
        "x.md", "2011-11-08", "19:30",
    ),
    # …/2012-04_northwold-parish-council-february-meeting.md
    (
        "MINUTES OF NORTHWOLD PARISH COUNCIL MEETING HELD AT THE VILLAGE HALL ON TUESDAY "
        "FEBRUARY 7TH 2012",
        "x.md", "2012-02-07", None,
    ),
    # …/2016-05_northwold-parish-council-february-meeting-3.md
    (
        "MINUTES OF NORTHWOLD PARISH COUNCIL MEETING HELD AT THE VILLAGE HALL ON Tuesday 2nd "
        "February 2016 at 7:30pm",
        "x.md", "2016-02-02", "19:30",
    ),
    # …/2018-11_west-dereham-parish-council-minutes-of-november-meeting.md
    (
        "DRAFT MINUTES OF THE WEST DEREHAM PARISH COUNCIL MEETING HELD AT WEST DEREHAM "
        "VILLAGE HALL AT 7.30 pm ON THURSDAY 08 NOVEMBER 2018",
        "x.md", "2018-11-08", "19:30",
    ),
    # …/2019-03_stoke-ferry-parish-council-minutes-february.md
    (
        "DRAFT STOKE FERRY PARISH COUNCIL Minutes of the Ordinary Meeting held on Wednesday 6 "
        "February 2019 at 7.00pm in Stoke Ferry Village Hall",
        "x.md", "2019-02-06", "19:00",
    ),
    # limerick-council-meetings/Minutes - Full Meeting of Limerick City and County Council…
    ("DOORADOYLE, LIMERICK, ON MONDAY, 23RD MAY, 2016, AT 3.00PM.", "x.md", "2016-05-23", "15:00"),
    # …/Minutes - Joint Policing Committee Meeting - 1st March 2024.md
    (
        "**CHAMBER, DOORADOYLE AND ONLINE ON FRIDAY, 1ST** **MARCH, 2024 AT 10.00 A.M.**",
        "x.md", "2024-03-01", "10:00",
    ),
    # …/Minutes - Joint Policing Committee Meeting - 8th December 2017.md ('TH' as ™)
    ("LIMERICK ON FRIDAY, 8™ DECEMBER, 2017 AT 10.00 A.M.", "x.md", "2017-12-08", "10:00"),
    # …/Minutes - Meeting of the Municipal District of Cappamore-Kilmallock - 21st Sept… (no year)
    (
        "MAINCHIN SEOIGHE ON THURSDAY 21st September AT 3.00PM.",
        "Minutes - Meeting of the Municipal District of Cappamore-Kilmallock - 21st September"
        " 2023.md",
        "2023-09-21", "15:00",
    ),
    # …/Minutes - Meeting of the Municipal District of Adare-Rathkeale JPC Subcommittee…
    (
        "**RATHKEALE, CO. LIMERICK ON THURSDAY, 14TH** **FEBRUARY, 2019 AT 10:00 A.M.**",
        "x.md", "2019-02-14", "10:00",
    ),
    # …/Minutes - Municipal District of Newcastle West Joint Policing Sub Committee…
    ("WEDNESDAY, 4th JULY, 2018, AT 9.15AM.", "x.md", "2018-07-04", "09:15"),
    # …/Minutes of Meeting - Metropolitan District of Limerick - 21st July 2014.md
    ("LIMERICK, ON MONDAY, 21ST JULY, 2014 AT 09.15 A.M.", "x.md", "2014-07-21", "09:15"),
    # …/Minutes of Metropolitan JPC Sub Committee Meeting - 19th February 2018.md
    ("MONDAY, 19TH FEBRUARY, 2018 AT 12.30 P.M.", "x.md", "2018-02-19", "12:30"),
    # wyevalleycc/20200824.txt
    (
        "Minutes of a meeting of the above Council held on Monday 24th August 2020 at 7.00pm "
        "by telephone conferencing.",
        "x.txt", "2020-08-24", "19:00",
    ),
    # wyevalleycc/20221031.txt (no year: from the file name)
    (
        "held on Monday 31st October at 7.00pm in Llandogo Village Hall.",
        "20221031.txt", "2022-10-31", "19:00",
    ),
    # wyevalleycc/20180904.txt (the weekday is wrong in the source: kept as printed)
    (
        "EXTRACT OF MINUTES OF EXTRAORDINARY MEETING HELD ON MONDAY 4TH SEPTEMBER 2018",
        "x.txt", "2018-09-04", None,
    ),
    # mscc/minutes_20-01-08.php
    (
        "Manordeilo and Salem Community Council held their meeting at 7.30pm on the 8th "
        "January 2020 at the Reading Room, Cwmifor.",
        "x.txt", "2020-01-08", "19:30",
    ),
    # mscc/minutes_20-03-11_cy.php (Welsh)
    (
        "Cynhaliwyd cyfarfod Cyngor Cymuned Manordeilo a Salem am 7.30pm ar yr 11eg Mawrth "
        "2020 yn yr Ystafell Ddarllen, Cwmifor.",
        "x.txt", "2020-03-11", "19:30",
    ),
    # mscc/minutes_2020-09_cy.php (Welsh ordinal in <sup>)
    (
        '<time datetime="2020-09-09">Cyfarfod 9<sup>fed</sup> Medi 2020</time>',
        "x.php", "2020-09-09", None,
    ),
    # stokeferry-village-pump/2013-12_boughton-parish-council-meeting-december.md (no year;
    # the magazine's post month 2013-12 bounds it)
    (
        '<td valign="top" width="170"><b>Date held:</b></td><td valign="top" width="180"><b>'
        "1<sup>st</sup> November Time: </b><b>19:00</b><b></b></td>",
        "2013-12_boughton-parish-council-meeting-december.md", "2013-11-01", "19:00",
    ),
    # the seed's title line
    (
        "**AGENDA ITEM****2.1****MINUTES OF THE OSB – CRIME AND DISORDER COMMITTEE****27<sup>"
        "TH</sup> MARCH 2018 AT 7.00 P.M AT THE COUNCIL CHAMBER****PRESENT: COUNCILLORS**",
        "x.txt", "2018-03-27", "19:00",
    ),
    # Lines about other meetings: no date for this one.
    # stokeferry-village-pump/2005-06_minutes-of-the-annual-wereham-parish-council-meeting.md
    (
        "5\\. Minutes: It was proposed by G. Gott and seconded by Mrs. Willis that the minutes "
        "of the meeting held on 8th March 2005 be signed as a correct record.",
        "x.md", None, None,
    ),
    # stokeferry-village-pump/2018-03_wretton-parish-council-december-meeting.md
    (
        "The Minutes of the meeting held on 11.09.17 were agreed as a true record.",
        "x.md", None, None,
    ),
    # stokeferry-village-pump/2018-11_minutes-of-northwold-parish-council-september-meeting.md
    (
        "4\\. TO APPROVE AND SIGN THE MINUTES OF THE LAST MEETING held on 3rd July 2018 The "
        "minutes were approved by all Councillors present.",
        "x.md", None, None,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("line", "name", "date", "time"), REAL_LINES)
def test_real_heading_lines(line: str, name: str, date: str | None, time: str | None) -> None:
    meeting = _meeting(line, name)
    assert (meeting.date.isoformat() if meeting.date else None) == date
    assert meeting.start_time == time
    assert meeting.date_source == ("text" if date else "unknown")


# --------------------------------------------------------------------------- date and time forms

DATE_FORMS = [
    ("27TH MARCH 2018", (2018, 3, 27)),
    ("Monday 4th September 2018", (2018, 9, 4)),
    ("1ST MARCH, 2024", (2024, 3, 1)),
    ("4.9.18", (2018, 9, 4)),
    ("04/09/2018", (2018, 9, 4)),
    ("September 4, 2018", (2018, 9, 4)),
    ("the 8th of May 2019", (2019, 5, 8)),
    ("2018-09-04", (2018, 9, 4)),
    ("14 Ionawr 2015", (2015, 1, 14)),
    ("Date held: 1 st November", (None, 11, 1)),
]


@pytest.mark.parametrize(("text", "ymd"), DATE_FORMS)
def test_date_forms(text: str, ymd: tuple[int | None, int, int]) -> None:
    (found,) = find_dates(text)
    assert (found.year, found.month, found.day) == ymd


@pytest.mark.parametrize(
    "text", ["4.4.4.4.5iv) The identification", "£11,387.91", "item 2.1", "31 February 2019"]
)
def test_not_dates(text: str) -> None:
    assert find_dates(text) == []


TIME_FORMS = [
    ("AT 7.00 P.M AT THE", "19:00"),
    ("at 10.00 a.m.", "10:00"),
    ("at 7.30pm", "19:30"),
    ("Time: 19:30", "19:30"),
    ("Meeting ended: 20.30pm", "20:30"),
    ("am 7:30 ar 14 Ionawr", "19:30"),  # Welsh 'am' = 'at'; a bare 7:30 is evening
    ("12.00 noon", "12:00"),
    ("at 8p.m. in the Village Hall", "20:00"),
]


@pytest.mark.parametrize(("text", "value"), TIME_FORMS)
def test_time_forms(text: str, value: str) -> None:
    assert find_times(text)[0].value == value


def test_no_time_in_money_or_numbers() -> None:
    assert find_times("£3,902.00 and 12 members and 4.4.5") == []


# --------------------------------------------------------------------------- rules


def test_heading_date_beats_body_dates() -> None:
    text = (
        "MINUTES OF THE PLANNING COMMITTEE\n\n12th June 2019 at 7pm\n\n1. Minutes\n\n"
        "That the minutes of the meeting held on 27th February 2017 be agreed.\n"
    )
    meeting = _meeting(text, "20190101.txt")
    assert meeting.date == dt.date(2019, 6, 12) and meeting.date_source == "text"
    assert meeting.committee == "Planning Committee"


def test_filename_date_only_when_text_has_none() -> None:
    meeting = _meeting("1. Apologies\n\nNone.\n", "20221128.txt")
    assert (meeting.date, meeting.date_source) == (dt.date(2022, 11, 28), "filename")
    assert meeting.date_evidence == "file name 20221128.txt"


def test_no_date_at_all_is_unknown_with_warning() -> None:
    meeting = _meeting("1. Apologies\n\nNone.\n", "notes.txt")
    assert meeting.date is None and meeting.date_source == "unknown"
    assert meeting.id.endswith("/undated")
    assert any("date" in w for w in meeting.warnings)


def test_xml_hints_win(tmp_path: Path) -> None:
    doc = read_text(Path("20200101.txt"), b"Minutes of the meeting held on 3rd March 2021")
    doc.hints = {"date": dt.date(2026, 2, 10), "council": "Manchester", "committee": "Audit"}
    meeting = extract_meeting(doc, council="Ignored")
    assert (meeting.date, meeting.date_source) == (dt.date(2026, 2, 10), "xml")
    assert meeting.id == "manchester/audit/2026-02-10"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("20221128.txt", (dt.date(2022, 11, 28), 2022)),
        ("minutes_20-01-08.php", (dt.date(2020, 1, 8), 2020)),
        ("Minutes - Joint Policing Committee Meeting - 1st March 2024.md",
         (dt.date(2024, 3, 1), 2024)),
        ("2005-08_minutes-of-wretton-parish-council.md", (None, 2005)),
        ("luton-osb-crime-and-disorder-committee-2018-03-27.txt", (dt.date(2018, 3, 27), 2018)),
        ("notes.txt", (None, None)),
    ],
)  # fmt: skip
def test_filename_date(name: str, expected: tuple[dt.date | None, int | None]) -> None:
    assert filename_date(Path(name))[:2] == expected


COUNCIL_CASES = [
    ("MINUTES OF LUTON BOROUGH COUNCIL\n\n1 May 2019", None, "Luton"),
    ("Minutes of the Wereham Parish Council Meeting held on 9th September 2003", None,
     "Wereham Parish Council"),
    ("MINUTES OF PROCEEDINGS AT MEETING OF LIMERICK CITY AND COUNTY COUNCIL", None, "Limerick"),
    ("Cynhaliwyd cyfarfod Cyngor Cymuned Manordeilo a Salem am 7.30pm", None,
     "Manordeilo and Salem Community Council"),
    ("Minutes of a meeting of the above Council held on 1 May 2019", "Wye Valley CC",
     "Wye Valley CC"),
    ("Minutes of a meeting of the above Council held on 1 May 2019", None, UNKNOWN_COUNCIL),
]  # fmt: skip


@pytest.mark.parametrize(("text", "arg", "council"), COUNCIL_CASES)
def test_council(text: str, arg: str | None, council: str) -> None:
    assert _meeting(text, council=arg).council == council


def test_full_council_and_venue() -> None:
    meeting = _meeting(
        "Minutes of Stoke Ferry Parish Council Meeting held in The Community Centre at 7.30pm "
        "on Wednesday 3rd November 2004\n\n1. Apologies\n\nThe meeting closed at 9.15pm.\n"
    )
    assert meeting.committee == "Full Council"
    assert meeting.venue == "Community Centre"
    assert (meeting.start_time, meeting.end_time) == ("19:30", "21:15")
    assert meeting.id == "stoke-ferry-parish-council/full-council/2004-11-03"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Councillor M. Dolling (Chair), Agbley (Vice Chair), Baker (Vice Chair),",
            [("M. Dolling", "Chair"), ("Agbley", "Vice Chair"), ("Baker", "Vice Chair")],
        ),
        (
            "Cllr D Llewellyn - Chairman, Cllr I. Mack - Vice Chairman",
            [("D Llewellyn", "Chairman"), ("I. Mack", "Vice Chairman")],
        ),
        (
            "Chair Cllr Stephenie Shewell, Cllrs Steve Evans, Tony Hayward, John Hoskins, "
            "Vivien Richards County Councillor Ann Webb",
            [("Stephenie Shewell", "Chair"), ("Steve Evans", None), ("Tony Hayward", None),
             ("John Hoskins", None), ("Vivien Richards", None), ("Ann Webb", None)],
        ),
        (
            "Cllrs Hillard, Evans, Cobb, Ashman, County Cllr Webb & the Clerk.",
            [("Hillard", None), ("Evans", None), ("Cobb", None), ("Ashman", None),
             ("Webb", None)],
        ),
        ("12 members of the public and business community", []),
    ],
)  # fmt: skip
def test_split_names(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert split_names(text) == expected


def test_limerick_style_labelled_attendance() -> None:
    text = (
        "**IN THE CHAIR :**\n\nCouncillor A. Teskey\n\n**COUNCILLORS :**\n\n"
        "Councillors J. Collins, T. Collopy, S. Hartigan,\n\nE. O’Brien and\n\nA. Talukder\n\n"
        "**OFFICIALS :**\n\nChief Executive (Dr. P. Daly), Senior Executive Officer (Ms. L. "
        "Flannery) and\n\nStaff Officer (Ms. L. Creamer)\n\n**APOLOGIES :**\n\n"
        "Councillor G. Mitchell, Mayor\n\n**1.MINUTES**\n\nCirculated.\n"
    )
    att = _meeting(text).attendance
    assert att.chair == "A. Teskey"
    assert att.present == ["A. Teskey", "J. Collins", "T. Collopy", "S. Hartigan", "E. O’Brien",
                           "A. Talukder"]  # fmt: skip
    assert att.officers == [
        "Chief Executive (Dr. P. Daly)",
        "Senior Executive Officer (Ms. L. Flannery)",
        "Staff Officer (Ms. L. Creamer)",
    ]
    assert att.apologies == ["G. Mitchell"]


def test_meeting_never_raises_on_empty_document() -> None:
    meeting = extract_meeting(Document(path=Path("x.txt"), format="text", blocks=[]))
    assert meeting.council == UNKNOWN_COUNCIL and meeting.committee == "Full Council"


def test_limerick_title_split_over_lines() -> None:
    # limerick-council-meetings/Minutes - Meeting of the Municipal District of Adare-Rathkeale
    # JPC Subcommittee - 14th February 2019.md, first lines as printed.
    text = (
        "[Original file](https://www.limerick.ie/x.pdf)\n\n---\n"
        "**MINUTES OF PROCEEDINGS AT MEETING OF THE MUNICIPAL DISTRICT OF ADARE-**\n\n"
        "**RATHKEALE JPC SUBCOMMITTEE HELD IN ÁRAS SÉAN FINN, NEW LINE ROAD,**\n\n"
        "**RATHKEALE, CO. LIMERICK ON THURSDAY, 14TH** **FEBRUARY, 2019 AT 10:00 A.M.**\n\n"
        "**PRESENT IN THE CHAIR:**\n\nCouncillor Teskey, An Cathaoirleach.\n\n1. Minutes\n\n"
        "Adopted by Limerick City and County Council.\n"
    )
    meeting = _meeting(text)
    assert meeting.date == dt.date(2019, 2, 14)
    assert meeting.committee == "Adare-Rathkeale JPC Sub-Committee"
    assert meeting.venue == "Áras Séan Finn, New Line Road"
    assert meeting.council == "Limerick"  # from the body, because LIMERICK is in the title
    assert meeting.attendance.chair == "Teskey"


def test_venue_cut_by_a_line_break_is_joined() -> None:
    text = (
        "MINUTES OF PROCEEDINGS OF MONTHLY MEETING OF THE\n\n"
        "MUNICIPAL DISTRICT OF CAPPAMORE KILMALLOCK HELD IN ARAS\n\n"
        "MAINCHIN SEOIGHE ON THURSDAY 21st September AT 3.00PM.\n"
    )
    meeting = _meeting(text, "x - 21st September 2023.md")
    assert meeting.venue == "Aras Mainchin Seoighe"
    assert meeting.committee == "Municipal District of Cappamore Kilmallock"


def test_council_only_mentioned_in_the_body_is_not_taken() -> None:
    text = (
        "Minutes of a meeting of the above Council held on Monday 20th May 2019 at 7.00pm\n\n"
        "2980.Correspondence: Abergavenny Town Council invite. Abergavenny Town Council event.\n"
    )
    assert _meeting(text, "x.txt").council == UNKNOWN_COUNCIL


@pytest.mark.parametrize(
    ("closing", "end"),
    [
        ("meeting closed at 9.09.", "21:09"),  # bare 9.09 after a 19:00 start is evening
        ("The meeting closed at 20.39.", "20:39"),
        ("(Meeting ended: 20.30pm)", "20:30"),
        ("There being no further business the meeting closed at 8.45 pm.", "20:45"),
    ],
)
def test_end_time(closing: str, end: str) -> None:
    text = (
        f"Minutes of the meeting held on 9th January 2003 at 7.00pm.\n\n1. Apologies\n\n{closing}"
    )
    assert _meeting(text).end_time == end


def test_clerk_among_present_is_an_officer() -> None:
    # wyevalleycc/20200824.txt: "Present:  Cllrs Hillard, Evans, Cobb, Ashman, County Cllr Webb
    # & the Clerk."
    text = (
        "Minutes of a meeting of the above Council held on Monday 24th August 2020 at 7.00pm."
        "<br /><br />Present:  Cllrs Hillard, Evans, Cobb, Ashman, County Cllr Webb & the Clerk."
        "<br /><br />2927.Police Report:  Attached."
    )
    att = _meeting(text, "20200824.txt").attendance
    assert att.present == ["Hillard", "Evans", "Cobb", "Ashman", "Webb"]
    assert att.officers == ["Clerk"]


@pytest.mark.parametrize(
    ("title", "council"),
    [
        ("LIMERICK JOINT POLICING COMMITTEE HELD IN THE COUNCIL CHAMBER, DOORADOYLE", "Limerick"),
        ("Minutes of Meeting - Metropolitan District of Limerick", "Limerick"),
        ("MINUTES OF MEETING OF METROPOLITAN JOINT POLICING SUB COMMITTEE", None),
        ("Municipal District of Newcastle West Joint Policing Sub Committee Meeting", None),
        ("MINUTES OF PROCEEDINGS AT MEETING OF THE JOINT POLICING COMMITTEE HELD IN THE", None),
    ],
)
def test_council_from_committee_title(title: str, council: str | None) -> None:
    assert find_council_in_committee_title(title) == council


def test_jpc_council_named_only_in_the_body(corpus_dir: Path) -> None:
    # The title says only 'THE JOINT POLICING COMMITTEE'; item 18 quotes a motion 'at the
    # next Meeting of Limerick Joint Policing Committee'.
    path = (
        corpus_dir
        / "limerick-council-meetings"
        / "Minutes - Joint Policing Committee Meeting - 2nd October 2020.md"
    )
    meeting = extract_meeting(read_file(path))
    assert (meeting.council, meeting.committee) == ("Limerick", "Joint Policing Committee")
    assert not any("council not stated" in w for w in meeting.warnings)


@pytest.mark.parametrize(
    ("lines", "start", "end"),
    [
        (["Any other business: none.", "The meeting closed at 9.05pm."], "19:00", "21:05"),
        (
            ["There being no further business the Chairman CLOSED THE MEETING AT 8.30 pm"],
            None,
            "20:30",
        ),
        (["Meeting ended at 21:15"], None, "21:15"),
        (["The close of the meeting was at 10.10pm."], None, "22:10"),
        (["Daeth y cyfarfod i ben am 8.45pm."], None, "20:45"),
        (["The Chair thanked everyone at 9.00pm."], None, None),
        (["Which was AdJourned at 7.40pm"], "19:00", "19:40"),
    ],
)
def test_end_time_from_the_closing_lines(
    lines: list[str], start: str | None, end: str | None
) -> None:
    blocks = [Block(text, "paragraph") for text in lines]
    assert meeting_mod.find_end_time(blocks, after=start) == end


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["meeting", "Which", "was", "ENDED", "closed", "Close", "of", "the", "at", "9pm",
             "finished", "concluded", "terminated", "adjourned", "daeth y cyfarfod i ben",
             "ſ", "clo", "sed", "x", "\n"]
        ),
        max_size=12,
    ).map(" ".join)
)  # fmt: skip
def test_the_end_pre_check_never_hides_a_match(text: str) -> None:
    if meeting_mod._ENDED.search(text):
        assert meeting_mod._may_end(text)
