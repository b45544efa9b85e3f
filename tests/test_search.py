"""kb.service.SearchService against real indexes: the seed, and a slice of the shared corpus."""

from __future__ import annotations

import datetime as dt
import html
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ENGINES, MORE_MINUTES, SEED
from whoosh import index as windex
from whoosh import query as wq

from indexer.pipeline import ingest
from kb.deadline import Deadline, DeadlineExceeded
from kb.engine.whoosh.querybuild import _Compiler, field_query
from kb.query import parse
from kb.service import IndexMissingError, QueryError, SearchRequest, SearchService

SEED_MEETING = "luton/crime-and-disorder-committee/2018-03-27"


@pytest.fixture(scope="module", params=ENGINES)
def seed(request: pytest.FixtureRequest, seed_index: Path, engine_index) -> Iterator[SearchService]:  # type: ignore[no-untyped-def]
    """The seed through SearchService on each engine: every test taking ``seed`` is the
    engine contract, run on every backend."""
    if request.param == "whoosh":
        svc = SearchService(seed_index, engine="whoosh")
        yield svc
        svc.close()
        return
    svc = engine_index(request.param).service()
    assert svc.engine == request.param
    yield svc
    svc.close()


def ids(res) -> list[str]:
    return [h.id.rsplit("/", 1)[1] for h in res.results]


def test_cctv_finds_item_07_first_with_the_units_sentence(seed: SearchService) -> None:
    res = seed.search(SearchRequest(q="CCTV"))
    assert ids(res)[0] == "07"
    assert "10 CCTV units" in res.results[0].snippet
    assert "10 <mark>CCTV</mark> units" in res.results[0].snippet_html
    assert res.results[0].url == f"/items/{SEED_MEETING}/07"


def test_a_variant_opens_the_same_index_on_the_same_engine(seed: SearchService) -> None:
    other = seed.variant(cache_size=0)
    try:
        assert other.engine == seed.engine
        assert ids(other.search(SearchRequest(q="CCTV"))) == ids(
            seed.search(SearchRequest(q="CCTV"))
        )
    finally:
        other.close()


def test_exact_phrase_sex_trade(seed: SearchService) -> None:
    res = seed.search(SearchRequest(q='"sex trade"'))
    assert sorted(ids(res)) == ["06", "07"]
    assert res.total == 2


def test_and_is_the_default_and_or_widens(seed: SearchService) -> None:
    plain = seed.variant(word_ranking=False)
    assert plain.search(SearchRequest(q="cctv firearms")).total == 0  # strictly AND
    plain.close()
    both = seed.search(SearchRequest(q="cctv firearms"))
    either = seed.search(SearchRequest(q="cctv OR firearms")).total
    cctv = seed.search(SearchRequest(q="cctv")).total
    assert cctv == 1 and either == 2
    # no item has both words: the search relaxes to either word and says so
    assert (both.total, both.match) == (2, "any")
    assert seed.search(SearchRequest(q="cctv")).match == "all"
    assert both.suggestion is None  # both words are spelt as indexed


def test_a_relaxed_search_still_suggests_a_spelling(seed: SearchService) -> None:
    res = seed.search(SearchRequest(q="cctv firaerms"))
    assert (res.match, res.total) == ("any", 1)  # the misspelt word matches nothing
    assert res.suggestion == "cctv firearms"


def test_not_excludes(seed: SearchService) -> None:
    assert ids(seed.search(SearchRequest(q='"sex trade" -cctv'))) == ["06"]
    assert ids(seed.search(SearchRequest(q='"sex trade" NOT cctv'))) == ["06"]


@pytest.mark.parametrize("q", ["anti-social", "antisocial", '"anti social"', "anti social"])
def test_hyphen_variants_all_find_item_07(seed: SearchService, q: str) -> None:
    assert "07" in ids(seed.search(SearchRequest(q=q)))


def test_expansion_finds_synonyms_but_not_inside_phrases(seed_index: Path) -> None:
    expanded = SearchService(seed_index)
    plain = SearchService(seed_index, expander=None)
    assert expanded.expander is not None
    assert "07" in ids(expanded.search(SearchRequest(q="ASB")))  # anti-social behaviour
    assert plain.search(SearchRequest(q="ASB")).total == 0
    assert expanded.search(SearchRequest(q='"ASB"')).total == 0  # a phrase stays exact


