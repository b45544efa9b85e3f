"""Pages that are not minutes are declined with a message saying what they are."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from lxml import etree

from indexer.not_minutes import check_html, check_xml
from indexer.read import read_file
from kb.model import NotMinutesError

MODERNGOV_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "moderngov-samples"

EXPECTED = {
    "meetings.xml": "ModernGov meeting list",
    "committees.xml": "ModernGov committee list",
    "cmis_base.html": "CMIS meeting calendar page",
    "cmis_calendar_month.html": "CMIS meeting calendar",
    "cmis_listview.html": "CMIS meeting list",
    "cmis_meeting_summary.html": "CMIS meeting details page",
    "cmis_detail_with_minutes.html": "CMIS meeting's document list",
    "cmis_detail_no_minutes.html": "CMIS meeting's document list",
    "decisions/modgov_decision_detail.html": "ModernGov decision page",
    "decisions/modgov_decision_detail_no_documents.html": "ModernGov decision page",
    "decisions/modgov_decision_multi_paragraph.html": "ModernGov decision page",
    "decisions/modgov_decisions_list.html": "ModernGov list of decisions",
    "decisions/modgov_officer_decisions_list.html": "ModernGov list of decisions",
}


@pytest.fixture(scope="module")
def samples() -> Path:
    if not (MODERNGOV_SAMPLES / "MANIFEST.tsv").exists():
        pytest.skip(f"moderngov samples not found at {MODERNGOV_SAMPLES}")
    return MODERNGOV_SAMPLES


def test_every_sample_is_listed_here(samples: Path) -> None:
    with (samples / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        listed = {row["file"] for row in csv.DictReader(fh, delimiter="\t")}
    on_disk = {str(p.relative_to(samples)) for p in samples.rglob("*") if p.suffix != ".tsv"}
    on_disk = {p for p in on_disk if not (samples / p).is_dir()}
    assert listed == on_disk == set(EXPECTED)


@pytest.mark.parametrize(("name", "what"), sorted(EXPECTED.items()))
def test_sample_is_declined_with_what_it_is(samples: Path, name: str, what: str) -> None:
    with pytest.raises(NotMinutesError, match=f"^not a minutes document: an? {what}"):
        read_file(samples / name)


@pytest.mark.parametrize(
    ("xml", "what"),
    [
        (b"<getmeetings><meetingscount>2</meetingscount></getmeetings>", "meeting list"),
        (b"<committees/>", "committee list"),
        (b"<rss version='2.0'><channel/></rss>", "RSS feed"),
        (b"<x:thing xmlns:x='urn:x'/>", "XML with root <thing>"),
    ],
)
def test_check_xml_names_other_roots(xml: bytes, what: str) -> None:
    with pytest.raises(NotMinutesError, match=what):
        check_xml(etree.fromstring(xml))


def test_check_xml_accepts_a_getmeeting_root() -> None:
    assert check_xml(etree.fromstring(b"<meeting><meetingid>1</meetingid></meeting>")) is None


@pytest.mark.parametrize(
    "html",
    [
        "<h1>Minutes</h1><p>The Decision status of the report was discussed.</p>",
        "<p>Decision details were agreed. Meeting Details: see the calendar.</p>",
        "<table><tr><td>Date of decision</td><td>1/2/2020</td></tr></table>",
    ],
)
def test_check_html_lets_minutes_through_even_with_similar_words(html: str) -> None:
    assert check_html(html) is None


def test_no_corpus_minutes_page_is_declined(
    corpus_dir: Path, manifest: list[dict[str, str]]
) -> None:
    checked = 0
    for row in manifest:
        path = corpus_dir / row["file"]
        if path.suffix.lower() in {".html", ".htm", ".php", ".md", ".txt"}:
            check_html(path.read_text(encoding="utf-8", errors="replace"))
            checked += 1
    assert checked >= 100
