"""The OpenSearch backend against a real OpenSearch API server (osmem-server, see conftest):
the template's analysis, bulk batches and retries, source replacement, rebuild by alias
swap, ``kb check``, and the connection settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import engine_env
from reliability import minutes_text

from indexer.pipeline import ingest
from kb import engine as engines
from kb.engine.opensearch import client as osclient
from kb.engine.opensearch import writer as oswriter
from kb.service import SearchRequest, SearchService


def write_minutes(folder: Path, marker: str, count: int = 3, items: int = 3) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for n in range(count):
        (folder / f"m{n:02d}.txt").write_text(minutes_text(n, 1, items, marker=marker), "utf-8")


def ids(svc: SearchService, q: str) -> list[str]:
    return sorted(h.id for h in svc.search(SearchRequest(q=q, page_size=100)).results)


@pytest.fixture()
def cluster(opensearch_url: str):  # type: ignore[no-untyped-def]
    """KB_ENGINE=opensearch with a fresh alias on the test server for one test."""
    with engine_env("opensearch", opensearch_url) as env:
        yield env


# --------------------------------------------------------------------------- analysis


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("The CCTV units were installed", ["cctv unit instal"]),
        ("anti-social behaviour", ["anti social behaviour", "antisoci"]),
        ("Council's budget, 2018", ["council budget 2018"]),
        ("", [""]),
    ],
)
def test_terms_are_the_projects_own_analysis(text: str, values: list[str]) -> None:
    assert osclient.term_values(text) == values


def test_template_analyses_by_whitespace_only(cluster: dict[str, str]) -> None:
    conn, alias = osclient.connect(), cluster["KB_OPENSEARCH_INDEX"]
    osclient.ensure_template(conn, alias)
    conn.indices.create(index=f"{alias}-probe")
    tokens = conn.indices.analyze(
        index=f"{alias}-probe", body={"field": "t_body", "text": "cctv unit instal"}
    )["tokens"]
    assert [t["token"] for t in tokens] == ["cctv", "unit", "instal"]
    mapping = conn.indices.get_mapping(index=f"{alias}-probe")[f"{alias}-probe"]["mappings"]
    assert mapping["properties"]["speaker"]["type"] == "keyword"
    assert mapping["properties"]["date"]["type"] == "date"


# --------------------------------------------------------------------------- bulk


class BusyThenOk:
    """A client whose bulk refuses some items with 429 the first time, one item with 400
    always, and records the requests."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def bulk(self, body: str) -> dict[str, Any]:
        lines = body.splitlines()[::2]
        ids = [__import__("json").loads(line)["index"]["_id"] for line in lines]
        self.calls.append(len(ids))
        items = []
        for i in ids:
            if i == "bad":
                status = 400
            elif i.startswith("busy") and len(self.calls) == 1:
                status = 429
            else:
                status = 201
            items.append({"index": {"_id": i, "status": status, "error": {"reason": "nope"}}})
        return {"items": items}


def test_bulk_retries_busy_items_and_reports_refused_ones() -> None:
    fake, waits = BusyThenOk(), []
    actions = [("busy1", {"a": 1}), ("ok", {"a": 2}), ("busy2", {"a": 3})]
    assert oswriter.bulk_index(fake, "x", actions, sleep=waits.append) == 2  # type: ignore[arg-type]
    assert fake.calls == [3, 2] and waits == [oswriter.BACKOFF]
    with pytest.raises(oswriter.BulkError, match=r"1 document\(s\): bad: 400 nope"):
        oswriter.bulk_index(BusyThenOk(), "x", [("bad", {}), ("ok", {})], sleep=waits.append)  # type: ignore[arg-type]


