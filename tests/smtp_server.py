"""A real SMTP server on 127.0.0.1 for the alert tests: aiosmtpd, STARTTLS required, with a
certificate from a throwaway CA (trustme) whose PEM a client can be pointed at."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inbox:
    url: str
    ca_file: Path
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)


class _Handler:
    def __init__(self, inbox: Inbox):
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        self.inbox.messages.append(msg)  # type: ignore[arg-type]
        self.inbox.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@contextmanager
def smtp_server(tmp_path: Path) -> Iterator[Inbox]:
    """Run the server for the ``with`` block; yields its ``smtp://`` URL, CA file and inbox."""
    import trustme
    from aiosmtpd.controller import Controller

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    ca_file = tmp_path / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    port = free_port()
    inbox = Inbox(url=f"smtp://127.0.0.1:{port}", ca_file=ca_file)
    controller = Controller(
        _Handler(inbox),
        hostname="127.0.0.1",
        port=port,
        tls_context=server_ctx,
        require_starttls=True,
    )
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
