"""The topic tagger's shortcuts (stem cache, per-taxonomy first-stem prefilter, skipping
patterns whose first stem is absent) give exactly the tags of the plain algorithm."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import pipeline, topics
from indexer.topics import SHORT_BODY, Taxonomy, Topic, Words, stems, tag_item
from kb.model import Evidence, Item, Tag


def plain_count(topic: Topic, text: str, *, title: bool = False) -> dict[str, int]:
    """Topic.count as first written: every pattern tried, exclusions marked up front."""
    words = stems(text)
    raw = topics._WORD.findall(text)

    def find(pattern: tuple[str, ...]) -> list[int]:
        n = len(pattern)
        return [i for i in range(len(words)) if tuple(words[i : i + n]) == pattern]

    taken = [False] * len(words)
    for ex in topic._excludes:
        for i in find(ex):
            for j in range(i, i + len(ex)):
                taken[j] = True
    counts: dict[str, int] = {}
    for pattern, phrase in topic._title_patterns if title else topic._patterns:
        for i in find(pattern):
            if not any(taken[i : i + len(pattern)]):
                for j in range(i, i + len(pattern)):
                    taken[j] = True
                counts[phrase] = counts.get(phrase, 0) + 1
    for acronym in topic.acronyms:
        n = raw.count(acronym) + raw.count(acronym + "s")
        if n:
            counts[acronym] = counts.get(acronym, 0) + n
    return counts


def plain_tags(item: Item, taxonomy: Taxonomy) -> list[Tag]:
    """tag_item without any shortcut."""
    tags: list[Tag] = []
    for topic in taxonomy.topics:
        in_title = plain_count(topic, item.title, title=True)
        in_body = plain_count(topic, item.body)
        if not in_title and not in_body:
            continue
        t = sum(in_title.values())
        b = sum(n * topic.weight(term) for term, n in in_body.items())
        needed = 2 if len(stems(item.body)) < SHORT_BODY else 3
        strength = "primary" if t or b >= needed else "mentioned"
        evidence = [Evidence(term, n, "title") for term, n in sorted(in_title.items())]
        evidence += [Evidence(term, n, "body") for term, n in sorted(in_body.items())]
        tags.append(Tag(topic.id, topic.label, strength, 5.0 * t + b, evidence))
    tags.sort(key=lambda tag: (tag.strength != "primary", -tag.score, tag.topic))
    return tags


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def _item(title: str, body: str) -> Item:
    return Item(id="x/c/d/1", meeting_id="x/c/d", number="1", title=title, body=body, order=1)


def test_seed_items_tag_as_the_plain_algorithm(seed_path: Path, taxonomy: Taxonomy) -> None:
    meeting = pipeline.process_file(seed_path, taxonomy=taxonomy)
    assert any(i.topics for i in meeting.items)
    for it in meeting.items:
        assert tag_item(it, taxonomy) == plain_tags(it, taxonomy)


@pytest.mark.corpus
def test_corpus_items_tag_as_the_plain_algorithm(corpus_dir: Path, taxonomy: Taxonomy) -> None:
    files = [p for p in pipeline.discover([corpus_dir]) if p.suffix in {".txt", ".md", ".html"}]
    checked = 0
    for path in files[:40]:
        kind, meetings = pipeline.prepare(path, None, False, taxonomy=taxonomy, people=False)
        if kind != "ok":
            continue
        for it in (i for m in meetings for i in m.items):
            assert it.topics == plain_tags(it, taxonomy), (path, it.number)
            checked += 1
    assert checked > 100


def _vocabulary() -> list[str]:
    tax = Taxonomy.load()
    words = {w for t in tax.topics for p in t.synonyms + t.phrases + t.exclude for w in p.split()}
    words |= {a for t in tax.topics for a in t.acronyms}
    return sorted(words | {"the", "council", "and", "-", "Police", "anti-social", "CCTVs"})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.lists(st.sampled_from(_vocabulary()), max_size=6).map(" ".join),
    body=st.lists(st.sampled_from(_vocabulary()), max_size=80).map(" ".join),
)
def test_random_texts_tag_as_the_plain_algorithm(title: str, body: str) -> None:
    tax = Taxonomy.load()
    it = _item(title, body)
    assert tag_item(it, tax) == plain_tags(it, tax)


def test_stem_cache_is_bounded_and_gives_the_plain_stems(monkeypatch) -> None:
    monkeypatch.setattr(topics, "_STEM_CACHE_MAX", 3)
    monkeypatch.setattr(topics, "_STEM_CACHE", {})
    text = "Policing policies police policed crimes crime"
    assert Words(text).stems == stems(text)
    assert len(topics._STEM_CACHE) <= 3


def test_prefilter_follows_a_changed_topic_list(taxonomy: Taxonomy) -> None:
    tax = Taxonomy(list(taxonomy.topics[:1]))
    first = tax.prefilter
    tax.topics.append(taxonomy.topics[1])
    assert len(tax.prefilter) == 2 and tax.prefilter is not first
    assert tax.first_stems == taxonomy.topics[0].first_stems | taxonomy.topics[1].first_stems


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [
                "ASB",
                "ASBs",
                "asb",
                "x_y",
                "O'Brien",
                "don’t",
                "42",
                "café",
                "’",
                "'",
                "''",
                "a'",
                "'b",
                "-",
                ".",
                "\t",
            ]
        ),
        max_size=20,
    ).map(lambda ws: " ".join(ws) + " ".join(ws))
)
def test_words_and_raw_counts_equal_the_plain_findall(text: str) -> None:
    """The ASCII word pattern finds what _WORD finds in ASCII text; raw counts (counted on
    first need, none for a word that is no substring) equal counting the words."""
    words, raw = Words(text), topics._WORD.findall(text)
    assert words.raw == raw
    for word in ("ASB", "ASBs", "asb", "y", "O'Brien", "42", "café", "Z"):
        assert words.raw_count(word) == raw.count(word)
    if text.isascii():
        assert topics._ASCII_WORD.findall(text) == raw
        assert topics._ascii_words(text) == raw


def test_count_tries_patterns_of_present_first_stems_in_taxonomy_order(
    taxonomy: Taxonomy,
) -> None:
    """A topic's first-stem index lists each pattern once, under its first stem, in order."""
    for topic in taxonomy.topics:
        for patterns, index in (
            (topic._patterns, topic._by_first),
            (topic._title_patterns, topic._title_by_first),
        ):
            listed = sorted(k for ks in index.values() for k in ks)
            assert listed == list(range(len(patterns)))
            assert all(patterns[k][0][0] == first for first, ks in index.items() for k in ks)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(st.sampled_from(_vocabulary()), max_size=60).map(" ".join))
