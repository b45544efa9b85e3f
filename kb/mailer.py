"""Sending email through the SMTP server named by ``KB_SMTP_URL``.

- ``smtp://user:password@host:587`` — STARTTLS, required: a server that does not offer it
  is refused;
- ``smtps://user:password@host:465`` — TLS from the first byte;
- ``smtp+plain://host:25`` — no TLS, for a relay on this machine; credentials are refused
  unless the host is a loopback address.

User and password are percent-decoded.  Certificates are verified (the system's CAs, or the
``ssl_context`` a caller passes).
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"smtp": 587, "smtps": 465, "smtp+plain": 25}


class MailError(Exception):
    """The SMTP settings are wrong or the server refused the message."""


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    def describe(self) -> str:
        """The URL without its password (for messages)."""
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpSettings:
    """Settings from a ``KB_SMTP_URL``; MailError naming what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS:
        raise MailError(
            f"KB_SMTP_URL must start smtp://, smtps:// or smtp+plain://, not {parts.scheme!r}://"
        )
    if not parts.hostname:
        raise MailError("KB_SMTP_URL names no host")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as exc:
        raise MailError(f"KB_SMTP_URL has a bad port: {exc}") from exc
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    settings = SmtpSettings(parts.scheme, parts.hostname, port, user, password)
    if settings.scheme == "smtp+plain" and user and not _loopback(settings.host):
        raise MailError("smtp+plain:// sends a password unencrypted: use smtp:// (STARTTLS)")
    return settings


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def send(
    messages: list[EmailMessage],
    settings: SmtpSettings,
    *,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = 30.0,
) -> None:
    """Send ``messages`` over one connection; MailError if any is refused (those before it
    were sent: callers send one message per call when each must be recorded)."""
    context = ssl_context or ssl.create_default_context()
    try:
        if settings.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        with client:
            client.ehlo()
            if settings.scheme == "smtp":
                if not client.has_extn("starttls"):
                    raise MailError(f"{settings.describe()} does not offer STARTTLS")
                client.starttls(context=context)
                client.ehlo()
            if settings.username:
                client.login(settings.username, settings.password or "")
            for message in messages:
                client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"sending through {settings.describe()} failed: {exc}") from exc
