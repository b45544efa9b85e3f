"""``kb check``: verify an index against itself and against its ingest manifest.

:func:`check_index` opens every segment, reads every stored document and every term, and
compares what the index holds with ``manifest.json``:

* every source the manifest lists as indexed has its meeting document and exactly its items;
* no document belongs to a source the manifest does not list (a half-applied batch);
* every source file still exists (else ``kb ingest --prune`` is due).

It never writes: a pending manifest is read as :func:`indexer.write.read_manifest` reads it.
"""

from __future__ import annotations

import gc
import json
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index

from indexer import generations
from indexer.identity import source_doc_id
from indexer.placing import held_ids
from indexer.write import (
    LOCK_NAME,
    MANIFEST_NAME,
    PENDING_NAME,
    _pending_manifest,
    _pid_alive,
    latest_generation,
    read_manifest,
)

#: Problems listed one by one before they are summarised as "… and N more".
SHOW = 20


@dataclass
class CheckReport:
    """The outcome of :func:`check_index`: ``problems`` make it fail; ``notes`` do not."""

    index_dir: Path
    folder: Path | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The human report: problems, notes, then a one-line verdict."""
        out = [f"PROBLEM: {p}" for p in self.problems[:SHOW]]
        if len(self.problems) > SHOW:
            out.append(f"PROBLEM: … and {len(self.problems) - SHOW} more")
        out += [f"note: {n}" for n in self.notes]
        c = self.counts
        facts = (
            f"{c['items']} items, {c['meetings']} meetings, {c['sources']} sources, "
            f"{c['segments']} segments"
        )
        where = f" in {self.folder}" if self.folder and self.folder != self.index_dir else ""
        if self.ok:
            out.append(f"OK {self.index_dir}{where}: {facts}")
        else:
            out.append(f"FAILED {self.index_dir}{where}: {len(self.problems)} problem(s); {facts}")
        return out


def _open_segment(ix: Any, seg: Any) -> tuple[Any | None, str]:
    """A reader for one segment, or None and why it cannot be opened.  Whoosh leaves a
    damaged segment's file open when opening fails; it is closed here, quietly, as the
    exception (which holds it) is dropped."""
    from whoosh.reading import SegmentReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return SegmentReader(ix.storage, ix.schema, seg), ""
        except Exception as exc:  # noqa: BLE001 - any failure here is the finding
            error = f"{type(exc).__name__}: {exc}"
        gc.collect()
    return None, error


def _read_segments(ix: Any, report: CheckReport) -> list[dict[str, Any]]:
    """Every stored document of every segment (deleted ones skipped); reading problems are
    reported per segment."""
    docs: list[dict[str, Any]] = []
    try:
        segments = ix._segments()
    except Exception as exc:  # noqa: BLE001 - any failure here is the finding
        report.problems.append(f"cannot list the index segments: {type(exc).__name__}: {exc}")
        return docs
    report.counts["segments"] = len(segments)
    for seg in segments:
        name = f"segment {seg.segment_id()}"
        reader, error = _open_segment(ix, seg)
        if reader is None:
            report.problems.append(f"{name} cannot be opened: {error}")
            continue
        try:
            for _term in reader.all_terms():
                pass
            for docnum in range(reader.doc_count_all()):
                if not reader.is_deleted(docnum):
                    docs.append(dict(reader.stored_fields(docnum)))
        except Exception as exc:  # noqa: BLE001
            report.problems.append(f"{name} is damaged: {type(exc).__name__}: {exc}")
        finally:
            reader.close()
    return docs


def _compare(docs: list[dict[str, Any]], files: dict[str, Any], report: CheckReport) -> None:
    """Index documents against manifest entries, source by source."""
    items: dict[str, set[str]] = defaultdict(set)
    meetings: dict[str, set[str]] = defaultdict(set)
    sources: dict[str, set[str]] = defaultdict(set)  # a file merged into another's meeting
    ids: Counter[str] = Counter()
    for d in docs:
        ids[d.get("id", "")] += 1
        doctype = d.get("doctype")
        kind = items if doctype == "item" else sources if doctype == "source" else meetings
        kind[d.get("source_key", "")].add(d.get("id", ""))
    report.counts["items"] = sum(len(v) for v in items.values())
    report.counts["meetings"] = sum(len(v) for v in meetings.values())
    for doc_id, n in ids.items():
        if n > 1:
            report.problems.append(f"{doc_id} is in the index {n} times")
    report.counts["merged sources"] = sum(len(v) for v in sources.values())
    for key in sorted(set(items) | set(meetings) | set(sources)):
        entry = files.get(key)
        if entry is None or entry.get("status") != "indexed":
            n = len(items.get(key, ()))
            report.problems.append(
                f"{n} items from {key} are in the index but the manifest "
                f"{'does not list it' if entry is None else 'says ' + entry.get('status', '?')}"
            )
    for key, entry in sorted(files.items()):
        if entry.get("status") != "indexed":
            continue
        want, have = set(entry.get("item_ids", [])), items.get(key, set())
        if want != have:
            report.problems.append(
                f"{key}: the manifest lists {len(want)} items, the index holds {len(have)} "
                f"({len(want - have)} missing, {len(have - want)} unexpected)"
            )
        for mid in held_ids(entry):
            if mid not in meetings.get(key, set()):
                report.problems.append(f"{key}: meeting {mid} is not in the index")
        for mid in entry.get("merged_into", []):
            if source_doc_id(key, mid) not in sources.get(key, set()):
                report.problems.append(f"{key}: its record as a source of {mid} is missing")


def _read_files(folder: Path, report: CheckReport) -> dict[str, Any] | None:
    if not (folder / MANIFEST_NAME).exists() and not (folder / PENDING_NAME).exists():
        report.problems.append(f"no {MANIFEST_NAME} (the index was not written by kb ingest?)")
        return None
    try:
        files = read_manifest(folder)
        raw = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        report.problems.append(f"{MANIFEST_NAME} cannot be read: {exc}")
        return None
    if (folder / PENDING_NAME).exists():
        report.notes.append(f"{PENDING_NAME} present: a commit in flight or cut short")
    gen = raw.get("generation")
    in_flight = _pending_manifest(folder) is not None
    if gen is not None and not in_flight and gen != latest_generation(folder):
        report.problems.append(
            f"{MANIFEST_NAME} describes commit {gen} but the index is at commit "
            f"{latest_generation(folder)}"
        )
    return files


def check_index(index_dir: str | Path, *, sources: bool = True) -> CheckReport:
    """Verify the index at ``index_dir`` (see the module docstring); never raises for a
    damaged index, reports it.  ``sources=False`` skips the source-file existence check."""
    report = CheckReport(Path(index_dir))
    path = report.index_dir
    if path.is_symlink() and not path.exists():
        report.problems.append(f"{path} links to {path.readlink()}, which does not exist")
        return report
    folder = report.folder = generations.current(path)
    if not folder.is_dir() or not index.exists_in(str(folder)):
        report.problems.append(f"no index at {path}")
        return report
    try:
        ix = index.open_dir(str(folder))
    except Exception as exc:  # noqa: BLE001
        report.problems.append(f"the index cannot be opened: {type(exc).__name__}: {exc}")
        return report
    try:
        docs = _read_segments(ix, report)
    finally:
        ix.close()
    files = _read_files(folder, report)
    if files is None:
        return report
    report.counts["sources"] = sum(1 for e in files.values() if e.get("status") == "indexed")
    if not report.problems:  # item counts mean little when segments could not be read
        _compare(docs, files, report)
    if sources:
        gone = [
            k for k, e in files.items() if e.get("status") == "indexed" and not Path(k).exists()
        ]
        for key in sorted(gone):
            n = len(files[key].get("item_ids", []))
            report.problems.append(
                f"source file gone: {key} ({n} items; run kb ingest --prune to drop them)"
            )
    lock = folder / LOCK_NAME
    if lock.exists():
        try:
            pid = int(lock.read_text(encoding="ascii").strip() or "0")
        except (OSError, ValueError):
            pid = 0
        state = "running" if _pid_alive(pid) else "stale: the next ingest takes it over"
        report.notes.append(f"ingest lock held by pid {pid} ({state})")
    return report
