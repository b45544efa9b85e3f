"""Output safety beyond tests/test_web_hostile.py: every route of the app on hostile data
(security headers, inert HTML, markup-free JSON, 405 for other methods), and terminal
escape sequences in minutes never reaching a terminal through ``kb``."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import main
from web import SECURITY_HEADERS

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "web"
COUNCIL = '" onmouseover="alert(1)" x=\'<script>alert(2)</script> javascript:alert(3)'
ESCAPES = (
    "Anytown Borough Council\n\nMinutes of the Licensing Committee held on 3 April 2019\n\n"
    "Present: Councillors Smith (Chair) and Jones.\n\n"
    "1. TAXI \x1b]0;pwned\x07 FARES \x1b[2J REVIEW\n"
    "The committee considered the \x1b[31mred\x1b[0m report on "
    "\x1b]8;;http://evil.example\x1b\\hackney\x1b]8;;\x1b\\ carriages \x9b6n today.\n\n"
    "2. OTHER BUSINESS\nNone.\n"
)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from indexer.pipeline import ingest

    base = tmp_path_factory.mktemp("output-safety")
    (base / "escapes.txt").write_text(ESCAPES, encoding="utf-8")
    ix = base / "index"
    assert not ingest([FIXTURE], ix, council=COUNCIL).failed
    report = ingest([base / "escapes.txt"], ix)
    (result,) = report.results
    assert result.status == "new"
    assert "terminal escape(s) removed" in " ".join(result.warnings)
    return ix


@pytest.fixture(scope="module")
def client(index: Path):  # type: ignore[no-untyped-def]
    from web import create_app

    return create_app({"index": str(index), "TESTING": False}).test_client()


class _Inert(HTMLParser):
    """Collects what would be live in a browser: script-ish elements, handlers, JS URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.live: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "iframe", "object", "embed", "img", "textarea"}:
            self.live.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.live.append(f"{tag} {name}={value!r}")


def urls(client) -> list[str]:  # type: ignore[no-untyped-def]
    """One real URL for every GET route of the app, filled from the hostile index."""
    hits = client.get("/api/search?q=cctv&page_size=100").get_json()["results"]
    taxi = client.get("/api/search?q=taxi").get_json()["results"][0]
    meeting = client.get(f"/api/meetings/{hits[0]['meeting_id']}").get_json()
    items = [client.get(f"/api/items/{h['id']}").get_json() for h in hits]
    person = next(p["person_id"] for i in items for p in i["speakers"] if p.get("person_id"))
    topic = next(t for h in hits for t in h["topics"])
    out = {
        "/": "/",
        "/search": "/search?q=cctv",
        "/search.csv": "/search.csv?q=cctv",
        "/search.atom": "/search.atom?q=cctv",
        "/items/<path:item_id>": f"/items/{hits[0]['id']}?q=cctv",
        "/cite/<path:item_id>": f"/cite/{hits[0]['id']}?format=bibtex",
        "/meetings/<path:meeting_id>": f"/meetings/{hits[0]['meeting_id']}",
        "/sources/<path:meeting_id>": f"/sources/{taxi['meeting_id']}",
        "/committees": "/committees",
        "/committees/<council_id>/<committee_id>": (
            f"/committees/{meeting['council_id']}/{meeting['committee_id']}"
        ),
        "/people": "/people",
        "/people/<path:person_id>": f"/people/{person}",
        "/topics": "/topics",
        "/topics/<topic_id>": f"/topics/{topic}",
        "/api/search": "/api/search?q=cctv",
        "/api/items/<path:item_id>": f"/api/items/{hits[1]['id']}",
        "/api/meetings/<path:meeting_id>": f"/api/meetings/{hits[0]['meeting_id']}",
        "/api/people/<path:person_id>": f"/api/people/{person}",
        "/api/topics": "/api/topics",
        "/api/autocomplete": "/api/autocomplete?q=on",
        "/api/openapi.json": "/api/openapi.json",
        "/static/<path:filename>": "/static/style.css",
    }
    rules = {r.rule for r in client.application.url_map.iter_rules()}
    assert rules == set(out), "a route was added: give it a URL here"
    return list(out.values())


def test_every_route_on_hostile_data(client) -> None:  # type: ignore[no-untyped-def]
    for url in urls(client):
        resp = client.get(url)
        body = resp.get_data(as_text=True)
        resp.close()
        assert resp.status_code == 200, url
        for name, value in SECURITY_HEADERS.items():
            assert resp.headers.get(name) == value, (url, name)
        if resp.mimetype == "text/html":
            parser = _Inert()
            parser.feed(body)
            assert parser.live == [], (url, parser.live)
        elif resp.mimetype == "application/json":
            assert "<" not in body and ">" not in body, url  # encoded as \u003c / \u003e
        if resp.mimetype != "text/plain":  # /sources/ serves the file as it is, inert
            assert "\x1b" not in body and "\x07" not in body, url
        assert client.post(url.split("?")[0]).status_code == 405, url


def test_hostile_council_name_is_data_not_markup(client) -> None:  # type: ignore[no-untyped-def]
    hit = client.get("/api/search?q=cctv").get_json()["results"][0]
    assert hit["council"] == COUNCIL  # kept exactly, as data
    meeting = client.get(f"/api/meetings/{hit['meeting_id']}").get_json()
    page = client.get(f"/committees/{meeting['council_id']}/{meeting['committee_id']}")
    assert "&#34; onmouseover=&#34;alert(1)&#34;" in page.get_data(as_text=True)


SGR = re.compile(r"\x1b\[[0-9;]*m")  # kb's own bold/colour codes
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize(
    "args",
    [
        ["search", "hackney"],
        ["search", "taxi", "--json"],
        ["show", "anytown/licensing-committee/2019-04-03/1"],
        ["show", "anytown/licensing-committee/2019-04-03/1", "--json"],
        ["export"],
        ["people"],
        ["topics"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_cli_output_carries_no_terminal_escapes(index: Path, args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, "--index", str(index)], color=True)
    assert result.exit_code == 0, result.output
    text = SGR.sub("", result.output)
    assert not CONTROL.findall(text), CONTROL.findall(text)
    if args[0] == "show" and "--json" not in args:
        assert "TAXI FARES REVIEW" in text and "red report on hackney carriages" in text
