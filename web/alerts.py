"""\"Email me new results\": web subscriptions to a search, confirmed by a signed link.

Offered only when ``KB_SMTP_URL`` and ``KB_STATE_DIR`` are both set.  The web app never
writes the index folder: everything it keeps is in the state folder —

- ``secret.key``: the key that signs confirmation links (made once, mode 0600);
- ``sent/<sha256 of the address>``: when a confirmation email last went to an address
  (at most one per :data:`RESEND_SECONDS`, so the form cannot be used to flood a mailbox);
- ``subscriptions/<id>.json``: confirmed subscriptions, with the items they matched when
  confirmed, and ``unsubscribed/<id>.json``: the alerts a digest's "stop this alert" link
  stopped; the next ``kb ingest`` / ``kb harvest`` / ``kb alerts`` applies both to the
  alerts beside the index, before any digest goes out (:meth:`kb.alerts.AlertStore.sync_web`).

No open relay: the confirmation email has fixed text and one link, and goes only to the
address typed; the search itself is shown on the confirmation page, not in the email.
The link (``GET /alerts/confirm?token=…``) shows a page whose button POSTs the token, so a
mail scanner that follows links confirms nothing.  POSTs from other sites are refused
(``Origin`` / ``Sec-Fetch-Site``); the token, an HMAC over the search, the address and an
expiry, is the only proof a confirmation needs.  No scripts, no cookies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, render_template, request, url_for

from kb import mailer
from kb.alerts import FILTERS, Alert, AlertError, check_email, matching_hits
from kb.query import QueryError
from kb.tokens import sign, verify

#: A confirmation link works for three days.
TOKEN_SECONDS = 3 * 24 * 3600
#: One confirmation email per address per ten minutes.
RESEND_SECONDS = 600
#: Paths that accept POST (everything else in the app is GET only).
POST_ENDPOINTS = frozenset({"alerts.subscribe", "alerts.confirm_post", "alerts.unsubscribe_post"})

bp = Blueprint("alerts", __name__)


@bp.errorhandler(OSError)
def _state_unavailable(exc: OSError) -> Any:
    """The state folder cannot be written (full, read-only): a 503 page, never a 500."""
    from web.errors import error_response

    current_app.logger.error("alerts state folder: %s", exc)
    return error_response(503, "Email alerts are not available just now. Please try later.")


def enabled(settings: dict[str, Any]) -> bool:
    """Whether the app offers email alerts (SMTP and a state folder are configured)."""
    return bool(settings.get("smtp_url") and settings.get("state_dir"))


def _settings() -> dict[str, Any]:
    settings: dict[str, Any] = current_app.config["KB"]
    if not enabled(settings):
        abort(404)
    return settings


def _state() -> Path:
    return Path(_settings()["state_dir"])


def _same_site() -> None:
    """Refuse a POST a page on another site made the browser send."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in {"same-origin", "none"}:
        abort(403, "Forms on other sites cannot subscribe anyone.")
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        abort(403, "Forms on other sites cannot subscribe anyone.")


def _alert(payload: dict[str, Any]) -> Alert:
    return Alert(
        id="",
        query=str(payload.get("q", "")),
        email=str(payload.get("email", "")),
        **{k: [str(v) for v in payload.get(k, [])] for k in FILTERS},
    )


