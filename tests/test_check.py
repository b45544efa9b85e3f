"""``kb check``: OK and exit 0 on a sound index; a clear report and exit 1 on each kind of
damage (truncated segment, manifest that disagrees, vanished source, missing index)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from reliability import write_minutes

from indexer.pipeline import ingest
from kb.cli import main
from kb.engine.whoosh.check import check_index
from kb.engine.whoosh.generations import current
from kb.engine.whoosh.write import LOCK_NAME, MANIFEST_NAME


@pytest.fixture()
def sound(tmp_path: Path) -> Path:
    """An index of 6 generated files (two commits, so two segments)."""
    src = tmp_path / "src"
    write_minutes(src, 6)
    ix = tmp_path / "index"
    ingest(sorted(src.iterdir())[:3], ix)
    ingest([src], ix)
    return ix


def run_check(ix: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--index", str(ix)])
    return result.exit_code, result.output


def test_sound_index_is_ok(sound: Path) -> None:
    code, out = run_check(sound)
    assert code == 0, out
    items = sum(
        len(e["item_ids"])
        for e in json.loads((sound / MANIFEST_NAME).read_text())["files"].values()
    )
    assert out.strip().splitlines()[-1] == (
        f"OK {sound}: {items} items, 6 meetings, 6 sources, 2 segments"
    )


def truncate_segment(ix: Path) -> None:
    seg = max(current(ix).glob("*.seg"), key=lambda p: p.stat().st_size)
    with seg.open("r+b") as fh:
        fh.truncate(seg.stat().st_size // 2)


def drop_manifest_item(ix: Path) -> None:
    path = ix / MANIFEST_NAME
    raw = json.loads(path.read_text())
    entry = next(iter(raw["files"].values()))
    entry["item_ids"] = entry["item_ids"][1:] + ["anytown/licensing-committee/1999-01-01/1"]
    path.write_text(json.dumps(raw))


def forget_source(ix: Path) -> None:
    path = ix / MANIFEST_NAME
    raw = json.loads(path.read_text())
    raw["files"].pop(sorted(raw["files"])[0])
    path.write_text(json.dumps(raw))


def delete_source(ix: Path) -> None:
    key = sorted(json.loads((ix / MANIFEST_NAME).read_text())["files"])[-1]
    os.unlink(key)


def remove_manifest(ix: Path) -> None:
    (ix / MANIFEST_NAME).unlink()


def stale_manifest_generation(ix: Path) -> None:
    path = ix / MANIFEST_NAME
    raw = json.loads(path.read_text())
    raw["generation"] -= 1
    path.write_text(json.dumps(raw))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (truncate_segment, r"segment \w+ (is damaged|cannot be opened)"),
        (drop_manifest_item, r".*: the manifest lists \d+ items, the index holds \d+ \(1 missing"),
        (forget_source, r"\d items from .* are in the index but the manifest does not list it"),
        (delete_source, r"source file gone: .*anytown-licensing-005\.txt \(\d items; run kb "),
        (remove_manifest, r"no manifest\.json"),
        (stale_manifest_generation, r"manifest\.json describes commit \d+ but the index is at"),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_damage_is_reported_and_fails(
    sound: Path, damage: Callable[[Path], None], message: str
) -> None:
    damage(sound)
    code, out = run_check(sound)
    assert code == 1, out
    assert re.search(f"PROBLEM: {message}", out), out
    assert out.strip().splitlines()[-1].startswith(f"FAILED {sound}: ")
    assert "Traceback" not in out


def test_missing_index_fails_clearly(tmp_path: Path) -> None:
    code, out = run_check(tmp_path / "nothing")
    assert code == 1
    assert f"PROBLEM: no index at {tmp_path / 'nothing'}" in out


def test_dangling_generation_link_fails_clearly(tmp_path: Path) -> None:
    ix = tmp_path / "index"
    ix.symlink_to("index.gen/7")
    code, out = run_check(ix)
    assert code == 1 and "links to index.gen/7, which does not exist" in out


def test_stale_lock_is_a_note_not_a_failure(sound: Path) -> None:
    (sound / LOCK_NAME).write_text("999999999", encoding="ascii")
    code, out = run_check(sound)
    assert code == 0
    assert "note: ingest lock held by pid 999999999 (stale" in out


def test_no_sources_option_skips_the_file_check(sound: Path) -> None:
    delete_source(sound)
    assert not check_index(sound).ok
    assert check_index(sound, sources=False).ok
