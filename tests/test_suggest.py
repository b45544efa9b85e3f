"""kb.suggest: when a correction is worth offering, name completion and name correction."""

from __future__ import annotations

import pytest

from kb.suggest import FEW_RESULTS, MAX_COMPLETIONS, Name, Names, replace_field, worth_suggesting


@pytest.mark.parametrize(
    ("total", "corrected", "offer"),
    [
        (0, 1, True),  # nothing found: any correction that finds something
        (0, 0, False),  # a correction that finds nothing is no help
        (1, 5, True),  # few found, the correction finds five times as many
        (1, 4, False),  # ... but not four times
        (2, 10, True),
        (2, 9, False),
        (FEW_RESULTS, FEW_RESULTS * 5, True),
        (FEW_RESULTS + 1, 1000, False),  # enough found: no did-you-mean
        (1, 1, False),
    ],
)
def test_worth_suggesting(total: int, corrected: int, offer: bool) -> None:
    assert worth_suggesting(total, corrected) is offer


NAMES = Names(
    [
        Name("speaker", "luton/greg-horsford", "Superintendent Greg Horsford", "Supt Horsford", 3),
        Name("speaker", "luton/vicky-hawkes", "Vicky Hawkes", "Vicky Hawkes", 9),
        Name("speaker", "bury/vicky-hawes", "Vicky Hawes", "Vicky Hawes", 2),
        Name("speaker", "luton/ali-khan", "Cllr Ali Khan", "Cllr Ali Khan", 1),
        Name(
            "committee", "luton/licensing-committee", "Licensing Committee", "Licensing (Luton)", 7
        ),
        Name("committee", "luton/planning-committee", "Planning Committee", "Planning (Luton)", 4),
        Name("council", "luton", "Luton", "Luton", 11),
        Name("topic", "anti-social-behaviour", "Anti-social behaviour", "Anti-social behaviour", 5),
        Name("topic", "hate-crime", "Hate crime", "Hate crime", 2),
    ]
)


@pytest.mark.parametrize(
    ("facet", "typed", "fixed"),
    [
        ("speaker", "horsfrod", "Horsford"),  # a swap is one edit
        ("speaker", "HORSFORT", "Horsford"),  # case does not matter
        ("speaker", "hawkse", "Hawkes"),  # closest first: Hawkes (1 edit) over Hawes (2)
        ("speaker", "hawes", None),  # exact already
        ("speaker", "kahn", "Khan"),  # a short word allows one edit
        ("speaker", "kuhm", None),  # ... not two
        ("speaker", "vicky hawkse", "Vicky Hawkes"),  # several words: the whole name
        ("committee", "licencing", "Licensing"),
        ("committee", "planing committee", "Planning Committee"),
        ("council", "lutn", "Luton"),
        ("topic", "hate crme", "Hate crime"),
        ("speaker", "zzzzzz", None),
        ("speaker", "", None),
        ("year", "2018", None),  # not a named facet
    ],
)
def test_correct(facet: str, typed: str, fixed: str | None) -> None:
    assert NAMES.correct(facet, typed) == fixed


@pytest.mark.parametrize(
    ("prefix", "facets", "values"),
    [
        ("hor", ("speaker",), ["luton/greg-horsford"]),
        ("vicky", ("speaker",), ["luton/vicky-hawkes", "bury/vicky-hawes"]),  # most items first
        ("haw", ("speaker",), ["luton/vicky-hawkes", "bury/vicky-hawes"]),  # any word
        ("lic", ("committee", "speaker"), ["luton/licensing-committee"]),
        ("anti social", ("topic",), ["anti-social-behaviour"]),
        ("c", ("topic",), ["hate-crime"]),
        ("luton", ("council",), ["luton"]),
        ("", ("speaker",), []),
        ("?!", ("speaker",), []),
    ],
)
def test_complete(prefix: str, facets: tuple[str, ...], values: list[str]) -> None:
    assert [n.value for n in NAMES.complete(prefix, facets)] == values


def test_complete_ranks_whole_name_starts_first_and_limits() -> None:
    names = Names(
        [Name("speaker", f"x/p{i}", f"Ann Smith {i}", f"Ann Smith {i}", i) for i in range(80)]
        + [Name("speaker", "x/smith", "Smith Jones", "Smith Jones", 0)]
    )
    found = names.complete("smith", ("speaker",), limit=1000)
    assert found[0].value == "x/smith"  # the name itself starts with it, despite 0 items
    assert len(found) == MAX_COMPLETIONS
    assert [n.count for n in found[1:]] == sorted((n.count for n in found[1:]), reverse=True)


@pytest.mark.parametrize(
    ("facet", "typed", "value", "written"),
    [
        ("speaker", "horsfrod", "luton/greg-horsford", "Horsford"),
        ("committee", "luton/licensing-comittee", "luton/licensing-committee",
         "luton/licensing-committee"),  # a mistyped id gives the id
        ("topic", "hate-crme", "hate-crime", "Hate crime"),
        ("committee", "luton/licensing-committee", None, None),  # the id itself: right
    ],
)  # fmt: skip
def test_closest(facet: str, typed: str, value: str | None, written: str | None) -> None:
    found = NAMES.closest(facet, typed)
    assert (found[0].value, found[1]) == (value, written) if value else found is None


def test_name_query_filters_on_the_exact_value() -> None:
    assert NAMES.top("speaker", 1)[0].query() == "speaker:luton/vicky-hawkes"
    assert [NAMES.top(f, 1)[0].kind for f in ("council", "committee", "speaker", "topic")] == [
        "Council",
        "Committee",
        "Person",
        "Topic",
    ]
    assert NAMES.top("topic", 5)[0].query() == "topic:anti-social-behaviour"


@pytest.mark.parametrize(
    ("q", "args", "out"),
    [
        ("speaker:horsfrod", ("speaker", "horsfrod", "Horsford"), "speaker:Horsford"),
        (
            "cctv Speaker:horsfrod 2018",
            ("speaker", "horsfrod", "Horsford"),
            "cctv speaker:Horsford 2018",
        ),
        (
            'committee:"planing committee" x',
            ("committee", "planing committee", "Planning Committee"),
            'committee:"Planning Committee" x',
        ),
        ("(speaker:hawkse)", ("speaker", "hawkse", "Hawkes"), "(speaker:Hawkes)"),
        ("speaker:hawkses", ("speaker", "hawkse", "Hawkes"), "speaker:hawkses"),  # not that word
        ("xspeaker:hawkse", ("speaker", "hawkse", "Hawkes"), "xspeaker:hawkse"),
    ],
)
def test_replace_field(q: str, args: tuple[str, str, str], out: str) -> None:
    assert replace_field(q, *args) == out
