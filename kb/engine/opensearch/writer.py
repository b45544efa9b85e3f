"""Writing an OpenSearch index: bulk batches with retries, source replacement, rebuild by alias.

* **Bulk**: documents go in ``_bulk`` requests of at most :data:`BULK_DOCS` documents and
  :data:`BULK_BYTES` bytes.  A request failing with 429/502/503/504 or a connection error
  is retried with exponential backoff (:data:`RETRIES` times); items rejected with 429 are
  retried the same way; any other per-item error fails the commit with a
  :class:`BulkError` naming the documents and reasons (the manifest is then not updated).
* **Replacing a source** — new documents visible first, then delete-by-query: each commit
  has a ``batch`` token; its documents are written (an item keeps its id as ``_id``, so a
  changed item is overwritten in place, atomically per document), the index is refreshed,
  then the documents of the replaced sources *not* of this batch are deleted
  (``source_key`` in the batch's sources and ``batch`` ≠ token) and the index refreshed
  again.  A reader therefore never sees an item twice nor a source without its items; for
  the moment between the two refreshes it may still see items the new version dropped.
* **Rebuild** (``kb ingest --rebuild``): everything is written into a new index
  ``<alias>-<stamp>``; on success the alias moves to it in one ``_aliases`` request (atomic
  for readers) and the old indices are deleted; on failure the new index is deleted.
* The ingest manifest and the lock are files in the local state folder (``--index``/
  ``KB_INDEX``), as for the embedded engine (:mod:`kb.engine.manifest`).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OSConnectionError
from opensearchpy.exceptions import TransportError

from kb.engine.documents import item_document, meeting_document
from kb.engine.manifest import (
    MANIFEST_NAME,
    MANIFEST_VERSION,
    acquire_lock,
    atomic_write_text,
    manifest_lines,
    read_files,
    release_lock,
)
from kb.engine.opensearch.client import (
    alias_name,
    connect,
    ensure_template,
    new_index_name,
    to_source,
)
from kb.engine.placing import PlacingMixin
from kb.model import Meeting

#: documents per bulk request, and its largest body in bytes
BULK_DOCS = 500
BULK_BYTES = 5 * 2**20
#: retries of a bulk request (or of its items) refused as busy, and the first wait (s)
RETRIES = 5
BACKOFF = 0.5
RETRY_STATUS = {429, 502, 503, 504}


class BulkError(RuntimeError):
    """Documents the cluster refused; ``failures`` holds (document id, reason) pairs."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        shown = "; ".join(f"{i}: {r}" for i, r in failures[:10])
        more = f" (and {len(failures) - 10} more)" if len(failures) > 10 else ""
        super().__init__(f"OpenSearch refused {len(failures)} document(s): {shown}{more}")


