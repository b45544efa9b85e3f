"""A polite HTTP fetcher that keeps every response it accepts, as received, in a raw store.

:class:`Fetcher` makes one request at a time and waits ``delay`` seconds between two
requests to one host; names the project in its User-Agent; retries timeouts, connection
errors, 429 and 5xx with exponential backoff, obeying ``Retry-After`` (capped); sends
``If-None-Match`` / ``If-Modified-Since`` from the last copy kept, so an unchanged response
costs a 304 and no download; refuses bodies over ``max_bytes``; fetches only http(s) URLs on
an allowed host (the council's own, plus the hosts of links its XML gives), redirects
included.

Each accepted body is written atomically to ``store/<name>`` with a sidecar
``store/<name>.json`` (URL, fetched at, HTTP status, content type, ETag, Last-Modified,
sha256), so a harvest can be ingested again offline.  A body that fails the caller's check
(truncated XML, an HTML error page served as a PDF) is kept under ``store/.rejected/`` and
never replaces the good copy: a :class:`FetchError` says what was wrong.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from kb import config

PROJECT = "minutes-kb/0.1"
#: Redirects followed per request (each must stay on an allowed host).
MAX_REDIRECTS = 5
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

#: A check of a body: None when it is acceptable, else the reason it is not.
Check = Callable[[bytes, str], str | None]


class FetchError(Exception):
    """A URL could not be fetched or its body was refused; the message says why."""

    def __init__(self, url: str, message: str):
        super().__init__(f"{message} ({url})")
        self.url = url
        self.reason = message


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how patiently to fetch (see ``kb.config``: ``KB_HARVEST_*``)."""

    delay: float = 1.0
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 2.0
    max_retry_after: float = 300.0
    max_bytes: int = 64 * 1024 * 1024
    contact: str = ""

    @classmethod
    def from_settings(cls, overrides: dict[str, Any] | None = None) -> FetchPolicy:
        """The policy from ``KB_HARVEST_*`` settings (and ``overrides`` by setting name)."""
        s = config.load(overrides)
        return cls(
            delay=float(s["harvest_delay"]),
            timeout=float(s["harvest_timeout"]),
            retries=int(s["harvest_retries"]),
            backoff=float(s["harvest_backoff"]),
            max_retry_after=float(s["harvest_max_retry_after"]),
            max_bytes=int(s["harvest_max_bytes"]),
            contact=str(s["harvest_contact"]),
        )

    @property
    def user_agent(self) -> str:
        contact = f"; {self.contact}" if self.contact else ""
        return f"{PROJECT} (council minutes harvester{contact})"


@dataclass
class Fetched:
    """An accepted response: where its body is kept and whether it differs from before."""

    url: str
    path: Path
    body: bytes
    changed: bool
    status: int
    content_type: str


