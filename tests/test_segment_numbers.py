"""Item-number candidates and title splitting (indexer.segment_numbers), line by line and
over small documents: minute references with prefixes or years, resolution numbers,
numbers alone above their title, titles that run into the first sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import segment_numbers
from indexer.segment import find_item_headings
from indexer.segment_numbers import clean_text, parse_candidate, split_title, variants
from kb.model import Block


def _blocks(*lines: str, bold: bool = False) -> list[Block]:
    return [Block(text=line, kind="paragraph", bold=bold) for line in lines]


@pytest.mark.parametrize(
    ("line", "number", "title"),
    [
        ("CAB/24/12 APOLOGIES FOR ABSENCE", "CAB/24/12", "APOLOGIES FOR ABSENCE"),
        ("PC.23/045 Apologies for absence", "PC.23/045", "Apologies for absence"),
        ("C123/20 PUBLIC FORUM", "C123/20", "PUBLIC FORUM"),
        ("2019/123 Allotments", "2019/123", "Allotments"),
        ("Min 56 Apologies", "56", "Apologies"),
        ("Min. 57 – Declarations of Interest", "57", "Declarations of Interest"),
        ("Minute 12. Election of Chairman", "12", "Election of Chairman"),
        ("Minute 45/2024 Highways", "45/2024", "Highways"),
        ("Resolution R2024-101 – Adoption of Agenda", "R2024-101", "Adoption of Agenda"),
        ("Resolution No. 12 – 2024 Tax Rates By-law", "12", "2024 Tax Rates By-law"),
        ("Agenda Item 4: Planning Applications", "4", "Planning Applications"),
        ("24.031 APOLOGIES", "24.031", "APOLOGIES"),
        ("1.0 CALL TO ORDER", "1.0", "CALL TO ORDER"),
        ("1) Apologies", "1", "Apologies"),
        ("(2) Declarations of Interest", "2", "Declarations of Interest"),
        ("3 - Flood defences", "3", "Flood defences"),
    ],
)
def test_numbers_and_titles_in_one_line(line: str, number: str, title: str) -> None:
    cand = parse_candidate(_blocks(line), 0)
    assert cand is not None
    assert (cand.number, cand.title) == (number, title)


@pytest.mark.parametrize(
    "line",
    ["Resolution No. R2024-057", "12.05.2019 was the date", "£1,204.10 was paid",
     "3) the council agreed", "12 - 14 High Street",
     "4.30 p.m. the meeting resumed", "(a) the new website"],
)  # fmt: skip
def test_lines_that_open_no_item(line: str) -> None:
    assert parse_candidate(_blocks(line), 0) is None


@pytest.mark.parametrize(
    ("number", "style", "counters"),
    [
        ("CAB/24/12", "prefixed", [("CAB/24/#", 12), ("CAB/#/12", 24)]),
        ("C123/20", "prefixed", [("C#/20", 123), ("C123/#", 20)]),
        ("2019/123", "slash", [("/123", 2019), ("2019/#", 123)]),
        ("R2024-057", "prefixed", [("R2024-#", 57), ("R#-057", 2024)]),
    ],
)
def test_each_reading_of_a_reference_is_its_own_sequence(
    number: str, style: str, counters: list[tuple[str, int]]
) -> None:
    cand = parse_candidate(_blocks(f"{number} Title"), 0)
    assert cand is not None and cand.style == style
    assert sorted(v.counter for v in variants(cand)) == sorted(counters)


def test_the_running_group_is_learnt_from_the_document() -> None:
    years = find_item_headings(_blocks("2019/118 Apologies", "x.", "2019/119 Minutes", "y."))
    assert [c.number for c in years] == ["2019/118", "2019/119"]
    town = find_item_headings(_blocks("C123/20 APOLOGIES", "x.", "C124/20 MINUTES", "y."))
    assert [c.number for c in town] == ["C123/20", "C124/20"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(["1", "APOLOGIES FOR ABSENCE", "Cllr M. Jarvis.", "2", "MINUTES",
                      "Approved.", "3", "PLANNING", "No objection."],
                     [("1", "APOLOGIES FOR ABSENCE"), ("2", "MINUTES"), ("3", "PLANNING")],
                     id="bare-number-above-caps-title"),
        pytest.param(["Item 1", "Apologies", "None.", "Item 2", "Finance", "Noted."],
                     [("1", "Apologies"), ("2", "Finance")], id="item-n-above-title"),
        pytest.param(["1", "Pothole on Mill Lane.", "2", "Blocked drain."], [],
                     id="bare-numbers-above-sentences-are-not-items"),
    ],
)  # fmt: skip
def test_numbers_on_their_own_line(lines: list[str], expected: list[tuple[str, str]]) -> None:
    blocks = _blocks(*lines)
    for b in blocks:
        b.bold = b.text.isupper() and not b.text.isdigit() or b.text in ("Apologies", "Finance")
    assert [(c.number, c.title) for c in find_item_headings(blocks)] == expected


def test_a_numbered_list_inside_one_section_is_not_the_item_list() -> None:
    lines = ["APOLOGIES", "None.", "HIGHWAYS", "Cllr Lund reported:", "1. Pothole by the pond.",
             "2. Blocked drain on Fell Lane.", "3. Missing sign.", "FINANCE", "Noted.",
             "CORRESPONDENCE", "None."]  # fmt: skip
    assert find_item_headings(_blocks(*lines)) == []


SGT = "Presentation from Sgt. B. Leetch, Limerick Division"
LABEL_A = "LOCAL AUTHORITY REPORTS a. Norfolk County Council"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Police report PCSO Lamb reported one burglary.", "Police report"),
        ("Highways Cllr Gray reported that the road had been resurfaced.", "Highways"),
        ("Finance The Clerk reported a balance of £5,612.40.", "Finance"),
        ("Correspondence None.", "Correspondence"),
        ("Apologies for absence Cllr W Fox.", "Apologies for absence"),
        ("Minutes The minutes of 17 October 2023 were approved.", "Minutes"),
        ("Date of next meeting 16 January 2024.", "Date of next meeting"),
        ("Minutes of the meeting held on 6 May 2024", "Minutes of the meeting held on 6 May 2024"),
        ("Report from Cllr Smith on the footpaths", "Report from Cllr Smith on the footpaths"),
        ("Letter from Mr Jones regarding parking", "Letter from Mr Jones regarding parking"),
        ("Apologies. Cllr E Jarrett sent apologies.", "Apologies"),
        ("Minutes – the minutes of 5 June 2024 were approved.", "Minutes"),
        ("Events – Cllr Parr reported on the carnival:", "Events"),
        ("Other Reports - for information only:", "Other Reports - for information only"),
        ("PLANNING APPLICATIONS The clerk reported two.", "PLANNING APPLICATIONS"),
        ("MEETING VENUES It was agreed that meetings …", "MEETING VENUES"),
        ("CCTV Review of the cameras", "CCTV Review of the cameras"),
        (SGT, SGT),
        (LABEL_A, LABEL_A),
        ("Date and Time of Next Meeting - Wednesday 9 October 2013 at 7.00pm",
         "Date and Time of Next Meeting - Wednesday 9 October 2013 at 7.00pm"),
    ],
)  # fmt: skip
def test_titles_do_not_run_into_the_body(text: str, title: str) -> None:
    assert split_title(text)[0] == title


def test_an_agenda_list_above_the_minutes_is_not_the_item_list() -> None:
    lines = ["AGENDA", "1. Apologies", "2. Minutes", "3. Planning", "Present: Cllr A Fenwick",
             "1. Apologies. Cllr E Jarrett sent apologies.", "2. Minutes. Approved.",
             "3. Planning. No objection to 10 Mill Road."]  # fmt: skip
    heads = find_item_headings(_blocks(*lines))
    assert [(c.index, c.title) for c in heads] == [
        (5, "Apologies"),
        (6, "Minutes"),
        (7, "Planning"),
    ]


def _plain_clean_text(text: str) -> str:
    """clean_text as first written: every pattern on every text."""
    text = re.sub(r"</?[a-zA-Z][^<>]*>", "", text)
    text = text.replace("\\", "").replace("**", "").replace("__", "")
    text = re.sub(r"^[#>\s*_]+", "", text)
    text = re.sub(r"^(\d{1,3})\.\s+\1\.", r"\1.", text)
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("1. **1.** Apologies", "1. Apologies"),
        ("## 4. Planning", "4. Planning"),
        ("<b>5.</b> Finance", "5. Finance"),
        ("> _quoted_ text", "quoted_ text"),
        ("12.  12. Minutes", "12. Minutes"),
        ("12. 13. Minutes", "12. 13. Minutes"),
        ("١. ١. Arabic digits", "١. Arabic digits"),  # \d is any decimal digit
        ("²  superscript", "² superscript"),
        ("a < b and c > d", "a < b and c > d"),
        ("Escaped \\*star\\*", "Escaped *star*"),
        ("", ""),
    ],
)  # fmt: skip
def test_clean_text_is_the_plain_patterns(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned == _plain_clean_text(text)


_PATTERN_OF = {
    **dict(segment_numbers._PATTERNS),
    "bare": segment_numbers._BARE,
    "bare-keyed": segment_numbers._BARE_KEYED,
    "glued": segment_numbers._GLUED,
}


@settings(max_examples=300, deadline=None)
@given(
    first=st.characters(max_codepoint=127),
    rest=st.lists(
        st.sampled_from(["1", "12", ".", "/", ")", " ", "Item", "tem", "inute", "otion", "A", "x"]),
        max_size=6,
    ).map("".join),
)
def test_a_pattern_never_matches_a_text_opening_with_a_character_it_cannot_start_with(
    first: str, rest: str
) -> None:
    text = first + rest
    for style, pattern in _PATTERN_OF.items():
        if first not in segment_numbers._FIRST[style]:
            assert pattern.match(text) is None, (style, text)


def _every_pattern(text: str, style: str) -> bool:
    return True


@pytest.mark.corpus
def test_corpus_candidates_equal_with_every_pattern_tried(
    corpus_dir: Path, seed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first-character dispatch changes no candidate of any seed or corpus block."""
    from indexer import pipeline
    from indexer.read import read_file

    docs = [read_file(p) for p in [seed_path, *pipeline.discover([corpus_dir])]]
    fast = [parse_candidate(d.blocks, i) for d in docs for i in range(len(d.blocks))]
    monkeypatch.setattr(segment_numbers, "_PATTERNS_BY_FIRST", {})
    monkeypatch.setattr(segment_numbers, "_may_open", _every_pattern)
    plain = [parse_candidate(d.blocks, i) for d in docs for i in range(len(d.blocks))]
    assert fast == plain
    assert sum(c is not None for c in fast) > 1000


def _plain_is_upper(title: str) -> bool:
    letters = [c for c in title if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["#", ">", "*", "_", " ", "\u00a0", "\t", "\n", "1.", "A", "b", "Ⅻ",
                         "É", "é", "<b>", "</b>", "**", "\\", "2", "CCTV", "x"]),
        max_size=12,
    ).map("".join)
)  # fmt: skip
def test_clean_text_and_is_upper_equal_the_plain_versions(text: str) -> None:
    assert clean_text(text) == _plain_clean_text(text)
    assert segment_numbers.is_upper(text) == _plain_is_upper(text)
