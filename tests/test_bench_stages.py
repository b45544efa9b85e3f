"""The ingest stage bench (bench.run_stages) and the output digest (bench.ingest_digest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.generate import GenConfig, write_minutes
from bench.ingest_digest import digest_files
from bench.run_stages import STAGES, ingest_cpu, stage_cpu


@pytest.fixture(scope="module")
def minutes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stages") / "minutes"
    write_minutes(GenConfig(items=40), folder)
    return folder


def test_stages_count_every_item_and_time_every_stage(minutes: Path, tmp_path: Path) -> None:
    items, spent = stage_cpu(minutes)
    assert items == 40  # the generated items, each segmented once
    assert set(spent) == set(STAGES)
    assert all(seconds > 0 for seconds in spent.values())
    assert ingest_cpu(minutes, tmp_path / "index") > 0
    assert (tmp_path / "index" / "manifest.json").exists()


def test_digests_are_stable_and_follow_the_text(minutes: Path, tmp_path: Path) -> None:
    files = sorted(minutes.rglob("*.txt"))[:3]
    assert digest_files(files, tmp_path / "a") == 3
    digest_files(files, tmp_path / "b")
    first = (tmp_path / "a" / "digests.tsv").read_text(encoding="utf-8")
    assert first == (tmp_path / "b" / "digests.tsv").read_text(encoding="utf-8")
    assert (tmp_path / "a" / "people.json").read_bytes() == (
        tmp_path / "b" / "people.json"
    ).read_bytes()
    changed = tmp_path / "changed.txt"
    changed.write_text(files[0].read_text(encoding="utf-8").replace("the", "a"), "utf-8")
    digest_files([changed, *files[1:]], tmp_path / "c")
    lines = (tmp_path / "c" / "digests.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[1] != first.splitlines()[0].split("\t")[1]
    assert lines[1:] == first.splitlines()[1:]
