"""Attendance lists as councils lay them out: comma lists, one name per line, tables, and
the labels (Present, Councillors present, In attendance, Also present, Staff, Apologies,
Regrets, Clerk) — read through the text reader, as ingest reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.attendance import extract_attendance, split_names
from indexer.read import read_file
from kb.model import Attendance


def _attendance(tmp_path: Path, text: str, suffix: str = ".txt") -> Attendance:
    path = tmp_path / f"minutes{suffix}"
    path.write_text(text, encoding="utf-8")
    return extract_attendance(read_file(path).blocks, [])


CASES = [
    pytest.param(
        "Present: Cllr R Thompson (Chair), Cllr S Ahmed, Cllr L Brooks and Cllr M Okafor\n"
        "In attendance: Mrs P Nolan (Clerk), 3 members of the public\n",
        ".txt", "R Thompson", ["S Ahmed", "L Brooks", "M Okafor", "R Thompson"],
        ["Mrs P Nolan (Clerk)"], [], id="comma-list",
    ),
    pytest.param(
        "PRESENT\nCllr A. Barton (Mayor)\nCllr C. Dean\nCllr E. Fox\n\nIN ATTENDANCE\n"
        "Mr M. Lowe (Town Clerk)\n",
        ".txt", "A. Barton", ["A. Barton", "C. Dean", "E. Fox"], ["Mr M. Lowe (Town Clerk)"],
        [], id="one-name-per-line-mayor-chairs",
    ),
    pytest.param(
        "Councillors present: J. Marsh (Mayor), K. Osei, L. Franklin\n"
        "Regrets: Councillor Dale Morin\nStaff: Clerk Heather Boyd\n",
        ".txt", "J. Marsh", ["J. Marsh", "K. Osei", "L. Franklin"], ["Clerk Heather Boyd"],
        ["Dale Morin"], id="councillors-present-regrets-staff",
    ),
    pytest.param(
        "Present: Ms A Grieve (Convenor), Mr B Scott\n"
        "Also present: Mrs Rhian Davies, Clerk; Dan Hebert, Director of Public Works\n"
        "Apologies: Mr G Laidlaw\n",
        ".txt", "A Grieve", ["A Grieve", "B Scott"],
        ["Mrs Rhian Davies, Clerk", "Dan Hebert, Director of Public Works"], ["G Laidlaw"],
        id="posts-after-names-stay-with-them",
    ),
    pytest.param(
        "Present: Councillor M Norris (Chair), Councillor N Owens\nClerk: Ms R Stevens\n",
        ".txt", "M Norris", ["M Norris", "N Owens"], ["Ms R Stevens, Clerk"], [],
        id="clerk-label-is-the-post",
    ),
    pytest.param(
        "**Present:**\n- Cllr Amy Bright (Chair)\n- Cllr Ben Cross\n\n"
        "**Apologies:** Cllr Fay Goode\n\n**In attendance:** Holly Ince (Clerk)\n",
        ".md", "Amy Bright", ["Amy Bright", "Ben Cross"], ["Holly Ince (Clerk)"], ["Fay Goode"],
        id="markdown-bullets",
    ),
    pytest.param(  # Limerick JPC: 'Rank (Mr. X. Name)' lists, a bracket cut between lines
        "**PRESENT** :\n\nCouncillor A. Teskey (Chair)\n\n**GARDA NOMINATIONS** :\n\n"
        "Chief Superintendent (Mr. G. Roche), Superintendent (Mr. B.\n\n"
        "Sugrue), Superintendent (Ms. A. Magner)\n\n**OFFICIALS** :\n\n"
        "Chief Executive (Mr. P. Daly), A/Senior Executive Officer (Mr. J.\n\n"
        "Clune, Staff Officer (Ms. L. Creamer)\n",
        ".md", "A. Teskey", ["A. Teskey"],
        ["Chief Superintendent (Mr. G. Roche)", "Superintendent (Mr. B. Sugrue)",
         "Superintendent (Ms. A. Magner)", "Chief Executive (Mr. P. Daly)",
         "A/Senior Executive Officer (Mr. J. Clune", "Staff Officer (Ms. L. Creamer)"],
        [], id="rank-bracketed-name-lists-cut-mid-bracket",
    ),
    pytest.param(  # the same on one line: each rank keeps its own holder
        "Present: Cllr D Moss\nIn attendance: Inspector (Mr. J. Ruddle), Sergeant (Ms. K. "
        "Hale), Senior Crime & Policing Analyst, Ms. L. Collins\n",
        ".txt", None, ["D Moss"],
        ["Inspector (Mr. J. Ruddle)", "Sergeant (Ms. K. Hale)",
         "Senior Crime & Policing Analyst", "Ms. L. Collins"], [],
        id="rank-bracketed-names-one-line",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "suffix", "chair", "present", "officers", "apologies"), CASES)
def test_attendance_layouts(
    tmp_path: Path,
    text: str,
    suffix: str,
    chair: str,
    present: list[str],
    officers: list[str],
    apologies: list[str],
) -> None:
    att = _attendance(tmp_path, text, suffix)
    assert att.chair == chair
    assert sorted(att.present) == sorted(present)
    assert att.officers == officers
    assert att.apologies == apologies


def test_markdown_tables_of_members_and_officers(tmp_path: Path) -> None:
    text = (
        "### Members present\n\n| Name | Role |\n|---|---|\n| Councillor Ruth Oakes | Chair |\n"
        "| Councillor Tariq Hussain | |\n\n### Officers present\n\n| Name | Role |\n|---|---|\n"
        "| Karen Mills | Licensing Manager |\n| David Orme | Solicitor |\n"
    )
    tables = _attendance(tmp_path, text, ".md").members_tables
    assert [t.header for t in tables] == [["Name", "Role"], ["Name", "Role"]]
    assert tables[0].rows == [["Councillor Ruth Oakes", "Chair"], ["Councillor Tariq Hussain"]]
    assert tables[1].rows == [["Karen Mills", "Licensing Manager"], ["David Orme", "Solicitor"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cllr Smith (Chair), Cllr Jones", [("Smith", "Chair"), ("Jones", None)]),
        ("J. Marsh (Mayor), K. Osei", [("J. Marsh", "Mayor"), ("K. Osei", None)]),
        ("Councillors Walsh (Chairman), Ingram and Kerr",
         [("Walsh", "Chairman"), ("Ingram", None), ("Kerr", None)]),
    ],
)  # fmt: skip
def test_split_names(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert split_names(text) == expected


def test_labels_inside_a_paragraph_joined_by_a_pdf_reader() -> None:
    from kb.model import Block

    block = Block(
        text="Minutes of the meeting held on 8 April 2024 at 7.30pm Present: Cllr A Quinn "
        "(Chair), Cllr B Rowe In attendance: Mrs E Upton (Clerk) Staff Present: D Vale, Clerk",
        kind="paragraph",
    )
    att = extract_attendance([block], [])
    assert (att.chair, att.present) == ("A Quinn", ["A Quinn", "B Rowe"])
    assert att.officers == ["Mrs E Upton (Clerk)", "D Vale, Clerk"]
