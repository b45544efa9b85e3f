"""textfield: KbText's direct indexing gives exactly the postings Whoosh's TEXT gives."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from whoosh import fields

from kb.engine.whoosh.search import KbAnalyzer
from kb.engine.whoosh.textfield import KbText, term_positions

TEXTS = [
    "",
    "   ",
    "CCTV",
    "The CCTV cameras in the park: 10 CCTV units were installed.",
    "Anti-social behaviour (ASB) and anti-social drinking; anti--social; -social; anti-",
    "co-operation with the Police and Crime Commissioner's office, O'Neill's report",
    "Café naïve façade — CAFÉ cafe",
    "a an the of to — stopwords only",
    "x-y-z a-b the-of 1-2-3 e-mail re-re-re",
    "2018/19 £1,250,000 12.5% item 7(a)(ii)",
    "word " * 40 + "different words repeated word",
    "\u2010hyphen\u2011forms and under_scores snake_case",
]


def whoosh_postings(field: fields.FieldType, text: str) -> list[tuple]:
    return sorted(fields.TEXT.index(field, text))


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize(
    "make",
    [
        lambda: KbText(analyzer=KbAnalyzer(), phrase=True),
        lambda: KbText(analyzer=KbAnalyzer(), phrase=True, field_boost=2.5),
        lambda: KbText(analyzer=KbAnalyzer(stem=False), stem=False, phrase=False),
    ],
    ids=["positions", "boosted", "frequency-unstemmed"],
)
def test_index_equals_whoosh_text(make, text: str) -> None:
    field = make()
    assert sorted(field.index(text)) == whoosh_postings(field, text)


def test_index_equals_whoosh_text_on_the_seed(seed_path: Path) -> None:
    text = seed_path.read_text(encoding="utf-8")
    field = KbText(analyzer=KbAnalyzer(), phrase=True)
    ours = sorted(field.index(text))
    assert len(ours) > 300
    assert ours == whoosh_postings(field, text)


def test_index_equals_whoosh_text_on_corpus_files(corpus_dir: Path) -> None:
    field = KbText(analyzer=KbAnalyzer(), phrase=True)
    files = sorted(corpus_dir.rglob("*.txt"))[:15]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert sorted(field.index(text)) == whoosh_postings(field, text), path.name


def test_term_positions_numbers_hyphenated_words_like_tokenize() -> None:
    got = term_positions("the anti-social CCTV anti-social")
    assert got["anti"] == [0, 3] and got["social"] == [1, 4]
    assert got["antisoci"] == [0, 3] and got["cctv"] == [2]


def test_non_text_values_fall_back_to_whoosh() -> None:
    field = KbText(analyzer=KbAnalyzer(), phrase=True)
    words = ["cctv", "park"]
    assert sorted(field.index(words)) == whoosh_postings(field, words)


@pytest.mark.parametrize("poslist", [[0], [7], [3, 4], [0, 5, 6, 900], list(range(0, 3000, 7))])
def test_encode_positions_is_whooshs(poslist: list[int]) -> None:
    from whoosh import formats

    from kb.engine.whoosh.textfield import encode_positions

    assert encode_positions(poslist) == formats.Positions().encode(poslist)


@pytest.mark.parametrize("text", [
    "", "Apologies", "the council noted the report of the council",
    "Café, naïve façade — 2019/20 budget: £1,200,000", "road road road safety",
])  # fmt: skip
@pytest.mark.parametrize("stem", [True, False])
def test_portable_postings_restore_to_what_index_gives(text: str, stem: bool) -> None:
    field = KbText(stem=stem, phrase=True)
    shipped = pickle.loads(pickle.dumps(field.portable_index(text)))  # noqa: S301
    restored, expected = KbText.restore_index(shipped), list(field.index(text))
    assert restored == expected
    for (_, freq, _, got), (_, _, _, want) in zip(restored, expected, strict=True):
        assert freq > 1 or got is want  # a single position: the same cached object
