"""The Minutes KB web app: an HTML search front end and a JSON API over one index.

``create_app(config)`` builds the app.  ``config`` may hold any ``kb.config`` setting by name
(``index``, ``page_size``, ``max_page`` …; they default to the documented values and the
``KB_*`` environment variables) plus Flask keys such as ``TESTING``.  The web layer knows
nothing of Whoosh: it talks to ``kb.search.SearchService`` only, opened lazily on the first
request in each process (see ``web.pool``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import MethodNotAllowed

from kb import config as kb_config
from web.errors import register_error_handlers
from web.pool import ServiceHolder

#: Sent with every response.  No inline script or style anywhere, so the policy can be strict.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

_SETTING_NAMES = {s.name for s in kb_config.SETTINGS}


class SafeJSONProvider(DefaultJSONProvider):
    """JSON with ``<``, ``>`` and ``&`` written as ``\\u003c`` etc.: the same data, but a
    response can never be read as HTML even by a client that ignores its content type."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Return a configured app; the index is not opened until a request needs it.

    Keys of ``config`` that name a ``kb.config`` setting override it; other keys go to
    ``app.config`` unchanged.  Raises KeyError for nothing: unknown keys are Flask's business.
    """
    config = dict(config or {})
    overrides = {k: config.pop(k) for k in list(config) if k in _SETTING_NAMES}
    settings = kb_config.load(overrides)

    app = Flask(__name__)
    app.json_provider_class = SafeJSONProvider
    app.json = SafeJSONProvider(app)
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024)
    app.config.update(config)
    app.config["KB"] = settings
    app.extensions["kb_service"] = ServiceHolder(
        kb_config.index_dir(settings["index"]),
        settings["searcher_pool_size"],
        deadline_ms=settings["search_deadline_ms"] or None,
    )

    from web import alerts, api, search, templating

    templating.install(app)
    app.register_blueprint(search.bp)
    if alerts.enabled(settings):  # "email me new results" only with SMTP and a state folder
        app.register_blueprint(alerts.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    register_error_handlers(app)

    @app.before_request
    def _only_get() -> None:
        """Everything is read-only: any method but GET/HEAD is a 405 — except the two
        email-alert forms (``web.alerts``) when alerts are configured."""
        posting = request.method == "POST" and request.endpoint in alerts.POST_ENDPOINTS
        if posting and alerts.enabled(settings):
            return
        if request.method not in {"GET", "HEAD"}:
            raise MethodNotAllowed(valid_methods=["GET", "HEAD"])

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.method not in {"GET", "HEAD"} and response.status_code == 405:
            response.headers["Allow"] = "GET, HEAD"
        return response

    return app
