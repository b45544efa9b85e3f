"""extract_resolutions' substring pre-checks (``_hints``) never change its answer: the same
resolutions as when every pattern is always tried."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import pipeline, resolutions
from indexer.resolutions import extract_resolutions

WORDS = [
    "Resolved", "RESOLVED", "resolved", "Agreed", "agreed", "AGREED", "Recommended", "that",
    "to", "It", "was", "IT WAS", "proposed", "Proposed", "PROPOSED", "moved", "by", "Cllr",
    "Smith", "seconded", "and", "carried", ".", ":", ";", "-", "\n", "(a)", "(ii)", "1/2/3",
    "Cynigiwyd", "gan", "eiliwyd", "Penderfynwyd", "propoſed", "wAs", "é", "council",
]  # fmt: skip
paragraph = st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join)


def _always(unit: str) -> tuple[bool, bool, bool]:
    return True, True, True


@settings(max_examples=500, deadline=None)
@given(paragraphs=st.lists(paragraph, min_size=1, max_size=4))
def test_hints_never_change_the_resolutions(paragraphs: list[str]) -> None:
    fast = extract_resolutions(paragraphs)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(resolutions, "_hints", _always)
        assert extract_resolutions(paragraphs) == fast


@pytest.mark.corpus
def test_corpus_resolutions_equal_with_every_pattern_tried(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [p for p in pipeline.discover([corpus_dir]) if p.suffix in {".txt", ".md", ".html"}]
    fast = [pipeline.prepare(p, None, False, people=False) for p in files[:40]]
    monkeypatch.setattr(resolutions, "_hints", _always)
    plain = [pipeline.prepare(p, None, False, people=False) for p in files[:40]]
    found = 0
    for (kind, a), (_, b) in zip(fast, plain, strict=True):
        if kind == "ok":  # each file's meetings (a file may hold two)
            items_a = [i for m in a for i in m.items]
            assert [i.resolutions for i in items_a] == [i.resolutions for m in b for i in m.items]
            found += sum(len(i.resolutions) for i in items_a)
    assert found > 20
