"""Helpers for the reliability tests: small generated minutes files and index invariants."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
from pathlib import Path

from whoosh import index as windex

from kb.engine.whoosh.generations import current
from kb.engine.whoosh.write import read_manifest

ROOT = Path(__file__).resolve().parent.parent

TITLES = [
    "STREET TRADING CONSENTS",
    "PARKING ENFORCEMENT REVIEW",
    "COMMUNITY SAFETY PLAN",
    "LIBRARY OPENING HOURS",
    "FLOOD DEFENCE WORKS",
    "PLAY AREA REFURBISHMENT",
    "HOUSING ALLOCATIONS POLICY",
]


def minutes_text(n: int, version: int, items: int, *, marker: str = "") -> str:
    """Minutes of meeting ``n`` (its own date, so its own meeting id) with ``items`` numbered
    items; every item body carries ``v<version>`` and ``marker`` words to find it by."""
    day = dt.date(2015, 1, 1) + dt.timedelta(days=7 * n)
    lines = [
        "Anytown Borough Council",
        "",
        f"Minutes of the Licensing Committee held on {day:%-d %B %Y} at 7.00 pm "
        "in the Council Chamber",
        "",
        "Present: Councillors Smith (Chair), Jones and Patel.",
        "",
    ]
    for k in range(1, items + 1):
        lines += [
            f"{k}. {TITLES[(n + k) % len(TITLES)]}",
            f"The committee considered report m{n}i{k} version v{version} {marker}.".rstrip(),
            "RESOLVED: That the report be noted.",
            "",
        ]
    return "\n".join(lines)


def write_minutes(
    folder: Path, count: int, *, version: int = 0, rng: random.Random | None = None
) -> dict[str, int]:
    """Write ``count`` minutes files into ``folder``; returns file name → item count."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = rng or random.Random(0)
    made = {}
    for n in range(count):
        items = rng.randint(1, 5)
        name = f"anytown-licensing-{n:03d}.txt"
        (folder / name).write_text(minutes_text(n, version, items), encoding="utf-8")
        made[name] = items
    return made


def kb(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the ``kb`` CLI in a subprocess (the real entry point, exit status and all)."""
    return subprocess.run(
        [sys.executable, "-m", "kb", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def kb_popen(*args: str) -> subprocess.Popen[str]:
    """Start the ``kb`` CLI without waiting for it (unbuffered: lines arrive as printed)."""
    return subprocess.Popen(
        [sys.executable, "-m", "kb", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def indexed_items(index_dir: Path) -> dict[str, list[dict]]:
    """Stored item documents of the index, grouped by source key."""
    out: dict[str, list[dict]] = {}
    ix = windex.open_dir(str(current(index_dir)))
    with ix.searcher() as s:
        for fields in s.all_stored_fields():
            if fields.get("doctype") == "item":
                out.setdefault(fields["source_key"], []).append(fields)
    ix.close()
    return out


def manifest_items(index_dir: Path) -> dict[str, set[str]]:
    """Item ids the manifest lists, per indexed source."""
    return {
        key: set(entry.get("item_ids", []))
        for key, entry in read_manifest(current(index_dir)).items()
        if entry.get("status") == "indexed"
    }
