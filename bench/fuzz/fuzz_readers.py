"""Atheris (libFuzzer) harness for the readers and the segmenter, run by hand.

    .venv/bin/pip install "atheris>=2.3,<3"
    .venv/bin/python bench/fuzz/fuzz_readers.py -max_total_time=300 -rss_limit_mb=2048 \
        bench/fuzz/corpus

The first input byte picks the reader (text, markdown, html, ModernGov XML, docx); the rest
is the file.  A reader may refuse a file with ``IngestError`` (that is its contract); any
other exception, a hang (-timeout) or a memory blow-up is a finding.  Seed inputs come from
``bench/fuzz/corpus`` (created on first run from the seed minutes); crashes are written to
``crash-*`` files, which become regression tests in tests/test_fuzz.py named after the bug.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports(include=["indexer", "kb"]):
    from indexer import read_docx, read_html, read_moderngov, read_text
    from indexer.meeting import extract_meeting
    from indexer.read import refuse_binary, strip_controls
    from indexer.segment import segment
    from kb.model import IngestError

READERS = [
    (read_text, "minutes.txt"),
    (read_text, "minutes.md"),
    (read_html, "minutes.html"),
    (read_moderngov, "meeting.xml"),
    (read_docx, "minutes.docx"),
]


def one_input(data: bytes) -> None:
    """Read ``data`` with the chosen reader, then extract the meeting and segment it."""
    if not data:
        return
    reader, name = READERS[data[0] % len(READERS)]
    payload = data[1:]
    try:
        if reader is read_text:
            refuse_binary(payload)
        doc = strip_controls(reader.read(Path(name), payload))
        meeting = extract_meeting(doc, council="Fuzz Council")
        items = segment(doc, meeting)
    except IngestError:  # includes NotMinutesError: a clear refusal is the contract
        return
    assert len({i.id for i in items}) == len(items), "duplicate item ids"


def seed_corpus(folder: Path) -> None:
    """Seed inputs: the sample minutes under each reader, and the web hostile fixture."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        return
    sources = [
        ROOT / "data/minutes/luton-osb-crime-and-disorder-committee-2018-03-27.txt",
        *sorted((ROOT / "tests/fixtures/web").glob("*.txt")),
    ]
    for n, src in enumerate(sources):
        text = src.read_bytes()[:20_000]
        for k in range(3):
            (folder / f"seed-{n}-{k}").write_bytes(bytes([k]) + text)


if __name__ == "__main__":
    corpus = ROOT / "bench/fuzz/corpus"
    if corpus.name in " ".join(sys.argv[1:]):
        seed_corpus(corpus)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
