"""Speaker extraction measured against labels read by hand from the shared corpus.

``tests/fixtures/labels/speakers.tsv`` holds, per item, the people who really spoke (see its
header for the labelling rule).  The pipeline's ``item.speakers`` are compared as keys
(lower-case surname, or the post slug for an unnamed post) and precision/recall printed.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from kb.model import Meeting, PersonRef

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
    rows = [line for line in LABELS.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    out: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for row in csv.DictReader(rows, delimiter="\t"):
        out[row["file"]][row["item"]] = {s for s in row["speakers"].split(",") if s}
    return out


def test_labels_cover_enough_items_and_councils() -> None:
    labels = load_labels()
    items = sum(len(v) for v in labels.values())
    pairs = sum(len(s) for v in labels.values() for s in v.values())
    assert items >= 40 and pairs >= 40
    assert len({f.split("/")[0] for f in labels}) >= 3


def test_speaker_precision_and_recall(corpus_dir: Path) -> None:
    labels = load_labels()
    tp = fp = fn = 0
    errors: list[str] = []
    for name, truth in labels.items():
        meeting: Meeting = pipeline.process_file(corpus_dir / name)
        found = {item.number: item for item in meeting.items}
        for number, true in truth.items():
            item = found.get(number)
            got = {person_key(r) for r in item.speakers} if item else set()
            tp += len(got & true)
            fp += len(got - true)
            fn += len(true - got)
            if got != true:
                errors.append(
                    f"{Path(name).name[:40]} [{number}] want {sorted(true)} got {sorted(got)}"
                )
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"\nspeakers: precision {precision:.3f} recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn})")
    print("\n".join(errors))
    assert precision >= 0.9
    assert recall >= 0.8


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
