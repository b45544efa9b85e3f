"""web.parts: a long item body cut into parts at line breaks, each part bounded."""

from __future__ import annotations

import pytest

from web.parts import body_part


@pytest.mark.parametrize(
    ("body", "part", "size", "text", "number", "parts"),
    [
        ("short", 1, 100, "short", 1, 1),
        ("", 3, 100, "", 1, 1),
        ("aaaa\nbbbb\ncccc\n", 1, 4, "aaaa\n", 1, 3),
        ("aaaa\nbbbb\ncccc\n", 2, 4, "bbbb\n", 2, 3),
        ("aaaa\nbbbb\ncccc\n", 3, 4, "cccc\n", 3, 3),
        ("aaaa\nbbbb\ncccc\n", 9, 4, "cccc\n", 3, 3),  # past the end: the last part
        ("aaaa\nbbbb\ncccc\n", 0, 4, "aaaa\n", 1, 3),
        ("x" * 25, 2, 10, "x" * 10, 2, 3),  # no line break near: cut at the size
    ],
)
def test_body_part_table(  # noqa: PLR0913 - one table row
    body: str, part: int, size: int, text: str, number: int, parts: int
) -> None:
    got = body_part(body, part, size)
    assert (got.text, got.number, got.parts) == (text, number, parts)


def test_parts_join_back_to_the_body_and_are_bounded() -> None:
    body = "".join(f"Line {n} of a very long agenda pack.\n" for n in range(50_000))
    first = body_part(body, 1, 10_000)
    pieces = [body_part(body, n, 10_000).text for n in range(1, first.parts + 1)]
    assert "".join(pieces) == body
    assert all(len(p) <= 11_000 for p in pieces)
    assert all(p.endswith("\n") for p in pieces)
