"""kb.engine.identity: fingerprints, text sketches, which copy is better, candidate ids."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.pipeline import process_meetings
from kb.engine.identity import (
    better,
    candidate_ids,
    fingerprint,
    identity_record,
    item_print,
    same_meeting,
    shared_text,
    text_sketch,
)
from kb.model import Item, Meeting, identity_id, meeting_id, rename_meeting

FIXTURES = Path(__file__).parent / "fixtures" / "identity"


def _meeting(fixture: str) -> Meeting:
    (meeting,) = process_meetings(FIXTURES / fixture, people=False)
    return meeting


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("07", "CCTV", "The Inspector said"), ("7.", "cctv", "the inspector\nsaid"), True),
        (("7", "CCTV update:", "Body"), ("7", "cctv update", "body"), True),
        (("7", "CCTV update", "Body"), ("8", "CCTV update", "Body"), False),
        (("7", "CCTV update", "Body"), ("7", "Parking", "Body"), False),
        (("7", "CCTV update", "The Inspector said"), ("7", "CCTV update", "Nothing to say"), False),
    ],
)  # fmt: skip
def test_item_print_ignores_case_punctuation_and_line_breaks(a, b, same: bool) -> None:
    assert (item_print(*a) == item_print(*b)) is same


def test_a_copy_in_another_format_is_the_same_meeting() -> None:
    txt, html = _meeting("copy-2020-03-11.txt"), _meeting("copy-2020-03-11.html")
    assert fingerprint(txt) == fingerprint(html)
    assert same_meeting(identity_record(txt), identity_record(html))


def test_another_meeting_on_the_same_day_is_not() -> None:
    txt, other = _meeting("copy-2020-03-11.txt"), _meeting("clash-2020-03-11.txt")
    assert txt.id == other.id  # the same council, committee, date and kind
    assert not same_meeting(identity_record(txt), identity_record(other))
    assert shared_text(text_sketch(txt), text_sketch(other)) < 0.1


def test_the_same_text_cut_into_other_items_is_the_same_meeting() -> None:
    txt = _meeting("copy-2020-03-11.txt")
    flat = copy.deepcopy(txt)  # a flat text export: one item holding everything
    flat.items = [
        Item(
            id=f"{txt.id}/1",
            meeting_id=txt.id,
            number="1",
            title="Minutes",
            body="\n".join(f"{i.number}. {i.title}: {i.body}" for i in txt.items),
            order=0,
        )
    ]
    assert not set(fingerprint(flat)) & set(fingerprint(txt))
    assert shared_text(text_sketch(flat), text_sketch(txt)) >= 0.5
    assert same_meeting(identity_record(flat), identity_record(txt))


def test_meetings_without_items_match_only_each_other() -> None:
    txt = _meeting("copy-2020-03-11.txt")
    empty = copy.deepcopy(txt)
    empty.items = []
    assert same_meeting(identity_record(empty), identity_record(copy.deepcopy(empty)))
    assert not same_meeting(identity_record(empty), identity_record(txt))


def test_better_copy_date_from_text_then_items_then_format() -> None:
    txt, html = _meeting("copy-2020-03-11.txt"), _meeting("copy-2020-03-11.html")
    assert better(identity_record(html), identity_record(txt))  # html ranks above text
    assert not better(identity_record(txt), identity_record(html))
    assert not better(identity_record(txt), identity_record(copy.deepcopy(txt)))  # tie: stays
    fewer = copy.deepcopy(html)
    fewer.items = fewer.items[:3]
    assert better(identity_record(txt), identity_record(fewer))
    guessed = copy.deepcopy(html)
    guessed.date_source = "filename"
    assert better(identity_record(txt), identity_record(guessed))
    assert identity_record(guessed)["weak_date"] and not identity_record(txt)["weak_date"]


def test_candidate_ids_qualify_by_start_time_then_a_counter() -> None:
    m = _meeting("clash-2020-03-11.txt")
    ids = candidate_ids(m)
    assert [next(ids) for _ in range(4)] == [m.id, f"{m.id}-2015", f"{m.id}-2", f"{m.id}-3"]
    m.start_time = None
    assert [next(candidate_ids(m)) for _ in range(1)] == [m.id]
    assert list(candidate_ids(m))[1] == f"{m.id}-2"


@pytest.mark.parametrize(
    ("kind", "language", "suffix"),
    [
        ("ordinary", "en", ""),
        ("extraordinary", "en", "-extraordinary"),
        ("agm", "en", "-agm"),
        ("annual-parish", "en", "-annual-parish"),
        ("ordinary", "cy", "-cy"),
        ("extraordinary", "cy", "-extraordinary-cy"),
    ],
)
def test_identity_id_qualifies_kind_and_language(kind: str, language: str, suffix: str) -> None:
    day = dt.date(2019, 2, 6)
    m = Meeting(id="", council="Ashford Cross", committee="Full Council", date=day)
    m.kind, m.language = kind, language
    assert identity_id(m) == meeting_id("Ashford Cross", "Full Council", day) + suffix


def test_rename_meeting_moves_its_items() -> None:
    m = _meeting("clash-2020-03-11.txt")
    old = m.id
    rename_meeting(m, old + "-2015")
    assert m.id == old + "-2015"
    assert [i.id for i in m.items] == [f"{old}-2015/{i.number}" for i in m.items]
    assert {i.meeting_id for i in m.items} == {m.id}


def _plain_sketch(meeting: Meeting) -> list[int]:
    """text_sketch as first written: the regex over the lowered text, each word encoded."""
    import re
    import zlib

    import numpy as np

    text = "\n".join(f"{i.title}\n{i.body}" for i in meeting.items).lower()
    words = re.findall(r"[^\W_]+", text)[:3000]
    if len(words) < 4:
        return []
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, words)), np.uint64, len(words))
    mixed = np.zeros(len(words) - 3, np.uint64)
    for k in range(4):
        mixed = ((mixed * np.uint64(0x9E3779B1)) ^ hashes[k : len(hashes) - 3 + k]) & np.uint64(
            0xFFFFFFFF
        )
    return [int(v) for v in np.unique(mixed)[:24]]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["CCTV", "the", "x_y", "O'Neill", "42", "a-b", "Café", "\n", "ÉTÉ"]),
            max_size=30,
        ).map(" ".join),
        min_size=1,
        max_size=4,
    )
)
def test_text_sketch_equals_the_plain_regex_sketch(bodies: list[str]) -> None:
    """ASCII meetings take the byte path, others the regex: both give the plain sketch."""
    meeting = Meeting(id="c/x/2020-01-01", council="C", committee="X", date=None)
    meeting.items = [
        Item(id=f"i{n}", meeting_id=meeting.id, number=str(n), title="Item", body=b, order=n)
        for n, b in enumerate(bodies)
    ]
    assert text_sketch(meeting) == _plain_sketch(meeting)


def test_text_sketch_of_real_minutes_equals_the_plain_sketch(seed_path: Path) -> None:
    (meeting,) = process_meetings(seed_path, people=False)
    assert len(text_sketch(meeting)) == 24
    assert text_sketch(meeting) == _plain_sketch(meeting)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=40) | st.integers(0, 2**32 - 1), max_size=200),
    st.integers(min_value=1, max_value=30),
)
def test_smallest_unique_is_numpy_unique(values: list[int], k: int) -> None:
    """The sort-and-neighbour shortcut gives np.unique's k smallest, duplicates or not."""
    import numpy as np

    from kb.engine.identity import _smallest_unique

    array = np.array(values, dtype=np.uint64)
    assert _smallest_unique(array, k).tolist() == np.unique(array)[:k].tolist()
