"""The JSON API on the seed index, validated against its own OpenAPI document."""

from __future__ import annotations

import jsonschema
import pytest

from web.openapi import json_schema_for


def validate(data: object, schema_name: str) -> None:
    jsonschema.Draft7Validator(json_schema_for(schema_name)).validate(data)


def test_openapi_document_lists_exactly_the_api_routes(app, client) -> None:  # type: ignore[no-untyped-def]
    doc = client.get("/api/openapi.json").json
    assert doc["openapi"].startswith("3.0")
    documented = {p.replace("{id}", "<path:item_id>") for p in doc["paths"]}
    served = {
        str(r.rule).replace("meeting_id", "item_id").replace("person_id", "item_id")
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("api.") and r.endpoint != "api.openapi"
    }
    assert documented == served
    for name, schema in doc["components"]["schemas"].items():
        jsonschema.Draft7Validator.check_schema(json_schema_for(name))
        assert schema["type"] == "object"


def test_search_matches_schema_and_cli_shape(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/search?q=CCTV&page_size=3").json
    validate(body, "SearchResponse")
    assert body["query"] == "CCTV" and body["page_size"] == 3
    assert 0 < len(body["results"]) <= 3 and body["total"] >= len(body["results"])
    assert set(body["facets"]) == {"council", "committee", "year", "speaker", "topic", "kind"}
    hit = body["results"][0]
    assert hit["url"] == "/items/" + hit["id"] and "<mark>" in hit["snippet_html"]


def test_search_filters_and_sort(client) -> None:  # type: ignore[no-untyped-def]
    everything = client.get("/api/search?q=CCTV").json
    committee = next(iter(everything["facets"]["committee"]))
    narrowed = client.get(f"/api/search?q=CCTV&committee={committee}").json
    validate(narrowed, "SearchResponse")
    assert narrowed["total"] == everything["facets"]["committee"][committee]
    newest = client.get("/api/search?q=council&sort=newest&page_size=50").json["results"]
    dates = [r["date"] for r in newest if r["date"]]
    assert dates == sorted(dates, reverse=True)


def test_item_meeting_person_topics_match_schema(client) -> None:  # type: ignore[no-untyped-def]
    hit = client.get("/api/search?q=CCTV").json["results"][0]
    item = client.get("/api/items/" + hit["id"]).json
    validate(item, "Item")
    assert item["id"] == hit["id"] and item["title"]
    meeting = client.get("/api/meetings/" + item["meeting_id"]).json
    validate(meeting, "Meeting")
    assert hit["id"] in [i["id"] for i in meeting["items"]]
    speaker = next(i["speakers"][0]["person_id"] for i in meeting["items"] if i["speakers"])
    person = client.get("/api/people/" + speaker).json
    validate(person, "Person")
    assert person["id"] == speaker and person["spoke_in"]
    topics = client.get("/api/topics").json
    validate(topics, "Topics")
    assert topics["topics"] and all(t["items"] > 0 for t in topics["topics"])


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/items/no/such/item/1", 404, "not_found"),
        ("/api/meetings/no/such/2000-01-01", 404, "not_found"),
        ("/api/people/nobody/here", 404, "not_found"),
        ("/api/search?q=year:abc", 400, "bad_request"),
        ("/api/search?q=a*", 400, "bad_request"),
        ("/api/search?page=0", 400, "bad_request"),
        ("/api/search?page_size=101", 400, "bad_request"),
        ("/api/search?q=" + "(" * 40 + "x", 400, "bad_request"),
    ],
)
def test_errors_match_schema(client, url: str, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    resp = client.get(url)
    assert resp.status_code == status
    validate(resp.json, "Error")
    assert resp.json["error"]["code"] == code and resp.json["error"]["message"]


def test_post_is_405_json(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.post("/api/search", data={"q": "x"})
    assert resp.status_code == 405
    validate(resp.json, "Error")


def test_api_search_equals_cli_json(client, seed_index) -> None:  # type: ignore[no-untyped-def]
    import json

    from click.testing import CliRunner

    from kb.cli import main

    args = ["search", "CCTV", "--index", str(seed_index), "--sort", "newest", "--limit", "5"]
    out = CliRunner().invoke(main, [*args, "--json"])
    assert out.exit_code == 0, out.output
    api = client.get("/api/search?q=CCTV&sort=newest&page_size=5").json
    assert api == json.loads(out.output)


# --------------------------------------------------------------------------- repeated parameters


def _coerce(schema: dict, raw: str) -> object:
    return int(raw) if schema.get("type") == "integer" else raw


def validate_request(doc: dict, path: str, url: str) -> None:
    """Validate a request's query string against the path's documented parameters: a
    repeated parameter must be documented as an exploded array, every value must fit."""
    from urllib.parse import parse_qs, urlparse

    params = {p["name"]: p for p in doc["paths"][path]["get"]["parameters"]}
    for name, values in parse_qs(urlparse(url).query).items():
        assert name in params, f"{name} is not documented for {path}"
        schema = params[name]["schema"]
        if len(values) > 1:
            assert schema["type"] == "array" and params[name]["explode"] is True, name
        if schema["type"] == "array":
            items = schema["items"]
            value: object = [_coerce(items, v) for v in values]
        else:
            value = _coerce(schema, values[0])
        jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
            value
        )


@pytest.fixture(scope="module")
def multi_client(multi_index):  # type: ignore[no-untyped-def]
    from web import create_app

    return create_app({"index": str(multi_index), "TESTING": True}).test_client()


@pytest.mark.parametrize(
    "url",
    [
        "/api/search?q=cctv&committee=luton/licensing-committee&committee=luton/planning-committee",
        "/api/search?q=cctv&year=2018&year=2019&council=luton&council=bury",
        "/api/search?topic=cctv&topic=anti-social-behaviour&speaker=luton/vicky-hawkes"
        "&speaker=luton/greg-horsford&date_from=2018-01-01&date_to=2019-12-31&page_size=5",
        "/api/search?q=cctv&year=2017..2019&year=..2016&sort=oldest&page=1",
    ],
)
def test_repeated_parameters_match_the_openapi_document(multi_client, url: str) -> None:  # type: ignore[no-untyped-def]
    doc = multi_client.get("/api/openapi.json").json
    validate_request(doc, "/api/search", url)
    resp = multi_client.get(url)
    assert resp.status_code == 200
    validate(resp.json, "SearchResponse")
    assert resp.json["total"] > 0


def test_repeated_committees_or_and_keep_each_others_counts(multi_client) -> None:  # type: ignore[no-untyped-def]
    one = multi_client.get("/api/search?q=cctv&committee=luton/licensing-committee").json
    two = multi_client.get(
        "/api/search?q=cctv&committee=luton/licensing-committee&committee=luton/planning-committee"
    ).json
    assert (one["total"], two["total"]) == (2, 3)
    assert one["facets"]["committee"] == two["facets"]["committee"]
    assert two["facets"]["committee"]["luton/crime-and-disorder-committee"] == 1


@pytest.mark.parametrize(
    ("url", "first", "kinds"),
    [
        ("/api/autocomplete?q=hors", "luton/greg-horsford", {"speaker"}),
        ("/api/autocomplete?q=plan&kind=committee&kind=topic", "luton/planning-committee", None),
        ("/api/autocomplete?q=anti&kind=topic&limit=1", "anti-social-behaviour", {"topic"}),
        ("/api/autocomplete?q=LUT&kind=council", "luton", {"council"}),
    ],
)
def test_autocomplete(multi_client, url: str, first: str, kinds: set[str] | None) -> None:  # type: ignore[no-untyped-def]
    doc = multi_client.get("/api/openapi.json").json
    validate_request(doc, "/api/autocomplete", url)
    body = multi_client.get(url).json
    validate(body, "Completions")
    top = body["suggestions"][0]
    assert top["value"] == first
    if kinds is not None:
        assert {s["kind"] for s in body["suggestions"]} == kinds
    found = multi_client.get("/api/search?q=" + top["query"]).json
    assert found["total"] == top["count"]
    assert multi_client.get(top["url"]).status_code == 200


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/autocomplete", "q is required"),
        ("/api/autocomplete?q=a&kind=year", "kind must be one of"),
        ("/api/autocomplete?q=a&limit=0", "limit must be between 1 and 50"),
        ("/api/autocomplete?q=" + "x" * 201, "q is too long"),
    ],
)
def test_autocomplete_errors(multi_client, url: str, message: str) -> None:  # type: ignore[no-untyped-def]
    resp = multi_client.get(url)
    assert resp.status_code == 400
    validate(resp.json, "Error")
    assert message in resp.json["error"]["message"]


def test_autocomplete_nothing_found_is_an_empty_list(multi_client) -> None:  # type: ignore[no-untyped-def]
    assert multi_client.get("/api/autocomplete?q=zzzz").json == {"query": "zzzz", "suggestions": []}


def test_a_search_past_its_deadline_is_503_with_retry_after(seed_index) -> None:  # type: ignore[no-untyped-def]
    from web import create_app

    app = create_app({"index": str(seed_index), "TESTING": True, "search_deadline_ms": 0.0001})
    client = app.test_client()
    resp = client.get("/api/search?q=cctv+cameras")
    assert resp.status_code == 503
    assert resp.headers["Retry-After"].isdigit()
    validate(resp.json, "Error")
    assert resp.json["error"]["code"] == "search_timeout"
    assert "took too long" in resp.json["error"]["message"]
    page = client.get("/search?q=cctv+cameras")
    assert page.status_code == 503 and b"took too long" in page.data
    assert client.get("/items/" + "x").status_code == 404  # other pages are unaffected
