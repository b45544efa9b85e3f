"""The embedded engine as a :class:`kb.engine.base.Backend`: a Whoosh index in one folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.engine.base import CheckReport, Reader, WriterSession


class WhooshBackend:
    """Opens :class:`~kb.engine.whoosh.search.WhooshReader` and
    :class:`~kb.engine.whoosh.write.IndexWriterSession` on an index folder."""

    name = "whoosh"

    def open_reader(self, index_dir: Path, **options: Any) -> Reader:
        """A reader of the index folder (options: ``pool_size``, ``expander``, ``cache_size``,
        ``postings_cache_mb``); raises IndexMissingError when there is no index.  The
        ``settings`` option is ignored: the folder is all this engine needs."""
        from kb.engine.whoosh.search import WhooshReader

        options.pop("settings", None)
        return WhooshReader(index_dir, **options)

    def open_writer(
        self, index_dir: Path, *, batch_size: int = 50, rebuild: bool = False
    ) -> WriterSession:
        """An ingest session on the folder (created when missing)."""
        from kb.engine.whoosh.write import IndexWriterSession

        return IndexWriterSession(index_dir, batch_size=batch_size, rebuild=rebuild)

    def check(self, index_dir: Path, *, sources: bool = True) -> CheckReport:
        """Read every segment and stored document and compare with the manifest."""
        from kb.engine.whoosh.check import check_index

        return check_index(index_dir, sources=sources)


BACKEND = WhooshBackend()
