"""indexer.limits: items per file, characters per item and per file, each cut with a
warning that says what was cut; and item numbers past 99,999 still read as headings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.hostile import HEADER, big_item_text, numbered_lines_text
from indexer import limits
from indexer.pipeline import process_file
from indexer.segment import parse_item_heading
from kb.model import Block, Document


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "minutes.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_come_from_the_documented_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KB_MAX_ITEMS_PER_FILE", "KB_MAX_ITEM_CHARS", "KB_MAX_FILE_CHARS"):
        monkeypatch.delenv(name, raising=False)
    assert limits.current() == limits.Limits(20_000, 2_000_000, 40_000_000)
    monkeypatch.setenv("KB_MAX_ITEM_CHARS", "123")
    assert limits.current().item_chars == 123


def test_a_file_with_too_many_items_is_cut_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_MAX_ITEMS_PER_FILE", "50")
    meeting = process_file(_write(tmp_path, numbered_lines_text(120)))
    assert [i.number for i in meeting.items] == [str(n) for n in range(1, 51)]
    assert "Parking permit application 51" not in meeting.items[-1].body  # not folded in
    assert "file cut after 50 items (70 more not indexed; KB_MAX_ITEMS_PER_FILE)" in (
        meeting.warnings
    )


def test_a_long_item_is_truncated_with_a_warning_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_MAX_ITEM_CHARS", "5000")
    meeting = process_file(_write(tmp_path, big_item_text(2000)))
    assert len(meeting.items) == 1
    body = meeting.items[0].body
    assert 4000 < len(body) <= 5000 and "Camera 0 on ward 0 kept the CCTV" in body[:300]
    assert "item 1 truncated at 5,000 characters (KB_MAX_ITEM_CHARS)" in meeting.warnings


def test_a_file_over_the_character_limit_is_cut_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_MAX_FILE_CHARS", "3000")
    text = numbered_lines_text(200)
    meeting = process_file(_write(tmp_path, text))
    kept = sum(len(i.body) + len(i.title) for i in meeting.items)
    assert kept < 3000 and 20 < len(meeting.items) < 60
    warning = next(w for w in meeting.warnings if w.startswith("file truncated"))
    assert warning.startswith("file truncated at 3,000 characters (")


@pytest.mark.parametrize(
    ("texts", "limit", "kept", "warned"),
    [
        (["abc", "def"], 10, ["abc", "def"], False),
        (["abcdef", "ghij"], 8, ["abcdef", "gh"], True),
        (["abcdef", "ghij"], 6, ["abcdef"], True),
        (["abcdef"], 0, ["abcdef"], False),
    ],
)
def test_cap_document_table(texts: list[str], limit: int, kept: list[str], warned: bool) -> None:
    doc = Document(Path("m.txt"), "text", [Block(text=t) for t in texts])
    warning = limits.cap_document(doc, limit)
    assert [b.text for b in doc.blocks] == kept
    assert (warning is not None) == warned


@pytest.mark.parametrize(
    ("paragraphs", "limit", "kept"),
    [
        (["abc", "def"], 8, ["abc", "def"]),  # 3 + 2 + 3 = 8: fits
        (["abc", "def"], 7, ["abc", "de"]),
        (["abc", "def"], 5, ["abc"]),  # the separator alone would not fit
        (["abcdef"], 4, ["abcd"]),
    ],
)
def test_cap_paragraphs_table(paragraphs: list[str], limit: int, kept: list[str]) -> None:
    got = list(paragraphs)
    warning = limits.cap_paragraphs(got, limit, "17")
    assert got == kept
    assert len("\n\n".join(got)) <= limit
    assert (warning == f"item 17 truncated at {limit:,} characters (KB_MAX_ITEM_CHARS)") == (
        got != paragraphs
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("99999. Parking permits", ("99999", "Parking permits")),
        ("100000. Parking permits", ("100000", "Parking permits")),
        ("400000. Parking permits", ("400000", "Parking permits")),
    ],
)
def test_item_numbers_past_99999_are_headings(line: str, expected: tuple[str, str]) -> None:
    assert parse_item_heading(line) == expected


def test_a_numbering_crossing_100000_keeps_every_item(tmp_path: Path) -> None:
    numbers = range(99995, 100006)
    lines = "".join(f"{n}. Parking permit application {n} approved.\n" for n in numbers)
    meeting = process_file(_write(tmp_path, HEADER + lines))
    assert [i.number for i in meeting.items] == [str(n) for n in range(99995, 100006)]