@bp.post("/alerts/subscribe")
def subscribe() -> tuple[str, int] | str:
    """Send a confirmation link for the search in the form to the address in it."""
    settings = _settings()
    _same_site()
    form = request.form
    try:
        email = check_email(form.get("email", ""))
    except AlertError as exc:
        abort(400, str(exc))
    query = form.get("q", "")[: settings["max_query_length"]]
    payload: dict[str, Any] = {"q": query, "email": email, "exp": int(time.time()) + TOKEN_SECONDS}
    for key in FILTERS:
        payload[key] = [v[:200] for v in form.getlist(key)[:10]]
    alert = _alert(payload)
    try:
        from web.search import service

        service().search(alert.request())  # a query that cannot run is a 400 now, not later
    except QueryError as exc:
        abort(400, f"That search cannot be saved: {exc}")
    state = _state()
    stamp = state / "sent" / hashlib.sha256(email.lower().encode()).hexdigest()
    if stamp.exists() and time.time() - stamp.stat().st_mtime < RESEND_SECONDS:
        abort(429, "A confirmation email went to this address a few minutes ago: check it.")
    token = sign(payload, state)
    link = settings["public_url"].rstrip("/") + url_for("alerts.confirm", token=token)
    msg = mailer.EmailMessage()
    msg["Subject"] = "Confirm your Minutes KB email alert"
    msg["From"] = settings["smtp_from"]
    msg["To"] = email
    msg.set_content(
        "Someone, we hope you, asked Minutes KB to email this address when new council "
        "minutes match a saved search.\n\nTo see the search and confirm, open:\n"
        f"{link}\n\nThe link works for three days. If this was not you, ignore this email.\n"
    )
    try:
        mailer.send([msg], mailer.parse_smtp_url(settings["smtp_url"]), ssl_context=_ssl(settings))
    except mailer.MailError:
        current_app.logger.exception("confirmation email not sent")
        abort(503, "The confirmation email could not be sent just now. Please try later.")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.touch()
    return render_template("search/alert.html", step="sent", email=email, alert=alert)


def _ssl(settings: dict[str, Any]) -> Any:
    import ssl

    return ssl.create_default_context(cafile=settings["smtp_ca_file"] or None)


@bp.get("/alerts/confirm")
def confirm() -> str:
    """Show the search a link would subscribe to, with a button that confirms it."""
    state = _state()
    token = request.args.get("token", "")
    try:
        payload = verify(token, state)
    except ValueError as exc:
        abort(400, str(exc))
    return render_template("search/alert.html", step="confirm", alert=_alert(payload), token=token)


@bp.post("/alerts/confirm")
def confirm_post() -> str:
    """Record the subscription in the state folder (the same link twice: one record)."""
    _same_site()
    state = _state()
    token = request.form.get("token", "")
    try:
        payload = verify(token, state)
    except ValueError as exc:
        abort(400, str(exc))
    alert = _alert(payload)
    ident = hashlib.sha256(token.partition(".")[0].encode()).hexdigest()[:16]
    path = state / "subscriptions" / f"{ident}.json"
    if not path.exists():
        from web.search import service

        seen = sorted(h.id for h in matching_hits(service(), alert))
        record = {
            "id": f"web-{ident[:8]}",
            "query": alert.query,
            "email": alert.email,
            **{k: getattr(alert, k) for k in FILTERS},
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "seen": seen,
        }
        _write(path, record)
    return render_template("search/alert.html", step="done", alert=alert)


def _write(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _unsub_payload(token: str) -> dict[str, Any]:
    try:
        payload = verify(token, _state())
        if not isinstance(payload.get("unsub"), list) or not payload.get("email"):
            raise ValueError("This link is not an unsubscribe link.")
    except ValueError as exc:
        abort(400, str(exc))
    return payload


@bp.get("/alerts/unsubscribe")
def unsubscribe() -> str:
    """Show which alerts a digest's link stops, with a button that stops them."""
    token = request.args.get("token", "")
    payload = _unsub_payload(token)
    return render_template(
        "search/alert.html", step="unsubscribe", token=token, email=payload["email"]
    )


@bp.post("/alerts/unsubscribe")
def unsubscribe_post() -> str:
    """Record the stop (also RFC 8058 one-click: the token in the query string)."""
    token = request.form.get("token") or request.args.get("token", "")
    payload = _unsub_payload(token)
    ident = hashlib.sha256(token.encode()).hexdigest()[:16]
    record = {"ids": [str(i) for i in payload["unsub"]], "email": str(payload["email"])}
    _write(_state() / "unsubscribed" / f"{ident}.json", record)
    return render_template("search/alert.html", step="stopped", email=payload["email"])
