"""indexer.language: English or Welsh from the text's own function words."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import language
from indexer.language import _WORD, SAMPLE_WORDS, detect_language, letter_sample, sample_words
from indexer.read import read_file

FIXTURES = Path(__file__).parent / "fixtures" / "identity"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Cynhaliwyd cyfarfod o'r Cyngor am 7.30pm ar yr 11eg Mawrth. Roedd y Clerc yn bresennol "
         "ac fe gytunwyd bod y cofnodion yn gywir.", "cy"),
        ("The council held its meeting at 7.30pm on 11th March; the Clerk was present.", "en"),
        # a bilingual heading in an English text stays English
        ("Cyngor Cymuned Manordeilo a Salem Community Council. The minutes of the last meeting "
         "were agreed and signed by the Chair; the Clerk reported on the accounts.", "en"),
        ("", "en"),
        ("2019 £250 12/03", "en"),
    ],
)  # fmt: skip
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_a_welsh_fixture_file_is_welsh_and_its_english_copy_english() -> None:
    welsh = read_file(FIXTURES / "welsh-2020-03-11.txt")
    english = read_file(FIXTURES / "copy-2020-03-11.txt")
    assert detect_language(" ".join(b.text for b in welsh.blocks)) == "cy"
    assert detect_language(" ".join(b.text for b in english.blocks)) == "en"


def _first_words(text: str, limit: int) -> list[str]:
    """The reference: the first ``limit`` matches of a plain scan of the whole text."""
    out = []
    for m in _WORD.finditer(text):
        if len(out) == limit:
            break
        out.append(m.group(0))
    return out


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("", 5),
        ("one two three", 5),
        ("one two three four five", 5),  # exactly the limit
        ("one two three four five sixth", 5),
        ("aa " * 10 + "longword", 10),  # the word after the limit is cut by the first span
        ("x" * 200 + " y", 1),  # one word longer than the first span (12 characters)
        ("Cyngor " * 3 + "12 £30 " * 50 + "the end", 5),  # digits are not words
        ("word " * 40 + "splitacrossthespan" + " more" * 10, 41),
    ],
)  # fmt: skip
def test_sample_words_is_the_first_words_of_a_whole_scan(text: str, limit: int) -> None:
    assert sample_words(text, limit) == _first_words(text, limit)
    if text.isascii():
        assert [w.decode() for w in letter_sample(text, limit)] == [
            w.lower() for w in _first_words(text, limit)
        ]


def test_only_the_first_sample_words_count() -> None:
    english_then_welsh = "the " * SAMPLE_WORDS + "y yr ac yn " * SAMPLE_WORDS
    assert detect_language(english_then_welsh) == "en"
    assert detect_language("y yr " * 5 + "the " * 15) == "en"
    assert detect_language("Y YR Mae " * 10 + "the " * 15) == "cy"  # case does not matter


def test_sample_words_match_a_whole_scan_on_every_corpus_text(corpus_dir: Path) -> None:
    texts = sorted(corpus_dir.rglob("*.txt")) + sorted(corpus_dir.rglob("*.md"))
    assert texts
    for path in texts:
        text = path.read_text(encoding="utf-8", errors="replace")
        for limit in (50, SAMPLE_WORDS):
            assert sample_words(text, limit) == _first_words(text, limit), path
            if text.isascii():
                lowered = [w.lower().encode() for w in _first_words(text, limit)]
                assert letter_sample(text, limit) == lowered, path


@settings(max_examples=500, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(["the", "The", "y", "YR", "mae", "Ac", "and", "x_y", "12", "a1b", "-"]),
        max_size=60,
    ),
    limit=st.integers(1, 40),
)
def test_ascii_sample_equals_the_plain_scan(words: list[str], limit: int) -> None:
    """The ASCII path (bytes translated and split) gives the plain scan's words, lowercased,
    and so the same language."""
    text = " ".join(words) + "".join(words)
    assert [w.decode() for w in letter_sample(text, limit)] == [
        w.lower() for w in _first_words(text, limit)
    ]
    counts = Counter(w.lower() for w in _first_words(text, SAMPLE_WORDS))
    welsh = sum(n for w, n in counts.items() if w in language._WELSH)
    english = sum(n for w, n in counts.items() if w in language._ENGLISH)
    assert detect_language(text) == ("cy" if welsh > english else "en")


def _function_words(words: list[str]) -> list[str | None]:
    """Each word lowercased when it is a Welsh or English function word, else None."""
    listed = language._WELSH | language._ENGLISH
    return [w.lower() if w.lower() in listed else None for w in words]


@settings(max_examples=800, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            ["the", "THE", "y", "Yr", "clerk", "CLER\u212a", "\u212aa", "İS", "ıs", "café", "’",
             "x’s", "½", "y_z", "3rd", "ŵyr", "ſ", "a\u0301", "Σ", "\ud800", "\x80", "-", "\n"]
        ),
        max_size=50,
    ),
    limit=st.integers(1, 40),
)  # fmt: skip
def test_letter_sample_finds_the_function_words_of_the_plain_scan(
    words: list[str], limit: int
) -> None:
    """Any text (non-ASCII letters and signs, the Kelvin sign whose lowercase is "k"):
    the same number of words, and a function word exactly where the plain scan's word,
    lowercased, is one; so the same language."""
    text = " ".join(words) + "".join(words)
    plain = _first_words(text, limit)
    fast = [w.decode("latin-1") for w in letter_sample(text, limit)]
    assert len(fast) == len(plain)
    assert _function_words(fast) == _function_words(plain)
    counts = Counter(w.lower() for w in _first_words(text, SAMPLE_WORDS))
    welsh = sum(n for w, n in counts.items() if w in language._WELSH)
    english = sum(n for w, n in counts.items() if w in language._ENGLISH)
    assert detect_language(text) == ("cy" if welsh > english else "en")


def test_corpus_texts_have_the_language_of_the_plain_scan(corpus_dir: Path) -> None:
    texts = sorted(corpus_dir.rglob("*.txt")) + sorted(corpus_dir.rglob("*.md"))
    for path in texts:
        text = path.read_text(encoding="utf-8", errors="replace")
        plain = _first_words(text, SAMPLE_WORDS)
        fast = [w.decode("latin-1") for w in letter_sample(text)]
        assert len(fast) == len(plain) and _function_words(fast) == _function_words(plain), path
