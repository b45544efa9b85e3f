"""Every text, Markdown and HTML/PHP file in the corpus gets its meeting date right.

Reads each file listed in MANIFEST.tsv (PDF, DOCX and XML are other readers' business),
runs ``extract_meeting`` and compares with the manifest's ``meeting_date``.  Per-format
figures are printed (``pytest -s``); the overall match rate must be at least 95 %.

Known misses are listed with the reason rather than bent into the parser: two Wye Valley
files print no date and carry a wrong date in their file name; the manifest's date comes
from *other* files (the next minutes, a near-copy), which one file's reader cannot see.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from indexer.meeting import extract_meeting
from indexer.read import read_file
from kb.model import Meeting

pytestmark = pytest.mark.corpus

FORMATS = {".txt": "text", ".md": "markdown", ".php": "html", ".html": "html", ".htm": "html"}

#: Manifest dates that the document's own text contradicts: file → (date, quoted line).
#: (None found so far: every manifest date checked agrees with the text where it has one.)
CORRECTIONS: dict[str, tuple[str, str]] = {}

#: Files whose date cannot be found from the file alone (reason quoted from MANIFEST.tsv).
KNOWN_MISSES = {
    "wyevalleycc/20230108.txt": "no date in text; filename year wrong: near-copy of 20240108.txt",
    "wyevalleycc/20230911.txt": "no date in text; filename 11 Sep wrong: 20230925 minutes "
    '"Special meeting minutes from 7th September approved"',
}


@pytest.fixture(scope="module")
def meetings(corpus_dir: Path, manifest: list[dict[str, str]]) -> dict[str, Meeting]:
    """Each text/Markdown/HTML file of the manifest → its Meeting (read once per module)."""
    return {
        row["file"]: extract_meeting(read_file(corpus_dir / row["file"]))
        for row in manifest
        if Path(row["file"]).suffix.lower() in FORMATS
    }


def _expected(row: dict[str, str]) -> str:
    if row["file"] in CORRECTIONS:
        return CORRECTIONS[row["file"]][0]
    return row["meeting_date"]


def test_corpus_meeting_dates(manifest: list[dict[str, str]], meetings: dict[str, Meeting]) -> None:
    rows = [r for r in manifest if Path(r["file"]).suffix.lower() in FORMATS]
    assert len(rows) >= 100, "the manifest lists the text/Markdown/HTML files"
    totals: Counter[str] = Counter()
    matched: Counter[str] = Counter()
    misses: list[str] = []
    for row in rows:
        fmt = FORMATS[Path(row["file"]).suffix.lower()]
        meeting = meetings[row["file"]]
        got = meeting.date.isoformat() if meeting.date else ""
        totals[fmt] += 1
        if got == _expected(row):
            matched[fmt] += 1
            if got:
                assert meeting.date_source in {"text", "filename"}, row["file"]
                assert meeting.date_evidence, row["file"]
        else:
            misses.append(f"{row['file']}: got {got or 'none'}, manifest {row['meeting_date']}")
    for fmt in sorted(totals):
        print(f"{fmt:9} {matched[fmt]:3}/{totals[fmt]:3} meeting dates match MANIFEST")
    overall = sum(matched.values()) / sum(totals.values())
    print(f"overall   {sum(matched.values())}/{sum(totals.values())} = {overall:.1%}")
    unexpected = [m for m in misses if m.split(":")[0] not in KNOWN_MISSES]
    assert not unexpected, "\n".join(unexpected)
    assert overall >= 0.95


def test_text_dates_are_quoted_from_the_text(
    manifest: list[dict[str, str]], meetings: dict[str, Meeting]
) -> None:
    """Where the manifest says the date is in the text, the evidence line holds that date."""
    for row in manifest:
        if row["file"] not in meetings or row["date_source"] != "text":
            continue
        meeting = meetings[row["file"]]
        assert meeting.date_source == "text", row["file"]
        assert meeting.date == dt.date.fromisoformat(row["meeting_date"]), row["file"]
        day = str(meeting.date.day)
        assert day in meeting.date_evidence, (row["file"], meeting.date_evidence)