def test_prefix_search_and_highlight(seed: SearchService) -> None:
    res = seed.search(SearchRequest(q="exploit*"))
    assert "06" in ids(res)
    assert "<mark>" in " ".join(h.snippet_html for h in res.results)


def test_field_syntax_and_ranges(seed: SearchService) -> None:
    assert seed.search(SearchRequest(q="year:2018 cctv")).total == 1
    assert seed.search(SearchRequest(q="year:2017..2019 cctv")).total == 1
    assert seed.search(SearchRequest(q="year:2019.. cctv")).total == 0
    assert seed.search(SearchRequest(q="council:luton cctv")).total == 1
    assert seed.search(SearchRequest(q="council:limerick cctv")).total == 0
    assert seed.search(SearchRequest(q='committee:"crime and disorder" cctv')).total == 1
    spoke = seed.search(SearchRequest(q="speaker:hawkes"))
    assert spoke.total >= 1
    assert all(any("Hawkes" in s for s in h.speakers) for h in spoke.results)


@pytest.mark.parametrize("q", ["*", "*get", "((((", "x" * 10_000, "year:abc", "[a TO z]"])
def test_hostile_queries_give_query_error(seed: SearchService, q: str) -> None:
    with pytest.raises(QueryError):
        seed.search(SearchRequest(q=q))


def test_nul_and_control_characters_are_blanks(seed: SearchService) -> None:
    assert seed.search(SearchRequest(q="\x00")).total == 9  # a blank query lists everything
    assert ids(seed.search(SearchRequest(q="\x00CCTV\x07"))) == ["07"]


@pytest.mark.parametrize("q", ["source_key:x", "data:luton", "doctype:meeting", "id:luton"])
def test_private_fields_are_plain_words(seed: SearchService, q: str) -> None:
    # "doctype:meeting" is the words "doctype meeting": never the meeting documents
    res = seed.search(SearchRequest(q=q))
    assert all(h.id.count("/") == 3 for h in res.results)
    name, value = q.split(":")
    # one token: its words side by side, as the phrase (never relaxed to one of the words)
    both = seed.search(SearchRequest(q=f'"{name} {value}"'))
    assert res.total == both.total


def test_blank_query_lists_items_and_sorts(seed: SearchService) -> None:
    res = seed.search(SearchRequest(q="", sort="oldest", page_size=20))
    assert res.total == 9
    assert ids(res) == [f"{n:02d}" for n in range(1, 10)]
    with pytest.raises(QueryError):
        seed.search(SearchRequest(sort="sideways"))


def test_blank_query_with_relevance_sort_lists_newest_first(tmp_index, seed_path, tmp_path) -> None:
    later = tmp_path / "luton-crime-and-disorder-2019-03-26.txt"
    later.write_text(
        seed_path.read_text(encoding="utf-8").replace(
            "27<sup>TH</sup> MARCH 2018", "26TH MARCH 2019"
        ),
        encoding="utf-8",
    )
    svc = SearchService(tmp_index(seed_path, later))
    dates = [h.date for h in svc.search(SearchRequest(q="", page_size=18)).results]
    assert dates == ["2019-03-26"] * 9 + ["2018-03-27"] * 9
    svc.close()


def test_paging(seed: SearchService) -> None:
    first = seed.search(SearchRequest(q="", sort="oldest", page=1, page_size=4))
    third = seed.search(SearchRequest(q="", sort="oldest", page=3, page_size=4))
    assert ids(first) == ["01", "02", "03", "04"] and ids(third) == ["09"]
    assert first.total == third.total == 9


def test_filters_or_within_and_across_facets(seed: SearchService) -> None:
    base = SearchRequest(q="partnership")
    total = seed.search(base).total
    assert seed.search(SearchRequest(q="partnership", council=["luton", "nowhere"])).total == total
    assert seed.search(SearchRequest(q="partnership", council=["nowhere"])).total == 0
    narrowed = seed.search(SearchRequest(q="partnership", council=["luton"], topic=["cctv"]))
    assert narrowed.total == 1
    dated = SearchRequest(
        q="partnership", date_from=dt.date(2018, 3, 27), date_to=dt.date(2018, 3, 27)
    )
    assert seed.search(dated).total == total
    assert seed.search(SearchRequest(q="partnership", date_from=dt.date(2018, 3, 28))).total == 0


