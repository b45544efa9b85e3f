"""web.facetlist: the search page's facet rows, built in Python, are the bytes the Jinja
loop they replace wrote, and their links are ``toggle_url``'s."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from kb import config
from web.facetlist import (
    FACET_VALUES_SHOWN,
    display_facets,
    facet_items,
    link_facets,
    split_rows,
)
from web.params import parse_search_args
from web.templating import toggle_url

#: The template loop that facet_items replaces (search.html before it), as the oracle.
REFERENCE = """      <ul>
      {% for fv in values %}
        {% set on = is_active(p, key, fv.value) %}
        <li><a href="{{ toggle_url(p, key, fv.value) }}" class="facet-link{% if on %} on{% endif %}" {% if on %}aria-current="true"{% endif %} data-facet="{{ key }}">
          <span class="facet-box" aria-hidden="true">{% if on %}✓{% endif %}</span>
          <span class="facet-label">{{ fv.label or fv.value }}</span>
          <span class="count">{{ fv.count }}<span class="visually-hidden"> {{ 'item' if fv.count == 1 else 'items' }}{% if on %}, filter on; select to remove{% endif %}</span></span>
        </a></li>
      {% endfor %}
      </ul>
"""  # noqa: E501 - the template's own lines
NEW = "      <ul>\n{{ facet_items(key, values) }}\n      </ul>\n"

HOSTILE = ['<script>alert("x")</script>', "Tom & Jerry's", "a/b c", "Ysgol Gymraeg — Llŷn", "1"]


class _Value:
    def __init__(self, value: str, label: str, count: int) -> None:
        self.value, self.label, self.count = value, label, count


class _Resp:
    def __init__(self, facets: dict[str, list[_Value]]) -> None:
        self.facets = facets


def _params(**chosen: Any) -> dict[str, Any]:
    """The search parameters an empty form gives (``web.params``), with a query, 10 a page
    and ``chosen`` on top."""
    p = parse_search_args(MultiDict(), config.load())
    p.update(q='cctv & "co"', page_size=10)
    p.update(chosen)
    return p


CASES = [
    pytest.param(_params(), id="no-filters"),
    pytest.param(_params(council=["hostile/<b>"], speaker=["a/b c"]), id="chosen-values"),
    pytest.param(
        _params(q="", year=[2018], date_from=dt.date(2017, 1, 2), sort="newest", page=4),
        id="dates-sort-page",
    ),
    pytest.param(_params(committee=["1", "x/y"], kind=["agm"], page_size=25), id="two-chosen"),
]


def _resp() -> _Resp:
    facets = {
        key: [_Value(f"{key}/{v}" if key == "speaker" else v, v, n) for n, v in enumerate(HOSTILE)]
        for key in ("council", "committee", "speaker", "topic", "kind")
    }
    facets["year"] = [_Value(str(y), str(y), 1) for y in (2019, 2018)]
    facets["committee"].append(_Value("x/y", "", 3))  # no label: the value is shown
    return _Resp(facets)


@pytest.mark.parametrize("p", CASES)
def test_rows_are_the_template_loops_bytes(app: Any, p: dict[str, Any]) -> None:
    from web.templating import is_active

    with app.test_request_context("/search"):
        shown = display_facets(_resp())
        link_facets(p, shown, app.config["KB"]["page_size"])
        env = app.jinja_env
        for key, values in shown.items():
            want = env.from_string(REFERENCE).render(
                p=p, key=key, values=values, toggle_url=toggle_url, is_active=is_active
            )
            got = env.from_string(NEW).render(key=key, values=values, facet_items=facet_items)
            assert got == want


@pytest.mark.parametrize("p", CASES)
def test_links_are_toggle_url(app: Any, p: dict[str, Any]) -> None:
    with app.test_request_context("/search"):
        shown = display_facets(_resp())
        link_facets(p, shown, app.config["KB"]["page_size"])
        for key, rows in shown.items():
            chosen = {str(v) for v in p.get(key) or []}
            for row in rows:
                assert row["href"] == toggle_url(p, key, row["value"])
                assert row["on"] == (row["value"] in chosen)


def test_a_facet_links_do_not_carry_still_gets_toggle_links(app: Any) -> None:
    with app.test_request_context("/search"):
        shown = {"extra": [{"value": "a b", "label": "A", "count": 2}]}
        link_facets(_params(), shown, app.config["KB"]["page_size"])
        assert shown["extra"][0]["href"] == toggle_url(_params(), "extra", "a b")
        assert shown["extra"][0]["href"].endswith("&extra=a+b")


def test_labels_and_links_are_escaped(app: Any) -> None:
    with app.test_request_context("/search"):
        shown = display_facets(_resp())
        link_facets(_params(), shown, app.config["KB"]["page_size"])
        html = str(facet_items("council", shown["council"]))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "Tom &amp; Jerry&#39;s" in html
    assert "q=cctv+%26+%22co%22&amp;council=Tom+%26+Jerry%27s" in html
    assert html.count("<li>") == len(HOSTILE) and not html.endswith("\n")


def test_search_page_lists_every_facet_value_with_toggle_links(client: Any) -> None:
    """On the real seed index: each facet value is a link whose target page has that value
    on (ticked, aria-current) — the round trip the rows promise."""
    page = client.get("/search?q=council").get_data(as_text=True)
    import html as htmllib
    import re

    links = re.findall(r'<a href="([^"]+)" class="facet-link" +data-facet="(\w+)"', page)
    assert len(links) > 5
    for href, _key in links[:8]:
        target = client.get(htmllib.unescape(href)).get_data(as_text=True)
        assert 'class="facet-link on" aria-current="true"' in target


def _rows(n: int, on: set[int] = frozenset()) -> list[dict[str, Any]]:
    return [{"value": str(i), "on": i in on} for i in range(n)]


@pytest.mark.parametrize(
    ("n", "on", "first", "rest"),
    [
        (0, set(), [], []),
        (5, set(), list(range(5)), []),
        (12, set(), list(range(12)), []),
        (13, set(), list(range(12)), [12]),
        (20, {15}, [*range(12), 15], [12, 13, 14, 16, 17, 18, 19]),
        (20, {3, 19}, [*range(12), 19], list(range(12, 19))),
    ],
)
def test_split_rows_keeps_chosen_values_in_sight(
    n: int, on: set[int], first: list[int], rest: list[int]
) -> None:
    shown, folded = split_rows(_rows(n, on))
    assert [int(r["value"]) for r in shown] == first
    assert [int(r["value"]) for r in folded] == rest
    assert FACET_VALUES_SHOWN == 12


def test_search_page_folds_values_past_the_first_twelve(client: Any) -> None:
    """A facet with more than twelve values lists twelve and folds the rest under "N more";
    choosing a folded value brings it into the open list, ticked."""
    import html as htmllib
    import re

    page = client.get("/search?q=council").get_data(as_text=True)
    section = re.search(r'<h3 id="facet-topic">.*?</section>', page, re.S)
    assert section is not None, "the seed's council search lists topics"
    text = section.group(0)
    open_list, _, folded = text.partition('<details class="facet-more">')
    assert open_list.count("<li>") == 12
    more = re.search(r"<summary>(\d+) more</summary>", folded)
    assert more is not None and int(more.group(1)) == folded.count("<li>") > 0
    href = re.search(r'<a href="([^"]+)"', folded)
    assert href is not None
    chosen = client.get(htmllib.unescape(href.group(1))).get_data(as_text=True)
    chosen_section = re.search(r'<h3 id="facet-topic">.*?</section>', chosen, re.S)
    assert chosen_section is not None
    opened = chosen_section.group(0).partition('<details class="facet-more">')[0]
    assert 'class="facet-link on" aria-current="true"' in opened
