"""Topic taxonomy loading, stem matching, tag strength/evidence, explain(), and the seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.topics import Taxonomy, explain, stems, tag_item
from kb.model import IngestError, Item, Meeting

REQUIRED = {
    "hate-crime", "anti-social-behaviour", "cctv", "sex-trade", "child-sexual-exploitation",
    "modern-slavery", "county-lines-drugs", "knife-crime", "firearms", "gangs-youth-violence",
    "domestic-abuse", "organised-crime", "environmental-crime", "road-safety", "policing",
    "planning", "budget-finance", "housing", "highways", "licensing", "fire-rescue",
    "public-health", "youth-services",
}  # fmt: skip


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def item(title: str, body: str) -> Item:
    return Item(id="x/c/d/1", meeting_id="x/c/d", number="1", title=title, body=body, order=1)


def test_taxonomy_has_the_required_topics(taxonomy: Taxonomy) -> None:
    ids = {t.id for t in taxonomy.topics}
    assert len(ids) >= 20 and ids >= REQUIRED
    assert all(t.label and t.description for t in taxonomy.topics)


FILLER = " ".join(["The committee discussed the agenda and other business."] * 30)


@pytest.mark.parametrize(
    ("title", "body", "topic", "strength"),
    [
        ("", "Work on anti-social behaviour continued.", "anti-social-behaviour", "mentioned"),
        ("", "Reports of anti social behaviour were up.", "anti-social-behaviour", "mentioned"),
        ("", "Antisocial behaviour in the park.", "anti-social-behaviour", "mentioned"),
        ("", "The ASB team met twice.", "anti-social-behaviour", "mentioned"),
        ("Anti-Social Behaviour Strategy", "Noted.", "anti-social-behaviour", "primary"),
        ("", "Hate crimes rose; hate crime reporting; a hate incident.", "hate-crime", "primary"),
        ("", "Fly tipping and flytipping and fly-tipping again.", "environmental-crime", "primary"),
        ("", "CCTV cameras. The CCTV upgrade. CCTV funding.", "cctv", "primary"),
        ("", f"{FILLER} One CCTV camera. {FILLER}", "cctv", "mentioned"),
        ("Planning", "DM/2019/00268 – new building.", "planning", "primary"),
        ("", "Speeding on the A466; speed limits; traffic calming.", "road-safety", "primary"),
    ],
)
def test_matching_table(taxonomy, title: str, body: str, topic: str, strength: str) -> None:
    tags = {t.topic: t for t in tag_item(item(title, body), taxonomy)}
    assert topic in tags
    assert tags[topic].strength == strength


@pytest.mark.parametrize(
    ("body", "topic"),
    [
        ("The asb was spelt in lower case.", None),  # acronyms are case-sensitive
        ("Officers used body worn cameras.", "cctv"),  # exclusion
        ("The business planning cycle was noted.", "planning"),  # exclusion / title-only
        ("A fire risk assessment was completed.", "fire-rescue"),  # exclusion
        ("The joint policing committee met.", "policing"),  # committee name is not the topic
    ],
)
def test_non_matches(taxonomy, body: str, topic: str | None) -> None:
    tags = {t.topic for t in tag_item(item("", body), taxonomy)}
    if topic is None:
        assert "anti-social-behaviour" not in tags
    else:
        assert topic not in tags


def test_evidence_score_and_explain(taxonomy) -> None:
    tags = tag_item(item("CCTV update", "New CCTV units. Closed circuit television."), taxonomy)
    cctv = next(t for t in tags if t.topic == "cctv")
    where = {(e.term, e.where): e.count for e in cctv.evidence}
    assert where == {
        ("CCTV", "title"): 1,
        ("CCTV", "body"): 1,
        ("closed circuit television", "body"): 1,
    }
    assert cctv.strength == "primary" and cctv.score == 7.0
    text = explain(cctv)
    assert text.startswith("CCTV (primary, score 7)")
    assert '"CCTV" ×1 in title' in text and '"closed circuit television" ×1 in body' in text


def test_primary_tags_sort_first(taxonomy) -> None:
    tags = tag_item(item("Housing", f"{FILLER} hate crime {FILLER}"), taxonomy)
    assert [t.strength for t in tags] == sorted((t.strength for t in tags), reverse=True)
    assert tags[0].topic == "housing"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[[topic]]\nlabel = 'x'\nphrases = ['a']\n", "needs an 'id'"),
        ("[[topic]]\nid='a'\nlabel='A'\nphrases=['x']\n[[topic]]\nid='a'\nlabel='B'\n"
         "phrases=['y']\n", "used twice"),
        ("[[topic]]\nid='a'\nlabel='A'\nphrase=['x']\n", "unknown keys"),
        ("[[topic]]\nid='a'\nlabel='A'\n", "nothing to match"),
        ("[[topic]\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_bad_taxonomy_files_are_refused(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(IngestError, match=message):
        Taxonomy.load(path)


def test_missing_taxonomy_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="not found"):
        Taxonomy.load(tmp_path / "nope.toml")


SEED_TOPICS = {
    "cctv": {"07"},
    "sex-trade": {"06", "07"},
    "anti-social-behaviour": {"05", "07"},
    "hate-crime": {"05", "06"},
}


def test_seed_topics(seed_path: Path, taxonomy) -> None:
    pipeline = pytest.importorskip("indexer.pipeline")
    meeting: Meeting = pipeline.process_file(seed_path, taxonomy=taxonomy)
    for topic, items in SEED_TOPICS.items():
        tagged = {i.number for i in meeting.items if any(t.topic == topic for t in i.topics)}
        assert tagged == items, topic


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(
            [
                "CCTV",
                "ASB",
                "anti-social",
                "behaviour",
                "garda",
                "police",
                "speeding",
                "planning",
                "hate",
                "crime",
                "the",
                "and",
                "of",
                "litter",
                "fly-tipping",
                "budget",
                "precept",
                "Ώ",
                "x",
            ]
        ),
        max_size=160,
    ).map(" ".join),
)
def test_tag_item_never_raises_and_is_consistent(taxonomy, title: str, body: str) -> None:
    needed = 2 if len(stems(body)) < 120 else 3
    for tag in tag_item(item(title, body), taxonomy):
        topic = taxonomy.get(tag.topic)
        assert topic is not None and tag.evidence and all(e.count > 0 for e in tag.evidence)
        in_title = sum(e.count for e in tag.evidence if e.where == "title")
        weight = sum(e.count * topic.weight(e.term) for e in tag.evidence if e.where == "body")
        assert tag.score == 5 * in_title + weight
        assert (tag.strength == "primary") == bool(in_title or weight >= needed)
