"""Helpers to judge queries by hand: build the corpus index and grep its items.

``python -m bench.relevance_dump build`` ingests ``../shared/corpus`` into
``instance/relevance-index``; ``python -m bench.relevance_dump grep REGEX [REGEX…]`` lists the
items whose title or body matches every regex (case-insensitive), with the counts of matches in
the title and body — the independent search used to find relevant items for the judgments
(it reads the stored text, not the ranking under test).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bench.relevance import INDEX_DIR, build_index, items


def main(argv: list[str]) -> int:
    """Run a sub-command (see the module docstring)."""
    if argv and argv[0] == "build":
        build_index(Path(INDEX_DIR), rebuild=True)
        return 0
    if argv and argv[0] == "grep":
        pats = [re.compile(p, re.I) for p in argv[1:]]
        rows = []
        for it in items(Path(INDEX_DIR)):
            t, b = it["title"], it["body"]
            if all(p.search(t) or p.search(b) for p in pats):
                nt = sum(len(p.findall(t)) for p in pats)
                nb = sum(len(p.findall(b)) for p in pats)
                rows.append((nt, nb, it))
        rows.sort(key=lambda r: (-r[0], -r[1]))
        for nt, nb, it in rows:
            print(f"t{nt} b{nb}\t{it['file']}\t{it['item_number']}\t{it['title'][:90]}")
        print(len(rows), "items", file=sys.stderr)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