@pytest.mark.parametrize(
    ("facet", "value"),
    [
        ("committee", "luton/crime-and-disorder-committee"),
        ("committee", "Crime and Disorder Committee"),
        ("committee", "crime and disorder"),
        ("council", "Luton"),
        ("topic", "CCTV"),
    ],
)
def test_filters_accept_keys_and_names(seed: SearchService, facet: str, value: str) -> None:
    expected = 1 if facet == "topic" else seed.search(SearchRequest(q="partnership")).total
    assert seed.search(SearchRequest(q="partnership", **{facet: [value]})).total == expected


def test_snippet_html_is_escaped(seed: SearchService) -> None:
    res = seed.search(SearchRequest(q="wellbeing"))
    hit = res.results[0]
    assert "Health &amp; <mark>Wellbeing</mark>" in hit.snippet_html
    assert (
        html.unescape(hit.snippet_html.replace("<mark>", "").replace("</mark>", "")) == hit.snippet
    )


def test_suggestion_for_a_misspelling(seed: SearchService) -> None:
    res = seed.search(SearchRequest(q="exploitaton"))
    assert res.total == 0 and res.suggestion == "exploitation"


def test_to_json_shape(seed: SearchService) -> None:
    data = json.loads(json.dumps(seed.search(SearchRequest(q="CCTV")).to_json()))
    assert set(data) >= {"query", "total", "results", "facets"}
    hit = data["results"][0]
    assert set(hit) >= {
        "id", "meeting_id", "council", "committee", "date", "item_number", "item_title",
        "speakers", "topics", "snippet", "url",
    }  # fmt: skip
    assert hit["date"] == "2018-03-27" and hit["item_number"] == "07"
    assert data["facets"]["council"] == {"luton": 1}
    assert set(data["facets"]) == {"council", "committee", "year", "speaker", "topic", "kind"}


def test_histogram_counts_items_per_year_and_committee(seed: SearchService) -> None:
    res = seed.search(SearchRequest(q="partnership"))
    assert res.histogram == {2018: {"luton/crime-and-disorder-committee": res.total}}


def test_get_item_with_neighbours(seed: SearchService) -> None:
    item = seed.get_item(f"{SEED_MEETING}/07")
    assert item is not None
    assert item["title"].startswith("KEEPING LUTON SAFE AND TIDY")
    assert "10 CCTV units" in item["body"]
    assert item["prev_id"] == f"{SEED_MEETING}/06" and item["next_id"] == f"{SEED_MEETING}/08"
    assert item["meeting"]["id"] == SEED_MEETING
    assert any(t["topic"] == "cctv" and t["evidence"] for t in item["topics"])
    assert seed.get_item(f"{SEED_MEETING}/01")["prev_id"] is None
    assert seed.get_item("nope") is None
    assert seed.get_item(SEED_MEETING) is None  # a meeting is not an item


def test_get_meeting_lists_items_in_order(seed: SearchService) -> None:
    meeting = seed.get_meeting(SEED_MEETING)
    assert [i["number"] for i in meeting["items"]] == [f"{n:02d}" for n in range(1, 10)]
    assert meeting["attendance"]["chair"]
    assert seed.get_meeting("x/y/z") is None


def test_browse_helpers(seed: SearchService) -> None:
    similar = seed.more_like_this(f"{SEED_MEETING}/06", n=3)
    assert 1 <= len(similar) <= 3 and all(s["id"] != f"{SEED_MEETING}/06" for s in similar)
    body = seed.get_item(f"{SEED_MEETING}/06")["body"]  # the page passes the body it has
    assert seed.more_like_this(f"{SEED_MEETING}/06", n=3, body=body) == similar
    assert seed.more_like_this(SEED_MEETING, n=3, body=body) == []  # a meeting id: no item
    assert seed.more_like_this(SEED_MEETING, n=3) == []
    (committee,) = seed.list_committees()
    assert committee["meetings"] == 1 and committee["items"] == 9
    assert [m["id"] for m in seed.committee_meetings("luton", "crime-and-disorder-committee")] == [
        SEED_MEETING
    ]
    people = seed.people("Luton")
    assert people and people[0]["items"] >= people[-1]["items"]
    assert seed.people("elsewhere") == []
    who = seed.person(people[0]["id"])
    assert who["spoke_in"] and who["name"] == people[0]["name"]
    assert seed.person("luton/nobody") is None
    topics = {t["topic"]: t for t in seed.topics_summary()}
    assert topics["cctv"]["items"] == 1 and topics["cctv"]["by_year"] == {"2018": 1}
    stats = seed.stats()
    assert (stats["items"], stats["meetings"], stats["councils"]) == (9, 1, 1)


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="kb ingest"):
        SearchService(tmp_path / "none")


