"""web.watchdog: the hard per-request limit that ends a stuck gunicorn worker."""

from __future__ import annotations

import threading
import time
from typing import Any

from web.watchdog import RequestWatchdog


def _app(delay: float):  # type: ignore[no-untyped-def]
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        time.sleep(delay)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app


def _call(app: Any, path: str = "/search") -> list[bytes]:
    return list(app({"PATH_INFO": path}, lambda *_a: None))


def test_a_request_over_the_limit_triggers_the_overrun() -> None:
    fired = threading.Event()
    dog = RequestWatchdog(_app(0.6), 0.2, on_overrun=fired.set, interval=0.05)
    worker = threading.Thread(target=_call, args=(dog, "/search?q=slow"))
    worker.start()
    assert fired.wait(2.0)
    worker.join()


def test_quick_requests_never_trigger_it_and_are_forgotten() -> None:
    fired = threading.Event()
    dog = RequestWatchdog(_app(0.0), 0.2, on_overrun=fired.set, interval=0.05)
    for _ in range(5):
        assert _call(dog) == [b"ok"]
    time.sleep(0.4)
    assert not fired.is_set()
    assert dog.overdue() == []


def test_overdue_names_the_slow_paths() -> None:
    dog = RequestWatchdog(_app(0.0), 1.0, on_overrun=lambda: None)
    dog._active[1] = (time.monotonic() - 5, "/search")
    dog._active[2] = (time.monotonic(), "/items/x")
    assert dog.overdue() == ["/search"]
