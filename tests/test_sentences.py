"""indexer.sentences: the sentence splitter, and its fast patterns against the patterns as
first written (the oracle: same splits, same substitutions, on generated and real text)."""

from __future__ import annotations

import re
from itertools import product
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import pipeline
from indexer import sentences as mod
from indexer.sentences import ABBREVIATIONS, sentences

#: The patterns as first written (before they were rewritten to start with a character class).
PLAIN_ABBREVIATION = re.compile(r"\b(" + "|".join(map(re.escape, ABBREVIATIONS)) + r")\.\s")
PLAIN_INITIAL_DOT = re.compile(r"\b([A-Z])\.\s(?=[A-Z])")
PLAIN_PARTS = (
    r"(?<=[.!?;:])\s+(?=[A-Z“\"(•\-])|\n+",
    r"\s*•\s*",
    r"\s+-\s+(?=[A-Z])",
    r"(?<=:)\s+(?=the [A-Z])",
    r"(?<=[a-z])\s+(?=The (?:Chair|Clerk|Vice|[A-Z]\w+ (?:Officer|Manager|Director)))",
)
PLAIN_SENT = re.compile("|".join(PLAIN_PARTS))


def plain_sentences(text: str) -> list[str]:
    """indexer.people.sentences as first written: one regex with every alternative."""
    text = re.sub(r"<[^<>]{1,200}>", "\n", text).replace("&amp;", "&")
    text = PLAIN_ABBREVIATION.sub("\\1.\x01", text)
    text = PLAIN_INITIAL_DOT.sub("\\1.\x01", text)
    split = PLAIN_SENT.split(text)
    parts = [" ".join(p.replace("\x01", " ").split()).lstrip("-–•*·> ") for p in split]
    return [p for p in parts if p]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cllr. Smith said. The Clerk reported", ["Cllr. Smith said.", "The Clerk reported"]),
        ("J. Smith asked; Mr. P. Jones replied.", ["J. Smith asked;", "Mr. P. Jones replied."]),
        ("St. Mary's Church. No. 5 was noted", ["St. Mary's Church.", "No. 5 was noted"]),
        ("Items:\n• roads\n•  paths", ["Items:", "roads", "paths"]),
        ("costs •fees", ["costs", "fees"]),
        ("Budget - Cllr Jones said", ["Budget", "Cllr Jones said"]),
        ("budget - costs rose", ["budget - costs rose"]),
        ("Speed limit: the Clerk advised", ["Speed limit:", "the Clerk advised"]),
        ("works agreed The Clerk will write", ["works agreed", "The Clerk will write"]),
        ("paid The Finance Officer said", ["paid", "The Finance Officer said"]),
        ("paid The money", ["paid The money"]),
        ("<p>One</p><p>Two &amp; three</p>", ["One", "Two & three"]),
        ("e.g. the plan.  It was agreed", ["e.g. the plan.", "It was agreed"]),
        ("AB. Cd", ["AB.", "Cd"]),
        ("Mr.Smith. Then", ["Mr.Smith.", "Then"]),
        ("", []),
    ],
)
def test_sentences_split_as_minutes_read(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected
    assert plain_sentences(text) == expected


WORDS = [
    "The", "the", "Chair", "Clerk", "Vice", "Finance", "Officer", "Cllr", "Cllr.", "Mr.", "Mrs",
    "J.", "A.B.", "Smith", "(J)", "said", ".", ";", ":", "!", "?", "-", "–", "•", "\n", "\n\n",
    "  ", "\t", "<b>", "</b>", "&amp;", "Dr.", "St.", "No.", "Insp.", "Supt.", "Deputy", "x.",
    "“Quote", "(Note)", "Mr.Smith", "X.", "É.", "ab", "•\n", "- ", " -", "\u00a0",
]  # fmt: skip
texts = st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join) | st.lists(
    st.sampled_from(WORDS), max_size=40
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(text=texts)
def test_fast_patterns_equal_the_plain_ones(text: str) -> None:
    assert mod._ABBREVIATION.sub("\\1.\x01", text) == PLAIN_ABBREVIATION.sub("\\1.\x01", text)
    assert mod._INITIAL_DOT.sub("\\1.\x01", text) == PLAIN_INITIAL_DOT.sub("\\1.\x01", text)
    assert mod._sentence_break(text).split(text) == PLAIN_SENT.split(text)
    assert sentences(text) == plain_sentences(text)


@settings(max_examples=300, deadline=None)
@given(text=texts)
def test_every_subset_of_breaks_equals_the_plain_alternatives(text: str) -> None:
    """Each combination of break alternatives :func:`_sentence_break` may choose splits as
    the same alternatives as first written."""
    for keep in product((True, False), repeat=len(PLAIN_PARTS) - 1):
        need = (True, *keep)
        chosen = [p for p, k in zip(PLAIN_PARTS, need, strict=True) if k]
        fast_parts = [p for (p, _), k in zip(mod._SENT_PARTS, need, strict=True) if k]
        fast = re.compile(r"[\s•](?:" + "|".join(fast_parts) + ")")
        assert fast.split(text) == re.compile("|".join(chosen)).split(text)


def test_titles_must_start_with_a_capital() -> None:
    with pytest.raises(ValueError, match="capital"):
        mod._word_at_boundary(("Cllr", "de"))


def _real_texts(corpus_dir: Path, seed_path: Path) -> list[str]:
    files = [seed_path] + [
        p for p in pipeline.discover([corpus_dir]) if p.suffix in {".txt", ".md", ".html"}
    ]
    texts = []
    for path in files:
        kind, found = pipeline.prepare(path, None, False, people=False)
        if kind == "ok":
            texts += [f"{i.title}\n{i.body}" for m in found for i in m.items]
    return texts


@pytest.mark.corpus
def test_real_minutes_split_as_with_the_plain_patterns(corpus_dir: Path, seed_path: Path) -> None:
    texts = _real_texts(corpus_dir, seed_path)
    assert len(texts) > 500
    split = [sentences(t) for t in texts]
    assert split == [plain_sentences(t) for t in texts]
    assert sum(map(len, split)) > 5000
