"""``kb check``: verify an index against itself and against its ingest manifest.

:func:`check_index` opens every segment, reads every stored document and every term, and
compares what the index holds with ``manifest.json``:

* every source the manifest lists as indexed has its meeting document and exactly its items;
* no document belongs to a source the manifest does not list (a half-applied batch);
* every source file still exists (else ``kb ingest --prune`` is due).

It never writes: a pending manifest is read as :func:`~.write.read_manifest`
reads it.
"""

from __future__ import annotations

import gc
import json
import warnings
from pathlib import Path
from typing import Any

from whoosh import index

from kb.engine.checking import CheckReport, compare, lock_note, missing_sources
from kb.engine.manifest import MANIFEST_NAME
from kb.engine.whoosh import generations
from kb.engine.whoosh.write import (
    PENDING_NAME,
    _pending_manifest,
    latest_generation,
    read_manifest,
)


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
        compare(docs, files, report)
    if sources:
        missing_sources(files, report)
    lock_note(folder, report)
    return report
