"""``kb check``'s engine-neutral half: the report, and index documents against the manifest.

Each backend reads its documents (``id``, ``doctype``, ``source_key`` of each) and its
manifest, then calls :func:`compare`, :func:`missing_sources` and :func:`lock_note`:

* every source the manifest lists as indexed has its meeting document and exactly its items;
* no document belongs to a source the manifest does not list (a half-applied batch);
* every source file still exists (else ``kb ingest --prune`` is due).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.engine.identity import source_doc_id
from kb.engine.manifest import LOCK_NAME, pid_alive
from kb.engine.placing import held_ids

#: Problems listed one by one before they are summarised as "… and N more".
SHOW = 20


@dataclass
class CheckReport:
    """The outcome of a check: ``problems`` make it fail; ``notes`` do not.  ``unit`` names
    what the index is made of in the verdict line (segments, shards)."""

    index_dir: Path
    folder: Path | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    unit: str = "segments"

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
            f"{c[self.unit]} {self.unit}"
        )
        where = f" in {self.folder}" if self.folder and self.folder != self.index_dir else ""
        if self.ok:
            out.append(f"OK {self.index_dir}{where}: {facts}")
        else:
            out.append(f"FAILED {self.index_dir}{where}: {len(self.problems)} problem(s); {facts}")
        return out


def compare(docs: list[dict[str, Any]], files: dict[str, Any], report: CheckReport) -> None:
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


def missing_sources(files: dict[str, Any], report: CheckReport) -> None:
    """A problem for each indexed source whose file is gone."""
    gone = [k for k, e in files.items() if e.get("status") == "indexed" and not Path(k).exists()]
    for key in sorted(gone):
        n = len(files[key].get("item_ids", []))
        report.problems.append(
            f"source file gone: {key} ({n} items; run kb ingest --prune to drop them)"
        )


def lock_note(folder: Path, report: CheckReport) -> None:
    """A note when the ingest lock in ``folder`` is held (by a live or a dead process)."""
    lock = folder / LOCK_NAME
    if lock.exists():
        try:
            pid = int(lock.read_text(encoding="ascii").strip() or "0")
        except (OSError, ValueError):
            pid = 0
        state = "running" if pid_alive(pid) else "stale: the next ingest takes it over"
        report.notes.append(f"ingest lock held by pid {pid} ({state})")