def test_kept_positions_and_live_patterns_equal_the_full_ones(body: str) -> None:
    """Words keeping the taxonomy's lead stems only has their full positions and every
    stem; Taxonomy.live lists, per topic, the patterns whose every stem is present, and
    counting those alone gives the count of every pattern whose first stem is present
    (Topic.count without ``live``): nothing for a topic it leaves out."""
    tax = Taxonomy.load()
    full, kept = Words(body), Words(body, tax.lead_stems)
    assert kept.positions == {s: p for s, p in full.positions.items() if s in tax.lead_stems}
    assert set(kept.all_stems) == set(full.stems)
    for title in (False, True):
        live = tax.live(kept, title=title)
        for k, topic in enumerate(tax.topics):
            patterns = topic._title_patterns if title else topic._patterns
            expected = [j for j, (p, _) in enumerate(patterns) if set(p) <= full.positions.keys()]
            assert live.get(k, []) == expected
            every = topic.count(full, title=title)
            assert topic.count(kept, title=title, live=live.get(k, [])) == every
            if k not in live and not any(a in body for a in topic.acronyms):
                assert every == {}


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "Bc", "7", "'", "''", " ", ".", "-", "_", "\n"]), max_size=30)
)
def test_ascii_words_equal_the_word_pattern_around_apostrophes(pieces: list[str]) -> None:
    """Apostrophes glued to anything (none between two letters or digits, two in a row, at
    either end) split words exactly as the ASCII word pattern and _WORD do."""
    text = "".join(pieces)
    assert (
        topics._ascii_words(text) == topics._ASCII_WORD.findall(text) == topics._WORD.findall(text)
    )
