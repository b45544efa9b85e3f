"""The whole shared corpus: every file is a source of some meeting or declined as not
minutes; same-day meetings keep apart; each copy of a meeting is merged into it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kb.search import SearchService

pytestmark = pytest.mark.corpus

MSCC = "manordeilo-and-salem-community-council/full-council/2019-02-06"
WYE = "wye-valley-community-council/full-council/"


@pytest.fixture(scope="module")
def corpus_meetings(corpus_ingest) -> dict[str, dict]:
    index, _results = corpus_ingest
    svc = SearchService(index)
    return {mid: svc.get_meeting(mid) for mid in svc.meeting_ids()}


def test_every_corpus_file_is_a_source_or_declined(
    corpus_ingest, corpus_meetings, corpus_dir: Path, manifest
) -> None:
    _index, results = corpus_ingest
    sources = Counter(
        str(Path(s["path"]).resolve()) for m in corpus_meetings.values() for s in m["sources"]
    )
    declined = {str(r.path.resolve()) for r in results if r.status == "not-minutes"}
    files = {str((corpus_dir / row["file"]).resolve()) for row in manifest}
    files |= {str(r.path.resolve()) for r in results}  # and any file not in the MANIFEST
    lost = sorted(f for f in files if f not in sources and f not in declined)
    assert not lost, lost
    assert not [r.line() for r in results if r.status == "failed"]
    statuses = Counter(r.status for r in results)
    kinds = Counter(m["kind"] for m in corpus_meetings.values())
    languages = Counter(m["language"] for m in corpus_meetings.values())
    shared = sum(1 for m in corpus_meetings.values() if len(m["sources"]) > 1)
    print(
        f"\ncorpus: {len(files)} files -> {len(corpus_meetings)} meetings "
        f"({sum(len(m['items']) for m in corpus_meetings.values())} items); "
        f"files {dict(statuses)}; {len(declined)} declined as not minutes; "
        f"{shared} meetings from 2+ files; "
        f"{sum(1 for n in sources.values() if n > 1)} files holding 2 meetings; "
        f"kinds {dict(kinds)}; languages {dict(languages)}"
    )
    assert statuses["merged"] >= 13


def test_both_mscc_meetings_of_2019_02_06_exist(corpus_meetings) -> None:
    ordinary, extra = corpus_meetings[MSCC], corpus_meetings[f"{MSCC}-extraordinary"]
    assert [Path(s["path"]).name for s in ordinary["sources"]] == ["19-02-06.pdf"]
    assert [Path(s["path"]).name for s in extra["sources"]] == ["19-02-06_EM.pdf"]
    assert extra["kind"] == "extraordinary" and ordinary["kind"] == "ordinary"
    assert len(extra["items"]) == 3 and len(ordinary["items"]) >= 10


def test_each_wye_valley_pdf_txt_pair_is_one_meeting_with_both_sources(
    corpus_meetings, corpus_dir: Path
) -> None:
    folder = corpus_dir / "wyevalleycc"
    pairs = sorted(p.stem for p in folder.glob("*.pdf") if p.with_suffix(".txt").exists())
    assert len(pairs) == 13
    by_source: dict[str, list[str]] = {}
    for mid, meeting in corpus_meetings.items():
        for src in meeting["sources"]:
            by_source.setdefault(Path(src["path"]).name, []).append(mid)
    for stem in pairs:
        (txt_meeting,) = by_source[f"{stem}.txt"]  # the text holds one meeting
        assert txt_meeting in by_source[f"{stem}.pdf"], stem
        names = [Path(s["path"]).name for s in corpus_meetings[txt_meeting]["sources"]]
        assert sorted(names) == [f"{stem}.pdf", f"{stem}.txt"], stem
        assert {s["format"] for s in corpus_meetings[txt_meeting]["sources"]} == {"pdf", "text"}


def test_the_same_minutes_filed_under_two_dates_are_one_meeting(corpus_meetings) -> None:
    """``20230108.txt`` is a near-copy of ``20240108.txt`` (MANIFEST notes; neither text
    states its date): one meeting listing both files."""
    holders = [
        m for m in corpus_meetings.values()
        if {"20230108.txt", "20240108.txt"} & {Path(s["path"]).name for s in m["sources"]}
    ]  # fmt: skip
    assert len(holders) == 1
    assert sorted(Path(s["path"]).name for s in holders[0]["sources"]) == [
        "20230108.txt",
        "20240108.txt",
    ]


@pytest.mark.parametrize(
    ("file", "ids"),
    [
        ("20190520.pdf", ["2019-05-20", "2019-05-20-agm"]),
        ("20220523.txt", ["2022-05-23", "2022-05-23-agm"]),
        ("20230522.txt", ["2023-05-22", "2023-05-22-annual"]),
        ("20200518a.txt", ["2020-05-18", "2020-05-18-agm"]),
    ],
)
def test_files_holding_an_annual_and_an_ordinary_meeting(corpus_meetings, file, ids) -> None:
    holders = sorted(
        mid
        for mid, m in corpus_meetings.items()
        if file in {Path(s["path"]).name for s in m["sources"]}
    )
    assert holders == [WYE + i for i in ids]
    assert all(corpus_meetings[m]["items"] for m in holders)


def test_welsh_editions_are_welsh_meetings_of_their_own(corpus_meetings) -> None:
    welsh = {mid: m for mid, m in corpus_meetings.items() if m["language"] == "cy"}
    assert len(welsh) == 5 and all(mid.endswith("-cy") for mid in welsh)
    english = "manordeilo-and-salem-community-council/full-council/2020-03-11"
    assert f"{english}-cy" in welsh and corpus_meetings[english]["language"] == "en"
