"""textfield: KbText's direct indexing gives exactly the postings Whoosh's TEXT gives."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from whoosh import fields, formats

from kb.engine.whoosh.search import KbAnalyzer
from kb.engine.whoosh.textfield import (
    KbText,
    encode_positions,
    positions_decoder,
    small_deltas,
    term_positions,
)

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


@pytest.mark.parametrize(
    "deltas",
    [
        [3, 5],
        [300, 1, 2],  # a two-byte first position
        [70_000, *([2] * 4999)],  # a four-byte first position, five batches
        [1] * 1000,  # exactly one batch
        [1] * 1001,  # a batch of one after a full one
        [7] * 2000,
        [40, 75, 101] * 900,  # values that are MARK, BININT1 and APPENDS bytes
        [101] * 1000 + [40] * 1000,
    ],
)
def test_small_deltas_reads_what_pickle_reads(deltas: list[int]) -> None:
    pickled = pickle.dumps(deltas, 2)
    for value in (pickled, pickled[:-1]):  # Whoosh stores it without pickle's STOP
        got = small_deltas(value, len(deltas))
        assert got is not None and got.tolist() == deltas


@pytest.mark.parametrize(
    ("deltas", "count"),
    [
        ([1, 256, 2], 3),  # a later two-byte item: unpickled instead
        ([5, 6, 70_000], 3),
        ([2**31, 1], 2),  # a long: unpickled instead
        ([4, 5, 6], 4),  # a count the bytes do not hold
        ([4], 1),
    ],
)
def test_small_deltas_declines_other_layouts(deltas: list[int], count: int) -> None:
    assert small_deltas(pickle.dumps(deltas, 2), count) is None


def test_positions_round_trip_through_both_decoders() -> None:
    decode = positions_decoder(formats.Positions())
    for positions in ([5], [5, 9], list(range(0, 400_000, 2)), [0, 300, 70_000, 70_001]):
        assert decode(encode_positions(positions)).tolist() == positions


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
