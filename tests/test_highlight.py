"""kb.highlight: the one matcher behind result snippets and the item page's marks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb.engine.whoosh import wordsearch
from kb.engine.whoosh.querybuild import _Compiler
from kb.expansion import Expander
from kb.highlight import Matcher, mark_html, marked_spans, matcher_for, matcher_for_query
from kb.query import parse
from kb.service import SearchRequest, SearchService
from kb.snippets import make_snippet

EXPANDER = Expander.load()
TEXT = (
    "The Anti-Social Behaviour team reported on policing of the CCTV cameras. "
    "Safer streets and safety matter; the funding was agreed."
)


def marked(text: str, q: str) -> list[str]:
    """The words of ``text`` the query ``q`` marks."""
    return [text[a:b] for a, b in marked_spans(text, matcher_for_query(q, EXPANDER))]


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("CCTV", ["CCTV", "cameras"]),  # CCTV's synonym "cctv camera" occurs in full
        ("camera", ["cameras"]),  # stems
        ("police", ["policing"]),  # "policing" and "police" share the stem "polic"
        ("ASB", ["Anti", "Social", "Behaviour"]),  # acronym → its phrase, parts marked
        ("antisocial", ["Anti-Social"]),  # the joined form marks the whole hyphenated word
        ('"cctv cameras"', ["CCTV", "cameras"]),  # a phrase marks its words
        ("saf*", ["Safer", "safety"]),  # a prefix marks every word starting with it
        ("streets -funding", ["streets"]),  # an excluded word is not marked
        ("NOT funding", []),
        ("speaker:hawkes committee:licensing year:2018", []),  # filters mark nothing
        ("team OR (funding AND streets)", ["team", "streets", "funding"]),
        ("", []),
    ],
)
def test_marked_words(q: str, words: list[str]) -> None:
    assert sorted(marked(TEXT, q)) == sorted(words)


@pytest.mark.parametrize(
    "q", ['"sex trade" cctv', "cctv OR cameras", "safe* park", "(ASB OR graffiti)"]
)
def test_matcher_has_the_terms_the_compiler_searches(q: str) -> None:
    """Other than plain words, the matcher collects what kb.engine.whoosh.querybuild compiles."""
    compiler = _Compiler(EXPANDER)
    compiler.compile(parse(q))
    m = matcher_for(parse(q), EXPANDER)
    assert m.terms | {t for phrase in m.phrases for t in phrase} == compiler.highlight
    assert list(m.prefixes) == list(dict.fromkeys(compiler.prefixes))


@pytest.mark.parametrize(
    "q",
    ["CCTV", "ASB", "anti-social behaviour", "criminal damage", "cctv -funding year:2018",
     "s.137 grant", "speaker:hawkes parking"],
)  # fmt: skip
def test_matcher_of_plain_words_is_what_the_word_search_searches(q: str) -> None:
    """Plain words are searched clause by clause (wordsearch): the matcher has exactly
    each clause's forms and synonyms, as single terms or phrases."""
    plan = wordsearch.plan(parse(q), EXPANDER)
    assert plan is not None
    wanted = [seq for c in plan.clauses for seq in (*c.terms, *c.synonym_terms)]
    m = matcher_for(parse(q), EXPANDER)
    assert m.terms == {seq[0] for seq in wanted if len(seq) == 1}
    assert set(m.phrases) == {seq for seq in wanted if len(seq) > 1}
    assert m.prefixes == ()


@pytest.mark.parametrize(
    ("text", "q", "words"),
    [
        # a synonym phrase marks only where all its words follow one another
        (
            "Social care and behaviour support; anti-social behaviour orders",
            "ASB",
            ["anti", "social", "behaviour"],
        ),
        ("Social care and anti social behaviour", "ASB", ["anti", "social", "behaviour"]),
        ("Closed circuit television and closed doors", "CCTV", ["Closed", "circuit", "television"]),
        # a quoted phrase likewise
        ("trade in sex; the sex trade", '"sex trade"', ["sex", "trade"]),
    ],
)
def test_phrases_mark_only_where_they_occur(text: str, q: str, words: list[str]) -> None:
    spans = marked_spans(text, matcher_for_query(q, EXPANDER))
    assert [text[a:b] for a, b in spans] == words
    assert all(a >= text.index(words[0]) for a, _ in spans)


