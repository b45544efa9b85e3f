"""Topic tagging measured against labels read by hand from the shared corpus.

``tests/fixtures/labels/topics.tsv`` lists, per item, the topics the item is about; the
pipeline's *primary* tags are compared with them and precision/recall printed.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from indexer.topics import Taxonomy

pipeline = pytest.importorskip("indexer.pipeline")

LABELS = Path(__file__).parent / "fixtures" / "labels" / "topics.tsv"
pytestmark = pytest.mark.corpus


def load_labels() -> dict[str, dict[str, set[str]]]:
    rows = [line for line in LABELS.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    out: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for row in csv.DictReader(rows, delimiter="\t"):
        out[row["file"]][row["item"]] = {t for t in row["topics"].split(",") if t}
    return out


def test_labels_are_known_topics_and_enough_items() -> None:
    taxonomy = Taxonomy.load()
    labels = load_labels()
    assert sum(len(v) for v in labels.values()) >= 60
    used = {t for v in labels.values() for ts in v.values() for t in ts}
    assert used <= {t.id for t in taxonomy.topics}


def test_primary_tag_precision_and_recall(corpus_dir: Path) -> None:
    taxonomy = Taxonomy.load()
    tp = fp = fn = 0
    errors: list[str] = []
    for name, truth in load_labels().items():
        meeting = pipeline.process_file(corpus_dir / name, taxonomy=taxonomy)
        found = {item.number: item for item in meeting.items}
        for number, true in truth.items():
            item = found.get(number)
            got = {t.topic for t in item.topics if t.strength == "primary"} if item else set()
            tp, fp, fn = tp + len(got & true), fp + len(got - true), fn + len(true - got)
            if got != true:
                errors.append(
                    f"{Path(name).name[:30]} [{number}] want {sorted(true)} got {sorted(got)}"
                )
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"\nprimary topics: precision {precision:.3f} recall {recall:.3f} ({tp}/{fp}/{fn})")
    print("\n".join(errors))
    assert precision >= 0.9
    assert recall >= 0.85