@dataclass
class FetchStats:
    """Counts for a harvest's summary: requests made, bodies downloaded, 304s, retries."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] += n


def sha256(data: bytes) -> str:
    """The hex sha256 of ``data`` (the sidecar's ``sha256``)."""
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def sidecar_path(path: Path) -> Path:
    """The JSON sidecar kept beside a stored body."""
    return path.with_name(path.name + ".json")


def read_sidecar(path: Path) -> dict[str, Any] | None:
    """The sidecar of a stored body, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date); None if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class Fetcher:
    """Fetch URLs one at a time into ``store`` (see the module docstring)."""

    def __init__(
        self,
        store: Path,
        allowed_hosts: set[str],
        policy: FetchPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.store = Path(store)
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.policy = policy or FetchPolicy.from_settings()
        self.stats = FetchStats()
        self._sleep = sleep
        self._clock = clock
        self._last: dict[str, float] = {}
        self._client = httpx.Client(
            headers={"User-Agent": self.policy.user_agent},
            timeout=httpx.Timeout(self.policy.timeout),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def allow_host_of(self, url: str) -> None:
        """Allow the host of a URL the council's own XML links to (a malformed one: none)."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            return
        if parts.scheme in {"http", "https"} and host:
            self.allowed_hosts.add(host.lower())

    def _check_url(self, url: str) -> None:
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
        except ValueError as exc:
            raise FetchError(url, f"refused: not a URL ({exc})") from exc
        if parts.scheme not in {"http", "https"}:
            raise FetchError(url, f"refused: only http(s) URLs are fetched, not {parts.scheme!r}")
        if host not in self.allowed_hosts:
            raise FetchError(url, f"refused: host {host!r} is not the council's or linked")

    def _wait_turn(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower()
        last = self._last.get(host)
        if last is not None:
            gap = self.policy.delay - (self._clock() - last)
            if gap > 0:
                self._sleep(gap)
        self._last[host] = self._clock()

    def get(self, url: str, name: str, check: Check | None = None) -> Fetched:
        """Fetch ``url`` into ``store/name`` (conditionally, when a copy is kept).

        Returns the kept body (``changed`` False on a 304 or an identical body).  Raises
        FetchError, naming the URL, when the URL is refused, the server keeps failing, the
        body is too large or ``check`` refuses it; the copy kept before stays as it was.
        """
        path = self.store / name
        old = read_sidecar(path) if path.exists() else None
        headers: dict[str, str] = {}
        if old and old.get("url") == url:
            if old.get("etag"):
                headers["If-None-Match"] = old["etag"]
            if old.get("last_modified"):
                headers["If-Modified-Since"] = old["last_modified"]
        response, body, final_url = self._request(url, headers)
        content_type = response.headers.get("content-type", "")
        if response.status_code == 304 and old is not None:
            self.stats.add("not_modified")
            return Fetched(url, path, path.read_bytes(), False, 304, old.get("content_type", ""))
        if response.status_code != 200:
            raise FetchError(url, f"HTTP {response.status_code} {response.reason_phrase}".strip())
        problem = check(body, content_type) if check is not None else None
        info = {
            "url": url,
            "final_url": final_url,
            "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "status": response.status_code,
            "content_type": content_type,
            "etag": response.headers.get("etag"),
            "last_modified": response.headers.get("last-modified"),
            "sha256": sha256(body),
            "bytes": len(body),
        }
        if problem:
            self.stats.add("rejected")
            bad = self.store / ".rejected" / name
            atomic_write(bad, body)
            info["rejected"] = problem
            atomic_write(sidecar_path(bad), json.dumps(info, indent=1).encode())
            raise FetchError(url, problem)
        self.stats.add("downloaded")
        changed = not (path.exists() and old is not None and old.get("sha256") == info["sha256"])
        if changed:
            atomic_write(path, body)
        atomic_write(sidecar_path(path), json.dumps(info, indent=1).encode())
        return Fetched(url, path, body, changed, 200, content_type)

    def _request(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes, str]:
        """GET with retries, redirects on allowed hosts and the size cap."""
        current = url
        redirects = 0
        attempt = 0
        while True:
            self._check_url(current)
            self._wait_turn(current)
            self.stats.add("requests")
            try:
                response, body = self._once(current, headers)
            except httpx.TimeoutException:
                problem, wait = f"timed out after {self.policy.timeout:g} s", None
            except httpx.InvalidURL as exc:
                raise FetchError(url, f"refused: not a URL ({exc})") from exc
            except httpx.RequestError as exc:  # connection, protocol, decoding errors
                problem, wait = f"connection failed: {exc}", None
            else:
                if response.status_code in {301, 302, 303, 307, 308}:
                    location = response.headers.get("location")
                    redirects += 1
                    if not location or redirects > MAX_REDIRECTS:
                        raise FetchError(url, "too many redirects or a redirect to nowhere")
                    current = urljoin(current, location)
                    continue
                if response.status_code not in RETRY_STATUSES:
                    return response, body, current
                problem = f"HTTP {response.status_code} {response.reason_phrase}".strip()
                wait = retry_after(response.headers.get("retry-after"))
            if attempt >= self.policy.retries:
                raise FetchError(url, f"gave up after {attempt + 1} tries: {problem}")
            if wait is None:
                wait = self.policy.backoff * (2**attempt)
            wait = min(wait, self.policy.max_retry_after)
            self.stats.add("retries")
            attempt += 1
            self._sleep(wait)

    def _once(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        """One GET, reading at most ``max_bytes`` of the body."""
        cap = self.policy.max_bytes
        with self._client.stream("GET", url, headers=headers) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise FetchError(
                    url, f"refused: {int(declared):,} bytes is over the cap of {cap:,}"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise FetchError(url, f"refused: the body is over the cap of {cap:,} bytes")
                chunks.append(chunk)
        return response, b"".join(chunks)
