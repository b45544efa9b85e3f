"""The per-file time limit of ``kb ingest``: a file that takes too long fails alone.

``KB_FILE_TIME_LIMIT`` (seconds, default 120; 0 turns it off) bounds reading, segmenting and
tagging one file.  It is a ``SIGALRM`` timer, so it works in the main thread of a process
(``kb ingest``); elsewhere (a thread, or a platform without ``setitimer``) there is no limit.
The alarm interrupts Python code; a single long call into C (pdfium, lxml) ends first, so
during ``kb ingest`` the readers that call into C run in a reader process that is killed at
the limit (:mod:`indexer.isolate`).  An alarm that lands where an exception cannot
propagate (a gc callback, a ``__del__``, a finalizer) waits for the next repeat.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

DEFAULT_SECONDS = 120.0
#: Seconds between further alarms once the limit has passed (see :func:`time_limit`).
REPEAT = 0.05
ENV = "KB_FILE_TIME_LIMIT"


class FileTimeout(BaseException):  # noqa: N818 - reads as what happened
    """The file took longer than the limit.  A BaseException, so no stage's
    ``except Exception`` (kept for bugs) swallows it; the pipeline reports it per file."""


def seconds() -> float:
    """The limit in seconds from ``KB_FILE_TIME_LIMIT`` (default 120; 0 or less: none)."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return DEFAULT_SECONDS
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{ENV} must be a number of seconds, not {raw!r}") from exc


#: frames looked at when deciding whether an exception could propagate from here
_FRAMES = 64


def _unraisable_here(frame: Any) -> bool:
    """Whether ``frame`` runs inside a ``gc.callbacks`` function, a ``__del__`` or a
    ``weakref.finalize`` callback: an exception raised there is reported as unraisable and
    lost, so the file would not stop."""
    callbacks = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    for _ in range(_FRAMES):
        if frame is None:
            return False
        code = frame.f_code
        if code in callbacks or code.co_name == "__del__":
            return True
        if code.co_name == "__call__" and code.co_filename.endswith("weakref.py"):
            return True
        frame = frame.f_back
    return False


@contextmanager
def time_limit(limit: float | None = None) -> Iterator[None]:
    """Raise :class:`FileTimeout` in the body once ``limit`` seconds (default
    :func:`seconds`) have passed.  A no-op outside the main thread or with limit <= 0."""
    limit = seconds() if limit is None else limit
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if limit <= 0 or not usable:
        yield
        return

    active = True

    def on_alarm(_signum: int, frame: Any) -> None:
        if not active:  # an alarm handled as the block ends: stop the repeats, raise nothing
            signal.setitimer(signal.ITIMER_REAL, 0)
            return
        if _unraisable_here(frame):  # it would be swallowed (and reported); the next one counts
            return
        raise FileTimeout(f"took longer than the per-file limit of {limit:g} s ({ENV})")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    # then again every REPEAT s: an exception raised where Python cannot propagate it (a gc
    # callback, a __del__) is swallowed, and the next alarm must still stop the file
    signal.setitimer(signal.ITIMER_REAL, limit, REPEAT)
    try:
        yield
    finally:
        active = False  # first, and no call: no alarm can be handled before it
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
