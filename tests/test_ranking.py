"""kb.ranking: the engine-neutral policy (match levels, synonym weight, text boosts, grouping)."""

from __future__ import annotations

import numpy as np
import pytest

from kb import ranking
from kb.expansion import Expander


def _scores(size: int, matched: dict[int, float]) -> np.ndarray:
    out = np.zeros(size)
    for doc, score in matched.items():
        out[doc] = score
    return out


@pytest.mark.parametrize(
    ("clauses_matched", "expected"),
    [
        # per document, which of three clauses it matches; FALLBACK_BELOW is set to 2
        ([(0, 1, 2), (0, 1, 2), (0, 1)], "all"),  # two items have every word
        ([(0, 1, 2), (0, 1), (1, 2)], "most"),  # one has all, three have 2 of 3
        ([(0, 1, 2), (0,), (2,)], "any"),  # only one item has 2+ words
        ([(0,), (1,), (2,)], "any"),
    ],
)
def test_level_is_all_then_most_then_any(monkeypatch, clauses_matched, expected) -> None:
    monkeypatch.setattr(ranking, "FALLBACK_BELOW", 2)
    size = len(clauses_matched)
    typed = [
        _scores(size, {d: 1.0 for d, cs in enumerate(clauses_matched) if k in cs}) for k in range(3)
    ]
    level, match, _scores_ = ranking.combine(typed, [None] * 3, np.ones(size, dtype=bool))
    assert level == expected
    need = ranking.needed(level, 3)
    assert match.tolist() == [len(cs) >= need for cs in clauses_matched]


def test_filters_decide_the_level(monkeypatch) -> None:
    """AND is relaxed when few of the items the filters allow have every word."""
    monkeypatch.setattr(ranking, "FALLBACK_BELOW", 2)
    typed = [_scores(4, {0: 1, 1: 1, 2: 1}), _scores(4, {0: 1, 1: 1, 3: 1})]
    assert ranking.combine(typed, [None, None], np.ones(4, dtype=bool))[0] == "all"
    only = np.array([True, False, True, True])
    assert ranking.combine(typed, [None, None], only)[0] == "any"


def test_one_or_two_words_never_say_most() -> None:
    one = ranking.combine([_scores(3, {0: 1})], [None], np.ones(3, dtype=bool))
    assert one[0] == "all" and ranking.needed("most", 2) == 2


def test_every_word_outranks_a_stronger_partial_match(monkeypatch) -> None:
    monkeypatch.setattr(ranking, "FALLBACK_BELOW", 99)
    typed = [_scores(2, {0: 1.0, 1: 5.0}), _scores(2, {0: 1.0})]
    level, _match, scores = ranking.combine(typed, [None, None], np.ones(2, dtype=bool))
    assert level == "any"
    assert scores[0] > scores[1] > 0  # 2.0 * 1 vs 5.0 * (1/2) ** 2


def test_synonym_scores_less_than_the_word_typed() -> None:
    typed = [_scores(3, {0: 2.0})]
    synonym = [_scores(3, {0: 9.0, 1: 2.0})]  # doc 0 has both: the typed score counts
    _level, match, scores = ranking.combine(typed, synonym, np.ones(3, dtype=bool))
    assert match.tolist() == [True, True, False]
    assert scores[0] == 2.0
    assert scores[1] == pytest.approx(2.0 * ranking.SYNONYM_WEIGHT)
    assert 0 < ranking.SYNONYM_WEIGHT < 1


def _clauses(words: str) -> list[ranking.Clause]:
    return ranking.clauses_of(words.split(), None)


@pytest.mark.parametrize(
    ("query", "title", "body", "expected"),
    [
        # one word: only the title counts
        ("hall", "Village hall", "", 1 + ranking.TITLE_WEIGHT),
        ("hall", "Accounts", "the hall", 1.0),
        # two words adjacent in the order typed, in the body
        ("bus shelter", "Reports", "the bus shelter was mended", 1 + 0.5 + 0.5),
        # adjacent but reversed: near, not the phrase
        ("bus shelter", "Reports", "a shelter bus", 1 + ranking.PROXIMITY_WEIGHT),
        # far apart: a small proximity share
        ("bus shelter", "Reports", "bus " + "word " * 8 + "shelter", 1 + 0.5 * 2 / 10),
        # both words in the title, as typed
        ("bus shelter", "Bus shelter", "", 1 + 0.5 + 0.5 + 0.5),
        # one of two words in the title, the other missing
        ("bus shelter", "Bus timetable", "", 1 + 0.5 / 2),
    ],
)
def test_text_boost(query, title, body, expected) -> None:
    assert ranking.text_boost(_clauses(query), title, body) == pytest.approx(expected)


