"""Query-time expansion: acronyms and synonyms both ways, hyphen/space variants, unknowns."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.topics import stems, variants
from kb.expansion import Expander
from kb.model import IngestError


@pytest.fixture(scope="module")
def expander() -> Expander:
    return Expander.load()


def _stems(term: str) -> set[tuple[str, ...]]:
    return set(variants(term))


@pytest.mark.parametrize(
    ("term", "must_include"),
    [
        ("ASB", "anti-social behaviour"),
        ("anti-social behaviour", "ASB"),
        ("anti social behaviour", "ASB"),
        ("antisocial behaviour", "ASB"),
        ("CSE", "child sexual exploitation"),
        ("CSP", "community safety partnership"),
        ("PCSO", "police community support officer"),
        ("PSPO", "public spaces protection order"),
        ("OSB", "overview and scrutiny board"),
        ("JPC", "joint policing committee"),
        ("joint policing committee", "JPC"),
        ("prostitution", "sex trade"),
    ],
)
def test_expands_both_ways(expander: Expander, term: str, must_include: str) -> None:
    out = expander.expand(term)
    assert out[0] == term
    assert any(_stems(o) & _stems(must_include) for o in out[1:])


@pytest.mark.parametrize("term", ["zebra", "Stopsley", "quoted words"])
def test_unknown_terms_expand_to_themselves(expander: Expander, term: str) -> None:
    assert expander.expand(term) == [term]


def test_asb_expansion_matches_text_that_only_says_the_long_form(expander: Expander) -> None:
    text = stems("The overall number of anti-social behaviour incidents reported has reduced.")
    hits = [
        term
        for term in expander.expand("ASB")
        for v in variants(term)
        if any(tuple(text[i : i + len(v)]) == v for i in range(len(text)))
    ]
    assert hits


def test_custom_data_dir_and_bad_toml(tmp_path: Path) -> None:
    (tmp_path / "synonyms.toml").write_text('[[group]]\nterms = ["WVCC", "Wye Valley"]\n')
    assert Expander.load(tmp_path).expand("wvcc") == ["wvcc", "Wye Valley"]
    (tmp_path / "topics.toml").write_text("[[topic]\n")
    with pytest.raises(IngestError, match="not valid TOML"):
        Expander.load(tmp_path)


def test_spans_find_multi_word_terms_in_a_query(expander: Expander) -> None:
    spans = expander.spans(["anti-social", "behaviour", "in", "Luton", "CSE"])
    assert [(s, e) for s, e, _ in spans] == [(0, 2), (4, 5)]
    assert "ASB" in spans[0][2]
    assert expander.spans(["bins", "and", "benches"]) == []
