"""The JSON API: search, items, meetings, people, topics and the OpenAPI document.

Every error is ``{"error": {"code": ..., "message": ...}}`` with 400 (bad parameters or
query), 404 (unknown id) or 405 (not GET); user input never causes a 500.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from kb.model import to_jsonable
from web.openapi import openapi_document
from web.params import parse_complete_args
from web.search import run_search, service
from web.templating import search_url

bp = Blueprint("api", __name__)


def _json(data: Any) -> Response:
    return jsonify(to_jsonable(data))


@bp.get("/search")
def search() -> Response:
    """Same parameters and response shape as ``kb search --json``."""
    _p, resp = run_search(request.args)
    return _json(resp.to_json())


@bp.get("/autocomplete")
def autocomplete() -> Response:
    """People, committees, councils and topics whose name starts with ``q`` (any word of it):
    each with its item count, the query syntax that filters on it and a search link."""
    args = parse_complete_args(request.args)
    found = service().complete(args["prefix"], args["facets"], args["limit"])
    return _json(
        {
            "query": args["prefix"],
            "suggestions": [
                {
                    "kind": n.facet,
                    "value": n.value,
                    "label": n.label,
                    "count": n.count,
                    "query": n.query(),
                    "url": search_url({n.facet: [n.value]}),
                }
                for n in found
            ],
        }
    )


def _found(record: Any) -> Response:
    """The record as JSON, or a 404 error document when there is none."""
    if record is None:
        abort(404)
    return _json(record)


@bp.get("/items/<path:item_id>")
def item(item_id: str) -> Response:
    return _found(service().get_item(item_id))


@bp.get("/meetings/<path:meeting_id>")
def meeting(meeting_id: str) -> Response:
    return _found(service().get_meeting(meeting_id))


@bp.get("/people/<path:person_id>")
def person(person_id: str) -> Response:
    return _found(service().person(person_id))


@bp.get("/topics")
def topics() -> Response:
    return _json({"topics": service().topics_summary()})


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())