def test_without_expander_an_acronym_marks_only_itself() -> None:
    m = matcher_for(parse("ASB"), None)
    assert m.terms == {"asb"} and not m.matches("anti")


def test_bad_query_gives_an_empty_matcher() -> None:
    m = matcher_for_query("((((", EXPANDER)
    assert not m and m == Matcher()
    assert mark_html("a <b>", m.matches) == "a &lt;b&gt;"


@pytest.mark.parametrize(
    ("text", "q", "html"),
    [
        ("a <b>cctv</b>", "cctv", "a &lt;b&gt;<mark>cctv</mark>&lt;/b&gt;"),
        ('" onmouseover="x', "onmouseover", "&quot; <mark>onmouseover</mark>=&quot;x"),
        (
            "<script>alert(1)</script>",
            "<script>",
            "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;",
        ),
        (
            "anti-social behaviour",
            "ASB",
            "<mark>anti</mark>-<mark>social</mark> <mark>behaviour</mark>",
        ),
    ],
)
def test_mark_html_escapes_everything(text: str, q: str, html: str) -> None:
    assert mark_html(text, matcher_for_query(q, EXPANDER)) == html


@pytest.mark.parametrize("q", ["ASB", "CCTV", "safe*", '"sex trade"', "policing", "partnership"])
def test_snippet_and_item_page_mark_the_same_words(seed_index: Path, q: str) -> None:
    """Every word a result's snippet marks is marked the same way in the item's full text."""
    svc = SearchService(seed_index)
    try:
        res = svc.search(SearchRequest(q=q, page_size=20))
        assert res.total > 0
        m = matcher_for_query(q, svc.expander)
        for hit in res.results:
            body = svc.get_item(hit.id)["body"]
            page = mark_html(body, m)
            in_snippet = re.findall(r"<mark>(.*?)</mark>", hit.snippet_html)
            on_page = re.findall(r"<mark>(.*?)</mark>", page)
            assert in_snippet, hit.id
            assert set(in_snippet) <= set(on_page), hit.id
            # and the snippet's own text, marked by the page's function, gives its marks
            _plain, marked_html = make_snippet(body, m)
            assert marked_html == hit.snippet_html
    finally:
        svc.close()


#: texts whose marks exercise every branch of term_hits: words, stems, prefixes, phrases
#: (whole, broken, inside hyphenated words), repeated phrases
HIT_TEXTS = [
    TEXT,
    "Social care was discussed. Later, anti-social behaviour near the park.",
    "Trade in sex; the sex trade. sex-trade and the sex  trade again, sex trade.",
    "cctv cameras cctv cameras cctv, cameras; CCTV-cameras",
    "cctv " + "-".join(["camera"] * 50) + " cameras sex trade",  # a word over 240 characters
    "",
]
HIT_QUERIES = ["CCTV", "ASB", '"sex trade"', "saf*", '"cctv cameras" OR camera*', "team", ""]


@pytest.mark.parametrize("q", HIT_QUERIES)
def test_term_hits_equal_the_frozen_old_term_hits(q: str, seed_path: Path) -> None:
    """term_hits (a set lookup per term, phrases only where a first word occurs) marks what
    the old term_hits marked (tests/snippet_oracle.py), on a table and on the seed."""
    from kb.highlight import term_hits
    from tests import snippet_oracle

    matcher = matcher_for_query(q, EXPANDER)
    seed = seed_path.read_text(encoding="utf-8")
    for text in [*HIT_TEXTS, seed]:
        assert term_hits(text, matcher) == snippet_oracle.term_hits(text, matcher), text[:60]
        plain = matcher.matches  # a plain function: asked per term, no phrases
        assert term_hits(text, plain) == snippet_oracle.term_hits(text, plain)