def test_a_new_commit_shows_on_the_next_search(tmp_index, seed_path: Path, tmp_path: Path) -> None:
    folder = tmp_index()
    svc = SearchService(folder)
    assert svc.search(SearchRequest(q="cctv")).total == 1
    other = tmp_path / "luton-crime-and-disorder-2019-03-26.txt"
    other.write_text(
        seed_path.read_text(encoding="utf-8").replace(
            "27<sup>TH</sup> MARCH 2018", "26TH MARCH 2019"
        ),
        encoding="utf-8",
    )
    tmp_index(other, index_dir=folder)
    res = svc.search(SearchRequest(q="cctv"))
    assert res.total == 2
    assert res.facets["year"][0].value == "2019" and res.histogram.keys() == {2018, 2019}
    svc.close()


# --------------------------------------------------------------------------- corpus slice


@pytest.fixture(scope="module")
def corpus_index(corpus_dir: Path, manifest, tmp_path_factory) -> Path:
    wanted: dict[str, int] = {}
    files = []
    for row in manifest:
        top = row["file"].split("/", 1)[0]
        if top in {"limerick-council-meetings", "stokeferry-village-pump", "mscc"} and (
            wanted.get(top, 0) < 4
        ):
            wanted[top] = wanted.get(top, 0) + 1
            files.append(corpus_dir / row["file"])
    folder = tmp_path_factory.mktemp("corpus-index")
    report = ingest(files, folder)
    assert len(report.results) == 12
    return folder


@pytest.mark.corpus
@pytest.mark.parametrize("q", ["", "council", "planning OR police", '"parish council"'])
def test_facet_counts_equal_plain_whoosh_counts(corpus_index: Path, q: str) -> None:
    svc = SearchService(corpus_index)
    res = svc.search(SearchRequest(q=q))
    text_q = _Compiler(svc.expander).compile(parse(q)) if q else wq.Every()
    base = wq.And([text_q, wq.Term("doctype", "item")])
    fields = {"council": "council_id", "committee": "committee_key", "year": "year",
              "speaker": "speaker", "topic": "topic", "kind": "kind"}  # fmt: skip
    ix = windex.open_dir(str(corpus_index))
    with ix.searcher() as s:
        assert res.total == len(list(s.docs_for_query(base)))
        assert len(res.facets["council"]) >= 2 or q
        for facet, values in res.facets.items():
            for fv in values:
                plain = len(
                    list(s.docs_for_query(wq.And([base, wq.Term(fields[facet], fv.value)])))
                )
                assert fv.count == plain, (facet, fv.value)
        for year, per_committee in res.histogram.items():
            for committee, count in per_committee.items():
                both = wq.And(
                    [base, wq.Term("year", str(year)), wq.Term("committee_key", committee)]
                )
                assert count == len(list(s.docs_for_query(both)))
    svc.close()


@pytest.mark.corpus
def test_facet_filter_equals_facet_count(corpus_index: Path) -> None:
    svc = SearchService(corpus_index)
    res = svc.search(SearchRequest(q="council"))
    for fv in res.facets["committee"]:
        assert svc.search(SearchRequest(q="council", committee=[fv.value])).total == fv.count
    assert field_query("committee", "") is None
    svc.close()


