"""The HTML pages on the seed index, through the Flask test client.

Ids and links are taken from the pages themselves (as a user would follow them), so the
tests check that every link a page offers leads where it says.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlparse

import pytest


@pytest.fixture(scope="module")
def app(engine_app):  # type: ignore[no-untyped-def]
    """This module's web tests run on every engine (see ``engine_app``)."""
    return engine_app


class Links(HTMLParser):
    """Collects tags with their attributes (enough to follow links and check anchors)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def find(self, tag: str, **want: str) -> list[dict[str, str]]:
        out = []
        for t, attrs in self.tags:
            if t != tag:
                continue
            if all(re.search(v, attrs.get(k.rstrip("_"), "")) for k, v in want.items()):
                out.append(attrs)
        return out


def parsed(html: str) -> Links:
    p = Links()
    p.feed(html)
    return p


def get(client, url: str, status: int = 200) -> str:  # type: ignore[no-untyped-def]
    resp = client.get(url)
    assert resp.status_code == status, (url, resp.status_code)
    return resp.get_data(as_text=True)


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def test_every_page_has_one_h1_and_landmarks(client) -> None:  # type: ignore[no-untyped-def]
    first = parsed(get(client, "/search?q=CCTV")).find("a", href=r"^/items/")[0]["href"]
    item_url = first.split("?")[0].split("#")[0]
    meeting_url = "/meetings/" + item_url.removeprefix("/items/").rsplit("/", 1)[0]
    for url in ["/", "/search?q=CCTV", item_url, meeting_url, "/committees", "/people", "/topics"]:
        html = get(client, url)
        assert html.count("<h1") == 1, url
        assert '<main id="main"' in html and 'role="banner"' in html and "<nav" in html, url
        assert 'href="#main"' in html  # skip link


def test_search_page_results_facets_and_chart(client) -> None:  # type: ignore[no-untyped-def]
    html = get(client, "/search?q=CCTV")
    assert re.search(r"\d+ items? for “CCTV”", html)
    assert "<mark>CCTV</mark>" in html or "<mark>cctv</mark>" in html.lower()
    page = parsed(html)
    hits = page.find("a", href=r"^/items/.*#item-text$")
    assert hits, "no result links"
    for facet in ("council", "committee", "year"):
        assert page.find("a", **{"data-facet": f"^{facet}$"}), facet
    # breadcrumb: council › committee › date › item number
    assert re.search(r'<nav class="crumbs" aria-label="Breadcrumb"><ol>\s*<li>Luton</li>', html)
    assert re.search(r"<li>Item \d+</li>", html)
    # the chart: one linked bar per year, with a table equivalent
    bars = page.find("a", class_="^bar$")
    assert bars and all("year=" in b["href"] for b in bars)
    assert "Show the numbers as a table" in html and '<th scope="row">2018</th>' in html


def test_facet_link_adds_then_removes_the_filter(client) -> None:  # type: ignore[no-untyped-def]
    page = parsed(get(client, "/search?q=CCTV"))
    link = page.find("a", **{"data-facet": "^committee$"})[0]["href"]
    added = params(link)
    assert added["q"] == ["CCTV"] and len(added["committee"]) == 1
    on_page = parsed(get(client, link))
    active = on_page.find("a", **{"data-facet": "^committee$", "aria-current": "true"})
    assert len(active) == 1
    chips = on_page.find("a", class_="^chip$")
    assert len(chips) == 1 and "committee" not in params(chips[0]["href"])
    removed = params(active[0]["href"])
    assert removed == {"q": ["CCTV"]}


def test_year_chart_bar_filters_to_that_year(client) -> None:  # type: ignore[no-untyped-def]
    bar = parsed(get(client, "/search?q=CCTV")).find("a", class_="^bar$")[0]["href"]
    year = params(bar)["year"][0]
    html = get(client, bar)
    assert f'<span class="chip-key">year:</span> {year}' in html
    api = client.get("/api/search?" + urlparse(bar).query).json
    assert api["total"] > 0 and all(r["date"].startswith(year) for r in api["results"])


def test_item_page(client) -> None:  # type: ignore[no-untyped-def]
    hit = client.get("/api/search?q=CCTV").json["results"][0]
    html = get(client, hit["url"] + "?q=CCTV")
    page = parsed(html)
    assert 'id="item-text"' in html
    body = html.split('id="item-text"', 1)[1].split("</div>", 1)[0]
    assert re.search(r"<mark>cctv</mark>", body, re.IGNORECASE)
    assert "Cite this item" in html and hit["url"] in html.split("Cite this item", 1)[1]
    assert page.find("a", href=r"^/people/") and page.find("a", href=r"^/topics/")
    assert page.find("a", rel="^(prev|next)$")
    assert "Because of:" in html  # tag evidence
    source = page.find("a", href=r"^/sources/")[0]["href"]
    item = client.get("/api/items/" + hit["id"]).json
    if item.get("page_start"):
        assert source.endswith(f"#page={item['page_start']}")
    resp = client.get(source.split("#")[0])
    assert resp.status_code == 200 and b"CCTV" in resp.data
    assert resp.mimetype == "text/plain"
    resp.close()
    # the meeting link lands on this item's anchor
    anchor = page.find("a", href=r"^/meetings/.*#item-")[0]["href"]
    url, frag = anchor.split("#")
    assert f'id="{frag}"' in get(client, url)


def test_item_resolutions_are_set_apart(client) -> None:  # type: ignore[no-untyped-def]
    hits = client.get("/api/search?q=resolved&page_size=50").json["results"]
    with_res = [h for h in hits if client.get("/api/items/" + h["id"]).json["resolutions"]]
    assert with_res
    html = get(client, with_res[0]["url"])
    assert '<section class="resolutions"' in html and "Resolved" in html


def test_meeting_page_anchors_every_item(client) -> None:  # type: ignore[no-untyped-def]
    hit = client.get("/api/search?q=CCTV").json["results"][0]
    meeting = client.get("/api/meetings/" + hit["meeting_id"]).json
    html = get(client, "/meetings/" + hit["meeting_id"])
    for it in meeting["items"]:
        assert f'id="item-{it["id"].rsplit("/", 1)[1]}"' in html
        assert f'href="/items/{it["id"]}"' in html
    assert "Attendance" in html


def test_committee_people_person_topic_pages(client) -> None:  # type: ignore[no-untyped-def]
    committees = parsed(get(client, "/committees")).find("a", href=r"^/committees/")
    assert committees
    html = get(client, committees[0]["href"])
    assert re.search(r"<h2 id=\"y-\d{4}\">\d{4}</h2>", html) and "/meetings/" in html

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", get(client, "/committees")))
    assert "Luton · 1 meeting, 9 items · 2018" in text  # spaced, and "meeting" for one

    people_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", get(client, "/people")))
    assert re.search(r"Cllr Aslam Khan · 1 item\b", people_text)  # not "1 items"
    assert not re.search(r"\b1 items\b", people_text)
    facets_text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", get(client, "/search?q=cctv")))
    assert "1 item" in facets_text and not re.search(r"\b1 items\b", facets_text)

    people = parsed(get(client, "/people")).find("a", href=r"^/people/.")
    assert people
    luton = parsed(get(client, "/people?council=luton")).find("a", href=r"^/people/.")
    assert luton and all(a["href"].startswith("/people/luton/") for a in luton)
    assert not parsed(get(client, "/people?council=elsewhere")).find("a", href=r"^/people/.")
    person_html = get(client, people[0]["href"])
    assert "Items spoken in" in person_html and "/items/" in person_html
    hawkes = get(client, "/people/luton/vicky-hawkes")
    # the breadcrumb names the council (not its id) and lists that council's people
    assert '<li><a href="/people?council=luton">Luton</a></li></ol></nav>' in hawkes
    assert "<h2>Roles</h2>" in hawkes and "Strategic Regulatory Manager" in hawkes
    assert "<h2>Committees</h2>" in hawkes and 'class="chart"' in hawkes

    topics = parsed(get(client, "/topics")).find("a", href=r"^/topics/.")
    assert topics
    topic_html = get(client, topics[0]["href"])
    assert "Latest items" in topic_html and "Top committees" in topic_html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in topic_html


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sort_and_pagination(client, sort: str) -> None:  # type: ignore[no-untyped-def]
    html = get(client, f"/search?q=council&page_size=2&sort={sort}")
    page = parsed(html)
    nxt = page.find("a", rel="^next$")
    assert nxt and params(nxt[0]["href"])["page"] == ["2"]
    assert params(nxt[0]["href"])["sort"] == [sort]
    first = [a["href"] for a in page.find("a", href=r"^/items/")][:2]
    second = [a["href"] for a in parsed(get(client, nxt[0]["href"])).find("a", href=r"^/items/")]
    assert first and not set(first) & set(second[:2])


def test_zero_results_page_helps(client) -> None:  # type: ignore[no-untyped-def]
    html = get(client, "/search?q=cctvv")
    assert "No items match “cctvv”" in html
    assert "Check the spelling" in html
    suggestion = client.get("/api/search?q=cctvv").json["suggestion"]
    if suggestion:
        assert f'Did you mean <a href="/search?q={suggestion}">{suggestion}</a>' in html


@pytest.mark.parametrize(
    "url",
    [
        "/items/no/such/item/1",
        "/meetings/no/such/2000-01-01",
        "/people/no/one",
        "/topics/nope",
        "/committees/no/such",
        "/sources/no/such/2000-01-01",
    ],
)
def test_unknown_ids_are_404_pages(client, url: str) -> None:  # type: ignore[no-untyped-def]
    html = get(client, url, 404)
    assert "Page not found" in html


def test_bad_query_is_a_400_page(client) -> None:  # type: ignore[no-untyped-def]
    html = get(client, "/search?q=year:abc", 400)
    assert "year:abc is not a year" in html


def test_csv_and_atom(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.get("/search.csv?q=CCTV")
    assert resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    lines = resp.get_data(as_text=True).splitlines()
    assert lines[0].startswith("id,council,committee,date") and len(lines) > 1
    atom = client.get("/search.atom?q=CCTV&sort=oldest")
    assert atom.mimetype == "application/atom+xml"
    dates = re.findall(r"<updated>(\d{4}-\d\d-\d\d)T", atom.get_data(as_text=True))[1:]
    assert dates == sorted(dates, reverse=True) and dates


def test_home_page_lists_newest_items_and_counts(client) -> None:  # type: ignore[no-untyped-def]
    html = get(client, "/")
    stats = client.get("/api/search").json
    assert "Latest items" in html and f"{stats['total']:,} items" in html
    assert '<span class="sort-on" aria-current="true">Newest</span>' in html
    assert 'name="sort"' not in html  # a search from the home page ranks by relevance


def test_time_budget_note(seed_index) -> None:  # type: ignore[no-untyped-def]
    from web import create_app

    over = create_app({"index": str(seed_index), "time_budget_ms": -1}).test_client()
    assert "took longer than the time allowed" in get(over, "/search?q=CCTV")
    assert "took longer than the time allowed" not in get(
        create_app({"index": str(seed_index), "time_budget_ms": 60_000}).test_client(),
        "/search?q=CCTV",
    )


@pytest.mark.parametrize(
    ("councils", "expected"),
    [
        # the council facet's names, not the ids in the person ids ("council-not-stated")
        (
            [("luton", "Luton"), ("council-not-stated", "Council not stated")],
            ["Cllr Smith (Luton)", "Cllr Smith (Council not stated)", "Ann Jones"],
        ),
        # a council the council facet does not list keeps its id
        (
            [("luton", "Luton")],
            ["Cllr Smith (Luton)", "Cllr Smith (council-not-stated)", "Ann Jones"],
        ),
    ],
)
def test_duplicate_facet_labels_get_their_council(
    councils: list[tuple[str, str]], expected: list[str]
) -> None:
    from kb.service import FacetValue, SearchResponse
    from web.search import display_facets

    resp = SearchResponse(
        query="",
        total=3,
        page=1,
        page_size=10,
        results=[],
        facets={
            "council": [FacetValue(value, label, 1) for value, label in councils],
            "speaker": [
                FacetValue("luton/cllr-smith", "Cllr Smith", 2),
                FacetValue("council-not-stated/cllr-smith", "Cllr Smith", 1),
                FacetValue("council-not-stated/ann-jones", "Ann Jones", 1),
            ],
        },
        histogram={},
        suggestion=None,
        elapsed_ms=0.0,
    )
    assert [r["label"] for r in display_facets(resp)["speaker"]] == expected


def test_search_tips_field_examples_find_items(client) -> None:  # type: ignore[no-untyped-def]
    """Each ``name:value`` example the search tips offer finds items on the seed index (a
    made-up topic id there once led a user to "No items match")."""
    html = get(client, "/")
    tips = html[html.index('id="syntax-help"') : html.index("</details>")]
    examples = [
        re.sub(r"&#34;|&quot;", '"', code)
        for code in re.findall(r"<code>([^<]*)</code>", tips)
        if re.match(r"(speaker|committee|council|topic):", code)
    ]
    assert len(examples) == 4, examples
    for example in examples:
        found = parsed(get(client, "/search?" + urlencode({"q": example}))).find(
            "a", href=r"^/items/"
        )
        assert found, example


def test_people_of_several_councils_name_their_council(tmp_index) -> None:  # type: ignore[no-untyped-def]
    """Two councils' people in one list: each shows its council's name (the corpus had three
    'Cllr Shewell's side by side, indistinguishable); one council's list names it once."""
    from pathlib import Path

    from web import create_app

    other = Path(__file__).parent / "fixtures/search/luton-licensing-committee-2019-06-12.txt"
    folder = tmp_index()
    tmp_index(other, index_dir=folder, council="Stoke Ferry Parish Council")
    client = create_app({"index": str(folder)}).test_client()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", get(client, "/people")))
    assert re.search(r"Vicky Hawkes · Luton · \d+ items?", text)
    assert re.search(r"· Stoke Ferry Parish Council · \d+ items?", text)
    one = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", get(client, "/people?council=luton")))
    assert "<h1>People — Luton</h1>" in get(client, "/people?council=luton")
    assert "Vicky Hawkes · 4 items" in one and "· Luton ·" not in one


