"""The ingest worker's term analysis (textfield.term_positions, KbText.postings and
portable_postings, phrases.pair_postings, preanalysis's shipping) gives byte for byte what
it gave before it was sped up: tests/analysis_oracle.py holds the old functions, compared
here on the seed, real minutes from the shared corpus, generated items and
hypothesis-generated text (hyphens, apostrophes, stopwords, accents, repeats)."""

from __future__ import annotations

import pickle
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import formats

from bench.generate import GenConfig, iter_meetings
from kb import analysis
from kb.engine.whoosh import phrases, preanalysis, textfield
from kb.engine.whoosh.search import SCHEMA, KbAnalyzer
from kb.engine.whoosh.textfield import KbText, term_layout, term_positions
from tests import analysis_oracle as oracle

PROPERTY = settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)

#: words that exercise the analysis: stopwords, single letters, hyphenated and joined forms
#: (parts sharing a position with the joined word), apostrophes, accents, digits, repeats
WORDS = [
    "the", "of", "a", "I", "x", "council", "Council", "councils", "council's", "anti-social",
    "antisocial", "anti", "social", "x-ray", "co-operation", "cooperation", "the-of",
    "council-s", "s-council", "re-re-re", "e-mail", "1-2-3", "2018-19", "2018", "O'Neill",
    "O’Neill", "café", "CAFÉ", "naïve", "façade", "road", "roads", "safety", "planning",
    "anti‐social", "anti‑social", "well-being", "wellbeing", "under_score", "--", "-", "'",
    "a-b", "-social", "anti-", "£1,250", "7(a)(ii)", "Σ-δ", "straße",
]  # fmt: skip
SEPARATORS = [" ", "  ", "\n", ", ", ". ", " - ", "—", "/", ": ", "(", ")", "_"]

texts = st.lists(
    st.one_of(
        st.sampled_from(WORDS),
        st.text(alphabet="ab-‐‑'’_ éΣ1", min_size=1, max_size=8),
    ),
    max_size=60,
).flatmap(
    lambda words: st.lists(
        st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)
    ).map(lambda seps: "".join(w + s for w, s in zip(words, seps, strict=True)))
)


def _check_text(text: str, stem: bool = True) -> None:
    """Every function of the worker's analysis equals the oracle on ``text``."""
    new, old = term_positions(text, stem=stem), oracle.term_positions(text, stem=stem)
    assert new == old and list(new) == list(old)
    assert term_layout(new) == term_layout(dict(new))  # the kept sequence is the dict's
    for boost in (1.0, 2.5):
        field = KbText(analyzer=KbAnalyzer(stem=stem), stem=stem, phrase=True, field_boost=boost)
        expected = oracle.postings(old, boost)
        assert field.postings(new) == expected
        restored = KbText.restore_index(field.portable_postings(new))
        assert restored == expected
        direct = field.postings(new)
        for (_, freq, _, got), (_, _, _, want) in zip(restored, direct, strict=True):
            assert freq > 1 or got is want  # a single position: the same cached object
        weights = {t: float(len(ps)) * boost for t, ps in old.items()}
        want_pairs = oracle.pair_postings(old, weights)
        assert phrases.pair_postings(new, weights) == want_pairs
        assert phrases.pair_postings(dict(new), weights) == want_pairs


@PROPERTY
@given(texts, st.booleans())
def test_generated_text_is_analysed_as_before(text: str, stem: bool) -> None:
    _check_text(text, stem)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "the of a",
        "antisocial anti-social",  # the joined form seen first: its rank leads the position
        "council-s council",  # one term twice at one position
        "x-ray anti-social-behaviour order anti-social",
        "café CAFÉ cafe café-bar",
        "word " * 300 + "word-word",  # a long repeat: entries with many positions
    ],
)
def test_edge_texts_are_analysed_as_before(text: str) -> None:
    _check_text(text)
    _check_text(text, stem=False)


def test_the_seed_is_analysed_as_before(seed_path: Path) -> None:
    _check_text(seed_path.read_text(encoding="utf-8"))


@pytest.mark.corpus
def test_real_minutes_are_analysed_as_before(corpus_dir: Path) -> None:
    files = sorted(corpus_dir.rglob("*.txt")) + sorted(corpus_dir.rglob("*.md"))
    assert len(files) > 50
    for path in files[::3]:
        _check_text(path.read_text(encoding="utf-8", errors="replace"))


def test_generated_items_are_analysed_as_before() -> None:
    for meeting in iter_meetings(GenConfig(items=300, seed=11)):
        for item in meeting.items:
            _check_text(item.body)
            _check_text(item.title)


@PROPERTY
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_the_ascii_word_pattern_is_words_on_ascii_text(text: str) -> None:
    assert textfield._ASCII_WORD_RE.findall(text) == analysis.WORD_RE.findall(text)


def test_the_joiners_are_the_analysis_joiners() -> None:
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    assert set(analysis._JOINERS_RE.findall(every)) == set(textfield._JOINERS)
    assert all(re.fullmatch(analysis.WORD_RE, f"ab{j}cd") for j in textfield._JOINERS)


def test_encode_positions_is_the_old_encoding() -> None:
    for poslist in ([0], [7], [3, 4], [0, 5, 6, 900], list(range(0, 3000, 7)), [5, 5]):
        assert textfield.encode_positions(poslist) == oracle.encode_positions(poslist)
        assert textfield.encode_positions(poslist) == formats.Positions().encode(poslist)


def test_the_word_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textfield, "MAX_CACHED_WORDS", 5)
    monkeypatch.setitem(textfield._WORDS, True, {})
    text = "alpha beta gamma delta epsilon zeta eta theta anti-social"
    for _ in range(3):
        assert term_positions(text) == oracle.term_positions(text)
        assert len(textfield._WORDS[True]) <= 9


def test_shipped_analysis_is_the_analysis() -> None:
    """Analysed pickles without the memo, and unpickles to the equal dict."""
    meeting = next(iter_meetings(GenConfig(items=30, seed=5)))
    analysed = preanalysis.analyse([meeting])
    shipped = pickle.loads(pickle.dumps(analysed, pickle.HIGHEST_PROTOCOL))  # noqa: S301
    assert type(shipped) is preanalysis.Analysed and shipped == analysed
    assert set(shipped) == {
        (name, value)
        for item in meeting.items
        for name, value in preanalysis.item_document(item, meeting, "").items()
        if name in preanalysis.analysed_fields() and isinstance(value, str) and value
    }
    for (name, value), (words, pairs) in shipped.items():
        positions = oracle.term_positions(value, stem=SCHEMA[name].kb_stem)
        boost = SCHEMA[name].format.field_boost
        assert KbText.restore_index(words) == oracle.postings(positions, boost)
        weights = {t: float(len(ps)) * boost for t, ps in positions.items()}
        assert pairs == oracle.pair_postings(positions, weights)


@pytest.mark.parametrize(
    "positions",
    [
        {"a": [0], "b": [2], "c": [3]},  # a position no term holds
        {"a": [0, 1], "b": [1], "c": [3, 4], "d": [4]},  # shared positions and a gap
        {"a": [0, 0], "b": [1]},  # one term twice at one position
        {},
    ],
)
def test_hand_made_positions_pair_as_before(positions: dict[str, list[int]]) -> None:
    weights = {t: float(len(ps)) for t, ps in positions.items()}
    assert phrases.pair_postings(positions, weights) == oracle.pair_postings(positions, weights)
