"""Hostile queries on the CLI, the HTML pages and the JSON API: each is a 200 or a 400 with a
clear message (CLI: exit 0, or 2 with "bad query:"), never a 500 or a traceback, and never a
match on a private stored field (``source_key``, ``source``, ``data``, ``id``)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from conftest import ENGINES
from reliability import minutes_text

from kb.cli import main

#: Only in the source file's path, so only in the private stored fields.
SECRET = "qzxsecret"

#: (query, None when it runs, else a fragment of the 400 message / CLI usage error)
QUERIES: list[tuple[str, str | None]] = [
    ("*", "wildcards are allowed only at the end of a word"),
    ("*get", "wildcards are allowed only at the end of a word"),
    ("?", "wildcards"),
    ("unknown:x", None),
    ("[a TO z]", None),  # only common words: runs as a blank query with a notice
    ("((((", "no words to search for"),
    (")))", "no words to search for"),
    ('"unclosed phrase', None),
    ("x" * 10_000, "too long"),
    ("cctv " * 2_000, "too long"),
    ("(" * 40 + "cctv", "nested"),
    ("year:99999999999", "is not a year"),
    ("year:2019..2018", None),
    ("cctv^5 cctv~2", None),
    ("\u202e\u200b<script>alert(1)</script>", None),
    ("NOT cctv", None),
    ("speaker:'; DROP TABLE items; --", None),
    (f"source_key:{SECRET}", None),
    (f"source:{SECRET}", None),
    (f"data:{SECRET}", None),
    (f"json:{SECRET}", None),
    (f"id:{SECRET}", None),
    (f"doctype:{SECRET}", None),
    (SECRET, None),
]
IDS = [q[:24].encode("unicode_escape").decode() or "empty" for q, _ in QUERIES]


@pytest.fixture(scope="module", params=ENGINES)
def built(request: pytest.FixtureRequest, engine_index, tmp_path_factory, seed_path: Path):  # type: ignore[no-untyped-def]
    """The seed, plus generated minutes whose path (only) carries SECRET, on each engine."""
    folder = tmp_path_factory.mktemp("hostile-queries") / f"{SECRET}-folder"
    folder.mkdir()
    (folder / f"{SECRET}-minutes.txt").write_text(minutes_text(3, 1, 2), encoding="utf-8")
    shutil.copy(seed_path, folder / "seed.txt")
    return engine_index(request.param, folder)


@pytest.fixture(scope="module")
def index(built) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """The index folder, with its engine selected (for the CLI) while the module runs."""
    with built.selected():
        yield built.folder


@pytest.fixture(scope="module")
def client(built):  # type: ignore[no-untyped-def]
    from web import create_app

    settings = {"index": str(built.folder), "TESTING": False, **built.settings()}
    return create_app(settings).test_client()


def test_the_secret_is_stored_but_the_item_is_findable_by_its_words(client, index) -> None:  # type: ignore[no-untyped-def]
    """The positive control: the secret-path item exists and its words find it."""
    hits = client.get("/api/search?q=m3i1").get_json()["results"]
    assert len(hits) == 1
    item = client.get(f"/api/items/{hits[0]['id']}").get_json()
    assert SECRET in json.dumps(item)  # the source path is in the stored data


@pytest.mark.parametrize(("q", "error"), QUERIES, ids=IDS)
def test_json_api(client, q: str, error: str | None) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/api/search?q=" + quote(q, safe=""))
    body = resp.get_json()
    if error is None:
        assert resp.status_code == 200, body
        if SECRET in q:
            assert body["total"] == 0, [h["id"] for h in body["results"]]
        else:
            assert SECRET not in resp.get_data(as_text=True)
    else:
        assert resp.status_code == 400, body
        assert set(body) == {"error"} and error in body["error"]["message"]


@pytest.mark.parametrize(("q", "error"), QUERIES, ids=IDS)
def test_html_page(client, q: str, error: str | None) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/search?q=" + quote(q, safe=""))
    html = resp.get_data(as_text=True)
    assert resp.status_code == (200 if error is None else 400)
    assert "Traceback" not in html and "<script>alert" not in html
    if error is not None:
        assert error in html
    if SECRET in q:
        assert "0 items" in html or "No items" in html or "no items" in html.lower()


@pytest.mark.parametrize(("q", "error"), QUERIES, ids=IDS)
def test_cli(index: Path, q: str, error: str | None) -> None:
    result = CliRunner().invoke(main, ["search", "--index", str(index), "--json", "--", q])
    assert "Traceback" not in result.output
    if error is None:
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        if SECRET in q:
            assert data["total"] == 0
        else:
            assert SECRET not in result.output
    else:
        assert result.exit_code == 2
        assert "bad query:" in result.output and error in result.output


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/api/search?q=%FF", 200, None),  # invalid UTF-8
        ("/api/search?q=%C0%80cctv", 200, None),  # overlong NUL
        ("/api/search?q=%ED%A0%80", 200, None),  # a UTF-16 surrogate
        ("/api/search?q=cctv%00", 200, None),  # NUL
        ("/api/search?q=cctv&page=1000", 200, None),
        ("/api/search?q=cctv&page=1001", 400, "page must be between 1 and 1000"),
        ("/api/search?q=cctv&page=99999999999999999999999", 400, "page must be between"),
        ("/api/search?q=cctv&page=-1", 400, "page must be between"),
        ("/api/search?q=cctv&page=1e3", 400, "page must be a whole number"),
        ("/api/search?q=cctv&page_size=100000", 400, "page_size must be between"),
        ("/api/search?council=%FF&year=%00&topic=%ED%A0%80", 200, None),
        ("/api/search?speaker=" + "z" * 5000, 400, "speaker is too long"),
        ("/api/items/%FF%00", 404, None),
        ("/api/items/..%2F..%2Fetc%2Fpasswd", 404, None),
        ("/api/search?q=" + "%FF" * 600, 400, "q is too long"),
    ],
)
def test_hostile_urls(client, url: str, status: int, says: str | None) -> None:  # type: ignore[no-untyped-def]
    resp = client.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert body is not None  # JSON even for errors
    if says:
        assert says in body["error"]["message"]
    page = client.get(url.replace("/api/search", "/search").replace("/api/items", "/items"))
    assert page.status_code == status
    assert "Traceback" not in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--page", "99999999999"], "--page"),
        (["--page", "0"], "--page"),
        (["--limit", "100000"], "--limit"),
        (["--from", "yesterday"], "is not a date like 2018-03-27"),
        (["--year", "2018", "--from", "2018-01-01"], "either --year or --from/--to"),
    ],
)
def test_cli_bad_options_are_usage_errors(index: Path, args: list[str], says: str) -> None:
    result = CliRunner().invoke(main, ["search", "cctv", "--index", str(index), *args])
    assert result.exit_code == 2
    assert says in result.output and "Traceback" not in result.output