def test_bulk_batches_are_bounded_and_a_refused_document_is_named(cluster: dict[str, str]) -> None:
    conn, alias = osclient.connect(), cluster["KB_OPENSEARCH_INDEX"]
    osclient.ensure_template(conn, alias)
    index = osclient.new_index_name(alias)
    conn.indices.create(index=index)
    actions = [(f"d{n}", {"id": f"d{n}", "doctype": "item"}) for n in range(1200)]
    assert oswriter.bulk_index(conn, index, actions) == 3  # 500 + 500 + 200
    conn.indices.refresh(index=index)
    assert conn.count(index=index)["count"] == 1200
    with pytest.raises(oswriter.BulkError, match="odd"):  # the template's mapping is strict
        oswriter.bulk_index(conn, index, [("odd", {"id": "odd", "no_such_field": 1})])


# --------------------------------------------------------------------------- writing


def test_a_changed_source_is_replaced_new_first_then_the_old_deleted(
    cluster: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, folder = tmp_path / "src", tmp_path / "state"
    write_minutes(src, "oldmarker", count=2, items=3)
    ingest([src], folder)
    svc = SearchService(folder)
    before = ids(svc, "oldmarker")
    assert len(before) == 6
    write_minutes(src, "newmarker", count=2, items=2)  # item 3 of each meeting goes away
    seen: list[tuple[list[str], list[str]]] = []

    def look(session: Any) -> None:  # between the new batch's refresh and the deletion
        seen.append((ids(svc, "newmarker"), ids(svc, "oldmarker")))

    monkeypatch.setattr(oswriter.OpenSearchWriterSession, "before_delete", look)
    ingest([src], folder)
    (new_visible, old_left), *_ = seen
    assert len(new_visible) == 4  # the new version is complete before anything is deleted
    assert set(old_left) <= set(before) - set(new_visible)  # only the dropped items linger
    assert ids(svc, "newmarker") == new_visible and ids(svc, "oldmarker") == []
    hits = svc.search(SearchRequest(q="", page_size=100))
    assert hits.total == 4 and len({h.id for h in hits.results}) == 4
    assert engines.check(folder).ok


def test_rebuild_fills_a_new_index_and_moves_the_alias(
    cluster: dict[str, str], tmp_path: Path
) -> None:
    src, folder = tmp_path / "src", tmp_path / "state"
    conn, alias = osclient.connect(), cluster["KB_OPENSEARCH_INDEX"]
    write_minutes(src, "oldmarker")
    ingest([src], folder)
    svc = SearchService(folder)  # opened before the rebuild, reads through the alias
    (first,) = conn.indices.get_alias(name=alias)
    write_minutes(src, "newmarker")
    report = ingest([src], folder, rebuild=True)
    assert not report.failed
    (second,) = conn.indices.get_alias(name=alias)
    assert second != first and not conn.indices.exists(index=first)
    assert len(ids(svc, "newmarker")) == 9 and ids(svc, "oldmarker") == []
    assert engines.check(folder).ok


def test_a_failed_rebuild_leaves_the_live_index(cluster: dict[str, str], tmp_path: Path) -> None:
    src, folder = tmp_path / "src", tmp_path / "state"
    conn, alias = osclient.connect(), cluster["KB_OPENSEARCH_INDEX"]
    write_minutes(src, "oldmarker")
    ingest([src], folder)
    live = set(conn.indices.get_alias(name=alias))
    with pytest.raises(RuntimeError, match="stop"), engines.open_writer(folder, rebuild=True) as s:
        s.record("x", None, "failed")
        raise RuntimeError("stop")
    assert set(conn.indices.get_alias(name=alias)) == live
    assert [i for i in conn.indices.get(index=f"{alias}-*") if i not in live] == []
    assert len(ids(SearchService(folder), "oldmarker")) == 9


def test_check_finds_documents_the_manifest_does_not_list(
    cluster: dict[str, str], tmp_path: Path
) -> None:
    src, folder = tmp_path / "src", tmp_path / "state"
    write_minutes(src, "marker", count=2)
    ingest([src], folder)
    report = engines.check(folder)
    assert report.ok and report.lines()[-1].endswith("6 items, 2 meetings, 2 sources, 1 indices")
    conn, alias = osclient.connect(), cluster["KB_OPENSEARCH_INDEX"]
    stray = {"id": "x/y/z/01", "doctype": "item", "source_key": "gone.txt"}
    conn.index(index=alias, id="x/y/z/01", body=stray, refresh=True)
    report = engines.check(folder)
    assert not report.ok and any("gone.txt" in p for p in report.problems)
    (src / "m00.txt").unlink()
    assert any("source file gone" in p for p in engines.check(folder).problems)


def test_missing_alias_and_unreachable_cluster_are_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opensearch_url: str
) -> None:
    from kb.engine import IndexMissingError

    with engine_env("opensearch", opensearch_url):
        with pytest.raises(IndexMissingError, match="kb ingest"):
            SearchService(tmp_path)
        report = engines.check(tmp_path)
        assert not report.ok and "no OpenSearch index" in report.problems[0]
    with engine_env("opensearch", "http://127.0.0.1:9"):  # nothing listens on the discard port
        assert "cannot be read" in engines.check(tmp_path).problems[0]


