"""HTML / PHP-fragment reader: built markup and the mscc fragments from the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.read import read_file
from indexer.read_html import html_blocks, read
from kb.model import Block, IngestError


def _simple(blocks: list[Block]) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in blocks]


HTML_CASES = [
    pytest.param(
        "<h4>PRESENT</h4><p>Councillors A, B.</p>",
        [("heading", "PRESENT"), ("paragraph", "Councillors A, B.")],
        id="heading-paragraph",
    ),
    pytest.param(
        "<p>Line one<br>Line two<br/>Line three</p>",
        [("paragraph", "Line one"), ("paragraph", "Line two"), ("paragraph", "Line three")],
        id="br-lines",
    ),
    pytest.param(
        "<ul><li>• One</li><li>Two<ul><li>Two a</li></ul></li></ul>",
        [("list", "One"), ("list", "Two"), ("list", "Two a")],
        id="lists",
    ),
    pytest.param(
        "<table><tr><th>Ref</th><th>Site</th></tr><tr><td>E/1</td><td>Farm<br>Cwmifor</td>"
        "</tr><tr><td>Only one</td><td></td></tr></table>",
        [
            ("table-row", "Ref\tSite"),
            ("table-row", "E/1\tFarm Cwmifor"),
            ("paragraph", "Only one"),
        ],
        id="table-rows",
    ),
    pytest.param(
        "<dl><dt>E/40480</dt><dd>Storage Building</dd><dd><strong>NO OBJECTIONS</strong></dd></dl>",
        [("table-row", "E/40480\tStorage Building\tNO OBJECTIONS")],
        id="definition-list",
    ),
    pytest.param(
        "<head><title>Minutes</title><style>p{}</style><script>var x=1;</script></head>"
        "<nav>Home | About</nav><button>×</button><p>Body &amp; text &pound;5</p>",
        [("heading", "Minutes"), ("paragraph", "Body & text £5")],
        id="drops-script-style-nav",
    ),
    pytest.param(
        "<p>Unclosed <b>bold<p>Next</div></span>para",
        [("paragraph", "Unclosed bold"), ("paragraph", "Next"), ("paragraph", "para")],
        id="malformed",
    ),
    pytest.param(
        "<p>ANNUAL RETURN 31<sup>ST</sup> MARCH</p>",
        [("paragraph", "ANNUAL RETURN 31ST MARCH")],
        id="sup",
    ),
]


@pytest.mark.parametrize(("markup", "expected"), HTML_CASES)
def test_html_blocks(markup: str, expected: list[tuple[str, str]]) -> None:
    assert _simple(read(Path("m.html"), markup.encode()).blocks) == expected


def test_bold_and_levels() -> None:
    blocks, _ = html_blocks(
        "<p><strong>RESOLVED</strong></p><p><b>Resolved:</b> noted</p><h2>Title</h2>"
        "<ul><li>a<ul><li>b</li></ul></li></ul>"
    )
    assert [(b.text, b.bold, b.level) for b in blocks] == [
        ("RESOLVED", True, 0),
        ("Resolved: noted", False, 0),
        ("Title", True, 2),
        ("a", False, 0),
        ("b", False, 1),
    ]


def test_ordered_agenda_list_gives_item_hints() -> None:
    blocks, _ = html_blocks(
        '<ol class="minute-matters" start="3"><li><h4>WELCOME</h4><p>Chair welcomed all.</p>'
        "<ol><li>sub point</li></ol></li><li><h4>MINUTES</h4>None.</li></ol>"
    )
    assert [(b.kind, b.text, b.item_hint) for b in blocks] == [
        ("heading", "WELCOME", ("3", "WELCOME")),
        ("paragraph", "Chair welcomed all.", None),
        ("list", "sub point", None),
        ("heading", "MINUTES", ("4", "MINUTES")),
        ("paragraph", "None.", None),
    ]


@pytest.mark.parametrize("depth", [1_000, 20_000])
def test_deep_nesting_does_not_crash(depth: int) -> None:
    markup = "<div><span>" * depth + "deep text" + "</span></div>" * depth
    assert [b.text for b in html_blocks(markup)[0]] == ["deep text"]


def test_cp1252_html_decodes_with_warning() -> None:
    doc = read(Path("m.html"), "<p>Café £5</p>".encode("cp1252"))
    assert [b.text for b in doc.blocks] == ["Café £5"]
    assert any("cp1252" in w for w in doc.warnings)


def test_markup_without_text_is_refused() -> None:
    with pytest.raises(IngestError, match="no visible text"):
        read(Path("m.html"), b"<html><script>x()</script><style>p{}</style></html>")


# --------------------------------------------------------------------------- the corpus


@pytest.fixture(scope="module")
def mscc_files(corpus_dir: Path) -> list[Path]:
    files = sorted((corpus_dir / "mscc").glob("*.php"))
    assert files, "the corpus has mscc .php fragments"
    return files


def test_mscc_fragments_read_as_html(mscc_files: list[Path]) -> None:
    for path in mscc_files:
        doc = read_file(path)
        assert doc.format == "html", path.name
        texts = [b.text for b in doc.blocks]
        assert "×" not in texts  # the close button is dropped
        assert not any("<" in t and ">" in t for t in texts), path.name
        assert doc.pages is None


def test_mscc_english_fragment_agenda(corpus_dir: Path) -> None:
    doc = read_file(corpus_dir / "mscc" / "minutes_20-06-10.php")
    hints = [b.item_hint for b in doc.blocks if b.item_hint]
    assert hints[:3] == [
        ("1", "WELCOME AND APOLOGIES"),
        ("2", "TO CONFIRM THE MINUTES OF THE LAST MEETING"),
        ("3", "DECLARATIONS OF INTEREST"),
    ]
    assert ("8", "ANNUAL RETURN FOR YEAR ENDING 31ST MARCH 2020") in hints
    rows = [b for b in doc.blocks if b.kind == "table-row"]
    assert rows[0].cells is not None and rows[0].cells[0] == "E/40480"
    assert rows[0].cells[-1] == "NO OBJECTIONS"
    assert doc.blocks[0].text == "10 June 2020"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<p>", "</p>", "<li>", "</ul>", "<table>", "<tr>", "<td>", "</td>", "<br>",
             "<b>", "</b>", "<script>", "</script>", "<h2>", "</h2>", "&amp;", "<dl>", "<dd>",
             "word", "Other", " ", "\n", "<", ">", "&"]
        ),
        max_size=60,
    )
)  # fmt: skip
def test_any_tag_soup_gives_blocks_or_a_clear_error(parts: list[str]) -> None:
    try:
        doc = read(Path("m.html"), "".join(parts).encode())
    except IngestError as exc:
        assert "no visible text" in str(exc)
        return
    assert all(b.text and b.text == b.text.strip() for b in doc.blocks)
    assert not any(b.kind == "table-row" and not b.cells for b in doc.blocks)
