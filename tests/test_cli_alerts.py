"""``kb alerts`` and the digests ``kb harvest`` / ``kb ingest`` send, through a real SMTP
server on 127.0.0.1 (aiosmtpd with STARTTLS) and the fake ModernGov site."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_moderngov import CRIME, FakeModernGov, demo_site, meeting_path, meeting_xml

from kb.cli import main

pytest.importorskip("aiosmtpd", reason="aiosmtpd (dev) is the test SMTP server")
pytest.importorskip("trustme", reason="trustme (dev) makes the test server's certificate")
pytest.importorskip("reportlab", reason="reportlab (dev) builds the minutes PDF")

from smtp_server import Inbox, smtp_server  # noqa: E402


@pytest.fixture
def site() -> Iterator[FakeModernGov]:
    s = demo_site()
    yield s
    s.stop()


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server(tmp_path) as box:
        monkeypatch.setenv("KB_SMTP_URL", box.url)
        monkeypatch.setenv("KB_SMTP_CA_FILE", str(box.ca_file))
        monkeypatch.setenv("KB_SMTP_FROM", "minutes@testshire.example.org")
        monkeypatch.setenv("KB_PUBLIC_URL", "https://minutes.testshire.example.org")
        monkeypatch.setenv("KB_HARVEST_DELAY", "0")
        monkeypatch.setenv("KB_HARVEST_BACKOFF", "0.01")
        monkeypatch.delenv("KB_STATE_DIR", raising=False)
        yield box


def kb(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def harvest_args(site: FakeModernGov, tmp_path: Path) -> list[str]:
    return [
        "harvest", "moderngov", site.url, "--council", "Testshire Council",
        "--from", "2026-01-01", "--to", "2026-12-31",
        "--raw", str(tmp_path / "raw"), "--index", str(tmp_path / "index"),
    ]  # fmt: skip


def test_harvest_adding_a_cctv_item_sends_one_digest_once(
    site: FakeModernGov, inbox: Inbox, tmp_path: Path
) -> None:
    index = str(tmp_path / "index")
    out = kb("alerts", "add", "CCTV", "--committee", CRIME, "--email", "ann@example.org",
             "--index", index)  # fmt: skip
    assert out.startswith("added alert ") and '"CCTV" in committee ' + CRIME in out
    kb("alerts", "add", "planning", "--email", "bob@example.org", "--index", index)
    out = kb(*harvest_args(site, tmp_path))
    assert "sent 1 new item(s) to ann@example.org" in out
    assert inbox.recipients == [["ann@example.org"]]
    msg = inbox.messages[0]
    assert msg["From"] == "minutes@testshire.example.org"
    link = (
        "https://minutes.testshire.example.org/items/"
        "testshire-council/crime-and-disorder-committee/2026-03-10/2"
    )
    assert link in msg.get_body(("plain",)).get_content()
    assert f'href="{link}"' in msg.get_body(("html",)).get_content()
    # a second run: nothing new harvested, nothing sent
    out = kb(*harvest_args(site, tmp_path))
    assert "nothing new to ingest" in out and "sent" not in out
    assert len(inbox.messages) == 1
    # minutes published later that mention CCTV: one more digest, with only the new item
    items = [("1", "Apologies", "None."), ("2", "CCTV review", "The CCTV review was noted.")]
    site.add(meeting_path("103"), meeting_xml("103", "12/05/2026", CRIME, items))
    out = kb(*harvest_args(site, tmp_path))
    assert "sent 1 new item(s) to ann@example.org" in out
    assert len(inbox.messages) == 2
    second = inbox.messages[1].get_body(("plain",)).get_content()
    assert "CCTV review" in second and "CCTV in the town centre" not in second


def test_ingest_sends_digests_too(inbox: Inbox, tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    kb("alerts", "add", "CCTV", "--email", "ann@example.org", "--index", index)
    minutes = tmp_path / "m.txt"
    minutes.write_text(
        "Crime and Disorder Committee\nMinutes of the meeting held on 5 June 2026\n\n"
        "1. Apologies\nNone.\n\n2. CCTV upgrade\nThe CCTV upgrade was agreed.\n",
        encoding="utf-8",
    )
    out = kb("ingest", str(minutes), "--council", "Testshire Council", "--index", index)
    assert "sent 1 new item(s) to ann@example.org" in out
    assert len(inbox.messages) == 1
    assert "alerts: nothing new" in kb("alerts", "send", "--index", index)


def test_list_remove_and_dry_run(site: FakeModernGov, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.delenv("KB_SMTP_URL", raising=False)
    monkeypatch.setenv("KB_HARVEST_DELAY", "0")
    index = str(tmp_path / "index")
    kb("alerts", "add", "CCTV", "--email", "ann@example.org", "--index", index)
    kb("alerts", "add", "knife", "--email", "bob@example.org", "--index", index)
    rows = json.loads(kb("alerts", "list", "--json", "--index", index))
    assert [(r["query"], r["email"]) for r in rows] == [
        ("CCTV", "ann@example.org"),
        ("knife", "bob@example.org"),
    ]
    out = kb(*harvest_args(site, tmp_path))
    assert "alerts: 2 digest(s) due but KB_SMTP_URL is not set" in out
    dry = kb("alerts", "send", "--dry-run", "--index", index)
    assert "To: ann@example.org" in dry and "CCTV in the town centre" in dry
    assert "To: bob@example.org" in dry and "Knife crime update" in dry
    assert kb("alerts", "send", "--dry-run", "--index", index) == dry  # recorded nothing
    out = kb("alerts", "remove", rows[1]["id"], "--index", index)
    assert out.startswith(f"removed alert {rows[1]['id']}")
    assert "bob@example.org" not in kb("alerts", "list", "--index", index)
    bad = CliRunner().invoke(main, ["alerts", "remove", "nope", "--index", index])
    assert bad.exit_code == 1 and "no alert 'nope'" in bad.output
    bad = CliRunner().invoke(main, ["alerts", "add", "x", "--email", "a@b", "--index", index])
    assert bad.exit_code == 1 and "is not an email address" in bad.output


def test_bad_smtp_url_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = tmp_path / "index"
    minutes = tmp_path / "m.txt"
    minutes.write_text(
        "Crime and Disorder Committee\nMinutes of the meeting held on 5 June 2026\n\n"
        "1. CCTV\nCCTV was discussed.\n",
        encoding="utf-8",
    )
    kb("ingest", str(minutes), "--council", "Testshire", "--index", str(index))
    kb("alerts", "add", "nothing-matches-yet", "--email", "a@example.org", "--index", str(index))
    monkeypatch.setenv("KB_SMTP_URL", "http://wrong")
    result = CliRunner().invoke(main, ["alerts", "send", "--index", str(index)])
    assert result.exit_code == 1 and "must start smtp://" in result.output


def test_damaged_alerts_file_and_bad_ca_file_are_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "index"
    minutes = tmp_path / "m.txt"
    minutes.write_text(
        "Crime and Disorder Committee\nMinutes of the meeting held on 5 June 2026\n\n"
        "1. CCTV\nCCTV was discussed.\n",
        encoding="utf-8",
    )
    kb("ingest", str(minutes), "--council", "Testshire", "--index", str(index))
    kb("alerts", "add", "CCTV", "--email", "a@example.org", "--index", str(index))
    monkeypatch.setenv("KB_SMTP_URL", "smtp://127.0.0.1:1")
    monkeypatch.setenv("KB_SMTP_CA_FILE", str(tmp_path / "missing.pem"))
    result = CliRunner().invoke(main, ["alerts", "send", "--index", str(index)])
    assert result.exit_code == 1 and "KB_SMTP_CA_FILE cannot be used" in result.output
    (tmp_path / "index.alerts.json").write_text("{oops", encoding="utf-8")
    for args in (["alerts", "send"], ["alerts", "list"]):
        result = CliRunner().invoke(main, [*args, "--index", str(index)])
        assert result.exit_code == 1 and "index.alerts.json is damaged" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
