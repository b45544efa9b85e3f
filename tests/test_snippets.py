"""kb.snippets: the snippet around the query's words, built in bounded time on any item."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import snippets, vocabulary
from kb.analysis import stem
from kb.deadline import Deadline
from kb.expansion import Expander
from kb.highlight import matcher_for_query
from kb.snippets import make_snippet
from tests import snippet_oracle


def wants(*words: str):  # type: ignore[no-untyped-def]
    terms = {stem(w.lower()) for w in words}
    return lambda term: term in terms


@pytest.mark.parametrize(
    ("text", "words", "plain", "marked"),
    [
        (
            "The meeting opened.  Members discussed CCTV in the park.  Nothing else.",
            ("cctv",),
            "The meeting opened. Members discussed CCTV in the park. Nothing else.",
            "The meeting opened. Members discussed <mark>CCTV</mark> in the park. Nothing else.",
        ),
        (
            "Apologies were received.\nThe cameras & <lights> were noted.\nClose.",
            ("cameras",),
            "Apologies were received. The cameras & <lights> were noted. Close.",
            "Apologies were received. The <mark>cameras</mark> &amp; &lt;lights&gt; were noted."
            " Close.",
        ),
        ("No match here at all.", ("zebra",), "No match here at all.", "No match here at all."),
    ],
)
def test_short_texts(text: str, words: tuple[str, ...], plain: str, marked: str) -> None:
    assert make_snippet(text, wants(*words)) == (plain, marked)


def test_best_sentence_has_the_most_distinct_words() -> None:
    filler = " ".join(f"Filler sentence {i} about parking." for i in range(40))
    text = f"CCTV was mentioned. {filler} CCTV cameras in the park were funded. {filler}"
    plain, marked = make_snippet(text, wants("cctv", "cameras"), max_chars=80)
    assert "CCTV cameras in the park were funded." in plain
    assert "<mark>CCTV</mark> <mark>cameras</mark>" in marked
    assert plain.startswith("…") and plain.endswith("…")


def test_a_long_sentence_is_cut_around_its_first_match() -> None:
    text = "word " * 500 + "the CCTV budget " + "word " * 500
    plain, marked = make_snippet(text, wants("cctv"), max_chars=100)
    assert len(plain) <= 102 and "CCTV" in plain
    assert plain.startswith("…") and plain.endswith("…")
    assert "<mark>CCTV</mark>" in marked


def test_every_shown_match_is_marked_even_past_the_scanned_hits() -> None:
    text = " ".join("cctv" for _ in range(snippets.MAX_HITS * 3)) + "."
    _plain, marked = make_snippet(text, wants("cctv"), max_chars=2000)
    assert marked.count("<mark>") == snippets.MAX_HITS * 3


def test_a_ten_megabyte_item_scans_only_near_its_first_matches() -> None:
    """200,000 sentences that mention CCTV: the matcher is asked about the distinct words of
    the first few sentences only, not of every sentence."""
    text = " ".join(f"Sentence {i} mentions CCTV in ward {i}." for i in range(200_000))
    assert len(text) > 7_000_000
    asked: list[str] = []

    def matches(term: str) -> bool:
        asked.append(term)
        return term == "cctv"

    plain, marked = make_snippet(text, matches)
    assert plain.startswith("Sentence 0 mentions CCTV")
    assert "<mark>CCTV</mark>" in marked
    assert len(asked) < 1000  # distinct words of the scanned window, not of 200,000 sentences


def test_a_match_beyond_the_scan_limit_falls_back_to_the_opening() -> None:
    text = "Opening words. " + "filler " * (snippets.MAX_SCAN_CHARS // 7) + " zebra."
    plain, marked = make_snippet(text, wants("zebra"))
    assert plain.startswith("Opening words.") and "<mark>" not in marked


def test_one_huge_run_of_letters_is_not_analysed() -> None:
    text = "x" * 5_000_000
    plain, _marked = make_snippet(text, wants("x" * 5_000_000))
    assert plain.startswith("xxx") and len(plain) <= snippets.DEFAULT_CHARS + 2


def test_an_expired_deadline_still_gives_a_snippet_and_marks_the_deadline_hit() -> None:
    text = " ".join(f"Sentence {i} about parking." for i in range(20_000)) + " CCTV here."
    deadline = Deadline(1)
    deadline.started -= 1  # already past
    plain, _marked = make_snippet(text, wants("cctv"), deadline=deadline)
    assert plain.startswith("Sentence 0")
    assert deadline.hit


@pytest.mark.parametrize(
    ("text", "q", "marked"),
    [
        # a synonym phrase is marked only where its words follow one another
        ("Social care was discussed. Later, anti-social behaviour near the park.", "ASB",
         ["anti", "social", "behaviour"]),
        ("The CCTV cameras and more cameras.", "CCTV", ["CCTV", "cameras"]),
        ('Trade in sex; the sex trade.', '"sex trade"', ["sex", "trade"]),
    ],
)  # fmt: skip
def test_phrases_are_marked_whole_as_on_the_item_page(text: str, q: str, marked: list[str]) -> None:
    import re

    from kb.expansion import Expander
    from kb.highlight import mark_html, matcher_for_query

    matcher = matcher_for_query(q, Expander.load())
    _plain, html = make_snippet(text, matcher)
    assert re.findall(r"<mark>(.*?)</mark>", html) == marked
    assert re.findall(r"<mark>(.*?)</mark>", mark_html(text, matcher)) == marked


# ------------------------------------------------------- byte-identical to the old builder

#: queries of every kind the snippets mark: single words, a stem, prefixes, phrases, a
#: synonym/acronym (ASB -> "anti-social behaviour"), hyphenated words, OR, no match at all
ORACLE_QUERIES = [
    "council",
    "planning application",
    "CCTV",
    "ASB",
    "anti-social behaviour",
    "safe*",
    "plan* road",
    '"parish council"',
    '"minutes of the meeting"',
    "co-opted",
    "e-mail",
    "police OR policing",
    "budget -funding",
    "zzzqxv",
    "",
]


def _stored_bodies(index_dir: Path) -> list[str]:
    """The stored body of every item of the index at ``index_dir`` (what a hit's snippet
    is built from)."""
    from whoosh import index

    from kb.engine.whoosh import generations

    ix = index.open_dir(str(generations.current(index_dir)))
    try:
        with ix.reader() as reader:
            return [f.get("body") or "" for f in reader.all_stored_fields()]
    finally:
        ix.close()


def _assert_identical(bodies: list[str]) -> int:
    """Assert the new and old builders agree on every body for every query; the number of
    snippets that marked something (so the table is known to exercise the marks)."""
    expander = Expander.load()
    marked = 0
    for q in ORACLE_QUERIES:
        matcher = matcher_for_query(q, expander)
        for body in bodies:
            got = make_snippet(body, matcher)
            assert got == snippet_oracle.make_snippet(body, matcher), (q, body[:80])
            marked += "<mark>" in got[1]
    return marked


def test_identical_to_the_old_builder_on_every_seed_item(seed_index: Path) -> None:
    bodies = _stored_bodies(seed_index)
    assert len(bodies) >= 10
    assert _assert_identical(bodies) > len(bodies) // 2


def test_identical_to_the_old_builder_on_every_corpus_item(
    corpus_ingest: tuple[Path, list],
) -> None:
    bodies = _stored_bodies(corpus_ingest[0])
    assert len(bodies) > 100
    assert _assert_identical(bodies) > len(bodies) // 2


@pytest.mark.parametrize(
    "tail",
    ["cctv-" + "x" * (snippets._LONGEST + 3), "cctv-cameras", "cctv", "camera-cctv", "x" * 200],
)
def test_identical_where_the_scan_cutoff_cuts_a_word(tail: str) -> None:
    """Words starting either side of the first hit's cutoff and of the end of the text read
    after it (long, hyphenated, matching) are read whole, as the old builder read them."""
    matcher = matcher_for_query("cctv", Expander.load())
    prefix = "Intro cctv. "
    cutoff = prefix.index("cctv") + snippets.SCAN_AFTER_FIRST
    for edge in (cutoff, cutoff + snippets._LONGEST + 1):
        for at in range(edge - len(tail) - 3, edge + 4):
            filler = ("abc " * (at // 4 + 1))[: at - len(prefix) - 1] + " "
            body = prefix + filler + tail + " more cctv. The end."
            assert body.index(tail, len(prefix)) == at
            assert make_snippet(body, matcher) == snippet_oracle.make_snippet(body, matcher)


# ------------------------------------------------------------------ the scan's vocabulary


@pytest.mark.parametrize("q", ORACLE_QUERIES)
def test_scan_through_the_vocabulary_equals_asking_per_word(q: str, seed_path: Path) -> None:
    """A Matcher's scan (set lookups in the vocabulary) finds the hits that asking the same
    matcher word by word finds (a plain function: the per-word path), over the seed, with a
    vocabulary so small that it is emptied many times on the way."""
    matcher = matcher_for_query(q, Expander.load())
    text = seed_path.read_text(encoding="utf-8")
    saved = vocabulary.VOCABULARY
    vocabulary.VOCABULARY = vocabulary.Vocabulary(max_words=50)
    found = False
    try:
        for method in (matcher.candidate, matcher.matches):
            fast = snippets._scan(text, method, limit=10_000, after_first=len(text))
            asked = snippets._scan(
                text, lambda term, m=method: m(term), limit=10_000, after_first=len(text)
            )
            assert fast == asked
            found = found or bool(fast)
    finally:
        vocabulary.VOCABULARY = saved
    assert found or q in ("", "zzzqxv", "e-mail", "budget -funding")  # not in the seed
