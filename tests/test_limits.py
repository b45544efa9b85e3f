"""indexer.limits: items per file, characters per item and per file, each cut with a
warning that says what was cut; and item numbers past 99,999 still read as headings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.hostile import HEADER, big_item_text, numbered_lines_text
from indexer import limits
from indexer.pipeline import process_file
from indexer.segment import ReadEnough, parse_item_heading
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


def test_a_huge_text_file_is_read_only_as_far_as_the_items_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamed (over STREAM_BYTES), a file with more items than KB_MAX_ITEMS_PER_FILE stops
    being read once the text read holds more: the items kept are the same as when the
    whole file is read, and the warnings say the rest was not read."""
    from indexer import read as read_mod
    from indexer import read_text

    monkeypatch.setenv("KB_MAX_ITEMS_PER_FILE", "1500")
    monkeypatch.setattr(read_text, "CHECK_EVERY_LINES", 100)
    path = _write(tmp_path, numbered_lines_text(10_000))
    whole = process_file(path)
    monkeypatch.setattr(read_mod, "STREAM_BYTES", 1000)
    streamed = process_file(path)
    assert [(i.number, i.title, i.body) for i in streamed.items] == [
        (i.number, i.title, i.body) for i in whole.items
    ]
    assert len(streamed.items) == 1500
    stop = next(w for w in streamed.warnings if w.startswith("reading stopped"))
    line = int(stop.split()[4].rstrip(":").replace(",", ""))
    assert 1500 < line <= 2400  # looked at 1,501 blocks, then at 2,252
    assert "items (KB_MAX_ITEMS_PER_FILE); the rest of the file was not read" in stop
    assert not any(w.startswith("reading stopped") for w in whole.warnings)


def test_a_streamed_file_within_the_item_limit_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer import read as read_mod
    from indexer import read_text

    monkeypatch.setenv("KB_MAX_ITEMS_PER_FILE", "3000")
    monkeypatch.setattr(read_text, "CHECK_EVERY_LINES", 100)
    monkeypatch.setattr(read_mod, "STREAM_BYTES", 1000)
    path = _write(tmp_path, numbered_lines_text(2999) + "\n".join(["Noted."] * 2000))
    meeting = process_file(path)
    assert len(meeting.items) == 2999 and meeting.items[-1].number == "2999"
    assert meeting.items[-1].body.count("Noted.") == 2000
    assert not any("reading stopped" in w or "file cut" in w for w in meeting.warnings)


@pytest.mark.parametrize(
    ("lines", "limit", "stops_at_blocks"),
    [
        (400, 100, 152),  # looks at 101 blocks (100 items), then 152 (151 > 100): stop
        (400, 0, None),  # no limit: never stops
        (90, 100, None),  # fewer items than the limit: never stops
    ],
)
def test_read_enough_table(lines: int, limit: int, stops_at_blocks: int | None) -> None:
    text = numbered_lines_text(lines)
    blocks = [Block(text=line) for line in text.splitlines() if line.strip()]
    enough = ReadEnough(limit)
    stopped = next((n for n in range(1, len(blocks) + 1) if enough(blocks[:n])), None)
    assert stopped == stops_at_blocks
