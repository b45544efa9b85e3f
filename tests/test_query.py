"""kb.query: the user query language, including hostile input."""

from __future__ import annotations

import pytest

from kb.query import (
    And,
    FieldQuery,
    Not,
    Or,
    Phrase,
    Prefix,
    QueryError,
    Term,
    YearRange,
    parse,
    too_common_notice,
)


@pytest.mark.parametrize(
    ("q", "tree"),
    [
        ("", None),
        ("   ", None),
        ("cctv", Term("cctv")),
        ("cctv funding", And((Term("cctv"), Term("funding")))),
        ("cctv AND funding", And((Term("cctv"), Term("funding")))),
        ('"sex trade"', Phrase("sex trade")),
        ('"sex trade', Phrase("sex trade")),  # unclosed quote runs to the end
        ("cctv OR cameras", Or((Term("cctv"), Term("cameras")))),
        ("cctv -funding", And((Term("cctv"), Not(Term("funding"))))),
        ("NOT funding", Not(Term("funding"))),
        ("(cctv OR cameras) park", And((Or((Term("cctv"), Term("cameras"))), Term("park")))),
        ("safe*", Prefix("safe")),
        ("committee:licensing", FieldQuery("committee", "licensing")),
        ('committee:"crime and disorder"', FieldQuery("committee", "crime and disorder", True)),
        ("Speaker:Hawkes", FieldQuery("speaker", "Hawkes")),
        ("year:2018", YearRange(2018, 2018)),
        ("year:2017..2019", YearRange(2017, 2019)),
        ("year:2019..2017", YearRange(2017, 2019)),
        ("year:2017..", YearRange(2017, None)),
        ("year:..2019", YearRange(None, 2019)),
        ("unknown:x", Term("unknown:x")),  # not a public field: plain words
        ("body:secret", Term("body:secret")),
        ("source_key:/etc", Term("source_key:/etc")),
        ('data:"x y"', And((Term("data"), Phrase("x y")))),
        ("[a TO z]", And((Term("[a"), Term("TO"), Term("z]")))),
        ("cctv)", Term("cctv")),  # stray bracket ignored
        ("(cctv", Term("cctv")),
        ("a\x00b", And((Term("a"), Term("b")))),
    ],
)
def test_parse_table(q: str, tree: object) -> None:
    assert parse(q) == tree


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("*", "wildcards"),
        ("*get", "wildcards"),
        ("?", "wildcards"),
        ("s*", "wildcards"),
        ("sa*fe", "wildcards"),
        ("((((", "no words"),
        (")))", "no words"),
        ('""', "no words"),
        ("year:20x8", "not a year"),
        ("x" * 10_000, "too long"),
        ("(" * 40 + "cctv", "nested"),
        (" ".join(["cctv"] * 100), "too complex"),
    ],
)
def test_bad_queries_raise_query_error(q: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse(q)


def test_query_error_is_a_value_error() -> None:
    assert issubclass(QueryError, ValueError)


def test_query_syntax_help_is_one_text_in_cli_web_and_readme(client) -> None:  # type: ignore[no-untyped-def]
    """kb.query.SYNTAX is rendered into ``kb search --help``, the search page and the README."""
    import html as htmlmod
    from pathlib import Path

    from click.testing import CliRunner

    from kb.cli import main
    from kb.query import SYNTAX, syntax_markdown

    cli_help = CliRunner().invoke(main, ["search", "--help"], terminal_width=200).output
    page = htmlmod.unescape(client.get("/").get_data(as_text=True))
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert syntax_markdown() in readme
    for example, meaning in SYNTAX:
        assert example in cli_help and meaning.split(" (")[0] in cli_help
        shown = ", ".join(f"<code>{one}</code>" for one in example.split("  "))
        assert f"{shown} — {meaning}" in page


COMMON_TAIL = "showing every item that matches the filters"


@pytest.mark.parametrize(
    ("q", "notice"),
    [
        ("the", f"'the' is too common a word to search: {COMMON_TAIL}"),
        ("x", f"'x' is too common a word to search: {COMMON_TAIL}"),
        ('"the"', f"'\"the\"' is too common a word to search: {COMMON_TAIL}"),
        ("of  the", f"'of the' are too common words to search: {COMMON_TAIL}"),
        ("the OR -of", f"'the OR -of' are too common words to search: {COMMON_TAIL}"),
        ("the council", None),  # one searchable word is enough
        ("council", None),
        ("committee:the", None),  # a field query is not plain words
        ("the*", None),  # a prefix searches words starting "the"
        ("year:2018 the", None),
        ("", None),  # blank: already every item, no notice
        ("((((", None),  # bad query: parse reports it
        ("*", None),
    ],
)
def test_too_common_notice(q: str, notice: str | None) -> None:
    assert too_common_notice(q) == notice
