"""OpenSearch as a :class:`kb.engine.base.Backend` (``KB_ENGINE=opensearch``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.engine.base import CheckReport, Reader, WriterSession


class OpenSearchBackend:
    """Opens readers and writer sessions on the cluster at ``KB_OPENSEARCH_URL``; the index
    folder holds the ingest manifest and lock."""

    name = "opensearch"

    def open_reader(self, index_dir: Path, **options: Any) -> Reader:
        """A reader of the alias; raises IndexMissingError when it does not exist."""
        from kb.engine.opensearch.reader import OpenSearchReader

        return OpenSearchReader(index_dir, **options)

    def open_writer(
        self, index_dir: Path, *, batch_size: int = 50, rebuild: bool = False
    ) -> WriterSession:
        """An ingest session (bulk writes; a rebuild swaps the alias at the end)."""
        from kb.engine.opensearch.writer import OpenSearchWriterSession

        return OpenSearchWriterSession(index_dir, batch_size=batch_size, rebuild=rebuild)

    def check(self, index_dir: Path, *, sources: bool = True) -> CheckReport:
        """Compare the alias's documents with the manifest."""
        from kb.engine.opensearch.check import check_index

        return check_index(index_dir, sources=sources)


BACKEND = OpenSearchBackend()
