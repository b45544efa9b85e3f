"""Saved searches whose new results are emailed as one digest per address.

The alerts live beside the index, in ``<index>.alerts.json`` (``instance/index.alerts.json``
by default; beside, not inside, so a ``kb ingest --rebuild`` swapping the index keeps them),
written atomically under a lock.  Each alert keeps the ids of the items it has already
reported (``seen``): when it is added, every item it matches then is seen, so only items
ingested later are ever sent, and an item is marked seen only once its digest was handed to
the SMTP server — a failed send is tried again next time, a sent one never again.

Subscriptions confirmed in the web app are files in ``KB_STATE_DIR/subscriptions/``, and
unsubscribe clicks files in ``KB_STATE_DIR/unsubscribed/`` (the web app never writes the index
folder); :meth:`AlertStore.sync_web` applies them here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import html
import json
import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from kb.results import Hit, SearchRequest

#: The newest results looked at per alert each time (an ingest adding more than this many
#: matching items at once reports the newest ones).
SCAN_LIMIT = 200
PAGE = 100
#: An address is an address: one @, no spaces, quotes, angle brackets or line breaks.
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
FILTERS = ("council", "committee", "topic")
#: How long an unsubscribe link in a digest keeps working.
UNSUBSCRIBE_SECONDS = 2 * 365 * 24 * 3600


#: Makes the link that stops some alerts (see :func:`unsubscribe_links`).
Unsubscribe = Callable[[list["Alert"]], str]


class AlertError(ValueError):
    """A bad alert (address, query) or an unknown alert id."""


@dataclass
class Alert:
    """One saved search and where its new results go."""

    id: str
    query: str
    email: str
    council: list[str] = field(default_factory=list)
    committee: list[str] = field(default_factory=list)
    topic: list[str] = field(default_factory=list)
    created: str = ""
    seen: list[str] = field(default_factory=list)

    def request(self, page: int = 1) -> SearchRequest:
        """The search this alert runs: newest first."""
        return SearchRequest(
            q=self.query,
            council=list(self.council),
            committee=list(self.committee),
            topic=list(self.topic),
            sort="newest",
            page=page,
            page_size=PAGE,
        )

    def describe(self) -> str:
        """'"CCTV" in committee Crime and Disorder Committee' for lists and emails."""
        parts = [f'"{self.query}"' if self.query else "every item"]
        for name in FILTERS:
            values = getattr(self, name)
            if values:
                parts.append(f"in {name} {' or '.join(values)}")
        return " ".join(parts)


def check_email(address: str) -> str:
    """The address, stripped; AlertError unless it looks like one plain address."""
    address = address.strip()
    if not EMAIL_RE.match(address) or len(address) > 254:
        raise AlertError(f"{address!r} is not an email address")
    return address


def alerts_path(index_dir: Path) -> Path:
    """Where the alerts of the index at ``index_dir`` are kept."""
    index_dir = Path(index_dir)
    return index_dir.parent / f"{index_dir.name}.alerts.json"


def search_service(index_dir: Path) -> Any | None:
    """The search service of the index at ``index_dir``, or None when there is no index yet.

    The one place alerts (and ``kb alerts``) open the index; it takes the service from
    ``kb.service`` where the engine split put it, else from ``kb.search``."""
    try:
        from kb.service import IndexMissingError, SearchService  # type: ignore[import-not-found]
    except ImportError:
        from kb.search import IndexMissingError, SearchService
    try:
        return SearchService(Path(index_dir))
    except IndexMissingError:
        return None


def matching_hits(service: Any, alert: Alert, limit: int = SCAN_LIMIT) -> list[Hit]:
    """The newest ``limit`` hits of ``alert``'s search (QueryError for a bad query)."""
    hits: list[Hit] = []
    page = 1
    while len(hits) < limit:
        res = service.search(alert.request(page))
        hits += res.results
        if len(res.results) < PAGE or page * PAGE >= res.total:
            break
        page += 1
    return hits[:limit]