def test_connection_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_OPENSEARCH_URL", "https://search.example:9200")
    monkeypatch.setenv("KB_OPENSEARCH_USER", "kb")
    monkeypatch.setenv("KB_OPENSEARCH_PASSWORD", "s3cret")
    import base64

    node = osclient.connect().transport.get_connection()
    assert node.host == "https://search.example:9200" and node.use_ssl
    assert node.pool.cert_reqs == "CERT_REQUIRED"  # TLS certificates are verified
    assert node.headers["authorization"] == "Basic " + base64.b64encode(b"kb:s3cret").decode()
    monkeypatch.setenv("KB_OPENSEARCH_API_KEY", "abc")
    node = osclient.connect().transport.get_connection()
    assert node.headers["authorization"] == "ApiKey abc"


def test_unknown_engine_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_ENGINE", "lucene")
    with pytest.raises(ValueError, match="KB_ENGINE must be one of whoosh, opensearch"):
        engines.engine_name()


def test_a_cluster_gone_after_opening_gives_503_not_500(engine_index) -> None:  # type: ignore[no-untyped-def]
    from kb.engine.base import EngineUnavailable
    from web import create_app

    built = engine_index("opensearch")
    app = create_app({"index": str(built.folder), "TESTING": True, **built.settings()})
    client = app.test_client()
    assert client.get("/api/search?q=cctv").status_code == 200
    service = app.extensions["kb_service"].get()
    service.backend.client = osclient.connect({"opensearch_url": "http://127.0.0.1:9"})
    with pytest.raises(EngineUnavailable, match="not answering"):
        service.search(SearchRequest(q="cctv"))
    for url in ("/api/search?q=cctv", "/search?q=cctv"):
        resp = client.get(url)
        assert resp.status_code == 503 and "not available" in resp.get_data(as_text=True)


def test_deep_pages_by_date_walk_search_after_and_match_from_size(
    cluster: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kb.engine.opensearch import reader

    src, folder = tmp_path / "src", tmp_path / "state"
    write_minutes(src, "marker", count=4, items=3)
    ingest([src], folder)
    svc = SearchService(folder)

    def pages(sort: str) -> list[list[str]]:
        reqs = [SearchRequest(q="marker", sort=sort, page=p, page_size=5) for p in (1, 2, 3)]
        return [[h.id for h in svc.search(r).results] for r in reqs]

    for sort in ("oldest", "newest", "relevance"):  # relevance stays on from/size
        shallow = pages(sort)
        monkeypatch.setattr(reader, "WINDOW", 4)  # every page past the first 4 hits is deep
        monkeypatch.setattr(reader, "SCAN", 3)  # walked three hits at a time
        assert pages(sort) == shallow
        monkeypatch.undo()
        assert [len(p) for p in shallow] == [5, 5, 2]
        assert len({i for p in shallow for i in p}) == 12


def test_kb_check_cli_on_opensearch(cluster: dict[str, str], tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kb.cli import main

    src, folder = tmp_path / "src", tmp_path / "state"
    write_minutes(src, "marker", count=1)
    ingest([src], folder)
    result = CliRunner().invoke(main, ["check", "--index", str(folder)])
    assert result.exit_code == 0 and "OK" in result.output and "1 indices" in result.output
