"""kb.spelling: did-you-mean ranks by edit distance, then by how many documents use a word."""

from __future__ import annotations

import pytest

from kb import analysis
from kb.spelling import edit_distance, suggest_word


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("police", "police", 0),
        ("polise", "police", 1),
        ("polcie", "police", 1),  # a transposition is one edit
        ("polic", "police", 1),
        ("plice", "policy", 2),
        ("", "cctv", 4),
        ("cctv", "", 4),
        ("kitten", "sitting", 3),
    ],
)
def test_edit_distance(a: str, b: str, expected: int) -> None:
    assert edit_distance(a, b) == expected == edit_distance(b, a)


class FakeReader:
    """The two reader calls suggest_word makes, over a word → body document frequency map."""

    def __init__(self, words: dict[str, int]) -> None:
        self.words = words

    def terms_within(self, field: str, text: str, maxdist: int):
        assert field == "words"
        return [w for w in self.words if edit_distance(text, w) <= maxdist + 1]

    def doc_frequency(self, field: str, term: str) -> int:
        if field != "body":
            return 0
        return sum(n for w, n in self.words.items() if analysis.stem(w) == term)


def test_the_nearer_word_wins_over_the_commoner() -> None:
    reader = FakeReader({"police": 3, "policy": 500})
    assert suggest_word(reader, "polise") == "police"


def test_among_equally_near_words_the_commoner_wins() -> None:
    reader = FakeReader({"parking": 40, "marking": 2, "barking": 9})
    assert suggest_word(reader, "darking") == "parking"


def test_an_indexed_word_is_its_own_suggestion_and_far_words_are_none() -> None:
    reader = FakeReader({"cctv": 5, "cameras": 7})
    assert suggest_word(reader, "cctv") == "cctv"
    assert suggest_word(reader, "xyzzyq") is None
    assert suggest_word(FakeReader({}), "cctv") is None


@pytest.mark.parametrize(
    ("words", "typed", "expected"),
    [
        ({"partnrship": 1, "partnership": 40}, "partnrship", "partnership"),  # a rare typo
        ({"cctv": 5, "cct": 2}, "cctv", None),  # rarer neighbours are no better
        ({"cctv": 5, "cctvs": 5}, "cctv", None),  # same stem, same use: not commoner
        ({"hale": 3, "hall": 50, "halt": 9}, "hale", "hall"),
        ({"polcie": 1}, "polcie", None),  # nothing else near
    ],
)
def test_commoner_skips_the_word_itself(words: dict[str, int], typed: str, expected) -> None:  # type: ignore[no-untyped-def]
    assert suggest_word(FakeReader(words), typed, commoner=True) == expected


def test_max_edits_narrows_the_candidates() -> None:
    reader = FakeReader({"limited": 90, "unlimited": 2})
    assert suggest_word(reader, "unlimited", commoner=True) == "limited"  # two edits
    assert suggest_word(reader, "unlimited", commoner=True, max_edits=1) is None
    assert suggest_word(FakeReader({"partnership": 9}), "partnrship", max_edits=1) == "partnership"
