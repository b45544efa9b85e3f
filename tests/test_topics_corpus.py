"""Topic tagging measured against labels read by hand from the shared corpus.

``tests/fixtures/labels/topics.tsv`` lists, per item, the topics the item is about; the
pipeline's *primary* tags are compared with them and precision/recall printed.
"""

from __future__ import annotations

from pathlib import Path

import labelled
import pytest

from indexer.topics import Taxonomy

pipeline = pytest.importorskip("indexer.pipeline")

LABELS = Path(__file__).parent / "fixtures" / "labels" / "topics.tsv"
pytestmark = pytest.mark.corpus


def load_labels() -> dict[str, dict[str, set[str]]]:
    return labelled.load_labels(LABELS, "topics")


def test_labels_are_known_topics_and_enough_items() -> None:
    taxonomy = Taxonomy.load()
    labels = load_labels()
    assert sum(len(v) for v in labels.values()) >= 60
    used = {t for v in labels.values() for ts in v.values() for t in ts}
    assert used <= {t.id for t in taxonomy.topics}


def test_primary_tag_precision_and_recall(corpus_dir: Path) -> None:
    taxonomy = Taxonomy.load()
    score = labelled.score_items(
        load_labels(),
        lambda name: pipeline.process_file(corpus_dir / name, taxonomy=taxonomy),
        lambda item: {t.topic for t in item.topics if t.strength == "primary"},
    )
    print(
        f"\nprimary topics: precision {score.precision:.3f} recall {score.recall:.3f} "
        f"({score.tp}/{score.fp}/{score.fn})"
    )
    print("\n".join(score.errors))
    assert score.precision >= 0.9
    assert score.recall >= 0.85
