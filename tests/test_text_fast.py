"""indexer.text's fast paths (plain ASCII text, no tag, no bold markup) give exactly what the
general code gives."""

from __future__ import annotations

import html
import re

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
