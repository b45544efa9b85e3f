"""The only writer of the index: lock, batched atomic commits, fsync, and the ingest manifest.

Usage::

    with IndexWriterSession(index_dir) as session:
        if session.status_of(key, digest) != "unchanged":
            session.put(key, digest, meeting)      # replaces that source's items
        session.prune(lambda key: Path(key).exists())

* One ingest at a time: ``kb-ingest.lock`` in the index folder holds the writer's pid.  A lock
  held by a live process raises :class:`IndexLockedError`; a lock left by a dead process is
  taken over.
* Work is staged and committed in batches (``batch_size`` sources per commit).  A source's
  old documents are deleted by ``source_key`` and its new ones added in the same commit, so a
  reader sees either the old or the new version, never both or neither.
* After each Whoosh commit the new files and the folder are fsynced (Whoosh does not), then
  ``manifest.json`` (source key → content hash, meeting id, item ids, status) is replaced
  atomically (temp file + fsync + rename).  The manifest a commit makes true is written first
  as ``manifest.pending.json`` tagged with the Whoosh generation; a crash between the two is
  settled by :func:`recover_manifest`, so the manifest always describes the index exactly.
* ``rebuild=True`` builds a new generation beside the live index and swaps it in atomically
  on success (:mod:`kb.engine.whoosh.generations`); readers never see a half-built index.
  It streams documents into one writer and commits a segment every ``segment_items``
  documents (setting ``KB_SEGMENT_ITEMS``), so no single commit grows with the collection.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index

from kb import config
from kb.engine.base import IndexLockedError, IndexVersionError
from kb.engine.documents import (
    SPELLING_HOLDERS,
    SpellingHolders,
    item_document,
    meeting_document,
    meeting_words,
)
from kb.engine.manifest import (
    LOCK_NAME,
    MANIFEST_NAME,
    MANIFEST_VERSION,
    PackedManifest,
    acquire_lock,
    atomic_write_text,
    content_hash,
    manifest_lines,
    read_packed,
    release_lock,
)
from kb.engine.placing import PlacingMixin
from kb.engine.whoosh import bulk as whoosh_writer
from kb.engine.whoosh import generations, preanalysis
from kb.engine.whoosh.bodies import stored_layout
from kb.engine.whoosh.phrases import PAIR_SUFFIX
from kb.engine.whoosh.search import SCHEMA
from kb.model import Meeting

__all__ = [
    "SPELLING_HOLDERS",
    "IndexLockedError",
    "IndexWriterSession",
    "SpellingHolders",
    "acquire_lock",
    "atomic_write_text",
    "content_hash",
    "item_document",
    "meeting_document",
    "meeting_words",
    "read_manifest",
    "release_lock",
]

#: The manifest of a commit in flight, written before the Whoosh commit (see ``commit``).
PENDING_NAME = "manifest.pending.json"


@dataclass
class _Pending:
    deletes: list[str] = field(default_factory=list)
    #: single documents to delete by id (a copy's meeting handed to a better copy)
    id_deletes: list[str] = field(default_factory=list)
    docs: list[dict[str, Any]] = field(default_factory=list)
    #: source key -> its new entry (None: removed)
    manifest: PackedManifest = field(default_factory=PackedManifest)
    sources: int = 0


class IndexWriterSession(PlacingMixin):
    """Exclusive, batched writing of one index folder (see the module docstring); which
    meeting a file's meetings are (new, renamed, or copies merged in) is decided by
    :class:`kb.engine.placing.PlacingMixin`."""

    def __init__(
        self,
        index_dir: str | Path,
        *,
        batch_size: int = 50,
        rebuild: bool = False,
        segment_items: int | None = None,
    ):
        self.index_dir = Path(index_dir)
        self.batch_size = max(1, batch_size)
        self.rebuild = rebuild
        #: rebuild only: documents per segment (0: one segment); setting ``segment_items``
        self.segment_items = max(
            0, config.get("segment_items") if segment_items is None else segment_items
        )
        #: seconds each commit took (the Whoosh commit, fsync and manifest), in order
        self.commit_seconds: list[float] = []
        #: source key -> entry as committed (packed: see ``PackedManifest``)
        self.manifest = PackedManifest()
        self.commits = 0
        self._pending = _Pending()
        self._lock: Path | None = None
        self._ix: Any = None
        self._target: Path | None = None  # with rebuild: the index path swapped at the end
        self._gen_lock: Path | None = None
        #: meeting id -> the source whose indexed meeting it is, or a set when several are
        self._owners: dict[str, str | set[str]] = {}
        #: sources staged (put, recorded or removed) in this session
        self._touched: set[str] = set()
        #: council/committee -> ids of meetings held (ever, this session; check _owners),
        #: and of those whose date was only guessed: where copies under another id are sought
        self._by_prefix: dict[str, set[str]] = {}
        self._weak: dict[str, set[str]] = {}
        #: rebuild only: the one Whoosh writer documents stream into (see ``_bulk_writer``)
        self._bulk: Any = None
        self._bulk_keys: set[str] = set()
        self._bulk_docs = 0  # documents in ``_bulk`` since its last commit
        #: rebuild only: word -> meeting documents carrying it in ``words`` so far
        self._spelling = SpellingHolders() if rebuild else None
        #: postings of the file being staged, analysed by an ingest worker (offer_analysis)
        self._offered: preanalysis.Analysed = {}

    # -- context
    def __enter__(self) -> IndexWriterSession:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self._lock = acquire_lock(self.index_dir)
        try:
            self._open()
        except BaseException:
            self._release(swap=False)
            raise
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        ok = False
        try:
            if exc_type is None:
                self.commit(final=True)
                ok = True
        finally:
            self._release(swap=ok)

    def _release(self, *, swap: bool) -> None:
        """Close the index; a rebuild is swapped in (``swap``) or its folder removed; unlock."""
        if self._bulk is not None:  # an unfinished rebuild: drop its writer and temp files
            self._bulk.cancel()
            self._bulk = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None
        if self._target is not None:
            if swap:
                generations.swap(self._target, self.index_dir)
            else:
                shutil.rmtree(self.index_dir, ignore_errors=True)
        for lock in (self._gen_lock, self._lock):
            if lock is not None:
                release_lock(lock)

    def _open(self) -> None:
        if self.rebuild:  # build a new generation beside the live one; swapped in on exit
            self._target = self.index_dir
            self._lock = generations.migrate(self._target) / LOCK_NAME
            self.index_dir = generations.new_generation(self._target)
            self._gen_lock = acquire_lock(self.index_dir)  # seen through the link after swap
        recover_manifest(self.index_dir)
        if index.exists_in(str(self.index_dir)):
            self._ix = index.open_dir(str(self.index_dir))
            missing = set(SCHEMA.names()) - set(self._ix.schema.names())
            # an index from before the phrase pair fields is still written (without them)
            if set(self._ix.schema.names()) - set(SCHEMA.names()) or any(
                not name.endswith(PAIR_SUFFIX) for name in missing
            ):
                raise IndexVersionError(
                    f"the index at {self.index_dir} was built by another version; "
                    "run kb ingest --rebuild"
                )
        else:
            self._ix = index.create_in(str(self.index_dir), SCHEMA)
            self._fsync_new(set())
        path = self.index_dir / MANIFEST_NAME
        if self.rebuild:
            self.save_manifest()
        elif path.exists():  # each entry indexed (``_own``) as it is read
            self.manifest = read_packed(path, lambda key, entry: self._own(key, None, entry))

    # -- term analysis done by the ingest worker
    #: run by an ingest worker on a file's meetings (by name: a module-level function); its
    #: result is handed to :meth:`offer_analysis` before the file is staged
    worker_analysis = staticmethod(preanalysis.analyse)

    def offer_analysis(self, analysed: preanalysis.Analysed) -> None:
        """Use ``analysed`` (:func:`preanalysis.analyse` of the next file's meetings) for
        the documents of the next file staged, instead of analysing their text again."""
        self._offered = analysed

    # -- queries about the manifest
    def _documents(self, meeting: Meeting, source_key: str) -> list[dict[str, Any]]:
        """The index documents of ``meeting`` read from ``source_key``: meeting, items
        (with the postings an ingest worker analysed for them, see ``offer_analysis``)."""
        docs = [meeting_document(meeting, source_key, self._spelling)]
        for item in meeting.items:
            doc = item_document(item, meeting, source_key)
            if self._offered:
                preanalysis.attach(doc, self._offered)
            docs.append(stored_layout(doc))  # a long body's rest apart (.bodies)
        return docs

    # -- rebuilds: one writer, a segment per ``segment_items`` documents
    def _stream(
        self, source_key: str, docs: list[dict[str, Any]], id_deletes: Iterable[str] = ()
    ) -> None:
        """Add a rebuild's documents straight to its Whoosh writer.

        A rebuild is invisible until it is swapped in and is discarded if it fails:
        documents are analysed once and written once (no merges), and Whoosh sorts postings
        in runs of :data:`REBUILD_LIMIT_MB` on disk, so memory stays bounded whatever the
        size.  Once the writer holds ``segment_items`` documents it is committed as one
        segment (a source's documents are never split) and the next documents go to a new
        one: each commit writes at most about ``segment_items`` documents, however large
        the rebuild.
        """
        self._flush_if_streamed(source_key)
        if self._bulk is None:
            self._bulk = whoosh_writer.writer(self._ix, limitmb=REBUILD_LIMIT_MB, compound=False)
        writer = self._bulk
        try:
            if source_key in self.manifest:
                writer.delete_by_term("source_key", source_key)
            for doc_id in id_deletes:  # committed documents only (see PlacingMixin)
                writer.delete_by_term("id", doc_id)
            for doc in docs:
                writer.add_document(**doc)
        except BaseException:
            self._bulk = None
            writer.cancel()
            raise
        self._bulk_keys.add(source_key)
        self._bulk_docs += len(docs)  # committed by ``_bump`` with the source's entry

    def _flush_if_streamed(self, source_key: str) -> None:
        """Commit the rebuild's writer before a source it holds is replaced or removed (an
        uncommitted document cannot be deleted); never happens in a plain rebuild."""
        if source_key in self._bulk_keys:
            self.commit(flush=True)

    def _bump(self) -> None:
        """Count a staged source; commit a full batch (a rebuild: a full segment)."""
        self._pending.sources += 1
        if self.rebuild:
            if self.segment_items and self._bulk_docs >= self.segment_items:
                self.commit(flush=True)
        elif self._pending.sources >= self.batch_size:
            self.commit()

    # -- committing
    def commit(self, *, final: bool = False, flush: bool = False) -> None:
        """Apply the staged batch as one Whoosh commit, fsync it, then save the manifest.

        Batches are written as new segments without merging until there are
        ``MAX_SEGMENTS`` of them (then the small ones are merged); the ``final`` commit of a
        session merges small segments by Whoosh's small-segment policy (which never merges
        segments of ``segment_items`` documents: a rebuild keeps its segments).  Each
        document is written once per merge level instead of at every commit.  A rebuild
        commits at the end, each ``segment_items`` documents, or to ``flush`` its writer
        (see ``_stream``).  The seconds each commit took are appended to ``commit_seconds``.
        """
        if self.rebuild and not (final or flush):
            return
        pending, self._pending = self._pending, _Pending()
        empty = not (pending.manifest or pending.deletes or pending.docs or pending.id_deletes)
        merge = _merge_policy(final=final, optimize=self.rebuild)
        if empty and self._bulk is None and not (final and len(self._ix._segments()) > 1):
            return
        started = time.perf_counter()
        before = {p.name for p in self.index_dir.iterdir()}
        writer, self._bulk = self._bulk or whoosh_writer.writer(self._ix), None
        self._bulk_keys.clear()
        self._bulk_docs = 0
        try:
            for key in dict.fromkeys(pending.deletes):
                if key in self.manifest:  # only committed sources can have documents
                    writer.delete_by_term("source_key", key)
            for doc_id in dict.fromkeys(pending.id_deletes):
                writer.delete_by_term("id", doc_id)
            for doc in pending.docs:
                writer.add_document(**doc)
        except BaseException:
            writer.cancel()
            raise
        manifest = self.manifest.copy()
        manifest.apply(pending.manifest)
        # Two-phase: the manifest this commit will make true is written first, tagged with
        # the Whoosh generation; a crash after the Whoosh commit is settled by
        # recover_manifest(), so the manifest and the index always agree.
        self._write_manifest(manifest, PENDING_NAME, writer.generation)
        writer.commit(mergetype=merge)
        _save_facet_arrays(self.index_dir)
        self._fsync_new(before)
        self.manifest = manifest
        self.save_manifest()
        (self.index_dir / PENDING_NAME).unlink(missing_ok=True)
        self.commits += 1
        self.commit_seconds.append(time.perf_counter() - started)

    def _fsync_new(self, before: set[str]) -> None:
        for path in self.index_dir.iterdir():
            if path.is_file() and (path.name not in before or path.suffix == ".toc"):
                generations.fsync_path(path)
        generations.fsync_path(self.index_dir)

    def save_manifest(self) -> None:
        self._write_manifest(self.manifest, MANIFEST_NAME, self._ix.latest_generation())

    def _write_manifest(self, files: PackedManifest, name: str, generation: int) -> None:
        lines = manifest_lines(MANIFEST_VERSION, generation, files)
        atomic_write_text(self.index_dir / name, lines)


#: Memory (MB, by Whoosh's estimate) a rebuild's writer fills with postings before sorting a
#: run to disk.  The pool is most of a rebuild's memory (at 256 it held ~300 MiB of RSS);
#: 128 keeps runs large enough that a 100,000-document segment merges a few dozen of them.
REBUILD_LIMIT_MB = 128
#: Segments an ingest may leave unmerged between commits (searching cost grows with them).
MAX_SEGMENTS = 12
#: Merge a rebuilt index into one segment at the end (off: it costs a full rewrite).
OPTIMIZE_REBUILD = False


def _save_facet_arrays(index_dir: Path) -> None:
    """Save the facet arrays of new segments beside them (``segcache``), so a web process
    opening the index loads them instead of reading every facet posting list (at 100k items
    that is most of its start-up), and their frequent words' decoded postings
    (``postcache``, read by scoring).  Only caches: a failure to save is not the commit's."""
    from kb.engine.whoosh import postcache, segcache

    with contextlib.suppress(Exception):  # noqa: BLE001 - a cache must never fail a commit
        segcache.write_missing(index_dir)
    with contextlib.suppress(Exception):  # noqa: BLE001 - the same for decoded postings
        postcache.write_missing(index_dir)