def test_page_past_the_end_says_so_and_links_to_the_last(client) -> None:  # type: ignore[no-untyped-def]
    """An old link to page 999 showed the facets and an empty list with no word of why."""
    total = client.get("/api/search?q=council&page_size=2").get_json()["total"]
    pages = -(-total // 2)
    assert pages > 1
    html = get(client, "/search?q=council&page_size=2&page=999")
    (href,) = re.findall(rf'<a href="([^"]*)">Go to page {pages}</a>', html)
    assert params(href.replace("&amp;", "&"))["page"] == [str(pages)]
    assert 'rel="prev"' not in html  # no pager leading to page 998
    assert "Page 999 is past the last page of these results." in html
    last = get(client, f"/search?q=council&page_size=2&page={pages}")
    assert "past the last page" not in last and 'rel="prev"' in last


@pytest.fixture(scope="module")
def copies_client(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A client on an index of two copies of one meeting and a file holding an AGM and an
    ordinary meeting (tests/fixtures/identity)."""
    from pathlib import Path

    from indexer.pipeline import ingest
    from web import create_app

    fixtures = Path(__file__).parent / "fixtures" / "identity"
    names = ["copy-2020-03-11.txt", "copy-2020-03-11.html", "agm-then-ordinary.txt"]
    names += ["ordinary-2019-02-06.txt", "extraordinary-2019-02-06.txt"]
    folder = tmp_path_factory.mktemp("copies-index")
    ingest([fixtures / n for n in names], folder, workers=0)
    return create_app({"index": str(folder), "TESTING": True}).test_client()


def test_meeting_and_item_pages_list_every_source(copies_client) -> None:  # type: ignore[no-untyped-def]
    mid = "hollin-moor-town-council/full-council/2020-03-11"
    page = copies_client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert "Read from 2 copies" in page
    assert "copy-2020-03-11.html" in page and "copy-2020-03-11.txt" in page
    links = re.findall(r'href="(/sources/[^"]+)"', page)
    assert f"/sources/{mid}?n=1" in links
    second = copies_client.get(f"/sources/{mid}?n=1")
    assert second.status_code == 200 and b"Allotments" in second.data
    assert second.mimetype == "text/plain"
    second.close()
    assert copies_client.get(f"/sources/{mid}?n=9").status_code == 404
    assert copies_client.get(f"/sources/{mid}?n=-1").status_code == 404
    item = copies_client.get(f"/items/{mid}/3").get_data(as_text=True)
    assert "Read from 2 copies" in item and "copy-2020-03-11.txt" in item


def test_kind_is_shown_and_offered_as_a_facet(copies_client) -> None:  # type: ignore[no-untyped-def]
    mid = "bramble-heath-parish-council/full-council/2021-06-15-agm"
    page = copies_client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert '<p class="meeting-kind">Annual general meeting</p>' in page
    ordinary = copies_client.get(mid.removesuffix("-agm").join(["/meetings/", ""]))
    assert 'class="meeting-kind"' not in ordinary.get_data(as_text=True)
    search = copies_client.get("/search?q=chairman").get_data(as_text=True)
    assert "Kind of meeting" in search and 'data-facet="kind"' in search
    api = copies_client.get("/api/search?kind=agm").json
    assert api["total"] == 3 and {r["meeting_id"] for r in api["results"]} == {mid}
    meeting = copies_client.get(f"/api/meetings/{mid}").json
    assert meeting["kind"] == "agm"
    assert [s["path"].rsplit("/", 1)[-1] for s in meeting["sources"]] == ["agm-then-ordinary.txt"]


def test_meeting_page_links_the_other_meetings_of_that_day(copies_client) -> None:  # type: ignore[no-untyped-def]
    mid = "ashford-cross-community-council/full-council/2019-02-06"
    page = copies_client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert f'<a href="/meetings/{mid}-extraordinary">Extraordinary meeting</a>' in page
    other = copies_client.get(f"/meetings/{mid}-extraordinary").get_data(as_text=True)
    assert f'<a href="/meetings/{mid}">Ordinary meeting</a>' in other
    api = copies_client.get(f"/api/meetings/{mid}").json
    assert api["same_day"] == [
        {"id": f"{mid}-extraordinary", "kind": "extraordinary", "language": "en"}
    ]
