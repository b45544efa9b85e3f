"""Issue 6: PDF pages per second of our reader (``indexer.read_pdf``) against ``pdftotext``.

``python -m bench.run_pdf [--corpus /work/shared/corpus] [--rounds 1]``

Reads every PDF under the corpus with ``indexer.read_pdf.read`` (pdfium text + layout
cleaning, OCR where a page has no text layer) and with poppler's ``pdftotext -layout FILE -``
(a subprocess per file, as a shell user would run it), and prints pages, seconds and pages per
second for each, split into text-layer PDFs and PDFs that needed OCR (``pdftotext`` does no
OCR, so only the text-layer rows compare like with like).  Files our reader refuses are
listed and left out of both totals.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CORPUS = Path("/work/shared/corpus")


@dataclass
class Row:
    """Timings of one PDF: pages, our seconds, pdftotext seconds, whether OCR ran."""

    path: Path
    pages: int
    ours: float
    poppler: float
    ocr: bool


def time_ours(path: Path) -> tuple[int, float, bool]:
    """(pages, seconds, used OCR) for ``indexer.read_pdf.read`` on ``path``."""
    from indexer.read_pdf import read

    data = path.read_bytes()
    began = time.perf_counter()
    doc = read(path, data)
    return int(doc.pages or 0), time.perf_counter() - began, bool(doc.ocr)


def time_pdftotext(path: Path, exe: str) -> float:
    """Seconds for ``pdftotext -layout path -`` (output discarded)."""
    began = time.perf_counter()
    subprocess.run(
        [exe, "-layout", str(path), "-"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - began


def _line(label: str, rows: list[Row]) -> str:
    pages = sum(r.pages for r in rows)
    ours, pop = sum(r.ours for r in rows), sum(r.poppler for r in rows)
    if not rows or not pages:
        return f"| {label} | 0 | 0 | – | – | – | – | – |"
    return (
        f"| {label} | {len(rows)} | {pages:,} | {ours:.2f} | {pages / ours:,.1f} | "
        f"{pop:.2f} | {pages / pop:,.1f} | {ours / pop:.1f}× |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_pdf")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    exe = shutil.which("pdftotext")
    if exe is None:
        print("pdftotext not found (apt-get install poppler-utils)", file=sys.stderr)
        return 2
    from kb.model import IngestError

    rows: list[Row] = []
    refused: list[str] = []
    for path in sorted(args.corpus.rglob("*.pdf")):
        try:
            pages, ours, used_ocr = time_ours(path)
        except IngestError as exc:
            refused.append(f"{path.name}: {exc}")
            continue
        rows.append(Row(path, pages, ours, time_pdftotext(path, exe), used_ocr))
    print(
        "| PDFs | files | pages | ours s | ours pages/s | pdftotext s | pdftotext pages/s | "
        "ours ÷ pdftotext time |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(_line("text layer", [r for r in rows if not r.ocr]))
    print(_line("needed OCR (pdftotext: no text)", [r for r in rows if r.ocr]))
    print(_line("all read", rows))
    for line in refused:
        print(f"refused: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
