"""``kb alerts``: saved searches whose new results are emailed (see :mod:`kb.alerts`)."""

from __future__ import annotations

import json
import ssl
import sys
from pathlib import Path
from typing import Any

import click

from kb import config
from kb.alerts import (
    Alert,
    AlertError,
    AlertStore,
    Digest,
    alerts_path,
    digests,
    search_service,
    send_digests,
    unsubscribe_links,
)
from kb.cli_common import INDEX_HELP


def _state_dir() -> Path | None:
    raw = config.load()["state_dir"]
    return Path(raw) if raw else None


@click.group()
def alerts() -> None:
    """Saved searches: new items that match are emailed, one digest per address.

    \b
    Digests go out after each kb ingest and kb harvest that added items, or with
    kb alerts send.  SMTP comes from KB_SMTP_URL (smtp://user:pass@host:587, STARTTLS),
    the sender from KB_SMTP_FROM, permalinks start with KB_PUBLIC_URL.
    """


@alerts.command("add")
@click.argument("query", nargs=-1)
@click.option("--email", required=True, help="Where the digests go.")
@click.option("--committee", multiple=True, help="Only this committee; repeatable.")
@click.option("--council", multiple=True, help="Only this council; repeatable.")
@click.option("--topic", multiple=True, help="Only this topic id; repeatable.")
@click.option("--index", "index", help=INDEX_HELP)
def alerts_add(
    query: tuple[str, ...],
    email: str,
    committee: tuple[str, ...],
    council: tuple[str, ...],
    topic: tuple[str, ...],
    index: str | None,
) -> None:
    """Save a search (the kb search syntax); items already in the index are not sent,
    only those ingested from now on."""
    index_dir = config.index_dir(index)
    alert = Alert(
        id="",
        query=" ".join(query),
        email=email,
        council=list(council),
        committee=list(committee),
        topic=list(topic),
    )
    try:
        with AlertStore(alerts_path(index_dir)).locked() as store:
            store.add(alert, search_service(index_dir))
    except AlertError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"added alert {alert.id}: {alert.describe()} → {alert.email}")


@alerts.command("list")
@click.option("--index", "index", help=INDEX_HELP)
@click.option("--json", "as_json", is_flag=True)
def alerts_list(index: str | None, as_json: bool) -> None:
    """The saved searches (with those confirmed in the web app)."""
    index_dir = config.index_dir(index)
    try:
        with AlertStore(alerts_path(index_dir)).locked() as store:
            store.sync_web(_state_dir())
    except AlertError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        rows = [{k: v for k, v in vars(a).items() if k != "seen"} for a in store.alerts]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not store.alerts:
        click.echo("no alerts")
    for a in store.alerts:
        click.echo(f"{a.id}  {a.describe()} → {a.email}  ({len(a.seen)} items seen)")


@alerts.command("remove")
@click.argument("alert_id")
@click.option("--index", "index", help=INDEX_HELP)
def alerts_remove(alert_id: str, index: str | None) -> None:
    """Delete a saved search by its id."""
    try:
        with AlertStore(alerts_path(config.index_dir(index))).locked() as store:
            store.sync_web(_state_dir())
            gone = store.remove(alert_id)
    except AlertError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"removed alert {gone.id}: {gone.describe()} → {gone.email}")


@alerts.command("send")
@click.option("--index", "index", help=INDEX_HELP)
@click.option("--dry-run", is_flag=True, help="Print the digests; send and record nothing.")
def alerts_send(index: str | None, dry_run: bool) -> None:
    """Send the digests due now.  Exit status 1 if one could not be sent (it is tried
    again next time)."""
    if not run_alerts(config.index_dir(index), dry_run=dry_run):
        sys.exit(1)


def _unsubscribe(settings: dict[str, Any]) -> Any | None:
    """Unsubscribe links when the web app takes them (SMTP and a state folder set)."""
    if settings["smtp_url"] and settings["state_dir"]:
        return unsubscribe_links(Path(settings["state_dir"]), settings["public_url"])
    return None


def _print(digest: Digest, settings: dict[str, Any]) -> None:
    msg = digest.message(settings["smtp_from"], settings["public_url"])
    click.echo(f"To: {msg['To']}\nSubject: {msg['Subject']}\n")
    click.echo(digest.text(settings["public_url"].rstrip("/"), _unsubscribe(settings)))


def _deliverer(settings: dict[str, Any]) -> Any:
    from kb import mailer

    smtp = mailer.parse_smtp_url(settings["smtp_url"])
    try:
        context = ssl.create_default_context(cafile=settings["smtp_ca_file"] or None)
    except (OSError, ssl.SSLError) as exc:
        raise mailer.MailError(f"KB_SMTP_CA_FILE cannot be used: {exc}") from exc

    unsubscribe = _unsubscribe(settings)

    def deliver(digest: Digest) -> None:
        message = digest.message(settings["smtp_from"], settings["public_url"], unsubscribe)
        mailer.send([message], smtp, ssl_context=context)

    return deliver


def run_alerts(index_dir: Path, *, dry_run: bool = False) -> bool:
    """Send (or print) the digests due for the index at ``index_dir``; False on a problem
    (a line on stderr says which).  Without ``KB_SMTP_URL`` nothing is sent or recorded: a
    line says so."""
    try:
        return _run_alerts(index_dir, dry_run)
    except AlertError as exc:
        click.echo(f"alerts: {exc}", err=True)
        return False


def _run_alerts(index_dir: Path, dry_run: bool) -> bool:
    from kb.mailer import MailError

    settings = config.load()
    service = search_service(index_dir)
    if service is None:
        click.echo("alerts: no index yet")
        return True
    with AlertStore(alerts_path(index_dir)).locked() as store:
        store.sync_web(_state_dir())
        if dry_run or not settings["smtp_url"]:
            due = digests(store, service)
            if dry_run:
                for digest in due:
                    _print(digest, settings)
            if not due:
                click.echo("alerts: nothing new")
            elif not dry_run:
                click.echo(
                    f"alerts: {len(due)} digest(s) due but KB_SMTP_URL is not set "
                    "(kb alerts send --dry-run shows them)"
                )
            return True
        try:
            deliver = _deliverer(settings)
        except MailError as exc:
            click.echo(f"alerts: {exc}", err=True)
            return False
        sent, problems = send_digests(store, service, deliver, say=click.echo)
    if not sent and not problems:
        click.echo("alerts: nothing new")
    return not problems


def run_alerts_after_ingest(index_dir: Path) -> None:
    """After an ingest or harvest that added items: send the digests due, if any alert
    exists (or was confirmed in the web app)."""
    state = _state_dir()
    web = state is not None and any((state / "subscriptions").glob("*.json"))
    if alerts_path(index_dir).exists() or web:
        run_alerts(index_dir)
