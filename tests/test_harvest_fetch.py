"""The polite fetcher (indexer/harvest/fetch.py) against the fake server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_moderngov import FakeModernGov, Fault

from indexer.harvest.fetch import Fetcher, FetchError, FetchPolicy, retry_after

POLICY = FetchPolicy(delay=0, timeout=2, retries=2, backoff=0.5, max_retry_after=30)


@pytest.fixture
def server() -> Iterator[FakeModernGov]:
    s = FakeModernGov().start()
    s.add("/doc.xml", b"<committees/>")
    yield s
    s.stop()


class Clock:
    """A fake clock whose sleep advances time (records every sleep)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def time(self) -> float:
        return self.now


def fetcher(tmp_path: Path, server: FakeModernGov, policy: FetchPolicy = POLICY, **kw) -> Fetcher:
    return Fetcher(tmp_path / "raw", {"127.0.0.1"}, policy, **kw)


def test_body_and_sidecar_kept_then_conditional_get(tmp_path: Path, server: FakeModernGov) -> None:
    with fetcher(tmp_path, server) as f:
        got = f.get(f"{server.url}/doc.xml", "lists/doc.xml")
        assert got.changed and got.status == 200 and got.body == b"<committees/>"
        again = f.get(f"{server.url}/doc.xml", "lists/doc.xml")
    assert not again.changed and again.status == 304 and again.body == b"<committees/>"
    side = json.loads((tmp_path / "raw/lists/doc.xml.json").read_text())
    assert set(side) >= {"url", "fetched_at", "status", "etag", "last_modified", "sha256"}
    assert server.log[1][2]["If-None-Match"] == side["etag"]
    assert f.stats.counts == {"requests": 2, "downloaded": 1, "not_modified": 1}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://127.0.0.1/doc.xml", r"only http\(s\) URLs"),
        ("file:///etc/passwd", r"only http\(s\) URLs"),
        ("http://example.org/doc.xml", "host 'example.org' is not the council's"),
        ("http://169.254.169.254/latest/meta-data", "host '169.254.169.254' is not the council's"),
        ("http://[::1/doc.pdf", "refused: not a URL"),
        ("javascript:alert(1)", r"only http\(s\) URLs"),
    ],
)
def test_only_allowed_hosts(tmp_path: Path, server: FakeModernGov, url: str, message: str) -> None:
    with fetcher(tmp_path, server) as f, pytest.raises(FetchError, match=message):
        f.get(url, "x.xml")
    assert server.log == []


def test_linked_host_can_be_allowed(tmp_path: Path, server: FakeModernGov) -> None:
    with Fetcher(tmp_path, {"democracy.example.org"}, POLICY) as f:
        with pytest.raises(FetchError, match="not the council's"):
            f.get(f"{server.url}/doc.xml", "doc.xml")
        f.allow_host_of("http://[bad/x.pdf")  # malformed: allows nothing, raises nothing
        f.allow_host_of(f"{server.url}/other.pdf")
        assert f.get(f"{server.url}/doc.xml", "doc.xml").status == 200


def test_redirects_stay_on_allowed_hosts(tmp_path: Path, server: FakeModernGov) -> None:
    server.fault("/moved", Fault("status", 302, headers={"Location": "/doc.xml"}))
    server.fault("/away", Fault("status", 302, headers={"Location": "http://evil.example/x"}))
    with fetcher(tmp_path, server) as f:
        assert f.get(f"{server.url}/moved", "m.xml").body == b"<committees/>"
        with pytest.raises(FetchError, match="'evil.example' is not the council's"):
            f.get(f"{server.url}/away", "a.xml")


def test_size_cap(tmp_path: Path, server: FakeModernGov) -> None:
    server.add("/big.pdf", b"%PDF-" + b"x" * 5000, "application/pdf")
    small = FetchPolicy(delay=0, timeout=2, retries=0, max_bytes=1000)
    with fetcher(tmp_path, server, small) as f, pytest.raises(FetchError, match="over the cap"):
        f.get(f"{server.url}/big.pdf", "big.pdf")
    assert not (tmp_path / "raw" / "big.pdf").exists()


def test_backoff_doubles_and_retry_after_wins(tmp_path: Path, server: FakeModernGov) -> None:
    server.fault("/doc.xml", Fault("status", 503), Fault("status", 500))
    clock = Clock()
    with fetcher(tmp_path, server, sleep=clock.sleep, clock=clock.time) as f:
        assert f.get(f"{server.url}/doc.xml", "d.xml").status == 200
        assert clock.sleeps == [0.5, 1.0]
        server.fault("/doc.xml", Fault("status", 429, headers={"Retry-After": "7"}))
        f.get(f"{server.url}/doc.xml", "d.xml")
        assert clock.sleeps == [0.5, 1.0, 7.0]
        server.fault("/doc.xml", Fault("status", 429, headers={"Retry-After": "99999"}))
        f.get(f"{server.url}/doc.xml", "d.xml")
        assert clock.sleeps[-1] == 30.0  # capped at max_retry_after


def test_one_request_at_a_time_with_a_delay(tmp_path: Path, server: FakeModernGov) -> None:
    clock = Clock()
    polite = FetchPolicy(delay=1.5, timeout=2, retries=0)
    with fetcher(tmp_path, server, polite, sleep=clock.sleep, clock=clock.time) as f:
        for _ in range(3):
            f.get(f"{server.url}/doc.xml", "d.xml")
    assert clock.sleeps == [1.5, 1.5]


def test_http_errors_that_are_not_retried(tmp_path: Path, server: FakeModernGov) -> None:
    with fetcher(tmp_path, server) as f, pytest.raises(FetchError, match="HTTP 404"):
        f.get(f"{server.url}/missing", "m.xml")
    assert len(server.log) == 1


def test_user_agent_names_the_project_and_contact(tmp_path: Path, server: FakeModernGov) -> None:
    policy = FetchPolicy(delay=0, contact="https://example.org/kb")
    with fetcher(tmp_path, server, policy) as f:
        f.get(f"{server.url}/doc.xml", "d.xml")
    agent = server.log[0][2]["User-Agent"]
    assert agent == "minutes-kb/0.1 (council minutes harvester; https://example.org/kb)"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("120", 120.0),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 60.0),
        ("Wed, 21 Oct 2015 07:26:00 GMT", 0.0),  # in the past: go now
    ],
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    now = 1445412420.0  # 2015-10-21 07:27:00 UTC
    assert retry_after(header, now=now) == seconds


def test_policy_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_HARVEST_DELAY", "0.25")
    monkeypatch.setenv("KB_HARVEST_RETRIES", "7")
    policy = FetchPolicy.from_settings()
    assert (policy.delay, policy.retries, policy.timeout) == (0.25, 7, 30.0)
    monkeypatch.setenv("KB_HARVEST_DELAY", "fast")
    with pytest.raises(ValueError, match="KB_HARVEST_DELAY must be a number"):
        FetchPolicy.from_settings()
