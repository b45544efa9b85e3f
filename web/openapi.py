"""The OpenAPI 3.0 description of the JSON API, as data.

The schemas describe what ``web.api`` really returns; tests validate live responses
against them with ``jsonschema`` (see tests/test_web_api.py), so drift fails the build.
"""

from __future__ import annotations

from typing import Any

from kb.model import LANGUAGES, MEETING_KINDS

_STR = {"type": "string"}
_STR_OR_NULL = {"type": "string", "nullable": True}
_INT = {"type": "integer"}
_STR_LIST = {"type": "array", "items": _STR}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


SCHEMAS: dict[str, Any] = {
    "Error": _obj({"error": _obj({"code": _STR, "message": _STR})}),
    "Hit": _obj(
        {
            "id": _STR,
            "meeting_id": _STR,
            "council": _STR,
            "committee": _STR,
            "date": _STR_OR_NULL,
            "item_number": _STR,
            "item_title": _STR,
            "speakers": _STR_LIST,
            "topics": _STR_LIST,
            "snippet": _STR,
            "snippet_html": _STR,
            "url": _STR,
            "grouped": {
                **_STR_LIST,
                "description": "ids of near-identical items of the same meeting shown as this one",
            },
        }
    ),
    "SearchResponse": _obj(
        {
            "query": _STR,
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1},
            "results": {"type": "array", "items": _ref("Hit")},
            "facets": {
                "type": "object",
                "description": (
                    "facet name → {value: count}. Counts are disjunctive: each facet is "
                    "counted under every filter except its own (values of one facet combine "
                    "with OR), so the other values of a chosen facet keep their counts."
                ),
                "additionalProperties": {"type": "object", "additionalProperties": _INT},
            },
            "histogram": {
                "type": "object",
                "description": "year → committee → number of matching items",
                "additionalProperties": {"type": "object", "additionalProperties": _INT},
            },
            "suggestion": {
                **_STR_OR_NULL,
                "description": (
                    "A corrected query (misspelt words or names in field filters, such as "
                    "speaker:horsfrod → speaker:Horsford) when nothing or few were found and "
                    "the correction finds more; else null."
                ),
            },
            "corrections": {
                "type": "object",
                "description": (
                    "facet → {value given: the value of the closest name}, for council, "
                    "committee, speaker or topic filters that match nothing "
                    '(speaker=horsfrod → {"speaker": {"horsfrod": "luton/greg-horsford"}})'
                ),
                "additionalProperties": {"type": "object", "additionalProperties": _STR},
            },
            "match": {
                "type": "string",
                "enum": ["", "all", "most", "any"],
                "description": "plain word queries: whether results have all, most or any of "
                "the words (AND is relaxed when it finds few items); '' for other queries",
            },
            "also_searched": {
                **_STR_LIST,
                "description": "synonyms also searched, at a lower weight than the words typed",
            },
            "partial": {
                "type": "boolean",
                "description": "the search ran past its deadline: some facet counts or "
                "snippets are missing",
            },
            "notice": {
                "type": "string",
                "description": "how the query was read, e.g. that its words are too common "
                "to search ('the'), so every item matching the filters is shown, newest "
                "first; '' when there is nothing to say",
            },
        }
    ),
    "PersonRef": _obj({"person_id": _STR, "name": _STR}, {"form": _STR, "role": _STR_OR_NULL}),
    "Tag": _obj(
        {"topic": _STR, "label": _STR},
        {
            "strength": {"type": "string", "enum": ["primary", "mentioned"]},
            "score": {"type": "number"},
            "evidence": {
                "type": "array",
                "items": _obj(
                    {
                        "term": _STR,
                        "count": _INT,
                        "where": {"type": "string", "enum": ["title", "body"]},
                    }
                ),
            },
        },
    ),
    "Resolution": _obj(
        {"text": _STR},
        {"kind": _STR, "label": _STR_OR_NULL, "proposer": _STR_OR_NULL, "seconder": _STR_OR_NULL},
    ),
    "Item": _obj(
        {
            "id": _STR,
            "meeting_id": _STR,
            "number": _STR,
            "title": _STR,
            "body": _STR,
            "resolutions": {"type": "array", "items": _ref("Resolution")},
            "speakers": {"type": "array", "items": _ref("PersonRef")},
            "topics": {"type": "array", "items": _ref("Tag")},
        },
        {
            "council": _STR,
            "committee": _STR,
            "date": _STR_OR_NULL,
            "page_start": {"type": "integer", "nullable": True},
            "page_end": {"type": "integer", "nullable": True},
            "url": _STR,
            "prev_id": _STR_OR_NULL,
            "next_id": _STR_OR_NULL,
            "meeting": {"type": "object", "description": "the meeting's facts, without items"},
            "mentioned": {"type": "array", "items": _ref("PersonRef")},
        },
    ),
    "ItemLink": _obj(
        {"id": _STR, "title": _STR, "meeting_id": _STR, "date": _STR_OR_NULL, "url": _STR},
        {"committee": _STR_OR_NULL},
    ),
    "Attendance": _obj(
        {
            "chair": _STR_OR_NULL,
            "vice_chairs": _STR_LIST,
            "present": _STR_LIST,
            "apologies": _STR_LIST,
            "officers": _STR_LIST,
        },
        {"members_tables": {"type": "array", "items": {"type": "object"}}},
    ),
    "Source": _obj(
        {"path": _STR},
        {"format": _STR, "language": {"type": "string", "enum": list(LANGUAGES)}},
    ),
    "Meeting": _obj(
        {
            "id": _STR,
            "council": _STR,
            "committee": _STR,
            "date": _STR_OR_NULL,
            "attendance": _ref("Attendance"),
            "items": {"type": "array", "items": _ref("Item")},
            "kind": {"type": "string", "enum": list(MEETING_KINDS)},
            "sources": {
                "type": "array",
                "items": _ref("Source"),
                "description": "every file this meeting was read from: the one its items "
                "come from first, then copies of the same minutes merged into it",
            },
        },
        {
            "council_id": _STR,
            "committee_id": _STR,
            "start_time": _STR_OR_NULL,
            "end_time": _STR_OR_NULL,
            "venue": _STR_OR_NULL,
            "source": _STR,
            "language": {"type": "string", "enum": list(LANGUAGES)},
            "item_ids": _STR_LIST,
            "same_day": {
                "type": "array",
                "items": {"type": "object"},
                "description": "other meetings of the committee that day: id, kind, language",
            },
        },
    ),
    "Person": _obj(
        {
            "id": _STR,
            "name": _STR,
            "council_id": _STR,
            "forms": _STR_LIST,
            "spoke_in": {"type": "array", "items": _ref("ItemLink")},
            "mentioned_in": {"type": "array", "items": _ref("ItemLink")},
        }
    ),
    "Completions": _obj(
        {
            "query": _STR,
            "suggestions": {
                "type": "array",
                "items": _obj(
                    {
                        "kind": {
                            "type": "string",
                            "enum": ["council", "committee", "speaker", "topic"],
                        },
                        "value": _STR,
                        "label": _STR,
                        "count": {"type": "integer", "minimum": 0},
                        "query": _STR,
                        "url": _STR,
                    }
                ),
            },
        }
    ),
    "TopicSummary": _obj(
        {
            "topic": _STR,
            "label": _STR,
            "items": _INT,
            "primary": _INT,
            "by_year": {"type": "object", "additionalProperties": _INT},
        }
    ),
    "Topics": _obj({"topics": {"type": "array", "items": _ref("TopicSummary")}}),
}


