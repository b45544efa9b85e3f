"""indexer.text's fast paths (plain ASCII text, no tag, no bold markup) give exactly what the
general code gives."""

from __future__ import annotations

import html
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import text
from indexer.text import Segment, fold, is_all_bold, split_html_segments, strip_tags


def plain_fold(s: str) -> str:
    return text._WS.sub(" ", s.replace("\n", " ")).strip()


def plain_strip_tags(fragment: str) -> str:
    fragment = text._COMMENT.sub("", fragment)

    def repl(m: re.Match[str]) -> str:
        return " " if m.group(2).lower() in text.BLOCK_TAGS else ""

    return plain_fold(html.unescape(text._TAG.sub(repl, fragment)))


def plain_is_all_bold(fragment: str) -> bool:
    if not re.search(r"\w", plain_strip_tags(fragment.replace("**", ""))):
        return False
    outside = re.sub(r"\*\*.*?\*\*", "", fragment, flags=re.S)
    outside = re.sub(r"<(b|strong)\b[^>]*>.*?</\1\s*>", "", outside, flags=re.S | re.I)
    return not re.search(r"[^\W_]", plain_strip_tags(outside))


PIECES = [
    "a", "Word", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\r", "_", "**", "<b>", "</b>",
    "<p>", "</p>", "<li>", "<br/>", "<h2>", "</h2>", "&amp;", "&", "<!-- x -->", "é", "7", "<",
    "<strong>", "</strong>", ".", "•",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=25).map("".join) | st.text(max_size=40)


@settings(max_examples=600, deadline=None)
@given(s=texts)
def test_fast_paths_equal_the_general_code(s: str) -> None:
    assert fold(s) == plain_fold(s)
    assert strip_tags(s) == plain_strip_tags(s)
    assert is_all_bold(s) == plain_is_all_bold(s)


@settings(max_examples=300, deadline=None)
@given(s=texts.filter(lambda s: "<" not in s))
def test_a_line_without_tags_is_one_segment(s: str) -> None:
    expected = [Segment(s)] if plain_strip_tags(s.replace("**", "")) else []
    assert split_html_segments(s) == expected
    assert split_html_segments(s + "<b></b>") == ([Segment(s + "<b></b>")] if expected else [])


GLYPH_PIECES = ["a", " ", "é", "’", "\uf0b7", "\uf0a7", "\uf0d8", "\uf076", "\uf0fc", "\uf0e0"]
GLYPH_PIECES += ["\uf02d", "\uf0b8", "\ue000", "-", "•"]


@settings(max_examples=400, deadline=None)
@given(s=st.lists(st.sampled_from(GLYPH_PIECES), max_size=25).map("".join) | st.text(max_size=40))
def test_symbol_glyphs_equals_the_plain_translation(s: str) -> None:
    """Skipping text without a glyph changes nothing: the same as translating every text."""
    assert text.symbol_glyphs(s) == s.translate(text._SYMBOL_GLYPHS)


def plain_add_markup_line(b: object, line: str, *, markdown: bool) -> None:
    """read_text._add_markup_line as first written: every line cut by split_html_segments."""
    from indexer import read_text
    from indexer.read_text import _HR, _MD_BULLET, _MD_HEADING, clean_inline
    from kb.model import Block

    stripped = line.strip()
    m = _MD_HEADING.match(stripped)
    if m or stripped.startswith("**") and "****" in stripped:
        read_text._add_markup_line(b, line, markdown=markdown)  # type: ignore[arg-type]
        return  # (headings and bold runs are not the fast path's)
    bullet = _MD_BULLET.match(line)
    level = 0
    if bullet and not _HR.fullmatch(stripped):
        level = len(bullet.group(1).expandtabs(4)) // 2
        line = bullet.group(2)
    for i, seg in enumerate(split_html_segments(line)):
        t = clean_inline(seg.markup, markdown=markdown)
        if not t:
            continue
        if seg.heading:
            b.add(Block(t, "heading", bold=seg.bold, level=seg.heading))  # type: ignore[attr-defined]
        elif seg.is_list or (bullet and i == 0):
            block = Block(text.strip_bullet(t) or t, "list", bold=seg.bold, level=level)
            b.add(block)  # type: ignore[attr-defined]
        else:
            b.add(Block(t, "paragraph", bold=seg.bold))  # type: ignore[attr-defined]


def _markup_blocks(add: object, line: str, markdown: bool) -> list[object]:
    from indexer.read_text import _Builder

    b = _Builder()
    add(b, line, markdown=markdown)  # type: ignore[operator]
    return b.blocks


LINE_PIECES = [
    *PIECES, "- ", "* ", "  - ", "# ", "----", "[a](b)", "\\*", "*x*", "\\", "![i](p)", "_x_",
    "•", "\u25aa ", "|", "___",
]  # fmt: skip
lines = (
    st.lists(st.sampled_from(LINE_PIECES), max_size=20)
    .map("".join)
    .filter(lambda s: "\n" not in s and "\r" not in s)
)


@settings(max_examples=600, deadline=None)
@given(line=lines, markdown=st.booleans())
def test_a_markup_line_gives_the_blocks_of_the_general_code(line: str, markdown: bool) -> None:
    from indexer.read_text import _add_markup_line

    fast = _markup_blocks(_add_markup_line, line, markdown)
    assert fast == _markup_blocks(plain_add_markup_line, line, markdown)


def test_markup_lines_of_the_seed_and_corpus_give_the_general_blocks(
    seed_path: Path, corpus_dir: Path
) -> None:
    from indexer.read_text import _add_markup_line

    paths = [seed_path, *sorted(corpus_dir.glob("*/*.txt")), *sorted(corpus_dir.glob("*/*.md"))]
    checked = 0
    for path in paths:
        markdown = path.suffix == ".md"
        for line in text.decode(path.read_bytes())[0].split("\n"):
            for part in line.split("\f"):
                fast = _markup_blocks(_add_markup_line, part, markdown)
                assert fast == _markup_blocks(plain_add_markup_line, part, markdown), part
                checked += bool(fast)
    assert checked > 5_000


SPACES = [" ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\u00a0"]
SPACES += ["\u1680", "\u2000", "\u2028", "\u2029", "\u202f", "\u3000", "\u200b", "\x01"]


@settings(max_examples=600, deadline=None)
@given(s=st.lists(st.sampled_from(["a", "Bé", ".", "’"] + SPACES), max_size=20).map("".join))
def test_squeeze_equals_split_and_join(s: str) -> None:
    assert text.squeeze(s) == " ".join(s.split())
