"""Relevance measured with judged queries: ``python -m bench.relevance [--rebuild] [-v]``.

The judged set is ``bench/relevance_judgments.toml``: each ``[[need]]`` has a ``query`` and
``judged`` rows ``[file, item_number, title, grade]`` over ``../shared/corpus`` (grade 2: the
item is about the need; 1: it mentions it substantially; 0: tempting but wrong).  An item is
named by its source file (relative to the corpus), item number and title, never by its index
id (meeting ids change as the parser learns), and resolved to the current ids when the
figures are computed: :func:`resolve` says which judged rows no longer resolve.

The script ingests the corpus into ``instance/relevance-index`` (once; ``--rebuild`` redoes
it), runs every query through :class:`kb.search.SearchService` and prints nDCG@10 (gains =
grades, ideal = the need's best 10 judged grades), P@10 (items graded ≥ 1 in the top 10, out
of 10) and recall@20 (items graded ≥ 1 in the top 20, out of min(20, judged relevant)) per
query and on average.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
INDEX_DIR = ROOT / "instance" / "relevance-index"
JUDGMENTS = Path(__file__).resolve().parent / "relevance_judgments.toml"


@dataclass(frozen=True)
class Judged:
    """One judged item of a need: source file (relative to the corpus), item number, title."""

    file: str
    item_number: str
    title: str
    grade: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.file, self.item_number, self.title)


@dataclass
class Need:
    query: str
    kind: str
    judged: list[Judged] = field(default_factory=list)


def load_judgments(path: Path = JUDGMENTS) -> list[Need]:
    """The judged needs in ``path``; ValueError naming the need for a malformed row."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    needs = []
    for entry in data.get("need", []):
        query = str(entry["query"])
        need = Need(query, str(entry.get("kind", "")))
        for row in entry.get("judged", []):
            if len(row) != 4 or row[3] not in (0, 1, 2):
                raise ValueError(f"{path}: need {query!r}: bad judged row {row!r}")
            need.judged.append(Judged(str(row[0]), str(row[1]), str(row[2]), int(row[3])))
        needs.append(need)
    return needs


def build_index(folder: Path = INDEX_DIR, *, rebuild: bool = False) -> Path:
    """Ingest the whole corpus into ``folder`` (when it has no index yet, or ``rebuild``)."""
    from whoosh import index

    from indexer.pipeline import ingest

    if rebuild or not index.exists_in(str(folder)):
        folder.mkdir(parents=True, exist_ok=True)
        ingest([CORPUS], folder, rebuild=rebuild)
    return folder


def _relative(source: str) -> str:
    """A stored source path as a path relative to the corpus folder."""
    p = Path(source)
    try:
        return p.resolve().relative_to(CORPUS.resolve()).as_posix()
    except ValueError:
        parts = p.parts
        return "/".join(parts[-2:])


def items(folder: Path = INDEX_DIR) -> Iterator[dict[str, Any]]:
    """Every item in the index at ``folder``: id, file, item_number, title, body."""
    from whoosh import index

    ix = index.open_dir(str(folder))
    with ix.searcher() as s:
        for fields in s.all_stored_fields():
            if fields.get("doctype") != "item":
                continue
            yield {
                "id": fields["id"],
                "file": _relative(str(fields.get("source", ""))),
                "item_number": str(fields.get("item_number", "")),
                "title": str(fields.get("title", "")),
                "body": str(fields.get("body", "")),
                "meeting_id": fields.get("meeting_id", ""),
                "date": fields["date"].date().isoformat() if fields.get("date") else "",
            }


def merged_copies(folder: Path = INDEX_DIR) -> dict[str, list[str]]:
    """Files indexed only as a copy of another file's meeting: file → the meeting ids holding
    their items (the manifest's ``merged_into``)."""
    from indexer.write import read_manifest

    return {
        _relative(key): list(entry.get("merged_into") or [])
        for key, entry in read_manifest(folder).items()
        if entry.get("merged_into")
    }


def resolve(
    needs: list[Need],
    all_items: list[dict[str, Any]],
    copies: dict[str, list[str]] | None = None,
) -> tuple[dict, list[str]]:
    """(judged key → item id, problems): each judged row must name exactly one item.  A row
    naming a file that was merged as a copy of another file's meeting (``copies``, from
    :func:`merged_copies`) resolves to that meeting's item with the same number and title."""
    by_key: dict[tuple[str, str, str], list[str]] = {}
    for it in all_items:
        by_key.setdefault((it["file"], it["item_number"], it["title"]), []).append(it["id"])
    for file, meeting_ids in (copies or {}).items():
        for it in all_items:
            if it["meeting_id"] in meeting_ids:
                key = (file, it["item_number"], it["title"])
                by_key.setdefault(key, []).append(it["id"])
    ids: dict[tuple[str, str, str], str] = {}
    problems = []
    for need in needs:
        for j in need.judged:
            found = by_key.get(j.key, [])
            if len(found) == 1:
                ids[j.key] = found[0]
            else:
                problems.append(f"{need.query!r}: {j.key} resolves to {len(found)} items")
    return ids, problems


