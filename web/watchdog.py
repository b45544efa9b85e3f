"""A hard per-request time limit for forked web workers (the second line behind the
search deadline of :mod:`kb.deadline`).

Gunicorn's own ``timeout`` does not help a threaded (``gthread``) worker: its main loop keeps
answering the arbiter while one request thread is stuck.  :class:`RequestWatchdog` wraps
the WSGI app, notes when each request started, and a monitor thread ends the worker process
when one has run longer than the limit; gunicorn's arbiter then starts a fresh worker.  Used
only under gunicorn (``web/__main__.py``): under waitress nothing would restart the server.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)


def _exit_worker() -> None:
    os._exit(1)  # not 3 or 4: gunicorn halts on those exit codes


class RequestWatchdog:
    """WSGI middleware: calls ``on_overrun`` (default: end this process) when a request has
    run ``limit`` seconds.  The monitor thread starts on the first request in each process
    (so after a fork) and checks every ``interval`` seconds."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        limit: float,
        *,
        on_overrun: Callable[[], None] = _exit_worker,
        interval: float = 1.0,
    ) -> None:
        self.app = app
        self.limit = limit
        self.on_overrun = on_overrun
        self.interval = interval
        self._active: dict[int, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._next = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self._ensure_monitor()
        with self._lock:
            self._next += 1
            token = self._next
            self._active[token] = (time.monotonic(), str(environ.get("PATH_INFO", "")))
        try:
            # the body is built inside the app (Flask buffers it), so timing the call is enough
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self._active.pop(token, None)

    def overdue(self, now: float | None = None) -> list[str]:
        """The paths of requests running for longer than the limit."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return [path for began, path in self._active.values() if now - began > self.limit]

    def _ensure_monitor(self) -> None:
        if self._pid == os.getpid() or self.limit <= 0:
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
        threading.Thread(target=self._monitor, name="request-watchdog", daemon=True).start()

    def _monitor(self) -> None:
        while True:
            time.sleep(self.interval)
            late = self.overdue()
            if late:
                log.error(
                    "request(s) over the %g s limit, ending this worker: %s",
                    self.limit,
                    ", ".join(late[:5]),
                )
                self.on_overrun()
                return
