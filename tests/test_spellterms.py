"""Did-you-mean candidates on a Whoosh index of several segments
(``kb.engine.whoosh.spellterms``): the same words as Whoosh's own MultiReader fallback
(which measures every word of the field), found by automaton."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.support.levenshtein import distance

from bench.hostile import big_item_text
from indexer.pipeline import ingest
from kb.engine.whoosh.spellterms import terms_within, transposition_dfa
from kb.service import SearchRequest, SearchService

SEED = Path(__file__).resolve().parent.parent / "data" / "minutes"


@pytest.fixture(scope="module")
def two_segments(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed, then a generated CCTV item in a second ingest: an index of two segments."""
    tmp = tmp_path_factory.mktemp("spell")
    pack = tmp / "agenda-pack.txt"
    pack.write_text(big_item_text(3000), encoding="utf-8")
    index = tmp / "ix"
    ingest([SEED], index, workers=0)
    ingest([pack], index, workers=0)
    return index


def _edits(word: str) -> set[str]:
    """``word`` and the words one deletion, substitution, insertion or swap away."""
    out = {word}
    for i in range(len(word)):
        out |= {word[:i] + word[i + 1 :], word[:i] + "x" + word[i + 1 :], word[:i] + "e" + word[i:]}
        if i + 1 < len(word):
            out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return out


@pytest.mark.parametrize(
    ("term", "word", "maxdist", "accepted"),
    [
        ("cctv", "cctv", 1, True),
        ("cctv", "ctcv", 1, True),  # one swap: Levenshtein 2, one edit here
        ("cctv", "ctv", 1, True),
        ("cctv", "cctvs", 1, True),
        ("cctv", "ccxv", 1, True),
        ("cctv", "tccv", 1, False),  # two swaps' worth
        ("cctv", "tccv", 2, True),
        ("footage", "oftoage", 2, True),  # two swaps
        ("footage", "oftoaeg", 2, False),
        ("camera", "acmeras", 2, True),  # a swap and an insertion
        ("camera", "", 2, False),
    ],
)
def test_transposition_dfa_accepts_words_within_the_edits(
    term: str, word: str, maxdist: int, accepted: bool
) -> None:
    assert transposition_dfa(term, maxdist).accept(word) is accepted


def test_transposition_dfa_accepts_every_word_whooshs_distance_accepts() -> None:
    rng = random.Random(3)
    for term in ("cctv", "footage", "regeneration", "ab"):
        dfa = {k: transposition_dfa(term, k) for k in (1, 2)}
        candidates = set().union(*(_edits(w) for w in _edits(term)))
        candidates |= {"".join(rng.sample(term, len(term))) for _ in range(30)}
        for word in candidates:
            for k in (1, 2):
                if distance(word, term, limit=k) <= k:
                    assert dfa[k].accept(word), (term, word, k)


def test_two_segment_candidates_are_whooshs_fallback_answer(two_segments: Path) -> None:
    ix = whoosh_index.open_dir(str(two_segments), indexname="MAIN")
    with ix.reader() as reader:
        assert not reader.is_atomic() and len(list(reader.leaf_readers())) == 2
        vocabulary = sorted(reader.field_terms("words"))
        rng = random.Random(7)
        words = {"cctv", "ctcv", "footgae", "camrea", "licensnig", "polcie", "zzzz"}
        for word in rng.sample(vocabulary, 40):
            words |= set(rng.sample(sorted(_edits(word)), min(6, len(_edits(word)))))
        found = 0
        for word in sorted(words):
            for k in (1, 2):
                expected = sorted(reader.terms_within("words", word, k))  # Whoosh's fallback
                assert terms_within(reader, "words", word, k) == expected, (word, k)
                found += len(expected)
        assert found > len(words)  # most misspellings have candidates


def test_one_segment_reader_answers_itself(seed_index: Path) -> None:
    ix = whoosh_index.open_dir(str(seed_index), indexname="MAIN")
    with ix.reader() as reader:
        assert reader.is_atomic()
        for word in ("counicl", "polcie", "cctv"):
            assert terms_within(reader, "words", word, 2) == list(
                reader.terms_within("words", word, 2)
            )


def test_search_on_two_segments_suggests_the_word(two_segments: Path) -> None:
    svc = SearchService(two_segments)
    try:
        assert svc.search(SearchRequest(q="footgae")).suggestion == "footage"
        assert svc.search(SearchRequest(q="CCTV")).suggestion is None
    finally:
        svc.close()
