"""kb.analysis: tokens, positions, offsets, stopwords, stemming, hyphen variants."""

from __future__ import annotations

import pytest

from kb import analysis
from kb.analysis import Token, load_stopwords, sentences, stem, terms, tokenize, word_variants


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CCTV units", ["cctv", "unit"]),
        ("The Council's decision", ["council", "decis"]),
        ("Reducing Violence & Exploitation", ["reduc", "violenc", "exploit"]),
        ("anti-social behaviour", ["anti", "social", "antisoci", "behaviour"]),
        ("Anti‑Social", ["anti", "social", "antisoci"]),  # non-breaking hyphen
        ("café in Tŷ Hywel", ["cafe", "ty", "hywel"]),
        ("2016/17 budget", ["2016", "17", "budget"]),
        ("O'Neill and O’Brien", ["oneil", "obrien"]),
        ("a b c 5", ["5"]),  # single letters dropped, single digits kept
        ("", []),
        ("<b>Resolved:</b>", ["resolv"]),
    ],
)
def test_terms_table(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_positions_skip_stopwords_and_share_for_hyphen_joins() -> None:
    toks = list(tokenize("keep the anti-social out"))
    assert toks == [
        Token("keep", 0, 0, 4),
        Token("anti", 1, 9, 13),
        Token("social", 2, 14, 20),
        Token("antisoci", 1, 9, 20),
        Token("out", 3, 21, 24),
    ]


def test_offsets_point_at_the_original_text() -> None:
    text = "Councillor  Aslam KHAN commended the CCTV team."
    for tok in tokenize(text, do_stem=False):
        assert analysis.fold(text[tok.start : tok.end]) == tok.text


def test_unstemmed_and_unfiltered_modes() -> None:
    assert terms("the units", do_stem=False, stop=False) == ["the", "units"]
    assert terms("the units", do_stem=False) == ["units"]


def test_stopwords_come_from_the_shipped_file(tmp_path) -> None:
    shipped = load_stopwords()
    assert {"the", "and", "of"} <= shipped
    assert "not" not in shipped and "police" not in shipped
    custom = tmp_path / "stop.txt"
    custom.write_text("# comment\nFoo  # trailing\n\nbar\n", encoding="utf-8")
    assert load_stopwords(custom) == {"foo", "bar"}
    assert load_stopwords(tmp_path / "missing.txt") == frozenset()


def test_stem_is_cached() -> None:
    stem.cache_clear()
    assert stem("committees") == stem("committee") == "committe"
    stem("committees")
    assert stem.cache_info().hits >= 1
    assert stem("2018") == "2018"


@pytest.mark.parametrize(
    ("word", "variants"),
    [
        ("CCTV", [("cctv",)]),
        ("anti-social", [("anti", "social"), ("antisoci",)]),
        ("antisocial", [("antisoci",)]),
        ("the", []),
        ("e-mail", [("mail",), ("email",)]),
    ],
)
def test_word_variants(word: str, variants: list[tuple[str, ...]]) -> None:
    assert word_variants(word) == variants


def test_all_hyphen_forms_meet_in_the_index_terms() -> None:
    indexed = {
        "hyphen": set(terms("Anti-Social Behaviour")),
        "joined": set(terms("antisocial behaviour")),
    }
    # the query "antisocial" finds both forms
    assert stem("antisocial") in indexed["hyphen"] and stem("antisocial") in indexed["joined"]


def test_phrase_terms_take_one_term_per_position() -> None:
    assert analysis.phrase_terms("the Anti-Social Behaviour order") == [
        "anti",
        "social",
        "behaviour",
        "order",
    ]


def test_sentences_split_on_stops_bullets_and_lines() -> None:
    text = "Hello there. This is 10 CCTV units.\n• one • two"
    assert [text[a:b] for a, b in sentences(text)] == [
        "Hello there.",
        "This is 10 CCTV units.",
        "one",
        "two",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "CCTV",
        "  CCTV units, and anti-social behaviour.",
        "x-ray anti-social-behaviour order -- the end-",
        "O'Neill and O’Brien's café in Tŷ Hywel: 2016/17",
        "a-b-c and-or the-of",  # hyphenated words whose parts are all dropped
        "word" + "x" * 300 + " tail",  # a word longer than any term
        "Anti‑Social\tcams\n\n• item",
    ],
)  # fmt: skip
def test_term_spans_are_tokenize_without_positions(text: str) -> None:
    assert analysis.term_spans(text) == [(t.start, t.end, t.text) for t in tokenize(text)]


@pytest.mark.parametrize(
    "text",
    [
        "One. Two! Three? four. 5 items.\n\nNext line\n• bullet • two •three",
        "No bullet here. Another sentence.\nA line.  (Bracketed) start. 'Quoted' start.",
        "x.. Y. a.\nb ...\n\n\nZ",
        "",
    ],
)  # fmt: skip
def test_sentences_without_a_bullet_split_as_with_the_full_pattern(text: str) -> None:
    """The bullet-free pattern (used when a text has no bullet) splits as the full one."""
    import re

    full = analysis._SENTENCE_BREAKS
    for piece in (text, text.replace("•", "-")):
        spans, start = [], 0
        for match in full.finditer(piece):
            if match.start() > start:
                spans.append((start, match.start()))
            start = match.end()
        if start < len(piece):
            spans.append((start, len(piece)))
        assert sentences(piece) == [(a, b) for a, b in spans if piece[a:b].strip()]
        if "•" not in piece:
            assert [m.span() for m in analysis._SENTENCE_BREAKS_NO_BULLET.finditer(piece)] == [
                m.span() for m in re.finditer(full, piece)
            ]