def test_stop_words_are_no_clause_and_proximity_skips_them() -> None:
    clauses = _clauses("grant to village hall")
    assert [c.text for c in clauses] == ["grant", "village", "hall"]
    near = ranking.text_boost(clauses, "x", "a grant to the village hall")
    far = ranking.text_boost(clauses, "x", "a grant for new chairs and the village hall")
    assert near > far > 1.0


def test_clauses_take_synonyms_of_a_known_run(tmp_path) -> None:
    (tmp_path / "synonyms.toml").write_text(
        '[[group]]\nterms = ["vandalism", "vandals", "vandalised", "criminal damage"]\n',
        encoding="utf-8",
    )
    expander = Expander.load(tmp_path)
    one = ranking.clauses_of(["vandalism"], expander)
    assert [c.text for c in one] == ["vandalism"]
    # "vandals" stems as "vandalism" does: the word typed already finds it
    assert one[0].synonyms == ("vandalised", "criminal damage")
    assert one[0].synonym_terms == (("vandalis",), ("crimin", "damag"))
    run = ranking.clauses_of(["criminal", "damage", "reports"], expander)
    assert [c.text for c in run] == ["criminal", "damage", "reports"]
    assert "vandalism" in run[0].synonyms and "vandalism" in run[1].synonyms
    assert run[2].synonyms == ()


def test_near_duplicates_of_one_meeting_are_grouped() -> None:
    text = "The council agreed a grant of 200 pounds to the village hall for new chairs"
    rows = [
        ("m1/2", "m1", text),
        ("m2/2", "m2", text),  # another meeting: kept
        ("m1/7", "m1", text + " chairs"),  # same meeting, same words: grouped under row 0
        ("m1/8", "m1", "Bus shelter repaired on Mill Road"),
    ]
    assert ranking.near_duplicates(rows) == {2: 0}


def test_a_synonym_reduced_to_one_common_word_is_not_searched(tmp_path) -> None:
    (tmp_path / "synonyms.toml").write_text(
        '[[group]]\nterms = ["burglary", "break-in", "house breaking", "burglaries"]\n',
        encoding="utf-8",
    )
    clause = ranking.clauses_of(["burglary"], Expander.load(tmp_path))[0]
    # "break-in" without its stop word would find every tea break; "burglaries" stems as typed
    assert clause.synonyms == ("house breaking",)


def test_rank_is_the_whole_policy_for_any_engine(monkeypatch) -> None:
    """An engine supplies per-clause scores and stored text; rank() does the rest."""
    monkeypatch.setattr(ranking, "FALLBACK_BELOW", 2)
    docs = {
        0: {
            "id": "a/1",
            "meeting_id": "a",
            "date": "2019-01-01",
            "title": "Bus shelter",
            "body": "The bus shelter roof",
        },
        1: {
            "id": "a/2",
            "meeting_id": "a",
            "date": "2019-01-01",
            "title": "Highways",
            "body": "bus " + "x " * 20 + "shelter",
        },
        2: {
            "id": "b/2",
            "meeting_id": "b",
            "date": "2019-01-01",
            "title": "Highways",
            "body": "bus " + "x " * 20 + "shelter",
        },  # the same meeting read from another file
        3: {"id": "c/1", "meeting_id": "c", "date": None, "title": "Buses", "body": "bus"},
    }
    typed = [_scores(4, {0: 1.0, 1: 1.0, 2: 1.0, 3: 3.0}), _scores(4, {0: 1.0, 1: 1.2, 2: 1.2})]
    clauses = _clauses("bus shelter")
    out = ranking.rank(clauses, typed, [None, None], np.ones(4, dtype=bool), docs.__getitem__)
    assert out.level == "all"
    # doc 0 has the phrase in its title and body; docs 1 and 2 are one item, shown once
    assert out.docs.tolist() == [0, 1] and out.grouped == {1: ["b/2"]}
    assert out.scores[0] > out.scores[1]


