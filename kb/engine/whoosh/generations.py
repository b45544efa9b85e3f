"""Index generations: ``kb ingest --rebuild`` builds beside the live index and swaps atomically.

Layout once an index has been rebuilt::

    instance/index            -> symlink to  index.gen/3   (what readers open)
    instance/index.gen/2/     the previous generation (kept for one rebuild)
    instance/index.gen/3/     the current generation

* :func:`new_generation` makes the next, empty generation folder.
* :func:`swap` points the index path at it with one ``os.replace`` of a temporary symlink, so
  a reader resolving the path sees the old generation or the new one, never neither; then
  removes generations older than the previous one.
* An index path that is still a real folder is migrated into ``index.gen/0`` first (a rename
  then a symlink: the only moment the path is missing, a few microseconds, and only once).

Readers must resolve the path on every checkout (:func:`current`); Whoosh keeps the folder
path it was opened with, so a searcher refreshed in place would stay on the old generation.
"""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

from kb.engine.manifest import fsync_path

GEN_SUFFIX = ".gen"
#: Generations kept after a swap: the current one and the one before it.
KEEP = 2


def gen_root(index_path: str | os.PathLike[str]) -> Path:
    """The folder holding the generations of ``index_path`` (``<index>.gen``)."""
    p = Path(index_path)
    return p.with_name(p.name + GEN_SUFFIX)


def current(index_path: str | os.PathLike[str]) -> Path:
    """The real folder ``index_path`` stands for now: the link's target, or the path itself
    (one ``readlink`` a call: a reader checks the link before each search, so a swapped
    generation is read at once)."""
    p = Path(index_path)
    try:
        target = os.readlink(p)
    except OSError:  # not a link (or not there)
        return p
    return _resolved(os.path.abspath(p), target)


@functools.lru_cache(maxsize=64)
def _resolved(path: str, target: str) -> Path:
    """The folder the link at the absolute ``path`` names while it holds ``target`` (the same
    link text names the same folder path)."""
    return Path(path).resolve()


def _numbers(root: Path) -> list[int]:
    if not root.is_dir():
        return []
    return sorted(int(c.name) for c in root.iterdir() if c.name.isdigit() and c.is_dir())


def _point(index_path: Path, target: Path) -> None:
    """Atomically make ``index_path`` a symlink to ``target`` (relative, so the pair moves)."""
    tmp = index_path.with_name(f".{index_path.name}.{os.getpid()}.link")
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, index_path.parent), tmp)
    os.replace(tmp, index_path)
    fsync_path(index_path.parent)


def migrate(index_path: str | os.PathLike[str]) -> Path:
    """Turn a real index folder into generation 0 behind a symlink; return the real folder.

    A missing path or one that is already a link is left alone.
    """
    p = Path(index_path)
    if p.is_symlink() or not p.exists():
        return current(p)
    root = gen_root(p)
    root.mkdir(parents=True, exist_ok=True)
    n = (_numbers(root) or [-1])[-1] + 1
    target = root / str(n)
    os.rename(p, target)
    _point(p, target)
    return target


def new_generation(index_path: str | os.PathLike[str]) -> Path:
    """Create and return the next empty generation folder for ``index_path``."""
    root = gen_root(index_path)
    root.mkdir(parents=True, exist_ok=True)
    n = max([*_numbers(root), -1]) + 1
    while True:
        folder = root / str(n)
        try:
            folder.mkdir()
        except FileExistsError:
            n += 1
            continue
        return folder


def swap(index_path: str | os.PathLike[str], generation: Path) -> list[Path]:
    """Make ``index_path`` point at ``generation`` (migrating a real folder first), then
    remove all but the newest :data:`KEEP` generations.  Returns the folders removed."""
    p = Path(index_path)
    if p.exists() and not p.is_symlink():
        migrate(p)
    p.parent.mkdir(parents=True, exist_ok=True)
    _point(p, generation)
    return prune(p)


def prune(index_path: str | os.PathLike[str], keep: int = KEEP) -> list[Path]:
    """Remove generation folders other than the current one and the ``keep - 1`` newest
    before it; failed or abandoned builds newer than the current one are removed too."""
    p = Path(index_path)
    root = gen_root(p)
    live = current(p)
    numbers = _numbers(root)
    try:
        live_n = int(live.name) if live.parent.resolve() == root.resolve() else None
    except ValueError:
        live_n = None
    older = [n for n in numbers if live_n is not None and n < live_n]
    kept = set(older[-(keep - 1) :]) if keep > 1 else set()
    removed = []
    for n in numbers:
        if n == live_n or n in kept:
            continue
        folder = root / str(n)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed
