"""kb.engine.whoosh.bodies: a long item's body is stored as an opening (what a hit loads)
plus the rest in a column of its own; searches match the whole body and the item page,
meeting page and item parts show all of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.hostile import big_item_text
from indexer.pipeline import ingest, process_file
from kb.engine.documents import HIT_BODY_CHARS
from kb.engine.whoosh.bodies import REST_FIELD, stored_layout
from kb.service import SearchRequest, SearchService

BIG_MEETING = "anytown/licensing-committee/2021-05-05"


@pytest.mark.parametrize(
    ("doctype", "length", "split"),
    [
        ("item", 0, False),
        ("item", 5_000, False),
        ("item", HIT_BODY_CHARS, False),  # exactly the opening: stored whole
        ("item", HIT_BODY_CHARS + 1, True),
        ("item", 3 * HIT_BODY_CHARS + 7, True),
        ("meeting", 3 * HIT_BODY_CHARS, False),  # only items have bodies to split
    ],
)
def test_stored_layout_table(doctype: str, length: int, split: bool) -> None:
    body = ("Camera é kept the CCTV footage. " * (length // 32 + 1))[:length]
    doc = {"id": "x", "doctype": doctype, "body": body}
    laid = stored_layout(doc)
    if not split:
        assert laid is doc
        return
    assert laid["body"] == body  # the whole body is indexed
    assert laid["_stored_body"] == body[:HIT_BODY_CHARS]
    assert laid["_stored_body"] + laid[REST_FIELD].decode("utf-8") == body


@pytest.fixture(scope="module")
def long_item(tmp_path_factory: pytest.TempPathFactory, seed_path: Path) -> tuple[Path, str]:
    """The seed and a 1.1 MB single-item document, indexed whole; the item's body."""
    folder = tmp_path_factory.mktemp("bodies")
    pack = folder / "agenda-pack.txt"
    pack.write_text(big_item_text(20_000), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KB_MAX_ITEM_CHARS", "0")
        body = process_file(pack).items[0].body
        report = ingest([seed_path, pack], folder / "ix", workers=0)
    assert not report.failed and len(body) > 5 * HIT_BODY_CHARS
    return folder / "ix", body


def test_a_hit_loads_only_the_opening_and_the_item_page_the_whole_body(
    long_item: tuple[Path, str],
) -> None:
    index, body = long_item
    svc = SearchService(index)
    try:
        # a phrase from the last sentence, far past the stored opening, still matches
        last = body.rsplit(". ", 2)[-2].split("Camera ", 1)[1]
        assert body.rindex(last) > HIT_BODY_CHARS
        res = svc.search(SearchRequest(q="CCTV"))
        big = next(h for h in res.results if h.meeting_id == BIG_MEETING)
        assert "<mark>CCTV</mark>" in big.snippet_html
        with svc.searcher() as s:
            docnum = s.document_number(id=big.id)
            assert len(s.stored_fields(docnum)["body"]) == HIT_BODY_CHARS
        item = svc.get_item(big.id)
        assert item is not None and item["body"] == body
        meeting = svc.get_meeting(BIG_MEETING)
        assert meeting is not None and meeting["items"][0]["body"] == body
    finally:
        svc.close()


def test_seed_items_are_stored_whole_with_an_empty_rest(long_item: tuple[Path, str]) -> None:
    index, _ = long_item
    svc = SearchService(index)
    try:
        with svc.searcher() as s:
            rest = s.reader().column_reader(REST_FIELD)
            seed = [
                (docnum, fields)
                for docnum, fields in s.iter_docs()
                if fields.get("doctype") == "item" and not fields["id"].startswith("anytown")
            ]
            assert len(seed) > 5
            for docnum, fields in seed:
                assert rest[docnum] == b""
                assert svc.get_item(fields["id"])["body"] == fields["body"]  # type: ignore[index]
    finally:
        svc.close()


def test_the_item_page_shows_the_last_part_from_the_rest(long_item: tuple[Path, str]) -> None:
    from web import create_app

    index, body = long_item
    app = create_app({"index": str(index), "TESTING": True})
    client = app.test_client()
    big_id = next(
        r["id"]
        for r in client.get("/api/search?q=CCTV").json["results"]
        if r["meeting_id"] == BIG_MEETING
    )
    first = client.get(f"/items/{big_id}")
    assert first.status_code == 200 and b"Part 1 of 12" in first.data
    last = client.get(f"/items/{big_id}?part=12")
    assert b"Part 12 of 12" in last.data
    assert body[-60:].rsplit(" ", 1)[0].encode() in last.data


@pytest.mark.parametrize("engine", ["whoosh", "opensearch"])
def test_both_engines_search_the_whole_body_and_give_it_back(
    engine: str, engine_index, tmp_path: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Behind the engine interface: a phrase past the opening matches, the hit's snippet
    comes from the opening, and the item and meeting give the whole body back."""
    pack = tmp_path / "agenda-pack.txt"
    pack.write_text(big_item_text(8_000), encoding="utf-8")
    monkeypatch.setenv("KB_MAX_ITEM_CHARS", "0")
    body = process_file(pack).items[0].body
    assert len(body) > 2 * HIT_BODY_CHARS
    built = engine_index(engine, seed_path, pack, workers=0)
    svc = built.service()
    try:
        late = body[-200:].split(". ")[1].removesuffix(".")  # the item's last sentences
        assert body.index(late) > HIT_BODY_CHARS
        found = svc.search(SearchRequest(q=f'"{late}"'))
        assert [h.meeting_id for h in found.results] == [BIG_MEETING]
        hit = svc.search(SearchRequest(q="CCTV"))
        big = next(h for h in hit.results if h.meeting_id == BIG_MEETING)
        assert "<mark>CCTV</mark>" in big.snippet_html
        item = svc.get_item(big.id)
        assert item is not None and item["body"] == body
        meeting = svc.get_meeting(BIG_MEETING)
        assert meeting is not None and meeting["items"][0]["body"] == body
    finally:
        svc.close()


@pytest.mark.parametrize(("length", "split"), [(1_000, False), (HIT_BODY_CHARS + 5, True)])
def test_opensearch_source_keeps_the_rest_apart(length: int, split: bool) -> None:
    """OpenSearch hits ask for ``body`` (HIT_FIELDS), never for the rest; the terms
    indexed are the whole body's either way."""
    from kb.engine.opensearch.client import template, to_source
    from kb.engine.opensearch.reader import HIT_FIELDS

    body = ("Camera 7 kept the CCTV footage. " * (length // 32 + 1))[:length]
    ids = {"id": "x", "council_id": "anytown", "committee_key": "anytown/licensing"}
    source = to_source({**ids, "doctype": "item", "body": body}, "b")
    assert source["body"] + source.get(REST_FIELD, "") == body
    assert (REST_FIELD in source) is split and REST_FIELD not in HIT_FIELDS
    assert len(source["body"]) == min(length, HIT_BODY_CHARS)
    assert source["t_body"] == to_source({"doctype": "meeting", "body": body}, "b")["t_body"]
    mapping = template("kb")["template"]["mappings"]["properties"][REST_FIELD]
    assert mapping == {"type": "text", "index": False}
