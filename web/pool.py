"""One SearchService per process, opened lazily on first use (so after a server forks).

``kb.search.SearchService`` is the only reader of the index and pools its own searchers;
this holder does not pool on top of it (it passes ``searcher_pool_size`` on).  It only
makes sure each process opens the index itself, on the first request that needs it, and
that a missing index gives a clear error (and is retried on the next request).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from kb.search import SearchService


class IndexUnavailable(RuntimeError):
    """The index folder is missing or unreadable; the message says what to do."""


class ServiceHolder:
    """Holds the process's SearchService; ``get()`` opens it once per process id."""

    def __init__(
        self, index_dir: Path, pool_size: int = 4, deadline_ms: float | None = None
    ) -> None:
        self.index_dir = Path(index_dir)
        self.pool_size = pool_size
        self.deadline_ms = deadline_ms
        self._lock = threading.Lock()
        self._service: Any = None
        self._pid: int | None = None

    def get(self) -> Any:
        """Return the open SearchService, opening it in this process if needed.

        Raises IndexUnavailable when the folder does not hold an index.
        """
        pid = os.getpid()
        if self._service is not None and self._pid == pid:
            return self._service
        with self._lock:
            if self._service is None or self._pid != pid:
                self._service = self._open()
                self._pid = pid
        return self._service

    def _open(self) -> Any:
        if not self.index_dir.is_dir():
            raise IndexUnavailable(
                f"no index at {self.index_dir}: build one with `kb ingest` or set KB_INDEX"
            )
        try:
            return SearchService(
                self.index_dir, pool_size=self.pool_size, deadline_ms=self.deadline_ms
            )
        except (OSError, ValueError) as exc:
            raise IndexUnavailable(f"cannot open the index at {self.index_dir}: {exc}") from exc
        except Exception as exc:  # Whoosh raises its own EmptyIndexError and friends
            raise IndexUnavailable(f"cannot open the index at {self.index_dir}: {exc}") from exc