def ndcg(ranked: list[int], grades: list[int], k: int = 10) -> float:
    """nDCG@k of the ranked gains against the ideal order of every judged grade."""

    def dcg(gains: list[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:k]))

    ideal = dcg(sorted(grades, reverse=True))
    return dcg(ranked) / ideal if ideal else 0.0


def identity(item: dict[str, Any]) -> tuple[str, ...]:
    """What makes two indexed items the same item for the figures: one meeting read from two
    files (a Wye Valley PDF and its text) gives two items with two ids but the same date,
    number and title; an undated item is itself."""
    if not item["date"]:
        return (item["id"],)
    return (item["date"], item["item_number"], item["title"].strip().lower())


def evaluate(
    need: Need, result_ids: list[str], ids: dict, same: dict[str, tuple[str, ...]] | None = None
) -> dict[str, float]:
    """nDCG@10, P@10 and recall@20 of one need's result ids (unjudged items count 0).

    ``same`` maps item ids to their :func:`identity`: an item listed again under another id
    gains nothing the second time, and counts once in the ideal ranking and the recall
    denominator (with its best grade)."""
    same = same or {}
    key = {i: same.get(i, (i,)) for i in [*result_ids, *ids.values()]}
    grade_of: dict[tuple[str, ...], int] = {}
    for j in need.judged:
        if j.key in ids:
            k = key[ids[j.key]]
            grade_of[k] = max(grade_of.get(k, 0), j.grade)
    gains, seen = [], set()
    for r in result_ids:
        gains.append(0 if key[r] in seen else grade_of.get(key[r], 0))
        seen.add(key[r])
    relevant = [g for g in grade_of.values() if g >= 1]
    found20 = sum(1 for g in gains[:20] if g >= 1)
    return {
        "ndcg10": ndcg(gains, list(grade_of.values())),
        "p10": sum(1 for g in gains[:10] if g >= 1) / 10,
        "r20": found20 / min(20, len(relevant)) if relevant else 0.0,
        "relevant": len(relevant),
    }


def run(
    folder: Path, needs: list[Need], verbose: bool = False, plain: bool = False
) -> dict[str, Any]:
    """Search every need, print its figures and the averages; returns them.  ``plain``
    searches as before kb.ranking: every word required, ranked by BM25F alone."""
    from kb.search import SearchRequest, SearchService

    all_items = list(items(folder))
    ids, problems = resolve(needs, all_items, merged_copies(folder))
    same = {it["id"]: identity(it) for it in all_items}
    for p in problems:
        print("UNRESOLVED", p, file=sys.stderr)
    svc = SearchService(folder, cache_size=0, word_ranking=not plain)
    rows = []
    print(f"{'query':32} {'nDCG@10':>8} {'P@10':>6} {'R@20':>6} {'rel':>4}  mode")
    for need in needs:
        resp = svc.search(SearchRequest(q=need.query, page_size=20))
        result_ids = [h.id for h in resp.results]
        fig = evaluate(need, result_ids, ids, same)
        mode = getattr(resp, "match", "")
        rows.append({"query": need.query, "kind": need.kind, **fig})
        print(
            f"{need.query[:32]:32} {fig['ndcg10']:8.3f} {fig['p10']:6.2f} {fig['r20']:6.2f}"
            f" {fig['relevant']:4d}  {mode}"
        )
        if verbose:
            grade_of = {ids[j.key]: j.grade for j in need.judged if j.key in ids}
            for h in resp.results[:10]:
                print(f"      {grade_of.get(h.id, '-')}  {h.id}  {h.item_title[:70]}")
    mean = {k: sum(r[k] for r in rows) / len(rows) for k in ("ndcg10", "p10", "r20")}
    for kind in sorted({r["kind"] for r in rows}):
        of = [r for r in rows if r["kind"] == kind]
        avg = {k: sum(r[k] for r in of) / len(of) for k in ("ndcg10", "p10", "r20")}
        label = f"  mean {kind} ({len(of)})"
        print(f"{label:32} {avg['ndcg10']:8.3f} {avg['p10']:6.2f} {avg['r20']:6.2f}")
    print(
        f"{'MEAN (' + str(len(rows)) + ' needs)':32} {mean['ndcg10']:8.3f} {mean['p10']:6.2f}"
        f" {mean['r20']:6.2f}"
    )
    svc.close()
    return {"mean": mean, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    ap = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__)
    ap.add_argument("--rebuild", action="store_true", help="re-ingest the corpus first")
    ap.add_argument("--index", type=Path, default=INDEX_DIR, help="index folder")
    ap.add_argument("-v", "--verbose", action="store_true", help="show each top 10")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--only", help="run only needs whose query contains this text")
    ap.add_argument(
        "--plain", action="store_true", help="every word required, BM25F only (the old ranking)"
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a kb.ranking constant for this run (to measure one change at a time)",
    )
    args = ap.parse_args(argv)
    if args.set:
        from kb import ranking

        for pair in args.set:
            name, _, value = pair.partition("=")
            if not hasattr(ranking, name):
                ap.error(f"kb.ranking has no constant {name}")
            setattr(ranking, name, type(getattr(ranking, name))(float(value)))
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    folder = build_index(args.index, rebuild=args.rebuild)
    needs = load_judgments()
    if args.only:
        needs = [n for n in needs if args.only in n.query]
    figures = run(folder, needs, verbose=args.verbose, plain=args.plain)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
