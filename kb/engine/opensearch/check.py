"""``kb check`` for OpenSearch: the alias's documents against the local ingest manifest.

Reads the ``id``, ``doctype`` and ``source_key`` of every document behind the alias
(``search_after``, so any size), then applies the engine-neutral checks of
:mod:`kb.engine.checking`.  Never writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from kb.engine.checking import CheckReport, compare, lock_note, missing_sources
from kb.engine.manifest import MANIFEST_NAME, read_files
from kb.engine.opensearch.client import alias_name, connect

PAGE = 5000


def _documents(client: OpenSearch, alias: str) -> list[dict[str, Any]]:
    body: dict[str, Any] = {
        "query": {"match_all": {}},
        "size": PAGE,
        "sort": [{"id": "asc"}, {"doctype": "asc"}],
        "_source": ["id", "doctype", "source_key"],
    }
    docs: list[dict[str, Any]] = []
    while True:
        hits = client.search(index=alias, body=body)["hits"]["hits"]
        docs += [h["_source"] for h in hits]
        if len(hits) < PAGE:
            return docs
        body["search_after"] = hits[-1]["sort"]


def check_index(
    index_dir: Path,
    *,
    sources: bool = True,
    client: OpenSearch | None = None,
    alias: str | None = None,
) -> CheckReport:
    """Verify the OpenSearch index against the manifest in ``index_dir``; reports problems
    (an unreachable cluster included), never raises for them."""
    alias = alias or alias_name()
    report = CheckReport(Path(index_dir), unit="indices")
    try:
        client = client or connect()
        if not client.indices.exists_alias(name=alias):
            report.problems.append(f"no OpenSearch index {alias!r} at the cluster")
            return report
        indices = sorted(client.indices.get_alias(name=alias))
        report.counts["indices"] = len(indices)
        if len(indices) != 1:
            report.problems.append(f"alias {alias} points at {len(indices)} indices: {indices}")
        docs = _documents(client, alias)
    except OpenSearchException as exc:
        report.problems.append(f"the cluster cannot be read: {type(exc).__name__}: {exc}")
        return report
    if not (report.index_dir / MANIFEST_NAME).exists():
        report.problems.append(f"no {MANIFEST_NAME} in {index_dir} (not written by kb ingest?)")
        return report
    files = read_files(report.index_dir)
    report.counts["sources"] = sum(1 for e in files.values() if e.get("status") == "indexed")
    compare(docs, files, report)
    if sources:
        missing_sources(files, report)
    lock_note(report.index_dir, report)
    return report
