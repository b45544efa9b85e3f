"""The people finder's shortcuts give what the plain patterns give: sentence splitting with
only the break patterns a text can match, and mention finding after substring pre-checks
and after the cues found over all of an item's sentences at once (``sentence_cues``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import people_names, pipeline
from indexer.people_names import NO_CUES, find_mentions, sentence_cues
from indexer.sentences import sentences
from tests.test_sentences import plain_sentences

WORDS = [
    "The", "the", "Chair", "Clerk", "Vice", "Finance", "Officer", "Cllr", "Cllr.", "Mr.", "Mrs",
    "J.", "Smith", "Jones", "(J)", "(Chair)", "said", "reported", ".", ";", ":", "-", "–", "•",
    "\n", "<b>", "</b>", "&amp;", "Dr.", "St.", "Mayor", "Deputy", "Superintendent",
    "Cathaoirleach", "Leas-Chathaoirleach", "Inspector", "advised", "and", "Mary", "O'Brien",
    "Chief Executive", "(Dr. P. Daly)", "Sgt", "PC", "Rev", "Prof", "he", "she",
]  # fmt: skip
texts = st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join)


def _always(sentence: str) -> tuple[bool, bool, bool, bool]:
    return True, True, True, True


@settings(max_examples=500, deadline=None)
@given(text=texts)
def test_sentences_and_mentions_equal_the_plain_patterns(text: str) -> None:
    split = sentences(text)
    assert split == plain_sentences(text)
    fast = [find_mentions(s, {"smith"}) for s in split]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(people_names, "_hints", _always)
        assert [find_mentions(s, {"smith"}) for s in split] == fast


@settings(max_examples=500, deadline=None)
@given(text=texts)
def test_cues_change_no_mention(text: str) -> None:
    """With each sentence's cues, found over all sentences at once, every sentence gives
    the mentions it gives with every pattern tried; a sentence without cues gives none."""
    split = sentences(text)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(people_names, "_hints", _always)
        plain = [find_mentions(s, {"smith", "jones"}) for s in split]
    cued = [
        find_mentions(s, {"smith", "jones"}, c) if c != NO_CUES else []
        for s, c in zip(split, sentence_cues(split), strict=True)
    ]
    assert cued == plain


@pytest.mark.parametrize(
    ("sentence", "cues"),
    [
        ("Cllr Smith said", (True, False, False, False, True, False)),
        ("Smith (J) said", (False, True, False, False, False, False)),
        ("the Chair noted", (False, False, True, True, False, False)),
        ("then the Finance Officer said", (False, False, False, True, True, False)),
        ("Mary Jones said", (False, False, False, False, True, False)),
        ("J. Jones said", (False, False, False, False, False, True)),
        ("the money was spent", (False, False, False, False, False, False)),
    ],
)
def test_cues_of_one_sentence(sentence: str, cues: tuple[bool, ...]) -> None:
    assert sentence_cues([sentence]) == [cues]
    assert sentence_cues(["x", sentence, "y"])[1] == cues


@settings(max_examples=500, deadline=None)
@given(text=texts)
def test_hints_equal_a_substring_test_per_key(text: str) -> None:
    titled, paren, chair, the = people_names._hints(text)
    assert titled == any(k in text for k in people_names._TITLE_KEYS)
    assert chair == any(k in text for k in people_names._CHAIR_KEYS)
    assert (paren, the) == ("(" in text, "he" in text)


def test_every_title_holds_a_title_key() -> None:
    assert all(any(k in t for k in people_names._TITLE_KEYS) for t in people_names.TITLES)


@pytest.mark.corpus
def test_corpus_people_equal_with_the_plain_patterns(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [p for p in pipeline.discover([corpus_dir]) if p.suffix in {".txt", ".md", ".html"}]
    meetings = []
    for path in files[:40]:
        kind, found = pipeline.prepare(path, None, False, people=False)
        if kind == "ok":
            meetings.extend(found)  # a file may hold two meetings
    texts = [f"{i.title}\n{i.body}" for m in meetings for i in m.items]
    fast = [[find_mentions(s, set()) for s in sentences(t)] for t in texts]
    cued = [
        [find_mentions(s, {"smith"}, c) for s, c in zip(ss, sentence_cues(ss), strict=True)]
        for ss in map(sentences, texts)
    ]
    monkeypatch.setattr(people_names, "_hints", _always)
    assert cued == [[find_mentions(s, {"smith"}) for s in sentences(t)] for t in texts]
    plain = [[find_mentions(s, set()) for s in plain_sentences(t)] for t in texts]
    assert fast == plain
    assert sum(len(m) for t in fast for m in t) > 100


def finditer_cues(split: list[str]) -> list[tuple[bool, ...]]:
    """sentence_cues as first written: every match of every cue pattern over the joined
    sentences, each flagging the sentence it starts in."""
    from bisect import bisect_right

    joined = "\x00".join(split)
    starts = [sum(len(s) + 1 for s in split[:n]) for n in range(len(split))]
    flags = [[False] * len(people_names._CUE_PATTERNS) for _ in split]
    for k, pattern in enumerate(people_names._CUE_PATTERNS):
        for m in pattern.finditer(joined):
            flags[bisect_right(starts, m.start()) - 1][k] = True
    return [tuple(f) for f in flags]


@settings(max_examples=500, deadline=None)
@given(text=texts)
def test_cues_equal_every_match_and_each_sentence_alone(text: str) -> None:
    """Searching on from the next sentence after a match flags what every match flags,
    which is each pattern searched in each sentence alone."""
    split = sentences(text) + ["x"] + sentences(text)
    alone = [tuple(p.search(s) is not None for p in people_names._CUE_PATTERNS) for s in split]
    assert sentence_cues(split) == finditer_cues(split) == alone