def _chunks(actions: list[tuple[str, dict[str, Any]]]) -> Iterable[list[tuple[str, str]]]:
    """(id, JSON source) chunks within :data:`BULK_DOCS` and :data:`BULK_BYTES`."""
    chunk: list[tuple[str, str]] = []
    size = 0
    for doc_id, source in actions:
        line = json.dumps(source, ensure_ascii=False)
        if chunk and (len(chunk) >= BULK_DOCS or size + len(line) > BULK_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append((doc_id, line))
        size += len(line)
    if chunk:
        yield chunk


def bulk_index(
    client: OpenSearch,
    index: str,
    actions: list[tuple[str, dict[str, Any]]],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Index ``actions`` ((id, source) pairs) into ``index`` in bounded batches (see the module
    docstring); returns the number of bulk requests made.  Raises BulkError."""
    requests = 0
    failures: list[tuple[str, str]] = []
    for chunk in _chunks(actions):
        todo = chunk
        for attempt in range(RETRIES + 1):
            body = "".join(
                json.dumps({"index": {"_index": index, "_id": i}}) + "\n" + line + "\n"
                for i, line in todo
            )
            requests += 1
            try:
                result = client.bulk(body=body)
            except (OSConnectionError, TransportError) as exc:
                status = getattr(exc, "status_code", None)
                busy = isinstance(exc, OSConnectionError) or status in RETRY_STATUS
                if not busy or attempt == RETRIES:
                    raise
                sleep(BACKOFF * 2**attempt)
                continue
            retry: list[tuple[str, str]] = []
            by_id = dict(todo)
            for item in result.get("items", []):
                info = item.get("index", {})
                status = int(info.get("status", 200))
                if status < 300:
                    continue
                doc_id = str(info.get("_id"))
                if status in RETRY_STATUS and attempt < RETRIES:
                    retry.append((doc_id, by_id[doc_id]))
                else:
                    error = info.get("error", {})
                    reason = error.get("reason") if isinstance(error, dict) else str(error)
                    failures.append((doc_id, f"{status} {reason}"))
            if not retry:
                break
            todo = retry
            sleep(BACKOFF * 2**attempt)
    if failures:
        raise BulkError(failures)
    return requests


@dataclass
class _Pending:
    """A batch in the making (the same shape as the embedded engine's writer's)."""

    #: sources whose committed documents this batch replaces or removes
    deletes: list[str] = field(default_factory=list)
    #: single committed documents this batch removes, by id
    id_deletes: list[str] = field(default_factory=list)
    docs: list[dict[str, Any]] = field(default_factory=list)
    manifest: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    sources: int = 0


class OpenSearchWriterSession(PlacingMixin):
    """Exclusive, batched writing of the index behind the alias (see the module docstring);
    which meeting a file's meetings are is decided by :class:`kb.engine.placing.PlacingMixin`,
    as for the embedded engine."""

    def __init__(
        self,
        index_dir: str | Path,
        *,
        batch_size: int = 50,
        rebuild: bool = False,
        client: OpenSearch | None = None,
        alias: str | None = None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.batch_size = max(1, batch_size)
        self.rebuild = rebuild
        self.manifest: dict[str, dict[str, Any]] = {}
        self.commits = 0
        self.client = client or connect()
        self.alias = alias or alias_name()
        #: the index written: the alias's index, or a rebuild's new one
        self.target = ""
        self._pending = _Pending()
        self._lock: Path | None = None
        self._owners: dict[str, set[str]] = {}
        #: sources staged (put, recorded or removed) in this session
        self._touched: set[str] = set()
        #: what the embedded writer streams uncommitted (always empty here)
        self._bulk_keys: set[str] = set()
        #: council/committee -> meeting ids held, and those whose date was only guessed
        self._by_prefix: dict[str, set[str]] = {}
        self._weak: dict[str, set[str]] = {}

    # -- context
    def __enter__(self) -> OpenSearchWriterSession:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self._lock = acquire_lock(self.index_dir)
        try:
            self._open()
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None:
                self.commit(final=True)
                if self.rebuild:
                    self._swap()
                    self.save_manifest()
            elif self.rebuild and self.target:
                self.client.indices.delete(index=self.target, ignore_unavailable=True)
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock is not None:
            release_lock(self._lock)
            self._lock = None

    def _current(self) -> list[str]:
        """The indices the alias points at now (none when it does not exist)."""
        if not self.client.indices.exists_alias(name=self.alias):
            return []
        return sorted(self.client.indices.get_alias(name=self.alias))

    def _open(self) -> None:
        ensure_template(self.client, self.alias)
        current = self._current()
        if self.rebuild or not current:
            self.target = new_index_name(self.alias)
            self.client.indices.create(index=self.target)
            if not current:  # a first build: readers see it as it fills
                self.client.indices.put_alias(index=self.target, name=self.alias)
        else:
            self.target = current[0]
            self.manifest = read_files(self.index_dir)
        for key, entry in self.manifest.items():
            self._own(key, None, entry)

    def _swap(self) -> None:
        """Point the alias at the rebuilt index in one request, then drop the old indices."""
        old = [i for i in self._current() if i != self.target]
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": self.target, "alias": self.alias}})
        self.client.indices.update_aliases(body={"actions": actions})
        for index in old:
            self.client.indices.delete(index=index, ignore_unavailable=True)

    # -- the manifest
    def _flush_if_streamed(self, source_key: str) -> None:
        """Drop what this batch staged for ``source_key`` (it is about to be replaced)."""
        self._pending.docs = [d for d in self._pending.docs if d["source_key"] != source_key]

    def _stream(
        self, source_key: str, docs: list[dict[str, Any]], id_deletes: Iterable[str] = ()
    ) -> None:
        """Stage a source's new documents in the batch (and committed documents to delete
        by id: they go after the batch is visible, like a replaced source's)."""
        self._pending.docs.extend(docs)
        self._pending.id_deletes.extend(id_deletes)

    @staticmethod
    def _documents(meeting: Meeting, source_key: str) -> list[dict[str, Any]]:
        """The index documents of ``meeting`` read from ``source_key``: meeting, items."""
        docs = [meeting_document(meeting, source_key)]
        docs.extend(item_document(i, meeting, source_key) for i in meeting.items)
        return docs

    def _bump(self) -> None:
        self._pending.sources += 1
        if self._pending.sources >= self.batch_size:
            self.commit()

    # -- committing
    def commit(self, *, final: bool = False, flush: bool = False) -> None:
        """Write the staged batch (new documents first, then the replaced sources' old ones
        deleted, see the module docstring), then save the manifest."""
        pending, self._pending = self._pending, _Pending()
        if not (pending.manifest or pending.deletes or pending.docs or pending.id_deletes):
            return
        batch = uuid.uuid4().hex
        actions = [(d["id"], to_source(d, batch)) for d in pending.docs]
        bulk_index(self.client, self.target, actions)
        self.client.indices.refresh(index=self.target)
        stale = sorted({k for k in pending.deletes if k in self.manifest})
        gone = sorted(set(pending.id_deletes))
        if stale or gone:
            self.before_delete()
        for field_name, values in (("source_key", stale), ("id", gone)):
            for i in range(0, len(values), 1000):
                query = {
                    "bool": {
                        "filter": [{"terms": {field_name: values[i : i + 1000]}}],
                        "must_not": [{"term": {"batch": batch}}],
                    }
                }
                self.client.delete_by_query(
                    index=self.target, body={"query": query}, refresh=True, conflicts="proceed"
                )
        manifest = dict(self.manifest)
        for key, entry in pending.manifest.items():
            if entry is None:
                manifest.pop(key, None)
            else:
                manifest[key] = entry
        self.manifest = manifest
        self.commits += 1
        if not self.rebuild:  # a rebuild's manifest is saved when its index is swapped in
            self.save_manifest()

    def before_delete(self) -> None:
        """Called between a batch becoming visible and the old documents' deletion (a hook
        for tests that look at what a reader sees then)."""

    def save_manifest(self) -> None:
        """Replace the manifest file atomically."""
        lines = manifest_lines(MANIFEST_VERSION, self.commits, self.manifest)
        atomic_write_text(self.index_dir / MANIFEST_NAME, lines)
