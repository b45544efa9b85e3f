"""kb.engine.manifest: the packed manifest a writer keeps in memory, its file written and read
line by line, byte for byte what the plain dicts gave."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from indexer.pipeline import ingest
from kb.engine.manifest import (
    MANIFEST_NAME,
    MANIFEST_VERSION,
    PackedManifest,
    manifest_lines,
    read_packed,
)

ENTRIES: dict[str, Any] = {
    "minutes/a.txt": {
        "hash": "ab" * 32,
        "status": "indexed",
        "meeting_ids": ["c/full-council/2020-01-02"],
        "item_ids": ["c/full-council/2020-01-02/1", "c/full-council/2020-01-02/2"],
        "records": {"c/full-council/2020-01-02": {"rank": [1, 2, 3], "weak_date": False}},
        "warnings": ['quoted " and \\ and a\nline break'],
    },
    "minutes/Ystrad Cymraeg – ŵyl.html": {"hash": None, "status": "not-minutes", "n": 1.5},
    'odd "key"\nwith a line break': {"status": "failed", "error": "é \u2028 \x00"},
    "empty": {},
}


def _plain_text(files: dict[str, Any], generation: int = 4) -> str:
    return "".join(manifest_lines(MANIFEST_VERSION, generation, files))


@pytest.fixture(scope="module")
def corpus_manifest(
    corpus_dir: Path, manifest: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The manifest file of real minutes of every corpus folder (copies, two-meeting files,
    records and warnings included)."""
    taken: dict[str, int] = {}
    files = []
    for row in manifest:
        top = row["file"].split("/", 1)[0]
        if taken.get(top, 0) < 6:  # noqa: PLR2004 - a handful of files per source
            taken[top] = taken.get(top, 0) + 1
            files.append(corpus_dir / row["file"])
    folder = tmp_path_factory.mktemp("manifest-corpus")
    report = ingest(files, folder, batch_size=1000)
    assert not report.failed, [r.line() for r in report.failed]
    return folder / MANIFEST_NAME


def test_packed_entries_read_back_equal_and_are_written_as_json_dumps_wrote_them() -> None:
    packed = PackedManifest(ENTRIES)
    assert len(packed) == len(ENTRIES) and set(packed) == set(ENTRIES)
    assert packed == ENTRIES
    for key, entry in ENTRIES.items():
        assert packed[key] == entry
        assert packed.entry_json(key) == json.dumps(entry)
    assert _plain_text(packed) == _plain_text(ENTRIES)


def test_an_entry_read_is_a_copy_and_none_marks_a_removal() -> None:
    packed = PackedManifest(ENTRIES)
    got = packed["minutes/a.txt"]
    got["status"] = "changed"
    got["item_ids"].append("x")
    assert packed["minutes/a.txt"] == ENTRIES["minutes/a.txt"]
    changes = PackedManifest({"minutes/a.txt": None, "new": {"status": "indexed"}})
    assert changes["minutes/a.txt"] is None and changes.entry_json("minutes/a.txt") == "null"
    merged = packed.copy()
    merged.apply(changes)
    assert "minutes/a.txt" not in merged and merged["new"] == {"status": "indexed"}
    assert packed == ENTRIES  # the copy's changes are its own
    del merged["new"]
    assert "new" not in merged and len(merged) == len(ENTRIES) - 1
    with pytest.raises(KeyError):
        merged["new"]


def test_packed_entries_take_far_less_memory_than_dicts(corpus_manifest: Path) -> None:
    """The point of packing: a real manifest's entries in a third of their dicts' size."""
    files = json.loads(corpus_manifest.read_text(encoding="utf-8"))["files"]
    packed = PackedManifest(files)

    def deep(obj: Any) -> int:
        if isinstance(obj, dict):
            return sys.getsizeof(obj) + sum(deep(k) + deep(v) for k, v in obj.items())
        if isinstance(obj, list):
            return sys.getsizeof(obj) + sum(deep(v) for v in obj)
        return sys.getsizeof(obj)

    as_dicts = sum(deep(v) for v in files.values())
    as_packed = sum(sys.getsizeof(b) for b in packed._packed.values())
    assert as_packed * 3 < as_dicts, (as_packed, as_dicts)


def test_a_real_manifest_reads_back_packed_and_writes_the_same_bytes(
    corpus_manifest: Path,
) -> None:
    text = corpus_manifest.read_text(encoding="utf-8")
    raw = json.loads(text)
    packed = read_packed(corpus_manifest)
    assert len(packed) > 20  # noqa: PLR2004 - several files of every corpus folder
    assert packed == raw["files"]
    assert "".join(manifest_lines(raw["version"], raw["generation"], packed)) == text


@pytest.mark.parametrize("layout", ["a line per source", "json.dumps(indent=1)"])
def test_a_manifest_is_read_in_either_layout_each_entry_seen_once(
    tmp_path: Path, layout: str
) -> None:
    """This writer's layout is read line by line; an older writer's ``indent=1`` manifest
    (no line per source) whole; either way ``on_entry`` sees every entry once."""
    path = tmp_path / MANIFEST_NAME
    if layout == "a line per source":
        path.write_text(_plain_text(ENTRIES), encoding="utf-8")
    else:
        payload = {"version": 1, "generation": 3, "files": ENTRIES}
        path.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    seen: list[tuple[str, Any]] = []
    assert read_packed(path, lambda key, entry: seen.append((key, entry))) == ENTRIES
    assert sorted(seen) == sorted(ENTRIES.items())
    empty = tmp_path / "empty.json"
    empty.write_text(_plain_text({}), encoding="utf-8")
    assert len(read_packed(empty)) == 0


@pytest.mark.parametrize(
    "damage",
    [
        "cut in the middle of an entry",
        "closing braces missing",
        "text after the closing braces",
        "a line that is not an entry",
    ],
)
def test_a_damaged_manifest_raises_value_error(tmp_path: Path, damage: str) -> None:
    text = _plain_text(ENTRIES)
    if damage == "cut in the middle of an entry":
        text = text[: len(text) // 2]
    elif damage == "closing braces missing":
        text = text.removesuffix("}}\n")
    elif damage == "text after the closing braces":
        text += '{"more": 1}\n'
    else:
        lines = text.splitlines(keepends=True)
        text = "".join([lines[0], "not json\n", *lines[1:]])
    path = tmp_path / MANIFEST_NAME
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        read_packed(path)
