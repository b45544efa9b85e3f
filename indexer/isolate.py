"""Readers that call into C (pdfium, lxml, python-docx) run in a separate reader process,
so the per-file time limit can stop one stuck inside C code.

The ``SIGALRM`` limit of :mod:`indexer.timelimit` interrupts Python code only: a reader
stuck in one long C call never returns to the interpreter to see it.  While
:func:`reader_process` is active, :func:`read` sends such files to a spawned
:class:`ReaderProcess` and waits for the Document; when the file's time runs out (the alarm
fires in this process, or the wait itself times out) the reader process is killed
(``SIGKILL``), the file fails with a clear reason, and a fresh reader process is started
for the next file.  Pure-Python readers (text, Markdown) stay in this process, where the
alarm reaches them, and pay nothing.  ``kb ingest`` activates it for its whole run, in the
writing process and in each worker process.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from indexer import timelimit
from kb.model import Document, IngestError, NotMinutesError

#: formats whose readers spend long stretches in C code (see :func:`indexer.read.sniff`)
C_FORMATS = frozenset({"pdf", "docx", "html", "moderngov"})
#: the reader a reader process calls, as ``module:function``
DEFAULT_READER = "indexer.read:read_file"
#: seconds a reader process gets to start and answer when there is no time limit at all
NO_LIMIT = 24 * 3600.0


def _reader_main(conn: Any, reader: str, parent: int) -> None:
    """A reader process: read each path sent on ``conn`` and send back ("ok", Document) or
    (error kind, message); end when the pipe closes or the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the ingest's to handle

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
    module, _, name = reader.partition(":")
    read_file: Callable[[Path], Document] = getattr(importlib.import_module(module), name)
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("ok", read_file(Path(path)))
        except NotMinutesError as exc:
            answer = ("not-minutes", str(exc))
        except IngestError as exc:
            answer = ("failed", str(exc))
        except Exception as exc:  # noqa: BLE001 - a reader bug fails this file only
            answer = ("failed", f"internal error: {type(exc).__name__}: {exc}")
        conn.send(answer)


class ReaderProcess:
    """A spawned process reading one file at a time with ``reader`` (``module:function``,
    taking a Path and returning a Document); started on first use, replaced after a kill."""

    def __init__(self, reader: str = DEFAULT_READER) -> None:
        self.reader = reader
        self._proc: Any = None
        self._conn: Any = None
        #: how many reader processes were killed (stuck) or died
        self.killed = 0

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        ours, theirs = ctx.Pipe()
        proc = ctx.Process(
            target=_reader_main, args=(theirs, self.reader, os.getpid()), daemon=True
        )
        proc.start()
        theirs.close()
        self._proc, self._conn = proc, ours

    def read(self, path: Path, limit: float) -> Document:
        """The Document of ``path`` read in the reader process within ``limit`` seconds
        (<= 0: no limit).  Raises IngestError (NotMinutesError) as the reader did, or
        :class:`~indexer.timelimit.FileTimeout` after killing a reader that took too long;
        anything raised while waiting (the file's alarm, Ctrl-C) also kills it."""
        if self._proc is None or not self._proc.is_alive():
            self.kill()  # a reader that died between files: close its pipe first
            self._start()
        try:
            self._conn.send(str(path))
            if not self._conn.poll(limit if limit > 0 else NO_LIMIT):
                self.kill()
                raise timelimit.FileTimeout(
                    f"took longer than the per-file limit of {limit:g} s ({timelimit.ENV})"
                )
            kind, value = self._conn.recv()
        except timelimit.FileTimeout as exc:
            self.kill()
            raise timelimit.FileTimeout(f"{exc} (the reader process was stopped)") from None
        except (EOFError, OSError) as exc:
            self.kill()
            raise IngestError("the reader process died on this file (a crash in C code)") from exc
        except BaseException:
            self.kill()
            raise
        if kind == "ok":
            return value  # type: ignore[no-any-return]
        raise (NotMinutesError if kind == "not-minutes" else IngestError)(value)

    def kill(self) -> None:
        """Stop the reader process now (the next read starts a fresh one)."""
        proc, conn, self._proc, self._conn = self._proc, self._conn, None, None
        if conn is not None:
            conn.close()
        if proc is not None and proc.is_alive():
            proc.kill()
            self.killed += 1
        if proc is not None:
            proc.join(5)

    def close(self) -> None:
        """End the reader process (closing its pipe ends its loop)."""
        proc, conn, self._proc, self._conn = self._proc, self._conn, None, None
        if conn is not None:
            conn.close()
        if proc is not None:
            proc.join(2)
            if proc.is_alive():
                proc.kill()
                proc.join(2)


_active: ReaderProcess | None = None


@contextmanager
def reader_process(reader: str = DEFAULT_READER) -> Iterator[ReaderProcess]:
    """Make :func:`read` use a reader process until the block ends (a nested call reuses
    the active one, whatever its ``reader``)."""
    global _active
    if _active is not None:
        yield _active
        return
    _active = ReaderProcess(reader)
    try:
        yield _active
    finally:
        active, _active = _active, None
        active.close()


def install(reader: str = DEFAULT_READER) -> None:
    """Use a reader process for the rest of this process's life (an ingest worker)."""
    global _active
    if _active is None:
        _active = ReaderProcess(reader)


def read(path: Path, fmt: str, limit: float | None = None) -> Document | None:
    """``path`` read in the active reader process when its format ``fmt`` calls into C and
    one is active, within ``limit`` seconds (default: the file time limit); None when the
    caller should read it in this process."""
    if _active is None or fmt not in C_FORMATS:
        return None
    return _active.read(path, timelimit.seconds() if limit is None else limit)
