"""Issue 15: a digest of every meeting the ingest stages make, to show an optimisation
changes no output.

``python -m bench.ingest_digest OUT_DIR [--shared ../shared] [--items 3000] [--pdf-pages 400]
[--workdir /tmp/kb-digest] [FOLDER ...]``

Runs :func:`indexer.pipeline.process_meetings` (read, meeting, segment, people, topics,
identity) through one people registry over the shared seed and corpus (when present),
``--items`` generated items (``bench.generate``, seed 7) and a ``--pdf-pages`` PDF
(``bench.hostile.write_pdf``), both under ``--workdir``, plus any FOLDER given, and writes
``OUT_DIR/digests.tsv`` (file, SHA-256 of its meetings' JSON or of its error) and
``OUT_DIR/people.json`` (the registry).  Run it before and after a change, then
``diff -r BEFORE AFTER``: no output means every meeting is byte for byte the same.  A
meeting records its file's path, so both runs must read the same paths: give the same
``--shared`` and ``--workdir`` (all inputs live outside the source tree, so two checkouts
compare).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

#: the shared seed and corpus beside the project (``../shared``)
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def digest_files(paths: list[Path], out: Path) -> int:
    """Write the digests of ``paths`` (in order, one registry) under ``out``; return how
    many files were read."""
    from indexer.people_registry import PeopleRegistry
    from indexer.pipeline import load_taxonomy, process_meetings
    from kb.model import to_json

    taxonomy, registry = load_taxonomy(), PeopleRegistry()
    lines = []
    for path in paths:
        try:
            meetings = process_meetings(path, taxonomy=taxonomy, registry=registry)
            text = "\n".join(to_json(m) for m in meetings)
        except Exception as exc:  # noqa: BLE001 - a refusal is output too
            text = f"ERROR {type(exc).__name__}: {exc}"
        lines.append(f"{path}\t{hashlib.sha256(text.encode()).hexdigest()}\n")
    out.mkdir(parents=True, exist_ok=True)
    (out / "digests.tsv").write_text("".join(lines), encoding="utf-8")
    registry.save(out / "people.json")
    return len(paths)


def main(argv: list[str] | None = None) -> None:
    """Digest the default inputs and any folders given into OUT_DIR."""
    from bench.generate import GenConfig, write_minutes
    from bench.hostile import write_pdf
    from indexer.pipeline import discover

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("folders", type=Path, nargs="*")
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--items", type=int, default=3000)
    ap.add_argument("--pdf-pages", type=int, default=400)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/kb-digest"))
    args = ap.parse_args(argv)
    generated = args.workdir / f"minutes-{args.items}"
    if not generated.exists():
        write_minutes(GenConfig(items=args.items), generated)
    pdf = args.workdir / f"pages-{args.pdf_pages}.pdf"
    if not pdf.exists():
        write_pdf(pdf, args.pdf_pages)
    folders = [args.shared / "seed", args.shared / "corpus", generated]
    folders += args.folders
    paths = discover([f for f in folders if f.exists()]) + [pdf]
    print(f"{digest_files(paths, args.out)} files digested into {args.out}")


if __name__ == "__main__":
    main()
