"""The ingest manifest and the writer's lock: files in an index folder, for every engine.

* One ingest at a time: ``kb-ingest.lock`` in the folder holds the writer's pid.  A lock held
  by a live process raises :class:`IndexLockedError`; a lock left by a dead process is taken
  over.
* ``manifest.json`` (source key → content hash, meeting id, item ids, status) is replaced
  atomically (temp file + fsync + rename) and says what the index holds.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

from kb.engine.base import IndexLockedError

__all__ = [
    "IndexLockedError",
    "LOCK_NAME",
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "PackedManifest",
    "acquire_lock",
    "atomic_write_text",
    "content_hash",
    "fsync_path",
    "manifest_lines",
    "read_packed",
    "release_lock",
]

LOCK_NAME = "kb-ingest.lock"
MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


def fsync_path(path: Path) -> None:
    """Flush a file or a folder (its entries: creations, renames) to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def content_hash(data: bytes) -> str:
    """The manifest's content hash of a file's bytes (sha256, hex)."""
    return hashlib.sha256(data).hexdigest()


def atomic_write_text(path: Path, text: str | Iterable[str]) -> None:
    """Replace ``path`` with ``text`` (a string, or pieces written one after another)
    atomically: temp file, fsync, rename, fsync folder."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        if isinstance(text, str):
            fh.write(text)
        else:
            fh.writelines(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_path(path.parent)


#: zlib level of a :class:`PackedManifest` entry (1: a 1.1 KB entry packs to ~0.4 KB in
#: ~10 µs; higher levels gain a few per cent for twice the time)
PACK_LEVEL = 1


class PackedManifest(MutableMapping[str, Any]):
    """Source key → manifest entry, each entry held as its ``json.dumps`` text compressed
    with zlib: what a writer keeps of every source it has seen, so its memory grows by
    ~0.4 KB per source instead of ~2.7 KB of dicts and strings (a 1M-item rebuild holds
    125,000 sources).

    Reading an entry decodes a fresh dict (changing it changes nothing here: store it
    again); entries are JSON data, so an entry read back equals the one stored up to
    tuples read as lists, exactly as after a manifest is written and read again.  A value
    may also be ``None`` (a pending removal).  :meth:`entry_json` gives an entry's JSON
    text as ``json.dumps`` wrote it, which :func:`manifest_lines` writes without
    re-encoding."""

    __slots__ = ("_packed",)

    def __init__(self, entries: Iterable[tuple[str, Any]] | dict[str, Any] = ()) -> None:
        self._packed: dict[str, bytes | None] = {}
        self.update(entries)

    def __getitem__(self, key: str) -> Any:
        packed = self._packed[key]
        return None if packed is None else json.loads(zlib.decompress(packed))

    def __setitem__(self, key: str, entry: Any) -> None:
        if entry is None:
            self._packed[key] = None
        else:
            self._packed[key] = zlib.compress(json.dumps(entry).encode("utf-8"), PACK_LEVEL)

    def __delitem__(self, key: str) -> None:
        del self._packed[key]

    def __contains__(self, key: object) -> bool:
        return key in self._packed

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def __repr__(self) -> str:
        return f"PackedManifest({len(self)} sources)"

    def entry_json(self, key: str) -> str:
        """``json.dumps`` of ``key``'s entry (``"null"`` for ``None``), without decoding it."""
        packed = self._packed[key]
        return "null" if packed is None else zlib.decompress(packed).decode("utf-8")

    def copy(self) -> PackedManifest:
        """A copy sharing the packed entries (cheap: no entry is decoded)."""
        out = PackedManifest()
        out._packed = dict(self._packed)
        return out

    def apply(self, changes: PackedManifest) -> None:
        """Take ``changes``' entries as they are packed; a ``None`` entry removes its key."""
        for key, packed in changes._packed.items():
            if packed is None:
                self._packed.pop(key, None)
            else:
                self._packed[key] = packed


