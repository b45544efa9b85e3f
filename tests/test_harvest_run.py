"""``kb harvest moderngov`` end to end against a fake ModernGov site on 127.0.0.1.

The site serves generated committees and meetings (minutes in the XML, minutes only in a
linked PDF, minutes not published yet, a cancelled meeting) and, where ``../shared`` is
present, the real Manchester GetCommittees/GetMeetings/GetMeeting XML.  Faults are queued per
URL: each must end in a clear problem line, keep what was harvested, and a clean rerun must
finish the job.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_moderngov import (
    CCTV_ITEMS,
    CRIME,
    RANGE,
    WS,
    FakeModernGov,
    Fault,
    demo_site,
    meeting_path,
    meeting_xml,
    meetings_xml,
    minutes_docx,
)

from indexer.harvest.fetch import FetchPolicy
from indexer.harvest.run import HarvestError, HarvestOptions, harvest
from kb.alerts import search_service
from kb.cli import main
from kb.results import SearchRequest

pytest.importorskip("reportlab", reason="reportlab (dev) builds the minutes PDF")

FAST = FetchPolicy(delay=0, timeout=2, retries=2, backoff=0.01, max_retry_after=2)
FROM, TO = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


@pytest.fixture
def site() -> Iterator[FakeModernGov]:
    s = demo_site()
    yield s
    s.stop()


def options(site: FakeModernGov, tmp_path: Path, **extra: object) -> HarvestOptions:
    base = dict(
        base_url=site.url,
        raw=tmp_path / "raw",
        index=tmp_path / "index",
        council="Testshire Council",
        date_from=FROM,
        date_to=TO,
    )
    base.update(extra)
    return HarvestOptions(**base)  # type: ignore[arg-type]


def run(site: FakeModernGov, tmp_path: Path, lines: list[str] | None = None, **extra: object):
    out = lines if lines is not None else []
    return harvest(options(site, tmp_path, **extra), policy=FAST, say=out.append)


def titles(index: Path, q: str = "") -> list[str]:
    res = search_service(index).search(SearchRequest(q=q, sort="oldest", page_size=50))
    return [f"{h.date} {h.item_title}" for h in res.results]


def test_harvest_yields_the_meetings_and_items(site: FakeModernGov, tmp_path: Path) -> None:
    report = run(site, tmp_path)
    assert report.outcomes == {"minutes": 1, "document": 1, "pending": 1, "cancelled": 1}
    assert report.problems == []
    assert titles(tmp_path / "index") == [
        "2026-03-10 Apologies for absence",
        "2026-03-10 CCTV in the town centre",
        "2026-04-14 Declarations of interest",
        "2026-04-14 Knife crime update",
    ]
    hits = search_service(tmp_path / "index").search(SearchRequest(q="cctv")).results
    assert [(h.council, h.committee) for h in hits] == [("Testshire Council", CRIME)]
    # the previous meeting's minutes linked on agenda item 1 were never fetched
    assert not [p for p in site.requests() if "wrong.pdf" in p]
    folder = tmp_path / "raw" / site.url.split("//")[1].replace(":", "_")
    pdf = folder / "crime-and-disorder-committee" / "2026-04-14-102-minutes.pdf"
    side = json.loads(pdf.with_name(pdf.name + ".json").read_text())
    assert side["url"].endswith("ID=9102") and side["status"] == 200 and side["etag"]
    assert side["content_type"] == "application/pdf" and len(side["sha256"]) == 64
    assert (folder / "council.toml").read_text() == 'name = "Testshire Council"\n'
    state = json.loads((folder / "harvest.json").read_text())
    assert {m: e["kind"] for m, e in state["meetings"].items()} == {
        "101": "minutes",
        "102": "document",
        "103": "pending",
        "201": "cancelled",
    }
    agent = site.log[0][2]["User-Agent"]
    assert agent.startswith("minutes-kb/") and "harvester" in agent


def test_second_harvest_fetches_nothing_new(site: FakeModernGov, tmp_path: Path) -> None:
    run(site, tmp_path)
    first = len(site.log)
    lines: list[str] = []
    report = run(site, tmp_path, lines)
    again = site.log[first:]
    # lists and the pending meeting are asked for again, conditionally: all 304, no body
    assert sorted(p for p, _s, _h in again) == sorted(
        [
            f"{WS}/GetCommittees?lDays=0",
            f"{WS}/GetMeetings?lCommitteeId=10&sFromDate=01%2F01%2F2026&sToDate=31%2F12%2F2026",
            f"{WS}/GetMeetings?lCommitteeId=11&sFromDate=01%2F01%2F2026&sToDate=31%2F12%2F2026",
            f"{WS}/GetMeeting?lMeetingId=103",
        ]
    )
    assert {s for _p, s, _h in again} == {304}
    assert report.fetches["downloaded"] == 0 and report.ingest is None
    assert "nothing new to ingest" in lines
    assert report.outcomes == {"already harvested": 3, "pending": 1}


def test_minutes_published_later_are_picked_up(site: FakeModernGov, tmp_path: Path) -> None:
    run(site, tmp_path)
    items = [("1", "Apologies", "None."), ("2", "Street lighting", "Lighting was discussed.")]
    site.add(meeting_path("103"), meeting_xml("103", "12/05/2026", CRIME, items))
    report = run(site, tmp_path)
    assert report.outcomes == {"already harvested": 3, "minutes": 1}
    assert report.ingest is not None and report.ingest.counts["new"] == 1
    assert "2026-05-12 Street lighting" in titles(tmp_path / "index")


def test_interrupted_harvest_resumes(site: FakeModernGov, tmp_path: Path) -> None:
    def stop_after_first(meeting_id: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        harvest(
            options(site, tmp_path), policy=FAST, say=lambda _l: None, on_meeting=stop_after_first
        )
    assert site.requests().count(meeting_path("101")) == 1
    assert not (tmp_path / "index").exists()  # nothing ingested yet
    before = len(site.log)
    report = run(site, tmp_path)
    resumed = [p for p, _s, _h in site.log[before:]]
    assert meeting_path("101") not in resumed  # kept from the first run
    assert meeting_path("102") in resumed
    assert report.outcomes["already harvested"] == 1
    assert len(titles(tmp_path / "index")) == 4


FAULTS = [
    # (id, url, faults, problem expected in the first run or None when retries cure it)
    ("500-then-ok", meeting_path("101"), [Fault("status", 500), Fault("status", 503)], None),
    (
        "500-always",
        meeting_path("101"),
        [Fault("status", 500)] * 3,
        "gave up after 3 tries: HTTP 500",
    ),
    (
        "timeout",
        meeting_path("101"),
        [Fault("slow", seconds=2.5)] * 3,
        "gave up after 3 tries: timed out",
    ),
    (
        "dropped",
        meeting_path("101"),
        [Fault("drop")] * 3,
        "gave up after 3 tries: connection failed",
    ),
    ("truncated-xml", meeting_path("101"), [Fault("truncate")], "malformed XML"),
    (
        "html-as-pdf",
        "/mgConvert2PDF.aspx?ID=9102",
        [Fault("html")],
        "expected a PDF or Word document but got an HTML page titled 'Runtime Error'",
    ),
]


@pytest.mark.parametrize(
    ("url", "faults", "problem"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS]
)
def test_faults_end_in_a_clear_message_and_lose_nothing(
    site: FakeModernGov, tmp_path: Path, url: str, faults: list[Fault], problem: str | None
) -> None:
    site.fault(url, *faults)
    policy = FetchPolicy(delay=0, timeout=1, retries=2, backoff=0.01, max_retry_after=2)
    report = harvest(options(site, tmp_path), policy=policy, say=lambda _l: None)
    if problem is None:
        assert report.problems == [] and report.fetches["retries"] == len(faults)
    else:
        assert len(report.problems) == 1 and problem in report.problems[0]
        assert report.outcomes["error"] == 1
        # every other meeting was harvested and ingested
        assert len(titles(tmp_path / "index")) == 2
    again = run(site, tmp_path)  # the fault has passed: the same command finishes the job
    assert again.problems == []
    assert len(titles(tmp_path / "index")) == 4


def test_truncated_answer_never_replaces_the_good_copy(site: FakeModernGov, tmp_path: Path) -> None:
    run(site, tmp_path)
    folder = next((tmp_path / "raw").iterdir())
    kept = folder / "crime-and-disorder-committee" / "2026-03-10-101.xml"
    good = kept.read_bytes()
    site.add(
        meeting_path("101"),
        meeting_xml(
            "101", "10/03/2026", CRIME, CCTV_ITEMS + [("3", "Any other business", "None.")]
        ),
    )
    site.fault(meeting_path("101"), Fault("truncate"))
    report = run(site, tmp_path, refresh=True)
    assert any("malformed XML" in p for p in report.problems)
    assert kept.read_bytes() == good
    assert (folder / ".rejected" / "crime-and-disorder-committee" / "2026-03-10-101.xml").exists()
    assert len(titles(tmp_path / "index", "cctv")) == 1  # still indexed


def test_429_retry_after_is_obeyed(site: FakeModernGov, tmp_path: Path) -> None:
    site.fault(meeting_path("101"), Fault("status", 429, headers={"Retry-After": "1"}))
    start = time.monotonic()
    report = run(site, tmp_path)
    assert time.monotonic() - start >= 1.0  # FAST's backoff is 0.01 s: the header won
    assert report.problems == [] and report.fetches["retries"] == 1


def test_unknown_committee_and_missing_council_are_clear(
    site: FakeModernGov, tmp_path: Path
) -> None:
    with pytest.raises(HarvestError, match="no committee 'Planning'.*10 Crime and Disorder"):
        run(site, tmp_path, committees=("Planning",))
    with pytest.raises(HarvestError, match="--council"):
        run(site, tmp_path / "other", council=None)


def test_committee_filter_by_name_or_id(site: FakeModernGov, tmp_path: Path) -> None:
    report = run(site, tmp_path, committees=("11",))
    assert report.outcomes == {"cancelled": 1}
    report = run(site, tmp_path / "b", committees=("crime and disorder committee",))
    assert report.outcomes == {"minutes": 1, "document": 1, "pending": 1}


def test_cli_harvest(site: FakeModernGov, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_HARVEST_DELAY", "0")
    monkeypatch.setenv("KB_HARVEST_BACKOFF", "0.01")
    args = [
        "harvest",
        "moderngov",
        f"{site.url}/mgWebService.asmx",
        "--council",
        "Testshire Council",
    ]
    args += ["--from", "2026-01-01", "--to", "2026-12-31", "--raw", str(tmp_path / "raw")]
    args += ["--index", str(tmp_path / "index")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "minutes   Crime and Disorder Committee 2026-03-10 (meeting 101)" in result.output
    assert "2 new, 0 changed" in result.output
    site.fault(meeting_path("103"), *[Fault("status", 500)] * 5)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert (
        "PROBLEM: Crime and Disorder Committee 2026-05-12 (meeting 103): gave up after 5 tries"
        in result.output
    )
    bad = CliRunner().invoke(main, ["harvest", "moderngov", "ftp://example.org", "--council", "X"])
    assert bad.exit_code == 2 and "not an http(s) URL" in bad.output


def test_real_manchester_xml(corpus_dir: Path, tmp_path: Path) -> None:
    samples = corpus_dir.parent / "moderngov-samples"
    s = FakeModernGov().start()
    try:
        s.add(f"{WS}/GetCommittees?lDays=0", (samples / "committees.xml").read_bytes())
        s.add(f"{WS}/GetMeetings?lCommitteeId=144&{RANGE}", (samples / "meetings.xml").read_bytes())
        for mid, name in (("4966", "meeting_no_minutes.xml"), ("4967", "meeting_with_minutes.xml")):
            s.add(meeting_path(mid), (corpus_dir / "moderngov-lgsf" / name).read_bytes())
        report = run(
            s, tmp_path, council="Manchester City Council", committees=("Audit Committee",)
        )
    finally:
        s.stop()
    assert report.outcomes == {"cancelled": 1, "minutes": 1}
    assert titles(tmp_path / "index") == ["2026-02-10 Minutes", "2026-02-10 Work Programme"]
    # the "CHAIR APPROVED Minutes … 25 Nov 2025" PDF is the previous meeting's: not fetched
    assert not [p for p in s.requests() if "mgConvert2PDF" in p]


def test_pending_meetings_are_remembered_outside_the_dates(
    site: FakeModernGov, tmp_path: Path
) -> None:
    run(site, tmp_path)
    items = [("1", "Apologies", "None."), ("2", "Street lighting", "Lighting was discussed.")]
    site.add(meeting_path("103"), meeting_xml("103", "12/05/2026", CRIME, items))
    # a later run asks for other dates (its list is empty: a 404 here): 103 is still asked for
    report = run(site, tmp_path, date_from=dt.date(2027, 1, 1), date_to=dt.date(2027, 12, 31))
    assert report.outcomes["minutes"] == 1
    assert "2026-05-12 Street lighting" in titles(tmp_path / "index")


def test_a_killed_harvest_resumes(site: FakeModernGov, tmp_path: Path) -> None:
    """SIGKILL in the middle of a harvest (a separate process), then the same command."""
    import os
    import signal
    import subprocess
    import sys

    site.fault(meeting_path("102"), Fault("slow", seconds=5))
    args = [sys.executable, "-m", "kb", "harvest", "moderngov", site.url, "--council", "T"]
    args += ["--from", "2026-01-01", "--to", "2026-12-31", "--raw", str(tmp_path / "raw")]
    args += ["--index", str(tmp_path / "index")]
    env = {**os.environ, "KB_HARVEST_DELAY": "0", "KB_HARVEST_TIMEOUT": "20"}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while meeting_path("102") not in site.arrived and time.monotonic() < deadline:
            time.sleep(0.05)
        assert meeting_path("102") in site.arrived  # and is being answered slowly
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    folder = next((tmp_path / "raw").iterdir())
    state = json.loads((folder / "harvest.json").read_text())
    assert list(state["meetings"]) == ["101"]  # saved as it went
    before = len(site.log)
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    resumed = [p for p, _s, _h in site.log[before:]]
    assert meeting_path("101") not in resumed and meeting_path("102") in resumed
    assert len(titles(tmp_path / "index")) == 4


def test_two_harvests_of_one_site_do_not_overlap(site: FakeModernGov, tmp_path: Path) -> None:
    import fcntl

    folder = tmp_path / "raw" / site.url.split("//")[1].replace(":", "_")
    folder.mkdir(parents=True)
    with open(folder / ".harvest.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(HarvestError, match="another harvest of .* is running"):
            run(site, tmp_path)
    assert site.log == []
    assert run(site, tmp_path).problems == []


def test_the_raw_folder_ingests_again_offline(site: FakeModernGov, tmp_path: Path) -> None:
    from indexer.pipeline import ingest

    report = run(site, tmp_path, ingest=False)
    assert report.ingest is None and not (tmp_path / "index").exists()
    site.stop()  # offline from here
    folder = next((tmp_path / "raw").iterdir())
    offline = ingest([folder], tmp_path / "offline")  # council.toml names the council
    assert not offline.failed
    assert titles(tmp_path / "offline") == [
        "2026-03-10 Apologies for absence",
        "2026-03-10 CCTV in the town centre",
        "2026-04-14 Declarations of interest",
        "2026-04-14 Knife crime update",
    ]
    hit = search_service(tmp_path / "offline").search(SearchRequest(q="cctv")).results[0]
    assert hit.council == "Testshire Council"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1/minutes.pdf", "refused: not a URL"),
        ("file:///etc/passwd", r"only http(s) URLs"),
        ("http://127.0.0.2:9/minutes.pdf", "connection failed"),  # another host, linked: allowed
    ],
)
def test_odd_minutes_links_fail_one_meeting_only(
    site: FakeModernGov, tmp_path: Path, url: str, problem: str
) -> None:
    links = [("Printed minutes 12th-May-2026 18.00", url)]
    site.add(meeting_path("103"), meeting_xml("103", "12/05/2026", CRIME, [], links=links))
    policy = FetchPolicy(delay=0, timeout=1, retries=0)
    report = harvest(options(site, tmp_path), policy=policy, say=lambda _l: None)
    (only,) = report.problems
    assert "(meeting 103)" in only and problem in only
    assert len(titles(tmp_path / "index")) == 4


def test_minutes_in_a_linked_word_file(site: FakeModernGov, tmp_path: Path) -> None:
    listed = [("201", "20/03/2026", "Cancelled"), ("202", "24/03/2026", "Confirmed")]
    site.add(f"{WS}/GetMeetings?lCommitteeId=11&{RANGE}", meetings_xml("11", "Licensing", listed))
    doc = f"{site.url}/documents/s202/Minutes%2024th-Mar-2026.docx"
    links = [("Minutes 24th-Mar-2026 18.00 Licensing Committee", doc)]
    site.add(meeting_path("202"), meeting_xml("202", "24/03/2026", "Licensing", [], links=links))
    items = [("1", "Apologies", "None."), ("2", "Taxi licensing and CCTV", "CCTV in taxis.")]
    body = minutes_docx("Licensing Committee", "24 March 2026", items)
    site.add("/documents/s202/Minutes%2024th-Mar-2026.docx", body, "application/octet-stream")
    report = run(site, tmp_path, committees=("11",))
    assert report.outcomes == {"cancelled": 1, "document": 1} and report.problems == []
    folder = next((tmp_path / "raw").iterdir())
    assert (folder / "licensing-committee" / "2026-03-24-202-minutes.docx").read_bytes() == body
    assert titles(tmp_path / "index") == [
        "2026-03-24 Apologies",
        "2026-03-24 Taxi licensing and CCTV",
    ]
