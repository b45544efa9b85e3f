"""The app factory without an index: headers, methods, limits, error pages and settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from web import SECURITY_HEADERS, create_app


@pytest.fixture()
def bare_app(tmp_path: Path) -> Flask:
    """An app pointed at a folder with no index in it."""
    app = create_app({"index": str(tmp_path / "no-index"), "TESTING": False})

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internal detail /etc/passwd")

    return app


@pytest.fixture()
def bare(bare_app: Flask) -> FlaskClient:
    return bare_app.test_client()


@pytest.mark.parametrize(
    "url", ["/", "/static/style.css", "/api/openapi.json", "/nope", "/api/nope", "/boom"]
)
def test_security_headers_on_every_response(bare: FlaskClient, url: str) -> None:
    resp = bare.get(url)
    resp.close()  # static files are streamed from an open file
    for name, value in SECURITY_HEADERS.items():
        assert resp.headers[name] == value
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options"])
@pytest.mark.parametrize("url", ["/", "/search", "/api/search", "/api/items/a/b/c/1"])
def test_non_get_is_405(bare: FlaskClient, method: str, url: str) -> None:
    resp = getattr(bare, method)(url)
    assert resp.status_code == 405
    assert resp.headers["Allow"] == "GET, HEAD"
    if url.startswith("/api/"):
        assert resp.json["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=" + "x" * 501, "q is too long"),
        ("page=0", "page must be between 1 and 1000"),
        ("page=99999", "page must be between 1 and 1000"),
        ("page_size=5000", "page_size must be between 1 and 100"),
        ("sort=best", "sort must be one of"),
        ("date_from=yesterday", "date_from must be a date"),
    ],
)
def test_limits_are_400_with_a_clear_message(bare: FlaskClient, query: str, message: str) -> None:
    api = bare.get("/api/search?" + query)
    assert api.status_code == 400
    assert api.json["error"]["code"] == "bad_request"
    assert api.json["error"]["message"].startswith(message)
    page = bare.get("/search?" + query)
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)
    assert b"<h1>" in page.data


def test_missing_index_is_503_not_500(bare: FlaskClient) -> None:
    page = bare.get("/search?q=cctv")
    assert page.status_code == 503
    assert "index is not available" in page.get_data(as_text=True)
    api = bare.get("/api/search?q=cctv")
    assert api.status_code == 503 and api.json["error"]["code"] == "index_unavailable"


def test_unexpected_error_page_has_no_traceback(bare: FlaskClient) -> None:
    page = bare.get("/boom")
    assert page.status_code == 500
    text = page.get_data(as_text=True)
    assert "Something went wrong" in text
    assert "Traceback" not in text and "secret internal detail" not in text


def test_404_pages(bare: FlaskClient) -> None:
    page = bare.get("/no/such/page")
    assert page.status_code == 404 and "Page not found" in page.get_data(as_text=True)
    api = bare.get("/api/no/such")
    assert api.status_code == 404 and api.json == {
        "error": {"code": "not_found", "message": api.json["error"]["message"]}
    }


def test_settings_come_from_environment_then_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_PAGE_SIZE", "25")
    monkeypatch.setenv("KB_MAX_PAGE", "7")
    app = create_app({"index": str(tmp_path), "max_page": 3})
    assert app.config["KB"]["page_size"] == 25
    assert app.config["KB"]["max_page"] == 3
    resp = app.test_client().get("/api/search?page=4")
    assert resp.status_code == 400 and "between 1 and 3" in resp.json["error"]["message"]


def test_no_external_assets_in_pages(bare: FlaskClient) -> None:
    html = bare.get("/nope").get_data(as_text=True)
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html and "<script" not in html and " style=" not in html
