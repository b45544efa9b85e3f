"""The search blueprint's daily-use features on a three-committee index: multi-select facets
and chips, date inputs kept everywhere, the names datalist, did-you-mean, the search
permalink, the item page's marks, citations and the print stylesheet."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

LICENSING, PLANNING = "luton/licensing-committee", "luton/planning-committee"
CRIME = "luton/crime-and-disorder-committee"
ITEM7 = "luton/crime-and-disorder-committee/2018-03-27/07"


@pytest.fixture(scope="module")
def client(multi_index: Path):  # type: ignore[no-untyped-def]
    from web import create_app

    return create_app({"index": str(multi_index), "TESTING": True}).test_client()


def page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    resp = client.get(url)
    assert resp.status_code == 200, url
    return resp.get_data(as_text=True)


def links(body: str, cls: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(rf'<a class="{cls}" href="([^"]+)"', body)]


def qs(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def test_two_committees_show_both_counts_the_union_and_two_chips(client) -> None:  # type: ignore[no-untyped-def]
    one = page(client, f"/search?q=cctv&committee={LICENSING}")
    body = page(client, f"/search?q=cctv&committee={LICENSING}&committee={PLANNING}")
    assert "3 items for “cctv”" in body  # 2 licensing + 1 planning
    assert "2 items for “cctv”" in one
    counts = {
        label: int(n)
        for label, n in re.findall(
            r'data-facet="committee">.*?<span class="facet-label">([^<]+)</span>\s*'
            r'<span class="count">(\d+)',
            body,
            re.S,
        )
    }
    assert counts == {
        "Licensing Committee (Luton)": 2,
        "Crime and Disorder Committee (Luton)": 1,
        "Planning Committee (Luton)": 1,
    }
    on = re.findall(r'class="facet-link on"[^>]*data-facet="committee"', body)
    assert len(on) == 2
    chips = links(body, "chip")
    assert len(chips) == 2
    # each chip removes its own committee and keeps the other and the query
    assert sorted(tuple(qs(c)["committee"]) for c in chips) == [(LICENSING,), (PLANNING,)]
    assert all(qs(c)["q"] == ["cctv"] for c in chips)
    # the un-chosen committee's link adds it to the two
    add = [
        html.unescape(h)
        for h in re.findall(
            r'<a href="([^"]+)" class="facet-link"[^>]*data-facet="committee"', body
        )
    ]
    assert len(add) == 1 and sorted(qs(add[0])["committee"]) == sorted([LICENSING, PLANNING, CRIME])


def test_hits_are_the_union_of_the_committees(client) -> None:  # type: ignore[no-untyped-def]
    api = client.get(f"/api/search?q=cctv&committee={LICENSING}&committee={PLANNING}").json
    assert api["total"] == 3
    assert {r["committee"] for r in api["results"]} == {"Licensing Committee", "Planning Committee"}
    assert api["facets"]["committee"] == {LICENSING: 2, PLANNING: 1, CRIME: 1}


DATED = "/search?q=cctv&committee=" + LICENSING + "&date_from=2019-01-01&date_to=2019-12-31"


def test_date_inputs_beside_the_year_facet(client) -> None:  # type: ignore[no-untyped-def]
    body = page(client, DATED)
    form = re.search(r'<form class="date-form".*?</form>', body, re.S).group(0)
    assert '<input id="date-from" name="date_from" type="date" value="2019-01-01">' in form
    assert '<input id="date-to" name="date_to" type="date" value="2019-12-31">' in form
    # the form keeps the query and every filter
    assert '<input type="hidden" name="q" value="cctv">' in form
    assert f'<input type="hidden" name="committee" value="{LICENSING}">' in form
    # it sits right after the year facet
    assert body.index('id="facet-year"') < body.index('id="facet-dates"')
    assert "dates: 2019-01-01 – 2019-12-31" in body


def test_dates_are_kept_in_every_link_chip_and_feed(client) -> None:  # type: ignore[no-untyped-def]
    body = page(client, DATED)
    hrefs = [html.unescape(h) for h in re.findall(r'href="(/search[^"]*)"', body)]
    facet_links = [h for h in hrefs if "committee=" in h or "year=" in h or "topic=" in h]
    assert len(facet_links) > 5
    clear = [h for h in hrefs if "date_from" not in h]
    # only "clear all filters", the date chip (which removes them) and the site's nav lack them
    assert all(h.startswith("/search?q=cctv") or h == "/search" for h in clear)
    for h in facet_links:
        if h in clear:
            continue
        assert qs(h)["date_from"] == ["2019-01-01"] and qs(h)["date_to"] == ["2019-12-31"], h
    feeds = [html.unescape(h) for h in re.findall(r'href="(/search\.(?:atom|csv)[^"]*)"', body)]
    assert feeds and all(qs(f)["date_from"] == ["2019-01-01"] for f in feeds)
    main_form = re.search(r'<form class="search-form".*?</form>', body, re.S).group(0)
    assert '<input type="hidden" name="date_from" value="2019-01-01">' in main_form
    atom = page(client, feeds[0] if "atom" in feeds[0] else feeds[1])
    assert atom.count("<entry>") == 2  # the two 2019 licensing items


def test_permalink_holds_every_filter(client) -> None:  # type: ignore[no-untyped-def]
    body = page(client, DATED + "&year=2019&sort=oldest&page=1")
    link = html.unescape(re.search(r'class="permalink">[^<]*<a href="([^"]+)"', body).group(1))
    assert link.startswith("http://localhost/search?")
    assert qs(link) == {
        "q": ["cctv"],
        "committee": [LICENSING],
        "year": ["2019"],
        "date_from": ["2019-01-01"],
        "date_to": ["2019-12-31"],
        "sort": ["oldest"],
    }
    assert page(client, link.removeprefix("http://localhost")).count('class="hit"') == 2


def test_names_datalist_without_script(client) -> None:  # type: ignore[no-untyped-def]
    body = page(client, "/search?q=cctv")
    assert 'list="kb-names"' in body and '<datalist id="kb-names">' in body
    options = dict(re.findall(r'<option value="([^"]+)" label="([^"]+)">', body))
    assert options["speaker:luton/greg-horsford"].startswith("Person: Superintendent Greg Horsford")
    assert options[f"committee:{PLANNING}"] == "Committee: Planning Committee (Luton) (2 items)"
    assert "topic:anti-social-behaviour" in options and "council:luton" in options
    assert "<script" not in body
    # picking an option searches for exactly that name's items
    res = client.get("/api/search?q=" + "speaker:luton/greg-horsford").json
    assert res["total"] == 1


@pytest.mark.parametrize(
    ("q", "suggestion"),
    [("speaker:horsfrod", "speaker:Horsford"), ("partnrship", "partnership")],
)
def test_did_you_mean_link(client, q: str, suggestion: str) -> None:  # type: ignore[no-untyped-def]
    body = page(client, f"/search?q={q}&date_from=2018-01-01")
    found = re.search(r'Did you mean <a href="([^"]+)">([^<]+)</a>', body)
    assert found and found.group(2) == suggestion
    assert qs(html.unescape(found.group(1))) == {"q": [suggestion], "date_from": ["2018-01-01"]}


def test_filter_value_that_matches_nothing_links_to_the_closest_name(client) -> None:  # type: ignore[no-untyped-def]
    body = page(client, "/search?q=partnership&speaker=horsfrod&date_from=2018-01-01")
    found = re.search(
        r'No person matches “horsfrod”. Did you mean <a href="([^"]+)">([^<]+)</a>', body
    )
    assert found and found.group(2) == "Superintendent Greg Horsford"
    fixed = html.unescape(found.group(1))
    assert qs(fixed) == {
        "q": ["partnership"],
        "speaker": ["luton/greg-horsford"],
        "date_from": ["2018-01-01"],
    }
    assert client.get("/api/search?" + urlparse(fixed).query).json["total"] == 1


def test_item_page_marks_what_the_snippet_marks(client) -> None:  # type: ignore[no-untyped-def]
    hit = client.get("/api/search?q=ASB").json["results"][0]
    snippet_marks = re.findall(r"<mark>(.*?)</mark>", hit["snippet_html"])
    assert [m.lower() for m in snippet_marks[:3]] == ["anti", "social", "behaviour"]
    body = page(client, hit["url"] + "?q=ASB")
    text = re.search(
        r'<div class="item-body" id="item-text">(.*?)<nav class="prevnext"', body, re.S
    )
    marks = re.findall(r"<mark>(.*?)</mark>", text.group(1))
    assert set(snippet_marks) <= set(marks)
    assert re.search(
        r"<mark>anti</mark>-<mark>social</mark> <mark>behaviour</mark>", text.group(1), re.I
    )


def test_item_page_marks_stems_and_prefixes(client) -> None:  # type: ignore[no-untyped-def]
    body = page(client, f"/items/{ITEM7}?q=safest")  # a word the item lacks marks nothing
    assert "<mark>" not in body.split('id="item-text"')[1].split("prevnext")[0]
    body = page(client, f"/items/{ITEM7}?q=safe")  # the stem marks "safe", not "safety"
    text = body.split('id="item-text"')[1].split("prevnext")[0]
    assert "<mark>safe</mark>" in text and "<mark>safety</mark>" not in text
    body = page(client, f"/items/{ITEM7}?q=saf*")  # a prefix marks all of them
    text = body.split('id="item-text"')[1].split("prevnext")[0]
    assert "<mark>Safer</mark>" in text and "<mark>safety</mark>" in text
    body = page(client, f"/items/{ITEM7}?q=((((")  # a bad query only loses the marks
    assert "<mark>" not in body


def test_cite_block_on_the_item_page(client) -> None:  # type: ignore[no-untyped-def]
    body = page(client, f"/items/{ITEM7}")
    assert (
        '<p class="cite" id="cite-text">Luton, Crime and Disorder Committee, minutes of the '
        "meeting of 27 March 2018, item 07:" in body
    )
    assert "@misc{luton2018-03-27item07," in body
    csl = html.unescape(re.search(r'<pre class="cite-csl">(.*?)</pre>', body, re.S).group(1))
    assert json.loads(csl)[0]["URL"] == f"http://localhost/items/{ITEM7}"


@pytest.mark.parametrize(
    ("fmt", "mimetype", "start"),
    [
        ("text", "text/plain", "Luton, Crime and Disorder Committee"),
        ("bibtex", "application/x-bibtex", "@misc{luton2018-03-27item07,"),
        ("csl-json", "application/vnd.citationstyles.csl+json", "["),
    ],
)
def test_cite_downloads(client, fmt: str, mimetype: str, start: str) -> None:  # type: ignore[no-untyped-def]
    resp = client.get(f"/cite/{ITEM7}?format={fmt}")
    assert resp.status_code == 200 and resp.mimetype == mimetype
    assert resp.get_data(as_text=True).startswith(start)
    assert "luton2018-03-27item07" in resp.headers["Content-Disposition"]


def test_cite_errors(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/cite/{ITEM7}?format=ris").status_code == 400
    assert client.get("/cite/luton/nothing/2018-01-01/01").status_code == 404


def test_print_stylesheet_hides_navigation_and_keeps_the_text() -> None:
    css = (Path(__file__).resolve().parent.parent / "web" / "static" / "style.css").read_text()
    block = css[css.index("@media print") :]
    hidden = block[: block.index("display: none")]
    for selector in (".site-header", ".site-footer", ".search-form", ".prevnext", ".related"):
        assert selector in hidden
    assert ".item-body" not in hidden and ".cite," not in hidden


def test_a_result_opens_with_its_search_and_leads_back_to_it(client) -> None:  # type: ignore[no-untyped-def]
    search = f"/search?q=cctv&committee={LICENSING}&committee={PLANNING}&date_from=2019-01-01"
    body = page(client, search + "&sort=oldest&page_size=2&page=2")
    first = html.unescape(re.search(r'<h3 class="hit-title"><a href="([^"]+)"', body).group(1))
    assert first.endswith("#item-text")
    wanted = {
        "q": ["cctv"],
        "committee": [LICENSING, PLANNING],
        "date_from": ["2019-01-01"],
        "sort": ["oldest"],
        "page": ["2"],
        "page_size": ["2"],
    }
    assert qs(first.split("#")[0]) == wanted
    item = page(client, first.split("#")[0])
    back = html.unescape(re.search(r'<a href="([^"]+)">Back to results</a>', item).group(1))
    assert urlparse(back).path == "/search" and qs(back) == wanted
    nav = [html.unescape(h) for h in re.findall(r'<a rel="(?:prev|next)" href="([^"]+)"', item)]
    assert nav and all(qs(h.split("#")[0]) == wanted for h in nav)
    # a malformed search in the link still shows the item, highlighting the words
    bad = page(client, first.split("?")[0] + "?q=cctv&page=0")
    assert "<mark>CCTV</mark>" in bad and 'href="/search?q=cctv">Back to results' in bad


@pytest.mark.parametrize("q", ["the", "x"])
def test_stopword_query_shows_every_filtered_item_with_a_notice(client, q: str) -> None:  # type: ignore[no-untyped-def]
    blank = client.get(f"/api/search?committee={LICENSING}").json
    api = client.get(f"/api/search?q={q}&committee={LICENSING}").json
    assert blank["total"] >= 2 and api["total"] == blank["total"]
    assert [r["id"] for r in api["results"]] == [r["id"] for r in blank["results"]]
    dates = [r["date"] for r in api["results"]]
    assert dates == sorted(dates, reverse=True)  # newest first
    assert api["notice"] == f"'{q}' is too common a word to search: {COMMON}"
    assert api["query"] == q and blank["notice"] == ""
    body = page(client, f"/search?q={q}&committee={LICENSING}")
    assert f"&#39;{q}&#39; is too common a word to search: {COMMON}." in body
    assert f"{blank['total']} items" in body
    everything = client.get(f"/api/search?q={q}").json
    assert everything["total"] == client.get("/api/search").json["total"] > blank["total"]


def test_stopword_notice_is_escaped(client) -> None:  # type: ignore[no-untyped-def]
    body = page(client, "/search?q=%22%3Cb%3Ethe%22")
    assert "<b>the" not in body and "too common" in body


COMMON = "showing every item that matches the filters"
