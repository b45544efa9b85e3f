"""bench.relevance: the judged set parses, every judged item resolves in an ingest of the
corpus, and the figures are computed as documented."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench import relevance
from bench.relevance import Judged, Need, evaluate, identity, load_judgments, ndcg, resolve


def test_judged_set_parses_and_is_broad() -> None:
    needs = load_judgments()
    assert len(needs) >= 60
    assert len({n.query for n in needs}) == len(needs)
    kinds = {n.kind for n in needs}
    assert {"word", "two-word", "acronym", "place", "person", "vague"} <= kinds
    for need in needs:
        assert any(j.grade >= 1 for j in need.judged), need.query
        assert len({j.key for j in need.judged}) == len(need.judged), need.query


def test_a_malformed_row_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "j.toml"
    path.write_text('[[need]]\nquery = "x"\njudged = [["a.md", "1", "T", 3]]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="need 'x': bad judged row"):
        load_judgments(path)


@pytest.mark.parametrize(
    ("ranked", "grades", "expected"),
    [
        ([2, 1, 0], [2, 1], 1.0),
        ([0, 2, 1], [2, 1], (3 / math.log2(3) + 1 / 2) / (3 + 1 / math.log2(3))),
        ([0, 0], [2], 0.0),
        ([1], [], 0.0),
    ],
)
def test_ndcg(ranked: list[int], grades: list[int], expected: float) -> None:
    assert ndcg(ranked, grades) == pytest.approx(expected)


def test_evaluate_counts_unjudged_as_zero_and_caps_recall_at_20() -> None:
    judged = [Judged("f", str(n), "t", 1) for n in range(25)] + [Judged("f", "x", "t", 0)]
    need = Need("q", "word", judged)
    ids = {j.key: f"id{j.item_number}" for j in judged}
    results = ["idx", "unjudged"] + [f"id{n}" for n in range(18)]
    fig = evaluate(need, results, ids)
    assert fig["p10"] == pytest.approx(0.8)
    assert fig["r20"] == pytest.approx(18 / 20)  # 25 relevant, but only 20 fit in 20
    assert fig["relevant"] == 25


def test_one_meeting_read_from_two_files_counts_once() -> None:
    judged = [Judged("a.pdf", "1", "T", 2), Judged("a.txt", "1", "T", 2), Judged("b", "1", "t", 1)]
    need = Need("q", "word", judged)
    ids = {judged[0].key: "pdf/1", judged[1].key: "txt/1", judged[2].key: "b/1"}
    rows = [("pdf/1", "1", "T"), ("txt/1", "1", "T "), ("b/1", "1", "t")]
    same = {
        i: identity(
            {"id": i, "date": "2019-06-24" if i != "b/1" else "", "item_number": n, "title": t}
        )
        for i, n, t in rows
    }
    assert same["pdf/1"] == same["txt/1"] != same["b/1"]
    once = evaluate(need, ["pdf/1", "b/1"], ids, same)
    assert once["ndcg10"] == pytest.approx(1.0) and once["r20"] == 1.0 and once["relevant"] == 2
    twice = evaluate(need, ["pdf/1", "txt/1", "b/1"], ids, same)  # the repeat gains nothing
    assert twice["p10"] == pytest.approx(0.2) and twice["ndcg10"] < 1.0
    assert evaluate(need, ["pdf/1", "b/1"], ids)["r20"] == pytest.approx(2 / 3)


@pytest.mark.corpus
def test_every_judged_item_resolves_in_the_corpus(
    corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from indexer.pipeline import ingest

    needs = load_judgments()
    files = sorted({j.file for n in needs for j in n.judged})
    assert all((corpus_dir / f).is_file() for f in files)
    folder = tmp_path_factory.mktemp("relevance-index")
    report = ingest([corpus_dir / f for f in files], folder)
    assert not report.failed
    items = list(relevance.items(folder))
    ids, problems = resolve(needs, items, relevance.merged_copies(folder))
    assert problems == []
    assert len(ids) == len({j.key for n in needs for j in n.judged})
