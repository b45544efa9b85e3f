"""Which council a meeting is filed under: the document's own words, then ``council.toml``
and ``--council`` over them; and a meeting whose council nobody states is still found,
with the pages saying so plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.council import council_from_metadata, find_council
from indexer.meeting import UNKNOWN_COUNCIL
from indexer.pipeline import ingest
from kb.model import Block

MINUTES = (
    "ANYTOWN PARISH COUNCIL\n\nMinutes of the meeting held on Monday 4th March 2024 at 7pm"
    "\n\nPresent: Cllr A. Smith (Chair), Cllr B. Jones\n\n1. Apologies\n\nNone.\n\n"
    "2. Defibrillator\n\nThe defibrillator cabinet on the village hall was inspected.\n"
)
UNNAMED = MINUTES.replace("ANYTOWN PARISH COUNCIL\n\n", "")


@pytest.mark.parametrize(
    ("lines", "council"),
    [
        (
            ["The Corporation of the Township of Puslinch", "Council Meeting"],
            "Township of Puslinch",
        ),
        (["MUNICIPALITY OF BRIGHTON", "Committee of the Whole"], "Municipality of Brighton"),
        (["Manordeilo & Salem Community Council"], "Manordeilo and Salem Community Council"),
        (
            ["CYNGOR CYMUNED MANORDEILO A SALEM", "CYFARFOD"],
            "Manordeilo and Salem Community Council",
        ),
        (["Limerick City and County Council"], "Limerick"),
        (["Comhairle Cathrach & Contae Luimnigh / Limerick City & County Council"], "Limerick"),
        (["Regular Meeting of Council – Minutes – January 8, 2024 – Town of Mono"], "Town of Mono"),
        (["WILTSHIRE COUNCIL", "CABINET"], "Wiltshire"),
        (["Minutes of the Town of Westford Board of Selectmen"], "Town of Westford"),
        (["Minutes of the meeting held in the Town Hall"], None),
        (["Stoke Ferry PC Minutes", "Held on 5 May 2010"], "Stoke Ferry Parish Council"),
        (["PC Smith reported two thefts"], None),
        (["Minutes of the Parish Council of Great Snoring"], "Great Snoring Parish Council"),
        (["MEETING OF THE TOWN COUNCIL OF BARTON HELD ON 1 MAY"], "Barton Town Council"),
        (["A resident of the City of Westminster spoke"] * 12, None),  # a mention, not a title
    ],
)
def test_council_from_title_lines(lines: list[str], council: str | None) -> None:
    assert find_council([Block(line) for line in lines]) == council


@pytest.mark.parametrize(
    ("metadata", "council"),
    [
        ({"site_name": "Stoke Ferry Parish Council"}, "Stoke Ferry Parish Council"),
        ({"author": "Somerset Council"}, "Somerset"),
        ({"author": "J. Bloggs, Clerk"}, None),
        ({"title": "Minutes | Little Snoring Parish Council"}, "Little Snoring Parish Council"),
        ({"council": "Boughton Parish Council"}, "Boughton Parish Council"),
        ({"council": "Anytown Residents"}, "Anytown Residents"),  # stated, taken as written
        ({}, None),
    ],
)
def test_council_from_metadata(metadata: dict[str, str], council: str | None) -> None:
    assert council_from_metadata(metadata) == council


def test_precedence_text_then_toml_then_council_option(tmp_path: Path) -> None:
    plain, configured = tmp_path / "plain", tmp_path / "configured"
    for folder in (plain, configured):
        folder.mkdir()
        (folder / "minutes.txt").write_text(MINUTES, encoding="utf-8")
    (configured / "council.toml").write_text('name = "Othertown Town Council"\n')

    def council_of(folder: Path, **options: str) -> str:
        report = ingest([folder], tmp_path / f"index-{len(list(tmp_path.iterdir()))}", **options)
        (result,) = report.results
        assert result.meeting_id, result.line()
        return result.meeting_id.split("/")[0]

    assert council_of(plain) == "anytown-parish-council"  # the document's own name
    assert council_of(configured) == "othertown-town-council"  # council.toml beats the text
    assert council_of(configured, council="Chosen Council") == "chosen-council"  # --council wins


def test_unstated_council_is_findable_and_said_plainly(tmp_path: Path) -> None:
    from web import create_app

    (tmp_path / "minutes").mkdir()
    (tmp_path / "minutes" / "minutes.txt").write_text(UNNAMED, encoding="utf-8")
    index = tmp_path / "index"
    (result,) = ingest([tmp_path / "minutes"], index).results
    assert result.meeting_id and result.meeting_id.startswith("council-not-stated/")
    assert any("council not stated in the document" in w for w in result.warnings)
    client = create_app({"index": str(index), "TESTING": True}).test_client()
    page = client.get("/search?q=defibrillator")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert UNKNOWN_COUNCIL in html and "/items/council-not-stated/" in html
    for url in (f"/meetings/{result.meeting_id}", f"/items/{result.meeting_id}/2"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert UNKNOWN_COUNCIL in resp.get_data(as_text=True), url
    api = client.get(f"/api/meetings/{result.meeting_id}").get_json()
    assert api["council"] == UNKNOWN_COUNCIL
    facets = client.get("/api/search?q=defibrillator").get_json()
    assert UNKNOWN_COUNCIL in str(facets)


def test_a_hostile_council_name_is_escaped(tmp_path: Path) -> None:
    from web import create_app

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "minutes.txt").write_text(UNNAMED, encoding="utf-8")
    (tmp_path / "m" / "council.toml").write_text('name = "<script>x</script> Council"\n')
    index = tmp_path / "index"
    (result,) = ingest([tmp_path / "m"], index).results
    client = create_app({"index": str(index), "TESTING": True}).test_client()
    html = client.get(f"/meetings/{result.meeting_id}").get_data(as_text=True)
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
