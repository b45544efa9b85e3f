"""What ``kb ingest`` tells about each file (:class:`FileResult`) and about a whole run
(:class:`IngestReport`); :mod:`indexer.pipeline` makes them."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FileResult:
    """What happened to one file: status is new / changed / unchanged / not-minutes /
    merged / failed.  ``merged`` (meeting id -> the source already holding it) lists the
    file's meetings that were the same meeting as one already indexed: the file is recorded
    as a further source of each; a file whose every meeting was merged has status merged."""

    path: Path
    status: str
    items: int = 0
    meeting_id: str | None = None
    warnings: list[str] = field(default_factory=list)
    message: str = ""
    meeting_ids: list[str] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)
    #: meeting id -> the source whose copy of it this better copy replaced (now merged)
    took_over: dict[str, str] = field(default_factory=dict)

    def shown(self, source: str) -> str:
        """``source`` (a source key: an absolute path) written the way this file's own path
        was given, so one line names both alike: relative to the working directory when
        this path is relative, else as stored (so too a key that is not a path)."""
        if self.path.is_absolute() or not Path(source).is_absolute():
            return source
        try:
            return os.path.relpath(source)
        except ValueError:  # another drive (Windows): no relative form
            return source

    def line(self) -> str:
        """One human line for ``kb ingest``."""
        if self.status == "failed":
            return f"FAILED {self.path}: {self.message}"
        if self.status == "not-minutes":
            reason = self.message
            if not reason.startswith("not a minutes document"):
                reason = f"not a minutes document: {reason}"
            return f"skipped {self.path}: {reason}"
        if self.status == "unchanged":
            return f"unchanged {self.path}"
        merged = "; ".join(
            [
                f"merged with {mid} (same meeting as {self.shown(src)})"
                for mid, src in self.merged.items()
            ]
            + [
                f"merged with {mid} (a better copy than {self.shown(src)}, which stays a source)"
                for mid, src in self.took_over.items()
            ]
        )
        if self.status == "merged":
            return f"merged {self.path}: {merged}"
        warn = f", {len(self.warnings)} warning(s)" if self.warnings else ""
        ids = ", ".join(self.meeting_ids or [self.meeting_id or ""])
        tail = f"; {merged}" if merged else ""
        return f"{self.status} {self.path}: {self.items} items{warn} ({ids}){tail}"


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(r.status for r in self.results)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    def summary(self) -> str:
        c = self.counts
        text = (
            f"{c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged, "
            f"{c['failed']} failed"
        )
        extra = [f"{c['not-minutes']} not-minutes"] if c["not-minutes"] else []
        # files recorded as a further copy of a meeting: merged ones, and the copies that a
        # better copy took the items from
        merged = c["merged"] + sum(len(r.took_over) for r in self.results)
        if merged:
            extra.append(f"{merged} merged")
        if self.pruned:
            extra.append(f"{len(self.pruned)} pruned")
        return text + (f" ({', '.join(extra)})" if extra else "")
