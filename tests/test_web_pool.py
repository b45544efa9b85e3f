"""web.pool: the SearchService is opened lazily, once per process, and retried when missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from web.pool import IndexUnavailable, ServiceHolder


def test_opens_lazily_once_per_process(seed_index: Path) -> None:
    holder = ServiceHolder(seed_index, pool_size=2)
    assert holder._service is None  # nothing opened at construction
    first = holder.get()
    assert holder.get() is first and first._pool_size == 2
    holder._pid = os.getpid() + 1  # as if this object had been inherited through fork()
    second = holder.get()
    assert second is not first and holder._pid == os.getpid()
    first.close()
    second.close()


def test_missing_index_is_retried_once_built(tmp_path: Path, tmp_index) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "later"
    holder = ServiceHolder(folder)
    with pytest.raises(IndexUnavailable, match="no index at"):
        holder.get()
    tmp_index(index_dir=folder)  # the seed, ingested after the app started
    service = holder.get()
    assert service.stats()["items"] > 0
    service.close()
