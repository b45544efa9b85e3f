"""kb/mailer.py against a real SMTP server on 127.0.0.1 (aiosmtpd), STARTTLS included."""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from pathlib import Path

import pytest

from kb.mailer import MailError, SmtpSettings, parse_smtp_url, send

pytest.importorskip("aiosmtpd", reason="aiosmtpd (dev) is the test SMTP server")
pytest.importorskip("trustme", reason="trustme (dev) makes the test server's certificate")

from smtp_server import free_port, smtp_server  # noqa: E402


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", SmtpSettings("smtp", "mail.example.org", 587)),
        (
            "smtp://alerts%40example.org:p%3Ass@mail.example.org:2525",
            SmtpSettings("smtp", "mail.example.org", 2525, "alerts@example.org", "p:ss"),
        ),
        ("smtps://u:p@mail.example.org", SmtpSettings("smtps", "mail.example.org", 465, "u", "p")),
        ("smtp+plain://127.0.0.1", SmtpSettings("smtp+plain", "127.0.0.1", 25)),
        (
            "smtp+plain://u:p@localhost:1025",
            SmtpSettings("smtp+plain", "localhost", 1025, "u", "p"),
        ),
    ],
)
def test_parse_smtp_url(url: str, expected: SmtpSettings) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.org", "must start smtp://"),
        ("smtp://", "names no host"),
        ("smtp://mail.example.org:port", "bad port"),
        ("smtp+plain://u:p@mail.example.org", "sends a password unencrypted"),
    ],
)
def test_bad_smtp_urls(url: str, message: str) -> None:
    with pytest.raises(MailError, match=message):
        parse_smtp_url(url)


def _message(to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = "hello", "kb@example.org", to
    msg.set_content("plain")
    msg.add_alternative("<p>html</p>", subtype="html")
    return msg


def test_send_over_starttls(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as inbox:
        context = ssl.create_default_context(cafile=str(inbox.ca_file))
        send([_message("ann@example.org")], parse_smtp_url(inbox.url), ssl_context=context)
    assert inbox.recipients == [["ann@example.org"]]
    assert inbox.messages[0]["Subject"] == "hello"
    assert inbox.messages[0].get_body(("html",)).get_content().strip() == "<p>html</p>"


def test_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    with smtp_server(tmp_path) as inbox, pytest.raises(MailError, match="CERTIFICATE_VERIFY"):
        send([_message("ann@example.org")], parse_smtp_url(inbox.url))  # system CAs only
    assert inbox.messages == []


def test_server_without_starttls_is_refused(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    port = free_port()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(MailError, match="does not offer STARTTLS"):
            send([_message("ann@example.org")], parse_smtp_url(f"smtp://127.0.0.1:{port}"))
        send([_message("ann@example.org")], parse_smtp_url(f"smtp+plain://127.0.0.1:{port}"))
    finally:
        controller.stop()


def test_nothing_listening_is_a_clear_error() -> None:
    with pytest.raises(MailError, match=r"sending through smtp://127.0.0.1:\d+ failed"):
        send([_message("a@example.org")], parse_smtp_url(f"smtp://127.0.0.1:{free_port()}"))
