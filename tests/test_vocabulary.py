"""kb.vocabulary: raw words analysed once, found again by term, with their word positions."""

from __future__ import annotations

import threading

import pytest

from kb import analysis, vocabulary
from kb.vocabulary import Vocabulary


def test_learns_spans_terms_and_places_until_full() -> None:
    vocab = Vocabulary(max_words=5)
    spans, by_term, places = vocab.learn({"Councils", "council", "roads", "anti-social"})
    assert spans["Councils"] == ((0, 8, "council"),)
    assert set(by_term["council"]) == {"Councils", "council"}
    assert by_term["road"] == ("roads",)
    assert by_term["antisoci"] == ("anti-social",)
    assert places == {"Councils": 1, "council": 1, "roads": 1, "anti-social": 2}
    again = vocab.learn({"council", "x" * (vocabulary.LONGEST + 1)})  # too long: left out
    assert again.spans is spans and len(spans) == 4
    fresh = vocab.learn({"police", "meetings"})  # past five words: a new, empty one
    assert set(fresh.spans) == {"police", "meetings"} and "council" not in fresh.by_term
    assert set(spans) == {"Councils", "council", "roads", "anti-social"}  # left whole


@pytest.mark.parametrize(
    ("raw", "flags"),
    [
        ("council", [True]),
        ("the", []),  # a stopword: no term, no position
        ("anti-social", [True, True, False]),  # anti, social, then antisoci inside them
        ("x-ray", [True, False]),  # the single letter is dropped: ray, then xray
        ("and-or", [True]),  # every part a stopword: the joined form takes the position
        ("anti-social-behaviour", [True, True, True, False]),
    ],
)  # fmt: skip
def test_positional_spans_are_tokenize_positions(raw: str, flags: list[bool]) -> None:
    spans = analysis._word_spans(raw)
    assert vocabulary.positional(spans) == flags
    positions = [t.pos for t in analysis.tokenize(raw)]
    assert sum(flags) == len(set(positions))  # one position per positional span


def test_threads_learning_at_once_each_get_their_words() -> None:
    vocab = Vocabulary(max_words=300)  # small: emptied while the threads run
    errors: list[str] = []

    def work(n: int) -> None:
        for round_ in range(40):
            words = {f"w{n}x{round_}y{i}" for i in range(20)}
            known = vocab.learn(words)
            missing = [w for w in words if w not in known.spans or w not in known.places]
            if missing:
                errors.append(f"thread {n}: {missing[:3]}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


@pytest.mark.parametrize("text", ["", "CCTV", " two words, anti-social. ", "é-x 12'3"])
def test_split_is_the_word_pattern_split_and_repeats_cheaply(text: str) -> None:
    parts = vocabulary.split(text)
    assert parts == analysis.WORD_SPLIT_RE.split(text)
    assert vocabulary.split(text) is parts  # the same text again: not split again
    other = text + " more"
    assert vocabulary.split(other) == analysis.WORD_SPLIT_RE.split(other)
