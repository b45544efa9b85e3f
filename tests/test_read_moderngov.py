"""ModernGov GetMeeting XML: hints, one heading per minuted item, cancelled meetings, safety."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from indexer import read_moderngov
from indexer.read import read_file
from kb.model import IngestError, NotMinutesError


@pytest.fixture(scope="module")
def lgsf(corpus_dir: Path) -> Path:
    return corpus_dir / "moderngov-lgsf"


def test_meeting_with_minutes_gives_hints_and_two_items(lgsf: Path) -> None:
    doc = read_file(lgsf / "meeting_with_minutes.xml")
    assert doc.format == "moderngov" and doc.warnings == []
    assert doc.hints == {
        "committee": "Audit Committee",
        "date": dt.date(2026, 2, 10),
        "date_evidence": "<meetingdate>10/02/2026</meetingdate>",
        "start_time": "10:00",
        "venue": "Council Antechamber, Level 2, Town Hall Extension",
    }
    hinted = [b for b in doc.blocks if b.item_hint]
    assert [b.item_hint for b in hinted] == [("1", "Minutes"), ("9", "Work Programme")]
    assert all(b.kind == "heading" for b in hinted)
    first_body = doc.blocks[doc.blocks.index(hinted[0]) + 1]
    assert first_body.text == (
        "To approve the minutes of the meeting held on 25 November 2025 as a correct record."
    )
    assert "future Work Programme for the remainder of 2025/26" in doc.blocks[-1].text


def test_cancelled_meeting_has_no_items_and_a_warning(lgsf: Path) -> None:
    doc = read_file(lgsf / "meeting_no_minutes.xml")
    assert doc.blocks == []
    assert doc.hints["date"] == dt.date(2026, 1, 13)
    assert any("cancelled" in w for w in doc.warnings)


def test_dates_in_manifest_match_hints(lgsf: Path, manifest: list[dict[str, str]]) -> None:
    rows = [r for r in manifest if r["file"].startswith("moderngov-lgsf/")]
    assert len(rows) == 2
    for row in rows:
        doc = read_file(lgsf.parent / row["file"])
        assert doc.hints["date"].isoformat() == row["meeting_date"]


MEETING = b"""<?xml version="1.0"?>
<meeting><meetingdate>03/04/2025</meetingdate><meetingstatus>Confirmed</meetingstatus>
<meetingtime>6.30 pm</meetingtime><meetingactualstarttime>6.35 pm</meetingactualstarttime>
<meetingactualfinishtime>8.05 pm</meetingactualfinishtime><councilname>Anytown Council</councilname>
<minutepublished>%s</minutepublished>
<agendaitems><agendaitem><agendaitemtitle>Budget</agendaitemtitle>
<fulldisplaynumberformat>5.</fulldisplaynumberformat><agendaitemnumber>7</agendaitemnumber>
<minutesitemnumber>%s</minutesitemnumber><minutesitemsubnumber>%s</minutesitemsubnumber>
<minutesnonemptyhtmlbody>%s</minutesnonemptyhtmlbody>
<refertocommittee>Executive</refertocommittee></agendaitem></agendaitems></meeting>"""


def _meeting(tmp_path: Path, number: str, sub: str, body: str, published: str = "True") -> Path:
    path = tmp_path / "m.xml"
    path.write_bytes(MEETING % (published.encode(), number.encode(), sub.encode(), body.encode()))
    return path


@pytest.mark.parametrize(
    ("number", "sub", "hint"),
    [("12", "", "12"), ("12", "a", "12.a"), ("", "", "5")],
)
def test_item_number_prefers_minutes_number(
    tmp_path: Path, number: str, sub: str, hint: str
) -> None:
    body = "&lt;p&gt;RESOLVED that the budget be approved.&lt;/p&gt;"
    doc = read_file(_meeting(tmp_path, number, sub, body))
    assert doc.blocks[0].item_hint == (hint, "Budget")
    assert doc.blocks[1].text == "RESOLVED that the budget be approved."
    assert doc.hints["council"] == "Anytown Council"
    assert doc.hints["committee"] == "Executive"
    assert (doc.hints["start_time"], doc.hints["end_time"]) == ("18:35", "20:05")


def test_unpublished_minutes_are_a_warning(tmp_path: Path) -> None:
    doc = read_file(_meeting(tmp_path, "1", "", "", published="False"))
    assert doc.blocks == [] and doc.warnings == [
        "the minutes of this meeting are not published yet"
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.00 am", "10:00"),
        ("2.30 pm", "14:30"),
        ("12 pm", "12:00"),
        ("12.15 am", "00:15"),
        ("14:00", "14:00"),
        ("", None),
        ("tbc", None),
        ("25.00", None),
    ],
)
def test_parse_time(value: str, expected: str | None) -> None:
    assert read_moderngov.parse_time(value) == expected


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<meeting><meetingdate>&lol2;</meetingdate></meeting>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<meeting><meetinglocation>&xxe;</meetinglocation></meeting>"""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (BOMB, "declares entities"),
        (EXTERNAL, "declares entities"),
        (b"<?xml version='1.0'?><meeting><meetingdate>", "malformed XML"),
    ],
)
def test_hostile_or_broken_xml_is_refused(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=reason):
        read_file(path)


@pytest.mark.parametrize("declaration", ["<?xml version='1.0'?>", ""])
def test_meeting_list_is_not_minutes(tmp_path: Path, declaration: str) -> None:
    path = tmp_path / "list.xml"
    path.write_bytes(f"{declaration}<getmeetings><committee/></getmeetings>".encode())
    with pytest.raises(NotMinutesError, match="meeting list"):
        read_file(path)
