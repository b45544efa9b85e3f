"""\"Email me new results\" (web/alerts.py): offered only with SMTP and a state folder, a
confirmation email through a real SMTP server, a signed link, no writes to the index."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from kb import tokens
from web import create_app

pytest.importorskip("aiosmtpd", reason="aiosmtpd (dev) is the test SMTP server")
pytest.importorskip("trustme", reason="trustme (dev) makes the test server's certificate")

from smtp_server import Inbox, smtp_server  # noqa: E402

SAME = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    with smtp_server(tmp_path) as box:
        yield box


@pytest.fixture
def client(seed_index: Path, inbox: Inbox, tmp_path: Path) -> FlaskClient:
    app = create_app(
        {
            "index": str(seed_index),
            "smtp_url": inbox.url,
            "smtp_ca_file": str(inbox.ca_file),
            "state_dir": str(tmp_path / "state"),
            "public_url": "https://minutes.example.org",
            "TESTING": True,
        }
    )
    return app.test_client()


def subscribe(client: FlaskClient, **form: Any) -> Any:
    data = {"q": "cctv", "committee": "Crime and Disorder Committee", "email": "ann@example.org"}
    data.update(form)
    return client.post("/alerts/subscribe", data=data, headers=SAME)


def link_in(inbox: Inbox) -> str:
    text = inbox.messages[-1].get_body(("plain",)).get_content()
    found = re.search(r"https://minutes\.example\.org(/alerts/confirm\?token=\S+)", text)
    assert found, text
    return found.group(1)


def test_no_form_and_no_post_without_smtp(seed_index: Path, tmp_path: Path) -> None:
    bare = create_app({"index": str(seed_index), "TESTING": True}).test_client()
    assert b"Email me new results" not in bare.get("/search?q=cctv").data
    resp = bare.post("/alerts/subscribe", data={"email": "a@example.org"}, headers=SAME)
    assert resp.status_code == 405 and resp.headers["Allow"] == "GET, HEAD"
    assert bare.get("/alerts/confirm?token=x").status_code == 404


def test_subscribe_confirm_and_import(client: FlaskClient, inbox: Inbox, tmp_path: Path) -> None:
    page = client.get("/search?q=cctv&committee=Crime+and+Disorder+Committee").data.decode()
    assert 'action="/alerts/subscribe"' in page and "Email me new results" in page
    resp = subscribe(client)
    assert resp.status_code == 200 and b"sent a confirmation link" in resp.data
    assert inbox.recipients == [["ann@example.org"]]
    body = inbox.messages[0].get_body(("plain",)).get_content()
    assert "cctv" not in body.lower()  # fixed text and a link: nothing a stranger typed
    link = link_in(inbox)
    shown = client.get(link)
    assert shown.status_code == 200
    assert b"&#34;cctv&#34; in committee Crime and Disorder Committee" in shown.data
    assert not list((tmp_path / "state").glob("subscriptions/*"))  # a GET changes nothing
    token = link.split("token=", 1)[1]
    done = client.post("/alerts/confirm", data={"token": token}, headers=SAME)
    assert done.status_code == 200 and b"Confirmed" in done.data
    client.post("/alerts/confirm", data={"token": token}, headers=SAME)  # twice: one record
    (record,) = (tmp_path / "state" / "subscriptions").glob("*.json")
    from kb.alerts import AlertStore

    store = AlertStore(tmp_path / "alerts.json")
    (alert,) = store.import_confirmed(tmp_path / "state")
    assert (alert.query, alert.email, alert.committee) == (
        "cctv",
        "ann@example.org",
        ["Crime and Disorder Committee"],
    )
    assert alert.seen  # the seed's CCTV items were there before: never sent
    assert not record.exists()


@pytest.mark.parametrize(
    ("form", "headers", "status", "message"),
    [
        ({"email": "not-an-address"}, SAME, 400, "is not an email address"),
        ({"email": "a@example.org\r\nBcc: x@example.org"}, SAME, 400, "is not an email address"),
        ({"q": "year:soon"}, SAME, 400, "cannot be saved"),
        ({}, {"Origin": "https://evil.example"}, 403, "other sites"),
        ({}, {"Sec-Fetch-Site": "cross-site"}, 403, "other sites"),
    ],
)
def test_bad_subscriptions_are_refused(
    client: FlaskClient, inbox: Inbox, form: dict, headers: dict, status: int, message: str
) -> None:
    data = {"q": "cctv", "email": "ann@example.org", **form}
    resp = client.post("/alerts/subscribe", data=data, headers=headers)
    assert resp.status_code == status
    assert message in resp.data.decode()
    assert inbox.messages == []


def test_one_confirmation_per_address_per_ten_minutes(client: FlaskClient, inbox: Inbox) -> None:
    assert subscribe(client).status_code == 200
    again = subscribe(client, email="ANN@example.org")
    assert again.status_code == 429 and b"a few minutes ago" in again.data
    assert len(inbox.messages) == 1


def test_tampered_or_expired_links_are_refused(
    client: FlaskClient, inbox: Inbox, tmp_path: Path
) -> None:
    subscribe(client)
    token = link_in(inbox).split("token=", 1)[1]
    body, _, mac = token.partition(".")
    forged = tokens.b64(b'{"email":"eve@example.org","exp":9999999999,"q":"x"}') + "." + mac
    for bad in (forged, body, "", "x.y"):
        resp = client.post("/alerts/confirm", data={"token": bad}, headers=SAME)
        assert resp.status_code == 400 and b"not valid" in resp.data
    state = tmp_path / "state"
    old = tokens.sign({"q": "x", "email": "a@example.org", "exp": 1}, state)
    with pytest.raises(ValueError, match="expired"):
        tokens.verify(old, state)
    assert client.get(f"/alerts/confirm?token={old}").status_code == 400
    assert not list(state.glob("subscriptions/*"))
    assert (state / "secret.key").stat().st_mode & 0o777 == 0o600


def test_alert_pages_escape_what_they_show(
    client: FlaskClient, inbox: Inbox, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    token = tokens.sign(
        {"q": "<script>x</script>", "email": "a@example.org", "committee": ["<b>"], "exp": 2**40},
        state,
    )
    page = client.get(f"/alerts/confirm?token={token}").data.decode()
    assert "<script>x" not in page and "&lt;script&gt;x" in page and "<b>" not in page


MINUTES = (
    "Crime and Disorder Committee\nMinutes of the meeting held on {day}\n\n"
    "1. Apologies\nNone.\n\n2. {title}\nThe {title} was discussed.\n"
)


def test_digest_links_stop_the_alert(
    inbox: Inbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from kb.cli import main

    state, index = tmp_path / "state", tmp_path / "index"
    for name, value in {
        "KB_SMTP_URL": inbox.url,
        "KB_SMTP_CA_FILE": str(inbox.ca_file),
        "KB_STATE_DIR": str(state),
        "KB_PUBLIC_URL": "https://minutes.example.org",
    }.items():
        monkeypatch.setenv(name, value)

    def kb(*args: str) -> str:
        result = CliRunner().invoke(main, [*args, "--index", str(index)])
        assert result.exit_code == 0, result.output
        return result.output

    def minutes(name: str, day: str, title: str) -> str:
        path = tmp_path / name
        path.write_text(MINUTES.format(day=day, title=title), encoding="utf-8")
        return str(path)

    kb("ingest", minutes("a.txt", "1 May 2026", "CCTV review"), "--council", "Testshire")
    kb("alerts", "add", "CCTV", "--email", "ann@example.org")
    kb("alerts", "add", "CCTV cameras", "--email", "ann@example.org")
    out = kb("ingest", minutes("b.txt", "5 June 2026", "CCTV cameras"), "--council", "Testshire")
    assert "sent 1 new item(s) to ann@example.org" in out
    msg = inbox.messages[-1]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    every = msg["List-Unsubscribe"].strip("<>")
    text = msg.get_body(("plain",)).get_content()
    stops = re.findall(r"Stop this alert: https://minutes\.example\.org(\S+)", text)
    assert len(stops) == 1  # the item is listed (and stoppable) under the first alert only
    client = create_app({"index": str(index), "TESTING": True}).test_client()
    page = client.get(stops[0])
    assert page.status_code == 200 and b"Stop the alert" in page.data
    token = stops[0].split("token=", 1)[1]
    done = client.post("/alerts/unsubscribe", data={"token": token}, headers=SAME)
    assert done.status_code == 200 and b"no more emails" in done.data
    assert "CCTV cameras" in kb("alerts", "list") and '"CCTV" ' not in kb("alerts", "list")
    # one click (RFC 8058): the mail provider POSTs the header's URL as it is
    one_click = every.replace("https://minutes.example.org", "")
    assert client.post(one_click, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert kb("alerts", "list").strip() == "no alerts"
    # a confirmation token is not an unsubscribe token
    confirm = tokens.sign({"q": "x", "email": "a@example.org", "exp": 2**40}, state)
    bad = client.get(f"/alerts/unsubscribe?token={confirm}")
    assert bad.status_code == 400 and b"not an unsubscribe link" in bad.data


def test_unwritable_state_folder_is_a_503_not_a_500(
    seed_index: Path, inbox: Inbox, tmp_path: Path
) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    app = create_app(
        {
            "index": str(seed_index),
            "smtp_url": inbox.url,
            "smtp_ca_file": str(inbox.ca_file),
            "state_dir": str(blocker),
            "TESTING": True,
        }
    )
    resp = subscribe(app.test_client())
    assert resp.status_code == 503 and b"not available just now" in resp.data
    assert inbox.messages == []
