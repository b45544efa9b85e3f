"""Committee and council of every corpus file against MANIFEST.tsv, with the figures.

Every file the manifest lists is read and run through ``extract_meeting`` (no
``--council``, no ``council.toml``: what the document itself says).  A committee agrees
when its normalised name equals the manifest's (its note in brackets left out), or is
the manifest's name without a parent's prefix ('Adare-Rathkeale JPC Sub-Committee' for
'Municipal District of Adare-Rathkeale JPC Sub-Committee').  A council agrees when the
name found is part of the manifest's entry (which also lists former names: 'Tintern
Community Council').  Figures print with ``pytest -s``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.committee import normalise_committee
from indexer.meeting import UNKNOWN_COUNCIL, extract_meeting
from indexer.read import read_file
from kb.model import Meeting, slugify

pytestmark = pytest.mark.corpus

#: Files whose committee the file alone does not give (reason).
KNOWN_COMMITTEE_MISSES = {
    "moderngov-lgsf/meeting_no_minutes.xml": "a cancelled meeting: the XML names no committee",
    "limerick-council-meetings/Minutes of Metropolitan JPC Sub Committee Meeting - 19th "
    "February 2018.md": "printed as 'METROPOLITAN JOINT POLICING SUB COMMITTEE'",
}


@pytest.fixture(scope="module")
def meetings(corpus_dir: Path, manifest: list[dict[str, str]]) -> dict[str, Meeting]:
    """Every manifest file → its Meeting (read once per module)."""
    return {row["file"]: extract_meeting(read_file(corpus_dir / row["file"])) for row in manifest}


def _committee_agrees(got: str, expected: str) -> bool:
    want = slugify(normalise_committee(re.sub(r"\s*\(.*?\)", "", expected)))
    have = slugify(got)
    return have == want or want.endswith("-" + have)


def test_corpus_committees(manifest: list[dict[str, str]], meetings: dict[str, Meeting]) -> None:
    misses = [
        f"{row['file']}: got {meetings[row['file']].committee!r}, manifest {row['committee']!r}"
        for row in manifest
        if not _committee_agrees(meetings[row["file"]].committee, row["committee"])
    ]
    agree = len(manifest) - len(misses)
    print(f"committee agrees with MANIFEST: {agree}/{len(manifest)} = {agree / len(manifest):.1%}")
    for miss in misses:
        print("  miss:", miss)
    unexpected = [m for m in misses if m.split(": got")[0] not in KNOWN_COMMITTEE_MISSES]
    assert not unexpected, "\n".join(unexpected)


def test_corpus_councils(manifest: list[dict[str, str]], meetings: dict[str, Meeting]) -> None:
    named = wrong = 0
    for row in manifest:
        got = meetings[row["file"]].council
        if got == UNKNOWN_COUNCIL:
            continue
        named += 1
        if slugify(got) not in slugify(row["council"]):
            wrong += 1
            print(f"  wrong council: {row['file']}: {got!r}, manifest {row['council']!r}")
    print(
        f"council named by the document: {named}/{len(manifest)}; agrees with MANIFEST: "
        f"{named - wrong}/{named}; not stated (needs council.toml): {len(manifest) - named}"
    )
    assert wrong == 0
    assert named >= 0.6 * len(manifest)