def _merge_policy(*, final: bool, optimize: bool) -> Any:
    """The Whoosh merge policy of a commit (see :meth:`IndexWriterSession.commit`)."""
    from whoosh import writing

    if final:
        return writing.OPTIMIZE if optimize and OPTIMIZE_REBUILD else writing.MERGE_SMALL

    def merge_when_many(writer: Any, segments: list[Any]) -> list[Any]:
        if len(segments) < MAX_SEGMENTS:
            return segments
        return writing.MERGE_SMALL(writer, segments)

    return merge_when_many


def _pending_manifest(index_dir: Path) -> dict[str, Any] | None:
    """The pending manifest when its commit reached the index (Whoosh generation matches)."""
    path = index_dir / PENDING_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if raw.get("generation") == latest_generation(index_dir):
        return dict(raw)
    return None


def latest_generation(index_dir: str | Path) -> int:
    """The newest Whoosh commit (TOC generation) in ``index_dir``; -1 when there is none."""
    from whoosh.filedb.filestore import FileStorage

    storage = FileStorage(str(index_dir))
    return int(index.TOC._latest_generation(storage, index._DEF_INDEX_NAME))


def recover_manifest(index_dir: str | Path) -> None:
    """Settle a commit interrupted between the Whoosh commit and the manifest rename:
    promote the pending manifest if its Whoosh commit happened, else discard it."""
    folder = Path(index_dir)
    path = folder / PENDING_NAME
    if not path.exists():
        return
    if _pending_manifest(folder) is not None:
        os.replace(path, folder / MANIFEST_NAME)
        generations.fsync_path(folder)
    else:
        path.unlink(missing_ok=True)


def read_manifest(index_dir: str | Path) -> dict[str, dict[str, Any]]:
    """The manifest's entries (source key → entry); empty when there is none."""
    pending = _pending_manifest(Path(index_dir))
    if pending is not None:  # a commit in flight (or cut short) that reached the index
        return dict(pending.get("files", {}))
    path = Path(index_dir) / MANIFEST_NAME
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")).get("files", {}))
