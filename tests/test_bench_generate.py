"""The benchmark generator: deterministic for a seed, streamed, corpus-shaped vocabulary."""

from __future__ import annotations

import itertools
import math
import statistics
import types
from collections import Counter
from pathlib import Path

import pytest

from bench import generate, vocab
from bench.generate import GenConfig, iter_items, iter_meetings, minutes_text, write_minutes


def _fingerprint(cfg: GenConfig) -> list[tuple[str, str, str, int]]:
    return [(i.id, i.title, i.body[:80], len(i.body)) for i in iter_items(cfg)]


def test_same_seed_same_items_and_other_seed_differs() -> None:
    a = _fingerprint(GenConfig(items=120, seed=3))
    assert a == _fingerprint(GenConfig(items=120, seed=3))
    assert a != _fingerprint(GenConfig(items=120, seed=4))


def test_prefix_of_a_larger_set_is_the_smaller_set() -> None:
    """Meeting n depends only on (seed, n): a 60-item run is the start of a 200-item run."""
    small = _fingerprint(GenConfig(items=60, seed=11, councils=12))
    large = _fingerprint(GenConfig(items=200, seed=11, councils=12))
    assert large[:60] == small


@pytest.mark.parametrize("size", [1, 7, 250])
def test_exact_item_count_and_unique_ids(size: int) -> None:
    items = list(iter_items(GenConfig(items=size)))
    assert len(items) == size
    assert len({i.id for i in items}) == size


def test_streams_without_building_the_whole_set() -> None:
    """A million-item stream yields its first meetings at once (it is a lazy generator)."""
    stream = iter_meetings(GenConfig(items=1_000_000))
    assert isinstance(stream, types.GeneratorType)
    first = list(itertools.islice(stream, 3))
    assert all(m.items and m.items[0].meeting_id == m.id for m in first)


def test_items_are_realistic() -> None:
    items = list(iter_items(GenConfig(items=1500, seed=5)))
    lengths = [len(i.body.split()) for i in items]
    assert 140 <= statistics.median(lengths) <= 240
    assert max(lengths) > 3 * statistics.median(lengths)  # a long tail
    years = {i.date.year for i in items if i.date}
    assert min(years) <= 2002 and max(years) >= 2023
    assert len({i.council for i in items}) >= 10
    assert len({i.committee for i in items}) >= 10
    with_topic = sum(1 for i in items if i.topics) / len(items)
    with_speaker = sum(1 for i in items if i.speakers) / len(items)
    assert 0.4 <= with_topic <= 0.9 and 0.3 <= with_speaker <= 0.9
    for item in items[:200]:
        for tag in item.topics:
            terms = generate.TOPICS[tag.topic]
            assert any(t in item.body.lower() for t in terms), (item.id, tag.topic)
        for person in item.speakers:
            assert f"Councillor {person.form}" in item.body


def test_vocabulary_is_zipf_shaped() -> None:
    """Log-frequency falls roughly linearly with log-rank, slope near -1 (Zipf's law)."""
    v = vocab.load()
    ranks = range(10, min(3000, len(v.counts)))
    xs = [math.log(r + 1) for r in ranks]
    ys = [math.log(v.counts[r]) for r in ranks]
    slope = statistics.linear_regression(xs, ys).slope
    assert -1.4 <= slope <= -0.7, slope


def test_generated_words_follow_the_learned_frequencies() -> None:
    words = Counter(
        w.lower().strip(".,")
        for item in iter_items(GenConfig(items=300, seed=2))
        for w in item.body.split()
    )
    top = {w for w, _ in words.most_common(10)}
    assert {"the", "to", "of"} <= top


def test_minutes_text_has_numbered_bold_headings_and_resolutions(tmp_path: Path) -> None:
    meeting = next(iter_meetings(GenConfig(items=50, seed=9)))
    text = minutes_text(meeting)
    for item in meeting.items:
        assert f"**{item.number}. {item.title}**" in text
    assert ("**Resolved:** That" in text) == any(i.resolutions for i in meeting.items)
    files, items = write_minutes(GenConfig(items=50, seed=9), tmp_path)
    written = sorted(tmp_path.rglob("*.txt"))
    assert len(written) == files and items == 50
    assert written[0].parent.parent == tmp_path  # one folder per council


def test_vocab_round_trips_and_learns_from_the_corpus(corpus_dir: Path, tmp_path: Path) -> None:
    learned = vocab.learn(corpus_dir)
    assert learned.words[:3] == ["the", "to", "of"]
    assert learned.counts == sorted(learned.counts, reverse=True)
    assert "planning" in learned.words and learned.bigrams["of"]
    vocab.save(learned, tmp_path / "v.json.gz")
    assert vocab.load(tmp_path / "v.json.gz") == learned
    assert vocab.load().words[:100] == learned.words[:100]  # the committed cache is current


def test_missing_vocab_file_says_how_to_rebuild(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="python -m bench.vocab"):
        vocab.load(tmp_path / "absent.json.gz")


def test_query_set_is_deterministic_and_drawn_from_real_bigrams() -> None:
    from bench.queries import CLASSES, build_queries

    committees = ["Full Council", "Planning Committee"]
    queries = build_queries(committees, seed=7)
    assert queries == build_queries(committees, seed=7)
    assert queries != build_queries(committees, seed=8)
    counts = Counter(q.kind for q in queries)
    assert len(queries) >= 200 and set(counts) == set(CLASSES)
    v = vocab.load()
    for q in queries:
        if q.kind == "phrase":
            a, b = q.words
            assert b in {s[0] for s in v.bigrams[a]}, q
            assert q.user_text() == f'"{a} {b}"'
        if q.kind == "filter":
            assert q.committee in committees


@pytest.mark.parametrize(
    ("samples", "p", "expected"),
    [
        ([5.0], 95, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.0),
        (list(map(float, range(1, 101))), 95, 95.0),
        (list(map(float, range(1, 101))), 99, 99.0),
        ([], 50, None),
    ],
)
def test_latency_percentile_is_nearest_rank(
    samples: list[float], p: float, expected: float | None
) -> None:
    from bench.measure import Latency

    got = Latency(samples).pct(p)
    assert (got != got) if expected is None else got == expected
