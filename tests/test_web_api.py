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
    assert set(body["facets"]) == {"council", "committee", "year", "speaker", "topic"}
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