def test_rescoring_reads_a_bounded_opening_of_each_body(monkeypatch) -> None:
    """A 10 MB body costs the text boosts and the near-duplicate check what 100 kB does."""
    seen: list[int] = []
    real = ranking.text_boost

    def spy(clauses, title, body):  # type: ignore[no-untyped-def]
        seen.append(len(body))
        return real(clauses, title, body)

    monkeypatch.setattr(ranking, "text_boost", spy)
    huge = "The bus shelter roof was repaired. " * 300_000  # 10.5 MB
    docs = {
        0: {"id": "a/1", "meeting_id": "a", "date": None, "title": "Shelters", "body": huge},
        1: {"id": "b/1", "meeting_id": "b", "date": None, "title": "Buses", "body": "bus shelter"},
    }
    typed = [_scores(2, {0: 1.0, 1: 1.0}), _scores(2, {0: 1.0, 1: 1.0})]
    out = ranking.rank(
        _clauses("bus shelter"), typed, [None, None], np.ones(2, dtype=bool), docs.__getitem__
    )
    assert sorted(out.docs.tolist()) == [0, 1]
    assert sorted(seen) == [len("bus shelter"), ranking.RERANK_BODY_CHARS]


def _plain_positions(tokens: list[str], sequences: list[tuple[str, ...]]) -> list[int]:
    """Where any of ``sequences`` starts, by comparing every slice (the obvious way)."""
    return [
        i for i in range(len(tokens)) if any(tuple(tokens[i : i + len(s)]) == s for s in sequences)
    ]


def test_text_terms_and_positions_equal_the_plain_way(seed_path, corpus_dir, manifest) -> None:
    """text_terms (each distinct word analysed once) and _positions (only where a first word
    is) give what analysing word by word and comparing every slice give, on real minutes."""
    from kb import analysis

    files = [seed_path] + [corpus_dir / r["file"] for r in manifest if r["file"].endswith(".txt")][
        :5
    ]
    checked = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        plain = [t for raw in analysis.WORD_RE.findall(text) for t in analysis.terms(raw)]
        tokens = ranking.text_terms(text)
        assert tokens == plain, path
        common = [
            w
            for w, _ in sorted(
                ((w, tokens.count(w)) for w in set(tokens[:300])), key=lambda x: -x[1]
            )[:3]
        ]
        for seqs in (
            [(common[0],)],
            [(common[0],), (common[1],)],
            [tuple(tokens[10:12]), (common[2],)],
        ):
            assert ranking._positions(tokens, seqs) == _plain_positions(tokens, seqs), (path, seqs)
        checked += 1
    assert checked >= 2


@pytest.mark.parametrize(
    ("scores", "depth"),
    [
        ([3.0, 1.0, 2.0, 5.0, 4.0], 2),
        ([1.0, 1.0, 1.0, 1.0, 1.0], 3),  # all tied: the lowest docnums lead
        ([2.0, 1.0, 2.0, 2.0, 0.5, 2.0], 2),  # ties at the cut
        ([0.1, 0.3, 0.2], 5),  # fewer than depth: all sorted
        ([], 4),
    ],
)
def test_best_first_head_equals_a_full_sort(scores, depth) -> None:
    docs = np.arange(10, 10 + len(scores), dtype=np.int64)[::-1].copy()  # docnums not in order
    found = np.array(scores, dtype=np.float64)
    full = np.lexsort((docs, -found))
    got_docs, got_scores = ranking._best_first(docs, found, depth)
    top = min(depth, len(docs))
    assert got_docs[:top].tolist() == docs[full][:top].tolist()
    assert got_scores[:top].tolist() == found[full][:top].tolist()
    rest = got_docs[top:].tolist()
    assert rest == [d for d in docs.tolist() if d not in got_docs[:top].tolist()]
    assert dict(zip(got_docs.tolist(), got_scores.tolist(), strict=True)) == dict(
        zip(docs.tolist(), scores, strict=True)
    )


def test_best_first_on_many_random_scores() -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        n = int(rng.integers(1, 400))
        found = rng.integers(0, 20, n).astype(np.float64)  # many ties
        docs = rng.permutation(n * 3)[:n].astype(np.int64)
        full = np.lexsort((docs, -found))
        got, _ = ranking._best_first(docs, found, ranking.RERANK_DEPTH)
        top = min(n, ranking.RERANK_DEPTH)
        assert got[:top].tolist() == docs[full][:top].tolist()