def _param(name: str, schema: dict[str, Any], doc: str, *, many: bool = False) -> dict[str, Any]:
    if many:
        schema = {"type": "array", "items": schema}
    out = {"name": name, "in": "query", "required": False, "schema": schema, "description": doc}
    if many:
        out.update(style="form", explode=True)
    return out


def _path_id(doc: str) -> dict[str, Any]:
    return {"name": "id", "in": "path", "required": True, "schema": _STR, "description": doc}


def _responses(ok: str, *codes: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "200": {"description": "OK", "content": {"application/json": {"schema": _ref(ok)}}}
    }
    reasons = {
        400: "Bad parameter or query",
        404: "No such id",
        405: "Only GET is allowed",
        503: "The search took too long (code search_timeout; see Retry-After)",
    }
    for code in codes:
        out[str(code)] = {
            "description": reasons[code],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    return out


SEARCH_PARAMS = [
    _param("q", {"type": "string", "maxLength": 500}, "Query text (see the search tips)."),
    _param("council", _STR, "Council id; repeat for OR.", many=True),
    _param("committee", _STR, "Committee key council_id/committee_id; repeat for OR.", many=True),
    _param("speaker", _STR, "Person id; repeat for OR.", many=True),
    _param("topic", _STR, "Topic id; repeat for OR.", many=True),
    _param(
        "kind", {"type": "string", "enum": list(MEETING_KINDS)}, "Meeting kind; repeat.", many=True
    ),
    _param(
        "year",
        {"type": "string", "pattern": r"^(\d{4}|\d{4}\.\.\d{0,4}|\.\.\d{4}|undated)$"},
        "Meeting year, a range 2017..2019, or 'undated'; repeat for OR.",
        many=True,
    ),
    _param("date_from", {"type": "string", "format": "date"}, "Earliest date (alias: from)."),
    _param("date_to", {"type": "string", "format": "date"}, "Latest date (alias: to)."),
    _param("sort", {"type": "string", "enum": ["relevance", "newest", "oldest"]}, "Order."),
    _param("page", {"type": "integer", "minimum": 1}, "Page number (1-based)."),
    _param("page_size", {"type": "integer", "minimum": 1}, "Results per page."),
]


COMPLETE_PARAMS = [
    _param("q", {"type": "string", "minLength": 1, "maxLength": 200}, "Start of a name."),
    _param(
        "kind",
        {"type": "string", "enum": ["council", "committee", "speaker", "topic"]},
        "Kinds of name to suggest; repeat for several (default: all).",
        many=True,
    ),
    _param("limit", {"type": "integer", "minimum": 1, "maximum": 50}, "Most suggestions."),
]


def openapi_document() -> dict[str, Any]:
    """The API description (OpenAPI 3.0.3) for /api/openapi.json."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Minutes KB API",
            "version": "1",
            "description": "Read-only search over council meeting minutes, item by item.",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search items (same shape as `kb search --json`)",
                    "parameters": SEARCH_PARAMS,
                    "responses": _responses("SearchResponse", 400, 405, 503),
                }
            },
            "/api/autocomplete": {
                "get": {
                    "summary": "People, committees, councils and topics starting with q",
                    "parameters": COMPLETE_PARAMS,
                    "responses": _responses("Completions", 400, 405),
                }
            },
            "/api/items/{id}": {
                "get": {
                    "summary": "One agenda item",
                    "parameters": [_path_id("Item id: meeting id + / + item number")],
                    "responses": _responses("Item", 404),
                }
            },
            "/api/meetings/{id}": {
                "get": {
                    "summary": "One meeting with attendance and items",
                    "parameters": [
                        _path_id("Meeting id, council/committee/YYYY-MM-DD[-qualifier]")
                    ],
                    "responses": _responses("Meeting", 404),
                }
            },
            "/api/people/{id}": {
                "get": {
                    "summary": "One person",
                    "parameters": [_path_id("Person id")],
                    "responses": _responses("Person", 404),
                }
            },
            "/api/topics": {
                "get": {"summary": "Every topic with counts", "responses": _responses("Topics")}
            },
        },
        "components": {"schemas": SCHEMAS},
    }


def json_schema_for(name: str) -> dict[str, Any]:
    """A standalone JSON Schema for component ``name`` (refs resolvable, nullable honoured)."""
    schemas = _nullable_to_jsonschema(SCHEMAS)
    return {**schemas[name], "components": {"schemas": schemas}}


def _nullable_to_jsonschema(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _nullable_to_jsonschema(v) for k, v in node.items()}
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        return node
    if isinstance(node, list):
        return [_nullable_to_jsonschema(v) for v in node]
    return node