def manifest_lines(
    version: int, generation: int, files: dict[str, Any] | PackedManifest
) -> Iterator[str]:
    """The manifest as JSON, one line per source in key order, produced piece by piece.

    ``json.dumps(payload, indent=1)`` of a 1M-item index's manifest (125,000 sources) ran
    Python's pure encoder and held +330 MiB at its peak; this holds one entry at a time.
    A :class:`PackedManifest`'s entries are written as they were encoded."""
    yield f'{{"version": {version}, "generation": {generation}, "files": {{'
    sep = "\n"
    packed = isinstance(files, PackedManifest)
    for key in sorted(files):
        entry = files.entry_json(key) if packed else json.dumps(files[key])
        yield f"{sep}{json.dumps(key)}: {entry}"
        sep = ",\n"
    yield "\n}}\n"


def read_packed(
    path: Path, on_entry: Callable[[str, dict[str, Any]], None] | None = None
) -> PackedManifest:
    """The entries of the manifest file ``path`` as a :class:`PackedManifest`.

    A file in :func:`manifest_lines`' layout (its first line, then one source per line) is
    read line by line, so the whole file is never decoded at once; a file in any other
    JSON layout (an older writer's) is read whole.  ``on_entry(key, entry)`` is called
    once with each entry decoded (a writer indexes them as they are read instead of
    decoding them all again).  A malformed file raises ``ValueError``."""
    out = PackedManifest()
    decoder = json.JSONDecoder()
    with path.open(encoding="utf-8") as fh:
        first = fh.readline()
        if not (first.startswith('{"version": ') and first.endswith('"files": {\n')):
            return _read_whole(path, on_entry)
        for number, line in enumerate(fh, start=2):
            text = line.rstrip("\n")
            if text == "}}" and not fh.read().strip():
                return out
            text = text.removesuffix(",")
            try:
                key, end = decoder.raw_decode(text)
                entry = json.loads(text[end + 2 :]) if text[end : end + 2] == ": " else None
            except ValueError:
                key = entry = None
            if not isinstance(key, str) or not isinstance(entry, dict):
                raise ValueError(f"{path}: line {number} is not a manifest entry")
            # written by manifest_lines: the text is json.dumps(entry), kept as it is
            out._packed[key] = zlib.compress(text[end + 2 :].encode("utf-8"), PACK_LEVEL)
            if on_entry is not None:
                on_entry(key, entry)
    raise ValueError(f"{path}: the manifest ends before its closing line")


def _read_whole(
    path: Path, on_entry: Callable[[str, dict[str, Any]], None] | None
) -> PackedManifest:
    """A manifest file's entries decoded from the whole text (any JSON layout)."""
    files = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    if on_entry is not None:
        for key, entry in files.items():
            on_entry(key, entry)
    return PackedManifest(files)


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def acquire_lock(index_dir: Path) -> Path:
    """Create the ingest lock holding our pid; recover a stale one.  Returns the lock path."""
    lock = index_dir / LOCK_NAME
    for _attempt in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                pid = int(lock.read_text(encoding="ascii").strip() or "0")
            except (OSError, ValueError):
                pid = 0
            if pid_alive(pid):
                raise IndexLockedError(
                    f"index is being updated by another ingest (pid {pid}); "
                    f"wait for it to finish or, if it is gone, delete {lock}"
                ) from None
            lock.unlink(missing_ok=True)  # stale: its process is dead
            continue
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(str(os.getpid()))
            fh.flush()
            os.fsync(fh.fileno())
        return Path(os.path.realpath(lock))  # the real folder, even behind a generation link
    raise IndexLockedError(f"could not take the index lock {lock}")


def release_lock(lock: Path) -> None:
    """Remove the lock if it is still ours."""
    try:
        if lock.read_text(encoding="ascii").strip() == str(os.getpid()):
            lock.unlink()
    except (OSError, ValueError):
        pass


def read_files(index_dir: str | Path) -> dict[str, dict[str, Any]]:
    """The entries of ``index_dir``'s ``manifest.json`` (empty when there is none)."""
    path = Path(index_dir) / MANIFEST_NAME
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")).get("files", {}))
