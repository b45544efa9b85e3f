"""Error handling: JSON ``{"error": {"code", "message"}}`` under /api, friendly pages elsewhere.

No traceback ever reaches a client.  User mistakes (bad parameters, a query the parser
rejects) are 400s with a message saying what to change; unknown ids are 404s.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from kb.search import DeadlineExceeded, QueryError
from web.pool import IndexUnavailable

log = logging.getLogger(__name__)


class ParamError(ValueError):
    """A request parameter is out of range or malformed; the message is safe to show."""


_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "too_many_requests",
    500: "internal_error",
    503: "index_unavailable",
}

_TITLES = {
    400: "That request could not be understood",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    413: "Request too large",
    429: "Too many requests",
    500: "Something went wrong",
    503: "The index is not available",
}


#: seconds a client is told to wait (``Retry-After``) after a search that took too long
RETRY_AFTER = 5


def error_response(
    status: int, message: str, *, code: str | None = None, title: str | None = None
) -> Response | tuple[str, int]:
    """Render an error as JSON (under /api or when JSON is preferred) or as an HTML page;
    ``code`` and ``title`` replace the status's usual ones."""
    if request.path.startswith("/api/") or request.path == "/api":
        body = {"code": code or _CODES.get(status, "error"), "message": message}
        resp = jsonify({"error": body})
        resp.status_code = status
        return resp
    title = title or _TITLES.get(status, "Error")
    return render_template("search/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Install handlers for HTTP errors, parameter/query errors and unexpected exceptions."""

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        messages = {
            404: "There is nothing at this address. Try a search instead.",
            405: "This site is read-only: only GET requests are accepted.",
        }
        message = messages.get(status) or (exc.description or _TITLES.get(status, "Error"))
        resp = error_response(status, message)
        if status == 405:
            resp = app.make_response(resp)
            resp.headers["Allow"] = "GET, HEAD"
        return resp

    @app.errorhandler(ParamError)
    def _param(exc: ParamError):  # type: ignore[no-untyped-def]
        return error_response(400, str(exc))

    @app.errorhandler(IndexUnavailable)
    def _index(exc: IndexUnavailable):  # type: ignore[no-untyped-def]
        log.error("index unavailable: %s", exc)
        return error_response(503, "The search index is not available yet. Please try later.")

    @app.errorhandler(DeadlineExceeded)
    def _too_long(exc: DeadlineExceeded):  # type: ignore[no-untyped-def]
        log.warning("search over its deadline on %s: %s", request.path, exc)
        resp = app.make_response(
            error_response(503, str(exc), code="search_timeout", title="This search took too long")
        )
        resp.headers["Retry-After"] = str(RETRY_AFTER)
        return resp

    @app.errorhandler(QueryError)
    def _query(exc: QueryError):  # type: ignore[no-untyped-def]
        return error_response(400, str(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        if isinstance(exc, HTTPException):
            return _http(exc)
        log.exception("unhandled error on %s", request.path)
        return error_response(500, "An unexpected error occurred; it has been logged.")