def test_index_copy_is_readable_elsewhere(seed_index: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(seed_index, copy)
    assert SearchService(copy).search(SearchRequest(q="cctv")).total == 1


def test_threads_share_the_searcher_pool_while_an_ingest_commits(
    tmp_index, seed_path: Path, tmp_path: Path
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    folder = tmp_index()
    svc = SearchService(folder, pool_size=2)
    later = tmp_path / "luton-crime-and-disorder-2019-03-26.txt"
    later.write_text(
        seed_path.read_text(encoding="utf-8").replace(
            "27<sup>TH</sup> MARCH 2018", "26TH MARCH 2019"
        ),
        encoding="utf-8",
    )

    def one(n: int) -> int:
        if n == 10:
            tmp_index(later, index_dir=folder)
        return svc.search(SearchRequest(q="cctv")).total

    with ThreadPoolExecutor(max_workers=4) as pool:
        totals = list(pool.map(one, range(40)))
    assert set(totals) <= {1, 2} and totals.count(2) >= 1
    assert svc.search(SearchRequest(q="cctv")).total == 2
    svc.close()


# --------------------------------------------------------------------------- multi-select facets

LICENSING, PLANNING = "luton/licensing-committee", "luton/planning-committee"
CRIME = "luton/crime-and-disorder-committee"


@pytest.fixture(scope="module", params=ENGINES)
def multi(
    request: pytest.FixtureRequest, multi_index: Path, engine_index
) -> Iterator[SearchService]:  # type: ignore[no-untyped-def]
    """Three committees over two years, on each engine (multi-select facets are contract)."""
    if request.param == "whoosh":
        svc = SearchService(multi_index, engine="whoosh")
    else:
        svc = engine_index(request.param, SEED, *MORE_MINUTES).service()
    yield svc
    svc.close()


def counts(res, facet: str) -> dict[str, int]:
    return {fv.value: fv.count for fv in res.facets[facet]}


def test_choosing_committees_keeps_the_other_committees_counts(multi: SearchService) -> None:
    everything = multi.search(SearchRequest(q="cctv"))
    assert counts(everything, "committee") == {CRIME: 1, LICENSING: 2, PLANNING: 1}
    one = multi.search(SearchRequest(q="cctv", committee=[LICENSING]))
    assert one.total == 2
    assert counts(one, "committee") == counts(everything, "committee")  # own filter ignored
    assert counts(one, "year") == {"2019": 2}  # other facets: within the filter
    two = multi.search(SearchRequest(q="cctv", committee=[LICENSING, PLANNING]))
    assert two.total == 3  # the union
    assert {h.committee_id for h in two.results} == {"licensing-committee", "planning-committee"}
    assert counts(two, "committee") == counts(everything, "committee")
    assert counts(two, "year") == {"2019": 3}


def test_facets_and_across_or_within(multi: SearchService) -> None:
    res = multi.search(SearchRequest(q="cctv", committee=[CRIME, PLANNING], year=["2018"]))
    assert res.total == 1 and res.results[0].committee_id == "crime-and-disorder-committee"
    # committee counts ignore the committee filter but keep the year's
    assert counts(res, "committee") == {CRIME: 1, PLANNING: 0}  # chosen: listed, 0
    # year counts ignore the year filter but keep the committees'
    assert counts(res, "year") == {"2018": 1, "2019": 1}


@pytest.mark.parametrize("q", ["cctv", "cctv OR saf*", "", "anti-social behaviour"])
@pytest.mark.parametrize(
    "filters",
    [
        {"committee": [LICENSING]},
        {"committee": [LICENSING, CRIME], "year": ["2019"]},
        {"year": ["2018", "2019"], "council": ["luton"]},
        {"committee": [PLANNING], "date_from": dt.date(2019, 1, 1)},
    ],
)
def test_each_count_is_what_choosing_only_that_value_finds(
    multi: SearchService, q: str, filters: dict
) -> None:
    """A facet value's count = the total when that facet's selection is just this value."""
    res = multi.search(SearchRequest(q=q, **filters))
    for facet, values in res.facets.items():
        for fv in values:
            alone = multi.search(SearchRequest(q=q, **{**filters, facet: [fv.value]}))
            assert fv.count == alone.total, (facet, fv.value)


def test_a_chosen_value_stays_listed_with_a_zero_count(multi: SearchService) -> None:
    res = multi.search(SearchRequest(q="taxi", committee=[LICENSING], year=["2018"]))
    assert res.total == 0
    assert counts(res, "year") == {"2019": 1, "2018": 0}
    assert counts(res, "committee") == {LICENSING: 0}  # nothing in 2018 has "taxi"


@pytest.mark.corpus
@pytest.mark.parametrize("q", ["planning", "ASB", "highway*", '"parish council"', "CCTV"])
def test_snippet_marks_are_marked_on_the_item_page_on_real_minutes(
    corpus_index: Path, q: str
) -> None:
    """On real councils' minutes, every word a snippet marks is marked on the item page."""
    import re

    from kb.highlight import mark_html, matcher_for_query

    svc = SearchService(corpus_index)
    res = svc.search(SearchRequest(q=q, page_size=25))
    m = matcher_for_query(q, svc.expander)
    checked = 0
    for hit in res.results:
        body = svc.get_item(hit.id)["body"]
        in_snippet = re.findall(r"<mark>(.*?)</mark>", hit.snippet_html)
        on_page = re.findall(r"<mark>(.*?)</mark>", mark_html(body, m))
        assert set(in_snippet) <= set(on_page), hit.id
        checked += bool(in_snippet)
    assert checked or res.total == 0


# --------------------------------------------------------------------------- deadline


class _ExpiresAfter(Deadline):
    """A deadline that passes after ``checks`` calls to ``expired`` (a slow search, made
    deterministic: each stage of the search asks at known points)."""

    def __init__(self, checks: int) -> None:
        super().__init__(1_000_000)
        self.left = checks

    def expired(self) -> bool:
        self.left -= 1
        if self.left < 0:
            self.hit = True
            return True
        return False


@pytest.mark.parametrize("q", ["cctv", '"sex trade"', "safe*"])
def test_a_search_past_its_deadline_before_ranking_ends_says_it_took_too_long(
    seed: SearchService, q: str
) -> None:
    cache = getattr(seed.backend, "results_cache", None)
    if cache is not None:  # the embedded engine's cache: a cached answer needs no ranking
        cache.clear()
    with pytest.raises(DeadlineExceeded, match="took too long"):
        seed.search(SearchRequest(q=q), deadline=_ExpiresAfter(0))


def test_a_deadline_passing_after_ranking_gives_hits_marked_partial_and_not_cached(
    seed_index: Path,
) -> None:
    svc = SearchService(seed_index)
    full = svc.search(SearchRequest(q="cctv"), deadline=Deadline.none())
    svc.results_cache.clear()
    probe = _ExpiresAfter(10**9)
    svc.search(SearchRequest(q="cctv"), deadline=probe)
    checks = 10**9 - probe.left  # how many checks a whole search makes
    svc.results_cache.clear()
    cut = svc.search(SearchRequest(q="cctv"), deadline=_ExpiresAfter(checks - 3))
    assert cut.partial and not full.partial
    assert ids(cut) == ids(full) and cut.total == full.total
    assert cut.histogram == {} and full.histogram
    assert cut.to_json()["partial"] is True
    again = svc.search(SearchRequest(q="cctv"))  # the partial answer was not cached
    assert not again.partial and again.facets == full.facets
    svc.close()


def test_the_service_deadline_applies_by_default(seed_index: Path) -> None:
    svc = SearchService(seed_index, deadline_ms=0.0001)
    with pytest.raises(DeadlineExceeded):
        svc.search(SearchRequest(q="cameras"))
    svc.close()


def test_committee_with_an_undated_meeting_keeps_its_years(tmp_path: Path) -> None:
    """An undated meeting sorts first; the committee's first/last dates still come from its
    dated meetings (the committees page showed no years for such a committee)."""
    src = tmp_path / "minutes"
    src.mkdir()
    body = (
        "Minutes of the meeting of Wretton Parish Council{when}.\n\n"
        "1. Apologies\nApologies were received from Cllr {who}.\n\n"
        "2. Highways\nThe clerk reported the {what} on the High Street.\n"
    )
    (src / "march.txt").write_text(
        body.format(when=" held on 5 March 2015", who="Smith", what="pothole")
    )
    (src / "july.txt").write_text(
        body.format(when=" held on 9 July 2018", who="Jones", what="flooded drain")
    )
    (src / "notes.txt").write_text(body.format(when="", who="Brown", what="broken bench"))
    report = ingest([src], tmp_path / "ix")
    assert len(report.results) == 3
    (committee,) = SearchService(tmp_path / "ix").list_committees()
    assert committee["meetings"] == 3
    assert (committee["first_date"], committee["last_date"]) == ("2015-03-05", "2018-07-09")
