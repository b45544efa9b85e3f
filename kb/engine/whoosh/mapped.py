"""Read Whoosh's memory-mapped segment files in place instead of copying them into the heap.

Whoosh 2.7.4 maps each compound segment file (``CompoundStorage``) and hands out its parts as
``BufferFile(memoryview)``, whose constructor wraps the view in ``io.BytesIO``: that copies
the whole part.  Opening a searcher therefore copied every segment's postings and term index
into private memory (≈ 270 MiB at 100,000 items) and touched every page of the mapping
(another ≈ 270 MiB of resident file pages), per searcher.  :func:`install` makes
``BufferFile`` over a memoryview read through :class:`MappedReader`, a small read-only file
over the same view: the same bytes, read on demand, nothing copied; pages come from the OS
page cache and are shared by every process serving the index.

Only reading changes; ``BufferFile`` over ``bytes`` (Whoosh's RAM storage) keeps its
``BytesIO``, which shares a bytes object without copying.
"""

from __future__ import annotations

import io
import os
from typing import Any

from whoosh.filedb import structfile

_ORIGINAL_INIT = structfile.BufferFile.__init__
#: most bytes :meth:`MappedReader.peek` returns (a posting block's header pickle is ~100)
_PEEK = 1024


class MappedReader(io.RawIOBase):
    """A read-only, seekable binary file over a memoryview (no copy)."""

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view.cast("B") if view.format != "B" or view.ndim != 1 else view
        self._pos = 0
        self._size = len(self._view)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes from the current position (all the rest when negative)."""
        pos = self._pos
        end = self._size if size is None or size < 0 else min(self._size, pos + size)
        if end <= pos:
            return b""
        self._pos = end
        return self._view[pos:end].tobytes()

    def peek(self, size: int = 0) -> bytes:
        """Some bytes from the current position without moving it (``pickle.load`` reads
        ahead through this, then moves past what it used with one ``read``, instead of
        calling ``read`` once per opcode)."""
        pos = self._pos
        return self._view[pos : min(self._size, pos + max(size, 1), pos + _PEEK)].tobytes()

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the current position; return the number of bytes copied."""
        out = memoryview(buffer).cast("B")
        pos = self._pos
        n = max(0, min(len(out), self._size - pos))
        out[:n] = self._view[pos : pos + n]
        self._pos = pos + n
        return n

    def readline(self, size: int | None = -1) -> bytes:
        """Bytes up to and including the next newline (or ``size`` bytes, or the end)."""
        pos = self._pos
        limit = self._size if size is None or size < 0 else min(self._size, pos + size)
        # search a growing window: lines in Whoosh's files (pickles) are short
        step = 64
        end = limit
        while True:
            stop = min(limit, pos + step)
            found = self._view[pos:stop].tobytes().find(b"\n")
            if found >= 0:
                end = pos + found + 1
                break
            if stop >= limit:
                break
            step *= 4
        self._pos = end
        return self._view[pos:end].tobytes()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move to ``offset`` (from the start, the current position or the end)."""
        if whence == os.SEEK_SET:
            pos = offset
        elif whence == os.SEEK_CUR:
            pos = self._pos + offset
        elif whence == os.SEEK_END:
            pos = self._size + offset
        else:
            raise ValueError(f"invalid whence {whence!r}")
        if pos < 0:
            raise ValueError("negative seek position")
        self._pos = pos
        return pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        """Forget the view (the mapping itself belongs to Whoosh's CompoundStorage)."""
        if not self.closed:
            self._view = memoryview(b"")
            self._size = 0
        super().close()


def _buffer_file_init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    if not isinstance(buf, memoryview):
        _ORIGINAL_INIT(self, buf, name=name, onclose=onclose)
        return
    self._buf = buf
    self._name = name
    self.file = MappedReader(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def install() -> None:
    """Make Whoosh read memory-mapped segment parts in place (idempotent)."""
    structfile.BufferFile.__init__ = _buffer_file_init  # type: ignore[method-assign]


def installed() -> bool:
    """Whether :func:`install` is in effect."""
    return structfile.BufferFile.__init__ is _buffer_file_init
