"""Saved searches and their digests (kb/alerts.py), on real indexes built from text minutes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.pipeline import ingest
from kb.alerts import (
    Alert,
    AlertError,
    AlertStore,
    Digest,
    alerts_path,
    check_email,
    digests,
    search_service,
    send_digests,
)

MINUTES = """{council}
{committee}
Minutes of the meeting held on {day}

1. Apologies
None were received.

2. {title}
{body}
"""


def write_minutes(
    folder: Path,
    name: str,
    title: str,
    body: str,
    day: str = "5 June 2026",
    committee: str = "Crime and Disorder Committee",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        MINUTES.format(
            council="Testshire Council", committee=committee, day=day, title=title, body=body
        ),
        encoding="utf-8",
    )
    return path


def add_minutes(index: Path, tmp_path: Path, name: str, title: str, body: str, **kw: str) -> None:
    path = write_minutes(tmp_path / "minutes", name, title, body, **kw)
    report = ingest([path], index, council="Testshire Council")
    assert not report.failed


@pytest.fixture
def index(tmp_path: Path) -> Path:
    folder = tmp_path / "index"
    add_minutes(
        folder,
        tmp_path,
        "a.txt",
        "CCTV in the park",
        "Cameras in the park were discussed.",
        day="1 May 2026",
    )
    return folder


def store_for(index: Path) -> AlertStore:
    return AlertStore(alerts_path(index)).load()


def test_alerts_live_beside_the_index_not_inside(tmp_path: Path) -> None:
    assert (
        alerts_path(tmp_path / "instance" / "index") == tmp_path / "instance" / "index.alerts.json"
    )


def test_new_alert_sees_what_is_there_already(index: Path) -> None:
    store = store_for(index)
    alert = store.add(Alert("", "CCTV", "ann@example.org"), search_service(index))
    assert len(alert.id) == 8 and alert.created
    assert alert.seen == ["testshire-council/crime-and-disorder-committee/2026-05-01/2"]
    assert digests(store, search_service(index)) == []


def test_new_items_go_out_once_one_digest_per_address(index: Path, tmp_path: Path) -> None:
    store = store_for(index)
    service = search_service(index)
    store.add(Alert("", "CCTV", "ann@example.org"), service)
    store.add(Alert("", "cameras", "ann@example.org"), service)  # overlaps the first
    store.add(Alert("", "CCTV", "bob@example.org", committee=["Licensing Committee"]), service)
    store.save()
    add_minutes(index, tmp_path, "b.txt", "CCTV upgrade", "New CCTV cameras for the square.")
    add_minutes(
        index,
        tmp_path,
        "c.txt",
        "CCTV licensing",
        "CCTV in licensed premises.",
        committee="Licensing Committee",
        day="9 June 2026",
    )
    service = search_service(index)
    due = {d.email: d for d in digests(store, service)}
    assert sorted(due) == ["ann@example.org", "bob@example.org"]
    ann = due["ann@example.org"]
    listed = [h.item_title for _a, hits in ann.sections for h in hits]
    assert sorted(listed) == ["CCTV licensing", "CCTV upgrade"]  # each once, not per alert
    assert [h.item_title for _a, hits in due["bob@example.org"].sections for h in hits] == [
        "CCTV licensing"
    ]
    delivered: list[Digest] = []
    sent, problems = send_digests(store, service, delivered.append, say=lambda _l: None)
    assert (sent, problems) == (2, [])
    assert digests(AlertStore(store.path).load(), service) == []  # recorded on disk
    assert send_digests(store_for(index), service, delivered.append, say=lambda _l: None) == (0, [])
    assert len(delivered) == 2


def test_failed_delivery_is_tried_again(index: Path, tmp_path: Path) -> None:
    store = store_for(index)
    store.add(Alert("", "CCTV", "ann@example.org"), search_service(index))
    add_minutes(index, tmp_path, "b.txt", "CCTV upgrade", "New CCTV cameras.")
    service = search_service(index)

    def broken(_d: Digest) -> None:
        raise OSError("connection refused")

    sent, problems = send_digests(store, service, broken, say=lambda _l: None)
    assert sent == 0 and problems == ["ann@example.org: connection refused"]
    delivered: list[Digest] = []
    assert send_digests(store, service, delivered.append, say=lambda _l: None) == (1, [])
    assert delivered[0].count == 1


def test_dry_run_records_nothing(index: Path, tmp_path: Path) -> None:
    store = store_for(index)
    store.add(Alert("", "CCTV", "ann@example.org"), search_service(index))
    add_minutes(index, tmp_path, "b.txt", "CCTV upgrade", "New CCTV cameras.")
    assert send_digests(store, search_service(index), None, say=lambda _l: None) == (0, [])
    assert len(digests(store, search_service(index))) == 1


def test_digest_has_text_and_html_with_permalinks_escaped(index: Path, tmp_path: Path) -> None:
    store = store_for(index)
    store.add(Alert("", "cctv -<script>", "ann@example.org"), search_service(index))
    add_minutes(index, tmp_path, "b.txt", "CCTV costs & more", "CCTV here.")
    (digest,) = digests(store, search_service(index))
    msg = digest.message("kb@example.org", "https://minutes.example.org/")
    assert msg["Subject"] == "Minutes KB: 1 new item for your saved searches"
    assert msg["To"] == "ann@example.org" and msg["From"] == "kb@example.org"
    text = msg.get_body(("plain",)).get_content()
    page = msg.get_body(("html",)).get_content()
    link = "https://minutes.example.org/items/testshire-council/crime-and-disorder-committee/2026-06-05/2"
    assert link in text and f'href="{link}"' in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "CCTV costs &amp; more</a>" in page
    assert 'Saved search "cctv -<script>"' in text


@pytest.mark.parametrize(
    "address",
    [
        "",
        "ann",
        "ann@",
        "@example.org",
        "ann@example",
        "ann @example.org",
        "ann@example.org\nBcc: eve@example.org",
        "<ann@example.org>",
        "ann@example.org, eve@x.org",
    ],
)
def test_bad_addresses_are_refused(address: str) -> None:
    with pytest.raises(AlertError, match="is not an email address"):
        check_email(address)


def test_good_address() -> None:
    assert check_email("  a.n+alerts@mail.example.org ") == "a.n+alerts@mail.example.org"


def test_bad_query_and_unknown_id(index: Path) -> None:
    store = store_for(index)
    with pytest.raises(AlertError, match="bad query"):
        store.add(Alert("", "year:soon", "ann@example.org"), search_service(index))
    with pytest.raises(AlertError, match="no alert 'nope'"):
        store.remove("nope")


def test_damaged_file_is_an_error_not_lost(index: Path) -> None:
    path = alerts_path(index)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(AlertError, match="is damaged"):
        AlertStore(path).load()
    assert path.read_text(encoding="utf-8") == "{not json"


def test_confirmed_web_subscriptions_are_imported(index: Path, tmp_path: Path) -> None:
    subs = tmp_path / "state" / "subscriptions"
    subs.mkdir(parents=True)
    (subs / "x.json").write_text(
        json.dumps(
            {
                "id": "web1",
                "query": "CCTV",
                "email": "c@example.org",
                "committee": [],
                "seen": ["testshire-council/crime-and-disorder-committee/2026-05-01/2"],
            }
        ),
        encoding="utf-8",
    )
    (subs / "bad.json").write_text(json.dumps({"id": "web2", "email": "not an address"}))
    with AlertStore(alerts_path(index)).locked() as store:
        found = store.import_confirmed(tmp_path / "state")
    assert [a.id for a in found] == ["web1"]
    assert not (subs / "x.json").exists() and (subs / "bad.json").exists()
    assert [a.id for a in store_for(index).alerts] == ["web1"]
    assert digests(store_for(index), search_service(index)) == []
