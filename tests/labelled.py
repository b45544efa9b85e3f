"""Scoring against hand-labelled corpus items (shared by the speaker and topic tests)."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb.model import Item, Meeting


def load_labels(path: Path, column: str) -> dict[str, dict[str, set[str]]]:
    """file → item number → the labelled set in ``column`` (comma-separated; '#' lines skipped)."""
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    out: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for row in csv.DictReader(rows, delimiter="\t"):
        out[row["file"]][row["item"]] = {v for v in row[column].split(",") if v}
    return out


@dataclass
class Score:
    """Micro-averaged precision and recall over every labelled item, with the mismatches."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, label: str, true: set[str], got: set[str]) -> None:
        self.tp += len(got & true)
        self.fp += len(got - true)
        self.fn += len(true - got)
        if got != true:
            self.errors.append(f"{label} want {sorted(true)} got {sorted(got)}")


def score_items(
    labels: dict[str, dict[str, set[str]]],
    meeting_of: Callable[[str], Meeting],
    predicted: Callable[[Item], set[str]],
) -> Score:
    """Compare ``predicted(item)`` with the labels for every labelled item of every file."""
    score = Score()
    for name, truth in labels.items():
        found = {item.number: item for item in meeting_of(name).items}
        for number, true in truth.items():
            item = found.get(number)
            got = predicted(item) if item else set()
            score.add(f"{Path(name).name[:40]} [{number}]", true, got)
    return score
