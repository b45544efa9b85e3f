"""Speaker extraction measured against labels read by hand from the shared corpus.

``tests/fixtures/labels/speakers.tsv`` holds, per item, the people who really spoke (see its
header for the labelling rule).  The pipeline's ``item.speakers`` are compared as keys
(lower-case surname, or the post slug for an unnamed post) and precision/recall printed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import labelled
import pytest

from kb.model import PersonRef

pipeline = pytest.importorskip("indexer.pipeline")

LABELS = Path(__file__).parent / "fixtures" / "labels" / "speakers.tsv"
pytestmark = pytest.mark.corpus


def person_key(ref: PersonRef) -> str:
    """The comparison key of a speaker: surname letters, or the post slug when unnamed."""
    if "/role/" in ref.person_id:
        key = ref.person_id.split("/role/", 1)[1]
        return {"chair": "chair", "parish-clerk": "clerk"}.get(key, key)
    return re.sub(r"[^a-z]", "", ref.name.split()[-1].lower())


def load_labels() -> dict[str, dict[str, set[str]]]:
    return labelled.load_labels(LABELS, "speakers")


def test_labels_cover_enough_items_and_councils() -> None:
    labels = load_labels()
    items = sum(len(v) for v in labels.values())
    pairs = sum(len(s) for v in labels.values() for s in v.values())
    assert items >= 40 and pairs >= 40
    assert len({f.split("/")[0] for f in labels}) >= 3


def test_speaker_precision_and_recall(corpus_dir: Path) -> None:
    score = labelled.score_items(
        load_labels(),
        lambda name: pipeline.process_file(corpus_dir / name),
        lambda item: {person_key(r) for r in item.speakers},
    )
    print(
        f"\nspeakers: precision {score.precision:.3f} recall {score.recall:.3f} "
        f"(tp {score.tp}, fp {score.fp}, fn {score.fn})"
    )
    print("\n".join(score.errors))
    assert score.precision >= 0.9
    assert score.recall >= 0.8


def test_one_person_id_across_meetings_of_a_council(corpus_dir: Path) -> None:
    from indexer.people_registry import PeopleRegistry

    registry = PeopleRegistry()
    speakers: list[dict[str, str]] = []
    for name in ("wyevalleycc/20190325.txt", "wyevalleycc/20200127.txt"):
        meeting = pipeline.process_file(corpus_dir / name, registry=registry)
        speakers.append({person_key(r): r.person_id for i in meeting.items for r in i.speakers})
    for key in ("hayward", "richards"):
        assert speakers[0][key] == speakers[1][key]
        person = registry.get(speakers[0][key])
        assert person is not None
        meetings = {item.rsplit("/", 1)[0] for item in person.items}
        assert len(meetings) == 2


@pytest.mark.parametrize(
    ("meeting", "people"),
    [
        (  # 'Rank (Mr. X. Name), Rank (Mr. B.' / 'Sugrue), …': one person per bracket
            "Joint Policing Committee Meeting - 2nd October 2020",
            {"limerick/g-roche": "Chief Superintendent", "limerick/b-sugrue": "Superintendent"},
        ),
        (
            "Meeting of the Limerick City and County Council Joint Policing Committee - "
            "10th May 2019",
            {"limerick/g-roche": "Chief Superintendent", "limerick/d-smart": "Superintendent"},
        ),
    ],
)
def test_rank_and_bracketed_name_lists_give_one_person_each(
    corpus_dir: Path, tmp_path: Path, meeting: str, people: dict[str, str]
) -> None:
    path = corpus_dir / "limerick-council-meetings" / f"Minutes - {meeting}.md"
    report = pipeline.ingest([path], tmp_path / "ix", workers=0)
    assert not report.failed
    registry = json.loads((tmp_path / "ix" / "people.json").read_text(encoding="utf-8"))
    found = {p["id"]: p for p in registry["people"]}
    for pid, role in people.items():
        assert role in {r["role"] for r in found[pid]["roles"]}, found.get(pid)
    forms = [f for p in found.values() for f in p["forms"]]
    assert not [f for f in forms if "), " in f or f.count("(") != f.count(")")]
