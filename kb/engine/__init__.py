"""The search engine boundary and the choice of engine (``KB_ENGINE``).

Two engines implement it (:mod:`kb.engine.base` has the protocols): the embedded index in a
folder (the default, for one machine) and OpenSearch (``KB_ENGINE=opensearch``, for
collections that outgrow one machine).  Each lives in its own package under ``kb/engine/``
and nothing outside that package imports its library.  Callers use the functions here:

* :func:`open_reader` — the backend's :class:`~kb.engine.base.Reader` (wrapped by
  :class:`kb.service.SearchService`);
* :func:`open_writer` — a :class:`~kb.engine.base.WriterSession` for ``kb ingest``;
* :func:`check` — ``kb check``.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from kb.config import ENGINE_CHOICES, setting_default
from kb.engine.base import (
    Backend,
    CheckReport,
    IndexLockedError,
    IndexMissingError,
    IndexVersionError,
    Reader,
    WriterSession,
)

__all__ = [
    "IndexLockedError",
    "IndexMissingError",
    "IndexVersionError",
    "backend",
    "check",
    "engine_name",
    "open_reader",
    "open_writer",
]


def engine_name(explicit: str | None = None) -> str:
    """The engine to use: ``explicit``, else ``KB_ENGINE``, else the default (see
    :data:`kb.config.ENGINE_CHOICES`).  Raises ValueError for an unknown name."""
    name = (explicit or os.environ.get("KB_ENGINE") or setting_default("engine")).strip().lower()
    if name not in ENGINE_CHOICES:
        raise ValueError(f"KB_ENGINE must be one of {', '.join(ENGINE_CHOICES)}, not {name!r}")
    return name


def backend(explicit: str | None = None) -> Backend:
    """The backend module of the chosen engine (imported on first use)."""
    module: Any = importlib.import_module(f"kb.engine.{engine_name(explicit)}.backend")
    return module.BACKEND  # type: ignore[no-any-return]


def open_reader(index_dir: str | Path, *, engine: str | None = None, **options: Any) -> Reader:
    """A reader of the index at ``index_dir`` (the folder of the embedded index; for
    OpenSearch the folder keeping the ingest manifest).  Raises IndexMissingError."""
    return backend(engine).open_reader(Path(index_dir), **options)


def open_writer(
    index_dir: str | Path,
    *,
    engine: str | None = None,
    batch_size: int = 50,
    rebuild: bool = False,
) -> WriterSession:
    """An ingest session writing the index at ``index_dir`` (use it as a context manager)."""
    return backend(engine).open_writer(Path(index_dir), batch_size=batch_size, rebuild=rebuild)


def check(index_dir: str | Path, *, engine: str | None = None, sources: bool = True) -> CheckReport:
    """Verify the index against its ingest manifest (``kb check``)."""
    return backend(engine).check(Path(index_dir), sources=sources)
