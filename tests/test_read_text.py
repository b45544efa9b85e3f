"""Text/Markdown reader and the shared text helpers, on built inputs and on the seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.read import read_file
from indexer.read_text import ends_sentence, read, read_streamed
from indexer.text import (
    NotStreamable,
    StreamedLines,
    decode,
    is_all_bold,
    split_html_segments,
    strip_tags,
)
from kb.model import Block, IngestError


def _read(data: bytes, name: str = "m.txt") -> list[Block]:
    return read(Path(name), data).blocks


def _simple(blocks: list[Block]) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in blocks]


# --------------------------------------------------------------------------- decoding

DECODE_CASES = [
    # (bytes, expected text, expected warning fragment or None)
    pytest.param("Café £5 – ok".encode(), "Café £5 – ok", None, id="utf-8"),
    pytest.param(b"\xef\xbb\xbf" + "Café".encode(), "Café", None, id="utf-8-bom"),
    pytest.param("Café £5 – ok".encode("cp1252"), "Café £5 – ok", "cp1252", id="cp1252"),
    pytest.param("Café £5".encode("utf-16"), "Café £5", None, id="utf-16-bom"),
    pytest.param(b"\xfe\xff" + "Caf\u00e9".encode("utf-16-be"), "Café", None, id="utf-16-be-bom"),
    pytest.param("Minutes".encode("utf-16-le"), "Minutes", "NUL pattern", id="utf-16-no-bom"),
    pytest.param(b"a\x00b\x00\x00c", "abc", "3 NUL", id="nul-bytes"),
    pytest.param(b"ok \x81 there", "ok \ufffd there", "undecodable", id="bad-byte"),
    pytest.param(
        "Café – naïve ".encode() + b"\xff end",
        "Café – naïve \ufffd end",
        "undecodable",
        id="utf-8-with-one-bad-byte",
    ),
    pytest.param(b"one\r\ntwo\rthree", "one\ntwo\nthree", None, id="line-endings"),
]


@pytest.mark.parametrize(("data", "text", "warning"), DECODE_CASES)
def test_decode(data: bytes, text: str, warning: str | None) -> None:
    got, warnings = decode(data)
    assert got == text
    if warning is None:
        assert warnings == []
    else:
        assert any(warning in w for w in warnings), warnings


def test_reader_keeps_decoding_warnings_and_loses_no_text() -> None:
    doc = read(Path("m.txt"), b"Resolved\x00: noted \x81 today.")
    assert [b.text for b in doc.blocks] == ["Resolved: noted \ufffd today."]
    assert any("NUL" in w for w in doc.warnings)
    assert any("undecodable" in w for w in doc.warnings)


# --------------------------------------------------------------------------- blocks

BLOCK_CASES = [
    pytest.param(
        "27<sup>TH</sup> MARCH 2018 &amp; more",
        [("paragraph", "27TH MARCH 2018 & more")],
        id="sup-and-entity",
    ),
    pytest.param(
        "<p>First para.</p> <p>Second para.</p>",
        [("paragraph", "First para."), ("paragraph", "Second para.")],
        id="p-splits-line",
    ),
    pytest.param(
        '<p>Intro:</p> <ul style="x"> <li>• One</li> <li>• Two</li> </ul>',
        [("paragraph", "Intro:"), ("list", "One"), ("list", "Two")],
        id="ul-li",
    ),
    pytest.param(
        "Council held on Monday.<br /><br />2927.Police Report: Attached.<br />Next",
        [
            ("paragraph", "Council held on Monday."),
            ("paragraph", "2927.Police Report: Attached."),
            ("paragraph", "Next"),
        ],
        id="br-lines",
    ),
    pytest.param(
        "<b>01.</b>\t<b>APOLOGY FOR ABSENCE (REF: 1)</b>\t",
        [("table-row", "01.\tAPOLOGY FOR ABSENCE (REF: 1)")],
        id="tab-row",
    ),
    pytest.param(
        "\t<b>Resolved:</b> An apology was received.\t",
        [("paragraph", "Resolved: An apology was received.")],
        id="tab-line-one-cell-is-text",
    ),
    pytest.param(
        "# Minutes\n\n### **MEMBERS**\n- item one\n  - nested\n* star item",
        [
            ("heading", "Minutes"),
            ("heading", "MEMBERS"),
            ("list", "item one"),
            ("list", "nested"),
            ("list", "star item"),
        ],
        id="md-headings-lists",
    ),
    pytest.param(
        "**AGENDA ITEM****2.1****MINUTES OF THE OSB**",
        [("heading", "AGENDA ITEM"), ("heading", "2.1"), ("heading", "MINUTES OF THE OSB")],
        id="bold-runs-back-to-back",
    ),
    pytest.param(
        "# Title\n\nMinutes of the Council\n=======\n\nText.",
        [("heading", "Title"), ("heading", "Minutes of the Council"), ("paragraph", "Text.")],
        id="md-setext-heading",
    ),
    pytest.param(
        "| Name | Role |\n|---|:---:|\n| Boyle | Chief |",
        [("table-row", "Name\tRole"), ("table-row", "Boyle\tChief")],
        id="md-table",
    ),
    pytest.param(
        "1\\. Apologies\n\n[Original file](https://x.ie/a.pdf)\n\nSee [the plan](p.pdf) now.",
        [
            ("paragraph", "1. Apologies"),
            ("paragraph", "Original file"),
            ("paragraph", "See the plan now."),
        ],
        id="md-escapes-links",
    ),
    pytest.param(
        "<table><tbody><tr><td><b>Date held:</b></td><td><b>1<sup>st</sup> November</b></td>"
        "</tr></tbody></table>",
        [("table-row", "Date held:\t1st November")],
        id="html-table-in-a-line",
    ),
    pytest.param(
        "Text before\n------------------------------\nText after.",
        [("paragraph", "Text before"), ("paragraph", "Text after.")],
        id="long-rule-dropped",
    ),
]


@pytest.mark.parametrize(("source", "expected"), BLOCK_CASES)
def test_blocks(source: str, expected: list[tuple[str, str]]) -> None:
    name = "m.md" if source.startswith(("#", "|", "1\\")) else "m.txt"
    assert _simple(_read(source.encode(), name)) == expected


def test_tab_row_cells_and_bold() -> None:
    (row,) = _read(b"<b>SURNAME</b>\t<b>FIRST NAME</b>\t<b>JOB TITLE</b>")
    assert row.cells == ["SURNAME", "FIRST NAME", "JOB TITLE"] and row.bold
    (row,) = _read(b"Boyle\tDavid\tChief Superintendent")
    assert row.cells == ["Boyle", "David", "Chief Superintendent"] and not row.bold
    (row,) = _read(b"\t<b>06.</b>\tTitle\t\t")
    assert row.cells == ["", "06.", "Title"]  # leading empty cell kept, trailing dropped
    assert row.text == "06.\tTitle" and not row.bold


@pytest.mark.parametrize(
    ("markup", "bold"),
    [
        ("<b>MINUTES (REF: 2)</b>", True),
        ("<p><b>SETTING THE SCENE</b></p>", True),
        ("**Recommendation 1 - Recognise**", True),
        ("**Resolved:** That the report be noted.", False),
        ("<b>Resolved:</b> noted", False),
        ("plain", False),
        ("<b> </b>", False),
    ],
)
def test_is_all_bold(markup: str, bold: bool) -> None:
    assert is_all_bold(markup) is bold


def test_strip_tags_and_segments() -> None:
    assert strip_tags("a<br>b &lt;c&gt; <!-- x --> d") == "a b <c> d"
    segs = split_html_segments("<h4>PRESENT</h4><p>Councillors A and B</p>")
    assert [(s.heading, s.text) for s in segs] == [(4, "PRESENT"), (0, "Councillors A and B")]


# --------------------------------------------------------------------------- pages and joins

PAGE_CASES = [
    pytest.param("one.\ftwo.\fthree.", [1, 2, 3], 3, id="form-feeds"),
    pytest.param("one.\n---\ntwo.\n---\nthree.", [1, 2, 3], 3, id="md-page-rules"),
    pytest.param("[Original file](x.pdf)\n\n---\nFirst.\n---\nSecond.", [1, 1, 2], 2, id="lead"),
    pytest.param("one.\n\ntwo.", [None, None], None, id="no-markers"),
    pytest.param("one.\n--\t---\t--\ntwo.", [1, 2], 2, id="seed-tab-rule"),
]


@pytest.mark.parametrize(("source", "pages", "count"), PAGE_CASES)
def test_pages(source: str, pages: list[int | None], count: int | None) -> None:
    doc = read(Path("m.md"), source.encode())
    assert [b.page for b in doc.blocks] == pages
    assert doc.pages == count


JOIN_CASES = [
    pytest.param("on the progress of the\n\n\trecommendations made.", 1, id="blank-line"),
    pytest.param("business to be\fdiscussed with them.", 1, id="form-feed"),
    pytest.param("As this is\n\n---\nthe day of the elections.", 1, id="page-rule"),
    pytest.param("<li>• work as well as</li>\n\n\t<p>rehabilitation. More.</p>", 1, id="list"),
    pytest.param("It ended.\n\nthe next line.", 2, id="terminal-stop"),
    pytest.param("It ended:\n\nlower case.", 2, id="terminal-colon"),
    pytest.param("Not ended\n\nUpper Case start.", 2, id="uppercase-next"),
    pytest.param("**BOLD TITLE**\n\nlower text.", 2, id="bold-never-joins"),
    pytest.param("# Heading\n\nlower text.", 2, id="heading-never-joins"),
]


@pytest.mark.parametrize(("source", "count"), JOIN_CASES)
def test_continuation_join(source: str, count: int) -> None:
    blocks = _read(source.encode(), "m.md")
    assert len(blocks) == count
    words = source.replace("<li>• ", "").replace("</li>", "").replace("<p>", "")
    words = words.replace("</p>", "").replace("**", "").replace("# ", "").replace("---", "")
    assert " ".join(b.text for b in blocks).split() == words.split()  # nothing lost or moved


@pytest.mark.parametrize(
    ("text", "ends"),
    [("noted.", True), ('said "yes."', True), ("(REF: 1)", False), ("as follows:", True)],
)
def test_ends_sentence(text: str, ends: bool) -> None:
    assert ends_sentence(text) is ends


def test_front_matter_title_becomes_heading_and_rest_is_dropped() -> None:
    src = '---\ntitle: "Northwold Parish Council Minutes 2nd September 2014"\ndate: "x"\n---\nBody.'
    assert _simple(_read(src.encode(), "n.md")) == [
        ("heading", "Northwold Parish Council Minutes 2nd September 2014"),
        ("paragraph", "Body."),
    ]


def test_empty_and_blank_files_are_refused() -> None:
    with pytest.raises(IngestError, match="no text"):
        read(Path("m.txt"), b"  \n\t\n")


def test_deeply_nested_stray_html_in_text() -> None:
    line = "<b>" * 3000 + "deep" + "</b>" * 3000
    assert [b.text for b in _read(line.encode())] == ["deep"]


# --------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed_blocks(seed_path: Path) -> list[Block]:
    return read_file(seed_path).blocks


def test_seed_reads_as_text_with_two_pages(seed_path: Path) -> None:
    doc = read_file(seed_path)
    assert doc.format == "text" and doc.pages == 2 and doc.warnings == []


def test_seed_item_rows(seed_blocks: list[Block]) -> None:
    rows = [b.cells for b in seed_blocks if b.kind == "table-row" and b.bold]
    numbers = [c[0] for c in rows if c and c[0].endswith(".")]
    assert numbers == ["01.", "02.", "03.", "04.", "05.", "06.", "07.", "08.", "09."]
    assert ["01.", "APOLOGY FOR ABSENCE (REF: 1)"] in rows


def test_seed_resolution_split_by_a_page_gap_is_one_block(seed_blocks: list[Block]) -> None:
    hits = [b.text for b in seed_blocks if "on the progress of the" in b.text]
    assert hits == [
        "Resolved: That the report (Ref: 8) on the progress of the recommendations made from"
        " the Crime & Disorder Committee held on 27th February 2017 be noted."
    ]
    assert not any(
        b.text.startswith(("recommendations made", "discussed with")) for b in seed_blocks
    )


def test_seed_title_line_and_lists(seed_blocks: list[Block]) -> None:
    texts = [b.text for b in seed_blocks]
    assert "27TH MARCH 2018 AT 7.00 P.M AT THE COUNCIL CHAMBER" in texts
    assert "MINUTES OF THE OSB – CRIME AND DISORDER COMMITTEE" in texts
    lists = [b.text for b in seed_blocks if b.kind == "list"]
    assert "Focus on Guns and Gangs" in lists
    assert not any("<" in t or "&amp;" in t or "**" in t for t in texts)


# --------------------------------------------------------------------------- properties

_PLAIN = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 .,;:()'\n\t\f") + ["é", "–", "£"]), max_size=300
)


@settings(max_examples=150, deadline=None)
@given(_PLAIN)
def test_plain_text_loses_and_reorders_nothing(source: str) -> None:
    """Whatever the line breaks, tabs and page breaks, the words come out in order."""
    try:
        blocks = _read(source.encode("utf-8"))
    except IngestError:
        assert not source.split()
        return
    assert " ".join(b.text for b in blocks).split() == source.split()


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_blocks_or_a_clear_error(data: bytes) -> None:
    for name in ("m.txt", "m.md"):
        try:
            doc = read(Path(name), data)
        except IngestError as exc:
            assert str(exc)
            continue
        assert doc.blocks and all(b.text.strip() for b in doc.blocks)


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("\uf0b7 Begging in the city centre", "Begging in the city centre"),
        ("\uf0a7 Burglaries in Raheen", "Burglaries in Raheen"),
        ("\uf0d8 Sulky racing in Mungret", "Sulky racing in Mungret"),
    ],
)
def test_symbol_font_bullets_become_list_items(line: str, text: str) -> None:
    doc = read(Path("m.md"), f"Intro paragraph.\n\n{line}\n".encode())
    (item,) = [b for b in doc.blocks if b.kind == "list"]
    assert item.text == text
    assert not any("\uf000" <= ch <= "\uf8ff" for b in doc.blocks for ch in b.text)


def test_a_bullet_alone_on_its_line_makes_the_next_paragraph_a_list_item() -> None:
    # As in Limerick's PDF-extracted Markdown: the glyph, a blank line, then the text.
    doc = read(Path("m.md"), "Issues raised :\n\n\uf0b7\n\nBegging in the city centre;\n".encode())
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("paragraph", "Issues raised :"),
        ("list", "Begging in the city centre;"),
    ]


# --------------------------------------------------------------------------- streamed reading

STREAM_CASES = [
    pytest.param(b"1. Apologies\nNone.\n2. Minutes\nAgreed.\n", "m.txt", id="lf"),
    pytest.param(b"1. Apologies\r\nNone were\r\nreceived.\r\n", "m.txt", id="crlf-join"),
    pytest.param(b"1. Apologies\rNone.\r\r2. Minutes", "m.txt", id="lone-cr-no-final-newline"),
    pytest.param(b"\xef\xbb\xbfMinutes\n\n1. Apologies\n", "m.txt", id="utf-8-bom"),
    pytest.param(b"Page one\n\x0cPage two\n---\nPage three\n", "m.txt", id="pages"),
    pytest.param("Caf\u00e9 \ufffd kept\n\uf0b7 bullet\n".encode(), "m.txt", id="fffd-glyphs"),
    pytest.param(b"Name\tRole\tVote\nAnn\tChair\tFor\n", "m.txt", id="table-rows"),
    pytest.param(
        b"---\ntitle: Parish Council\ndate: 2021-05-05\n---\n# 1. Apologies\n- none\n",
        "m.md",
        id="markdown-front-matter",
    ),
    pytest.param(b"Heading\n===\n\n**1. Minutes**\n", "m.md", id="markdown-setext"),
]


@pytest.mark.parametrize(("data", "name"), STREAM_CASES)
def test_streamed_read_is_the_whole_read(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert read_streamed(path) == read(path, data)


@pytest.mark.parametrize(
    ("data", "streamable"),
    [
        (b"plain text", True),
        (b"\xef\xbb\xbfUTF-8 with a BOM", True),
        ("UTF-16".encode("utf-16"), False),
        ("no BOM".encode("utf-16-le"), False),
        (b"a NUL \x00 byte", False),
    ],
)
def test_streamable_heads(data: bytes, streamable: bool) -> None:
    assert StreamedLines.streamable(data) is streamable


@pytest.mark.parametrize(
    "data", [b"ok\nthen caf\xe9 in cp1252\n", b"ok\nthen a NUL \x00 further on\n"]
)
def test_a_file_decode_reads_otherwise_does_not_stream(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "m.txt"
    path.write_bytes(data)
    with pytest.raises(NotStreamable):
        read_streamed(path)


def test_whitespace_only_streamed_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    path.write_bytes(b"  \n\x0c\n\t\n")
    with pytest.raises(IngestError, match="only whitespace"):
        read_streamed(path)


def test_streamed_reads_of_the_seed_and_corpus_are_the_whole_reads(
    seed_path: Path, corpus_dir: Path
) -> None:
    paths = [seed_path, *sorted(corpus_dir.glob("*/*.txt")), *sorted(corpus_dir.glob("*/*.md"))]
    assert len(paths) > 50
    for path in paths:
        assert read_streamed(path) == read(path, path.read_bytes()), path.name


def test_read_file_streams_a_large_text_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over STREAM_BYTES a text file streams (same Document, control characters stripped);
    one that is not UTF-8 is read whole, as before."""
    from indexer import read as read_mod

    monkeypatch.setattr(read_mod, "STREAM_BYTES", 10)
    path = tmp_path / "m.txt"
    path.write_bytes(b"1. Apologies\nNone \x1b[31mreceived.\n")
    streamed = read_file(path)
    assert [b.text for b in streamed.blocks] == ["1. Apologies", "None received."]
    path.write_bytes(b"1. Apologies\nCaf\xe9 closed.\n")
    whole = read_file(path)
    assert whole.blocks[1].text == "Café closed." and "cp1252" in whole.warnings[0]