class AlertStore:
    """The alerts file of one index: load, change under a lock, save atomically."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.alerts: list[Alert] = []

    @contextlib.contextmanager
    def locked(self) -> Iterator[AlertStore]:
        """Hold the file's lock, load it, and save it on a clean exit."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(self.path.name + ".lock")
        with open(lock, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                self.load()
                yield self
                self.save()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def load(self) -> AlertStore:
        """Read the file (none yet: no alerts); AlertError if it is damaged."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except ValueError as exc:
            raise AlertError(f"{self.path} is damaged: {exc}") from exc
        fields = set(Alert.__dataclass_fields__)
        self.alerts = [
            Alert(**{k: v for k, v in a.items() if k in fields}) for a in data.get("alerts", [])
        ]
        return self

    def save(self) -> None:
        data = {"version": 1, "alerts": [asdict(a) for a in self.alerts]}
        text = json.dumps(data, indent=1, ensure_ascii=False)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def add(self, alert: Alert, service: Any | None) -> Alert:
        """Add ``alert`` with every item it matches now marked seen (``service`` None: no
        index yet, nothing seen).  AlertError for a bad address or query."""
        from kb.query import QueryError

        alert.email = check_email(alert.email)
        alert.id = alert.id or secrets.token_hex(4)
        alert.created = alert.created or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        if service is not None:
            try:
                alert.seen = sorted({h.id for h in matching_hits(service, alert)} | set(alert.seen))
            except QueryError as exc:
                raise AlertError(f"bad query: {exc}") from exc
        self.alerts.append(alert)
        return alert

    def remove(self, alert_id: str) -> Alert:
        for alert in self.alerts:
            if alert.id == alert_id:
                self.alerts.remove(alert)
                return alert
        raise AlertError(f"no alert {alert_id!r} (kb alerts list shows them)")

    def sync_web(self, state_dir: Path | None) -> tuple[list[Alert], list[Alert]]:
        """Take in what the web app recorded in ``state_dir``: confirmed subscriptions
        (added) and unsubscribe clicks (removed).  Returns (added, removed)."""
        return self.import_confirmed(state_dir), self.apply_unsubscribes(state_dir)

    def apply_unsubscribes(self, state_dir: Path | None) -> list[Alert]:
        """Remove the alerts named in ``state_dir/unsubscribed/*.json`` (ids and the address
        they belong to, as the signed link carried them)."""
        if state_dir is None:
            return []
        removed = []
        for path in sorted((Path(state_dir) / "unsubscribed").glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                ids, email = {str(i) for i in data["ids"]}, str(data["email"])
            except (ValueError, KeyError, TypeError):
                continue
            gone = [a for a in self.alerts if a.id in ids and a.email == email]
            self.alerts = [a for a in self.alerts if a not in gone]
            removed += gone
            path.unlink()
        return removed

    def import_confirmed(self, state_dir: Path | None) -> list[Alert]:
        """Move subscriptions confirmed in the web app (``state_dir/subscriptions/*.json``)
        into this store; each keeps the items it matched when it was confirmed as seen."""
        if state_dir is None:
            return []
        found = []
        for path in sorted((Path(state_dir) / "subscriptions").glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                alert = Alert(
                    id=str(data["id"]),
                    query=str(data.get("query", "")),
                    email=check_email(str(data["email"])),
                    **{k: [str(v) for v in data.get(k, [])] for k in FILTERS},
                    created=str(data.get("created", "")),
                    seen=[str(s) for s in data.get("seen", [])],
                )
            except (ValueError, KeyError, TypeError):
                continue  # a damaged file stays where it is, for a person to look at
            if all(a.id != alert.id for a in self.alerts):
                self.alerts.append(alert)
                found.append(alert)
            path.unlink()
        return found


def unsubscribe_links(state_dir: Path, public_url: str) -> Unsubscribe:
    """Links to the web app's ``/alerts/unsubscribe`` carrying a signed token (valid two
    years) naming the alerts and their address."""
    from kb.tokens import sign

    base = public_url.rstrip("/")

    def link(alerts: list[Alert]) -> str:
        payload = {
            "unsub": sorted(a.id for a in alerts),
            "email": alerts[0].email if alerts else "",
            "exp": int(dt.datetime.now(dt.UTC).timestamp()) + UNSUBSCRIBE_SECONDS,
        }
        return f"{base}/alerts/unsubscribe?token={sign(payload, state_dir)}"

    return link


@dataclass
class Digest:
    """One email: every new item of every alert of one address."""

    email: str
    sections: list[tuple[Alert, list[Hit]]]
    #: every alert's new item ids, listed or not (an item two alerts share is listed once
    #: but becomes seen for both)
    covered: list[tuple[Alert, set[str]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(hits) for _a, hits in self.sections)

    def message(
        self, sender: str, public_url: str, unsubscribe: Unsubscribe | None = None
    ) -> EmailMessage:
        """The email: plain text and HTML, each item with its permalink.  With
        ``unsubscribe`` (alerts → URL) each saved search has a link that stops it, and the
        ``List-Unsubscribe`` headers stop every alert this digest speaks for (one click,
        RFC 8058)."""
        base = public_url.rstrip("/")
        msg = EmailMessage()
        noun = "item" if self.count == 1 else "items"
        msg["Subject"] = f"Minutes KB: {self.count} new {noun} for your saved searches"
        msg["From"] = sender
        msg["To"] = self.email
        if unsubscribe is not None:
            every = [a for a, _ids in self.covered] or [a for a, _h in self.sections]
            msg["List-Unsubscribe"] = f"<{unsubscribe(every)}>"
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg.set_content(self.text(base, unsubscribe))
        msg.add_alternative(self.html(base, unsubscribe), subtype="html")
        return msg

    def text(self, base: str, unsubscribe: Unsubscribe | None = None) -> str:
        lines = [f"New items in the minutes ({self.count}):", ""]
        for alert, hits in self.sections:
            lines.append(f"Saved search {alert.describe()} [{alert.id}]")
            for h in hits:
                lines.append(f"  - {h.date or 'undated'} · {h.committee} · {h.item_title}")
                lines.append(f"    {base}{h.url}")
            if unsubscribe is not None:
                lines.append(f"  Stop this alert: {unsubscribe([alert])}")
            lines.append("")
        if unsubscribe is None:
            lines.append("To stop these emails, ask whoever runs this site to remove the alert.")
        return "\n".join(lines) + "\n"

    def html(self, base: str, unsubscribe: Unsubscribe | None = None) -> str:
        e = html.escape
        out = [f"<p>New items in the minutes ({self.count}):</p>"]
        for alert, hits in self.sections:
            out.append(f"<h2>Saved search {e(alert.describe())}</h2><ul>")
            for h in hits:
                out.append(
                    f'<li><a href="{e(base + h.url)}">{e(h.item_title)}</a> — '
                    f"{e(h.date or 'undated')}, {e(h.committee)}, {e(h.council)}</li>"
                )
            out.append("</ul>")
            if unsubscribe is not None:
                out.append(f'<p><a href="{e(unsubscribe([alert]))}">Stop this alert</a></p>')
        return "<!DOCTYPE html><html><body>" + "".join(out) + "</body></html>"


def digests(store: AlertStore, service: Any) -> list[Digest]:
    """The digests due: per address, each alert's matching items not yet seen (an item
    two alerts of one address match is listed once)."""
    from kb.query import QueryError

    by_email: dict[str, Digest] = {}
    listed: dict[str, set[str]] = {}
    for alert in store.alerts:
        try:
            hits = matching_hits(service, alert)
        except QueryError:
            continue
        fresh = [h for h in hits if h.id not in set(alert.seen)]
        if not fresh:
            continue
        digest = by_email.setdefault(alert.email, Digest(alert.email, []))
        digest.covered.append((alert, {h.id for h in fresh}))
        shown = listed.setdefault(alert.email, set())
        new = [h for h in fresh if h.id not in shown]
        shown.update(h.id for h in new)
        if new:
            digest.sections.append((alert, new))
    return [d for d in by_email.values() if d.sections]


def send_digests(
    store: AlertStore,
    service: Any,
    deliver: Callable[[Digest], None] | None,
    say: Callable[[str], None] = print,
) -> tuple[int, list[str]]:
    """Send every due digest through ``deliver`` (None: a dry run that sends and records
    nothing) and record its items as seen once delivered.  Returns (digests sent, problems);
    a failed delivery is reported and tried again next time."""
    sent, problems = 0, []
    for digest in digests(store, service):
        if deliver is None:
            continue
        try:
            deliver(digest)
        except Exception as exc:  # noqa: BLE001 - one bad address must not stop the rest
            problems.append(f"{digest.email}: {exc}")
            say(f"PROBLEM {digest.email}: not sent: {exc}")
            continue
        for alert, ids in digest.covered:
            alert.seen = sorted(set(alert.seen) | ids)
        store.save()
        sent += 1
        say(f"sent {digest.count} new item(s) to {digest.email}")
    return sent, problems
