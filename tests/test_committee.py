"""Committee (and council) from title lines of many kinds of councils, and one name per
committee.

Each case is the first lines of a minutes document as such councils print them (English
parish, town and county councils, Welsh community councils, Scottish and Irish councils,
Canadian townships, a US town), read by the text reader and run through
``extract_meeting``: the committee must be the one the heading names, and an annual,
extraordinary or ordinary meeting of the council itself is the Full Council's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.committee import committee_in_line, normalise_committee
from indexer.meeting import FULL_COUNCIL, UNKNOWN_COUNCIL, extract_meeting
from indexer.read_text import read as read_text

BODY = "\n\nPresent: Cllr A. Smith (Chair), Cllr B. Jones.\n\n1. Apologies\n\nNone.\n"

#: (first lines as printed, committee, council).
HEADINGS = [
    (  # a county council's cabinet, its name alone on a line
        "WILTSHIRE COUNCIL\n\nCABINET\n\nMINUTES of a meeting held at County Hall, "
        "Trowbridge on Tuesday 5 March 2024 at 10.00 am.",
        "Cabinet",
        "Wiltshire",
    ),
    (
        "Durham County Council\n\nMinutes of the Corporate Parenting Panel held in Committee "
        "Room 2, County Hall, Durham on Friday 12 January 2024 at 9.30 am",
        "Corporate Parenting Panel",
        "Durham",
    ),
    (
        "ANNUAL PARISH MEETING\n\nMinutes of the Annual Parish Meeting of Little Snoring "
        "Parish Council held on Wednesday 20th April 2022 at 7pm",
        FULL_COUNCIL,
        "Little Snoring Parish Council",
    ),
    (
        "Minutes of the AGM of Barton Town Council held on Monday 15 May 2023 at 7.00pm",
        FULL_COUNCIL,
        "Barton Town Council",
    ),
    (
        "Extraordinary Meeting of the Parish Council\n\nMinutes of the Extraordinary Meeting "
        "of Great Ayton Parish Council held on 3 August 2021 at 7.30pm",
        FULL_COUNCIL,
        "Great Ayton Parish Council",
    ),
    (
        "ASHBY TOWN COUNCIL\n\nMinutes of the Amenities, Leisure and Community Services "
        "Committee held on Wednesday 8 June 2022 at 7.00pm in the Council Chamber",
        "Amenities, Leisure and Community Services Committee",
        "Ashby Town Council",
    ),
    (
        "CYNGOR CYMUNED LLANGYNDEYRN COMMUNITY COUNCIL\n\nMinutes of the meeting held on "
        "Monday 9 January 2023 at 7pm in the Memorial Hall",
        FULL_COUNCIL,
        "Llangyndeyrn Community Council",
    ),
    (  # Scottish: the council's letterhead, then the committee
        "The Highland Council\n\nMinutes of Meeting of the Education Committee held in the "
        "Council Chamber, Glenurquhart Road, Inverness on Thursday 23 November 2023 at "
        "10.30am.\n\nIn the Chair: The Convener",
        "Education Committee",
        "Highland",
    ),
    (
        "Minutes of the Meeting of the Municipal District of Killarney held on 14th March "
        "2023 at 10am",
        "Municipal District of Killarney",
        UNKNOWN_COUNCIL,
    ),
    (
        "THE CORPORATION OF THE TOWNSHIP OF PUSLINCH\n\nREGULAR COUNCIL MEETING\n\nMINUTES"
        "\n\nJanuary 8, 2024\n\n7:00 p.m.",
        FULL_COUNCIL,
        "Township of Puslinch",
    ),
    (
        "Municipality of Brighton\n\nCommittee of the Whole Minutes\n\nMonday, 2024-01-08, "
        "6:00 p.m., Council Chambers",
        "Committee of the Whole",
        "Municipality of Brighton",
    ),
    (
        "Town of Westford\n\nBoard of Selectmen\n\nMeeting Minutes\n\nJanuary 9, 2024",
        "Board of Selectmen",
        "Town of Westford",
    ),
    (
        "Kent County Council\n\nMinutes of a meeting of the Health & Wellbeing Board held "
        "on Wednesday 5 July 2023",
        "Health and Wellbeing Board",
        "Kent",
    ),
    (
        "MINUTES OF THE PLANNING SUB COMMITTEE OF HAMBLEDEN PARISH COUNCIL held on 5 May "
        "2022 at 7pm",
        "Planning Sub-Committee",
        "Hambleden Parish Council",
    ),
    (
        "Minutes of the Finance & General Purposes Committee meeting held on 4 April 2023, "
        "Stow Town Council",
        "Finance and General Purposes Committee",
        "Stow Town Council",
    ),
    (
        "Meeting of the Planning Committee held on Monday 3rd October 2022 at Bourne Village Hall",
        "Planning Committee",
        UNKNOWN_COUNCIL,
    ),
    (  # a title with its date set right: a two-cell row
        "CABINET\t\tTuesday 5 March 2024\n\nMinutes of the meeting held at County Hall",
        "Cabinet",
        UNKNOWN_COUNCIL,
    ),
    (  # a row of people is not a title
        "Minutes of the meeting of Stow Town Council held on 1 May 2023\n\n"
        "Cllr Smith\tChair of the Planning Committee",
        FULL_COUNCIL,
        "Stow Town Council",
    ),
    (  # labelled cover rows
        "Meeting: Licensing Sub-Committee\n\nDate: Tuesday 12 March 2024\n\nVenue: Room 3",
        "Licensing Sub-Committee",
        UNKNOWN_COUNCIL,
    ),
    (
        "Committee:\tPlanning\n\nDate:\tMonday 4 March 2024\n\nMinutes of the meeting of the "
        "Council's Planning Committee",
        "Planning Committee",
        UNKNOWN_COUNCIL,
    ),
    (
        "Minutes of the meeting of the Town Council's Environment Committee held on 4 March 2024",
        "Environment Committee",
        UNKNOWN_COUNCIL,
    ),
    (
        "Dorset Council\n\nMinutes of the Harbours Working Group held on 5 June 2023",
        "Harbours Working Group",
        "Dorset",
    ),
    (
        "THE EXECUTIVE\n\nMinutes of the meeting held on Wednesday 12 April 2023 at 6pm",
        "Executive",
        UNKNOWN_COUNCIL,
    ),
    (  # a chair of a committee named in the title lines is not the meeting's committee
        "Minutes of the meeting of Stow Parish Council held on 1 May 2023. Cllr Smith, "
        "Chair of the Finance Committee, presided.",
        FULL_COUNCIL,
        "Stow Parish Council",
    ),
    (  # an agenda item's label after the date line is not a title
        "Minutes of a meeting of the above Council held on Monday 24th September 2018 at "
        "7.00pm\n\nPublic Forum: No public presence.",
        FULL_COUNCIL,
        UNKNOWN_COUNCIL,
    ),
    (
        "LIMERICK JOINT POLICING COMMITTEE HELD IN THE COUNCIL CHAMBER ON FRIDAY, 1ST MARCH, 2024",
        "Joint Policing Committee",
        "Limerick",
    ),
    (  # a council's type word is not taken off a committee's name
        "WYE VALLEY COMMUNITY COUNCIL\n\nMinutes of the Community Safety Committee held on "
        "Monday 4 March 2024 at 7pm",
        "Community Safety Committee",
        "Wye Valley Community Council",
    ),
    (  # ModernGov's printed minutes
        "Public Document Pack\n\nMINUTES OF A MEETING OF THE CABINET HELD ON TUESDAY, 5TH "
        "MARCH, 2024 AT 10.00 AM\n\nPresent: Councillor Smith (Leader)",
        "Cabinet",
        UNKNOWN_COUNCIL,
    ),
    (
        "Licensing Act 2003 Sub Committee\n\nMinutes of the meeting held on 2 May 2023",
        "Licensing Act 2003 Sub-Committee",
        UNKNOWN_COUNCIL,
    ),
    (
        "Township of Wellesley\n\nCommittee of Adjustment Meeting Minutes\n\nTuesday, "
        "February 13, 2024",
        "Committee of Adjustment",
        "Township of Wellesley",
    ),
    (  # the leader is a cabinet member, not the meeting's committee
        "Minutes of the meeting of Stow Town Council held on 1 May 2023\n\nCabinet Member "
        "for Housing: Cllr Jones",
        FULL_COUNCIL,
        "Stow Town Council",
    ),
    (
        "Ordinary Meeting of Council\n\nMinutes of the Ordinary Meeting of Cheshire East "
        "Council held on Wednesday 18 October 2023",
        FULL_COUNCIL,
        "Cheshire East",
    ),
]


@pytest.mark.parametrize(("heading", "committee", "council"), HEADINGS)
def test_committee_and_council_from_headings(heading: str, committee: str, council: str) -> None:
    doc = read_text(Path("minutes.txt"), (heading + BODY).encode())
    meeting = extract_meeting(doc)
    assert (meeting.committee, meeting.council) == (committee, council)


#: (name as printed, its one facet value).
NAMES = [
    ("the Planning Committee meeting", "Planning Committee"),
    ("PLANNING & HIGHWAYS COMMITTEE", "Planning and Highways Committee"),
    ("planning committee", "Planning Committee"),
    ("Planning Sub Committee", "Planning Sub-Committee"),
    ("Planning Subcommittee", "Planning Sub-Committee"),
    ("PLANNING SUB-COMMITTEE", "Planning Sub-Committee"),
    ("Planning committee Minutes", "Planning Committee"),
    ("Parish Council", FULL_COUNCIL),
    ("Full Council", FULL_COUNCIL),
    ("Annual Parish Meeting", FULL_COUNCIL),
    ("AGM", FULL_COUNCIL),
    ("Ordinary Council Meeting", FULL_COUNCIL),
    ("Extraordinary Meeting of the Town Council", FULL_COUNCIL),
    ("Regular Council", FULL_COUNCIL),
    ("CABINET", "Cabinet"),
    ("Board of Selectmen Meeting Minutes", "Board of Selectmen"),
    ("Overview and Scrutiny Board", "Overview and Scrutiny Board"),
    ("Adare-Rathkeale JPC Subcommittee", "Adare-Rathkeale JPC Sub-Committee"),
]


@pytest.mark.parametrize(("name", "value"), NAMES)
def test_normalise_committee(name: str, value: str) -> None:
    assert normalise_committee(name) == value
    assert normalise_committee(value) == value  # a normal name stays as it is


@pytest.mark.parametrize(
    "line",
    [
        "Members of the Planning Committee are summoned to attend",
        "Public Forum: three residents spoke",
        "the report of the Finance Committee was noted",
        "Chief Executive",
        "Also present: J. Smith (Police Liaison Panel)",
        "Report of the Executive Director",
        "the notice board was repaired",
    ],
)
def test_lines_that_do_not_name_the_meetings_committee(line: str) -> None:
    assert committee_in_line(line) is None


# --------------------------------------------------------------------------- other formats


def _pdf(path: Path, lines: list[str], *, header: str = "", **info: str) -> Path:
    """A two-page PDF with ``lines`` on page 1, a running ``header`` on both pages and the
    Info dictionary entries ``info`` (title, author, subject)."""
    canvas_mod = pytest.importorskip("reportlab.pdfgen.canvas", reason="reportlab builds PDFs")
    canvas = canvas_mod.Canvas(str(path), pagesize=(595, 842))
    for key, value in info.items():
        getattr(canvas, f"set{key.title()}")(value)
    for page in range(2):
        if header:
            canvas.setFont("Helvetica", 9)
            canvas.drawString(72, 815, header)
        canvas.setFont("Helvetica", 11)
        y = 760
        for line in lines if page == 0 else ["4. Any other business", "None was raised."]:
            canvas.drawString(72, y, line)
            y -= 22
        canvas.showPage()
    canvas.save()
    return path


PDF_BODY = [
    "Minutes of the meeting held on Tuesday 5 March 2024 at 10.00 am",
    "Present: Councillors A. Smith (Chair), B. Jones and C. Brown.",
    "1. Apologies",
    "Apologies were received from Councillor D. White.",
    "2. Declarations of interest",
    "None were declared.",
]


def test_pdf_title_and_author_give_committee_and_council(tmp_path: Path) -> None:
    from indexer.read import read_file

    path = _pdf(
        tmp_path / "5 March.pdf",
        PDF_BODY,
        title="Cabinet - 5 March 2024",
        author="Somerset Council",
        subject="Minutes",
    )
    doc = read_file(path)
    assert doc.metadata["title"] == "Cabinet - 5 March 2024"
    assert doc.metadata["author"] == "Somerset Council"
    meeting = extract_meeting(doc)
    assert (meeting.committee, meeting.council) == ("Cabinet", "Somerset")
    assert meeting.date is not None and meeting.date.isoformat() == "2024-03-05"


def test_pdf_running_header_names_the_committee(tmp_path: Path) -> None:
    from indexer.read import read_file

    path = _pdf(tmp_path / "m.pdf", PDF_BODY, header="Licensing Committee - 5 March 2024")
    doc = read_file(path)
    assert "Licensing Committee" in doc.metadata["running_header"]
    assert all("Licensing" not in b.text for b in doc.blocks)  # furniture, not text
    assert extract_meeting(doc).committee == "Licensing Committee"


def test_body_statement_of_full_council_beats_metadata(tmp_path: Path) -> None:
    from indexer.read import read_file

    lines = ["Minutes of the Ordinary Meeting of Anytown Town Council", *PDF_BODY]
    doc = read_file(_pdf(tmp_path / "m.pdf", lines, title="Planning Committee template"))
    meeting = extract_meeting(doc)
    assert (meeting.committee, meeting.council) == (FULL_COUNCIL, "Anytown Town Council")


def test_docx_core_properties(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx", reason="python-docx reads Word files")
    from indexer.read import read_file

    word = docx.Document()
    word.core_properties.title = "Minutes - Planning and Highways Committee"
    word.core_properties.author = "J. Bloggs"
    word.sections[0].header.paragraphs[0].text = "Anytown Town Council"
    for line in PDF_BODY:
        word.add_paragraph(line)
    path = tmp_path / "minutes.docx"
    word.save(str(path))
    doc = read_file(path)
    assert doc.metadata["author"] == "J. Bloggs"
    assert doc.metadata["running_header"] == "Anytown Town Council"  # the page header
    meeting = extract_meeting(doc)
    assert meeting.committee == "Planning and Highways Committee"
    assert meeting.council == "Anytown Town Council"


HTML_PAGE = """<!doctype html><html><head>
<title>Minutes - Finance Committee - 5 March 2024</title>
<meta property="og:site_name" content="Anytown Parish Council">
<meta name="author" content="The Clerk">
</head><body><h1>Minutes of the meeting held on Tuesday 5th March 2024 at 7.30pm</h1>
<p>Present: Cllr A. Smith (Chair), Cllr B. Jones</p>
<h2>1. Apologies</h2><p>None.</p></body></html>"""


def test_html_title_and_site_name(tmp_path: Path) -> None:
    from indexer.read import read_file

    path = tmp_path / "minutes.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    doc = read_file(path)
    assert doc.metadata["site_name"] == "Anytown Parish Council"
    assert doc.metadata["h1"].startswith("Minutes of the meeting held on")
    meeting = extract_meeting(doc)
    assert (meeting.committee, meeting.council) == ("Finance Committee", "Anytown Parish Council")


def test_markdown_front_matter_committee_and_council(tmp_path: Path) -> None:
    from indexer.read import read_file

    path = tmp_path / "post.md"
    path.write_text(
        "---\ntitle: March minutes\ncommittee: Planning committee\n"
        "council: Little Snoring Parish Council\ndate: 2024-03-20\n---\n\n"
        "Minutes of the meeting held on Tuesday 5th March at 7.30pm\n\n"
        "1. Apologies\n\nNone.\n",
        encoding="utf-8",
    )
    meeting = extract_meeting(read_file(path))
    assert meeting.committee == "Planning Committee"
    assert meeting.council == "Little Snoring Parish Council"
    # No year printed: the post's date gives it, and the meeting cannot be after it.
    assert meeting.date is not None and meeting.date.isoformat() == "2024-03-05"


def test_a_name_after_of_ends_before_held_or_meeting() -> None:
    assert committee_in_line("Board of Selectmen held on January 9") == ("Board of Selectmen", None)
    assert committee_in_line("Committee of the Whole Meeting Minutes") == (
        "Committee of the Whole",
        None,
    )


@pytest.mark.parametrize(
    ("name", "committee", "council"),
    [
        ("Cabinet 05.03.24 minutes.txt", "Cabinet", UNKNOWN_COUNCIL),
        (
            "corporate-parenting-panel-minutes-12-jan-2024.txt",
            "Corporate Parenting Panel",
            UNKNOWN_COUNCIL,
        ),
        ("anytown-parish-council-minutes-march.txt", FULL_COUNCIL, "Anytown Parish Council"),
        ("minutes_2024-03-05.txt", FULL_COUNCIL, UNKNOWN_COUNCIL),
    ],
)
def test_file_name_is_the_last_source(name: str, committee: str, council: str) -> None:
    text = "Minutes of the meeting held on Tuesday 5 March 2024 at 7pm" + BODY
    meeting = extract_meeting(read_text(Path(name), text.encode()))
    assert (meeting.committee, meeting.council) == (committee, council)


def test_title_lines_beat_the_file_name() -> None:
    text = "Minutes of the Licensing Committee held on 5 March 2024" + BODY
    meeting = extract_meeting(read_text(Path("cabinet-minutes.txt"), text.encode()))
    assert meeting.committee == "Licensing Committee"
