"""A long PDF's later pages read by a helper process while the reader reads the first ones.

A page's lines (:func:`indexer.read_pdf_chars.page_lines`) depend on that page alone, so a
second process can read some of them: :class:`PageHelper` starts ``python -m
indexer.read_pdf_pages``, sends it the PDF's bytes and a page range, and gets back each
page's Lines (or the warning for a damaged page) — the same values the reader would have
made.  It is worth its start-up (~0.15 CPU s) only for a long PDF (``KB_PDF_HELPER_PAGES``)
on a machine with a CPU to spare (:func:`worth_a_helper`).  Whatever goes wrong with the
helper (it cannot start, dies, answers garbage or runs past the file's deadline) the reader
reads those pages itself, so the result never depends on it; the helper stops when its
deadline passes or its parent is gone (a reader process killed on timeout leaves nothing
running).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
import time

from indexer.pdf_layout import Line
from kb import config

#: the share of the pages the helper reads (less than half: it starts later)
HELPER_SHARE = 0.45

#: one page's answer: its lines, or the warning saying it was skipped
PageAnswer = list[Line] | str


def worth_a_helper(
    pages: int, cpus: int | None = None, load: float | None = None, least: int | None = None
) -> bool:
    """True for a PDF of at least ``least`` pages (default: ``KB_PDF_HELPER_PAGES``; 0:
    never) on a machine of two or more CPUs (default: this one's) whose load average
    (default: this one's over the last minute) leaves one free."""
    least = int(config.get("pdf_helper_pages")) if least is None else least
    cpus = (os.cpu_count() or 1) if cpus is None else cpus
    if least <= 0 or pages < least or cpus < 2:
        return False
    return (os.getloadavg()[0] if load is None else load) <= cpus - 1


def helper_start(pages: int) -> int:
    """The first page index (0-based) a helper reads of a ``pages``-page PDF (it reads at
    least one of two or more)."""
    return pages - max(1, int(pages * HELPER_SHARE))


class PageHelper:
    """A helper process reading pages ``start``..``stop - 1`` of the PDF ``data`` within
    ``deadline`` (``time.monotonic``); :meth:`result` collects them."""

    def __init__(self, data: bytes, start: int, stop: int, deadline: float) -> None:
        self.start, self.stop, self.deadline = start, stop, deadline
        message = pickle.dumps((data, start, stop, deadline - time.monotonic()))
        self.proc: subprocess.Popen[bytes] | None = None
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "indexer.read_pdf_pages"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return
        # Written from a thread: the pipe fills before the helper has started reading it.
        self._sender = threading.Thread(target=self._send, args=(message,), daemon=True)
        self._sender.start()

    def _send(self, message: bytes) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(message)
            self.proc.stdin.close()
        except OSError:
            pass  # the helper is gone: result() says so

    def result(self) -> list[PageAnswer] | None:
        """Each page's answer in order, or None when the helper failed (read them here)."""
        if self.proc is None:
            return None
        self._sender.join(max(self.deadline - time.monotonic(), 0.0))
        if self._sender.is_alive():  # the helper never took its pages
            self.close()
            return None
        self.proc.stdin = None  # closed by the sender: communicate() only reads
        try:
            out, _ = self.proc.communicate(timeout=max(self.deadline - time.monotonic(), 0.0))
        except subprocess.TimeoutExpired:
            self.close()
            return None
        if self.proc.returncode != 0:
            return None
        try:
            answers = pickle.loads(out)
        except Exception:  # noqa: BLE001 - garbage from the helper: read the pages here
            return None
        if not isinstance(answers, list) or len(answers) != self.stop - self.start:
            return None
        return answers

    def close(self) -> None:
        """Stop the helper if it still runs and close its pipes."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(OSError):
                    pipe.close()


def _main() -> int:
    """The helper: read the (bytes, start, stop, seconds) message on stdin, write the pages'
    answers pickled on stdout; exit 1 when the deadline passes or the parent is gone."""
    import pypdfium2 as pdfium

    from indexer.read_pdf_chars import page_lines
    from kb.model import IngestError

    parent = os.getppid()
    data, start, stop, seconds = pickle.load(sys.stdin.buffer)
    deadline = time.monotonic() + seconds
    pdf = pdfium.PdfDocument(data)
    answers: list[PageAnswer] = []
    try:
        for index in range(start, stop):
            if os.getppid() != parent:
                return 1
            try:
                answers.append(page_lines(pdf, index, deadline))
            except pdfium.PdfiumError as exc:
                answers.append(f"page {index + 1} is damaged and was skipped ({exc})")
    except IngestError:
        return 1
    finally:
        pdf.close()
    sys.stdout.buffer.write(pickle.dumps(answers))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
