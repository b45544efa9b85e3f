"""web.params: request arguments → SearchRequest kwargs, limits, and filter-toggle links."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

import pytest
from werkzeug.datastructures import MultiDict

from kb import config
from kb.suggest import NAMED_FACETS
from web.errors import ParamError
from web.params import parse_complete_args, parse_search_args, query_string, replace, with_filter

SETTINGS = config.load()


def parse(**kw: object) -> dict:
    pairs = [(k, v) for k, vs in kw.items() for v in (vs if isinstance(vs, list) else [vs])]
    return parse_search_args(MultiDict(pairs), SETTINGS)


def test_defaults() -> None:
    p = parse()
    assert p == {
        "q": "",
        "council": [],
        "committee": [],
        "speaker": [],
        "topic": [],
        "year": [],
        "kind": [],
        "date_from": None,
        "date_to": None,
        "sort": "relevance",
        "page": 1,
        "page_size": SETTINGS["page_size"],
    }


@pytest.mark.parametrize(
    ("args", "key", "expected"),
    [
        ({"q": "  cctv  "}, "q", "cctv"),
        ({"q": "a\x00b"}, "q", "a b"),
        ({"year": ["2018", "2017", "2018"]}, "year", ["2018", "2017"]),
        ({"year": ["undated"]}, "year", ["undated"]),
        ({"year": ["2017..2019", "..2016", "2020.."]}, "year", ["2017..2019", "..2016", "2020.."]),
        ({"from": "2018-01-02"}, "date_from", dt.date(2018, 1, 2)),
        ({"to": "2018"}, "date_to", dt.date(2018, 12, 31)),
        ({"committee": ["luton/crime", ""]}, "committee", ["luton/crime"]),
        ({"date_from": "2018-03-01"}, "date_from", dt.date(2018, 3, 1)),
        ({"date_from": "2017"}, "date_from", dt.date(2017, 1, 1)),
        ({"date_to": "2017"}, "date_to", dt.date(2017, 12, 31)),
        ({"sort": "newest"}, "sort", "newest"),
        ({"page": "3"}, "page", 3),
        ({"page_size": "100"}, "page_size", 100),
    ],
)
def test_valid_values(args: dict, key: str, expected: object) -> None:
    assert parse(**args)[key] == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"q": "x" * 501}, "q is too long: 501 characters (the limit is 500)"),
        ({"page": "0"}, "page must be between 1 and 1000 (got 0)"),
        ({"page": "1001"}, "page must be between 1 and 1000 (got 1001)"),
        ({"page": "two"}, "page must be a whole number, not 'two'"),
        ({"page_size": "101"}, "page_size must be between 1 and 100 (got 101)"),
        ({"sort": "random"}, "sort must be one of relevance, newest, oldest (got 'random')"),
        ({"year": "18th"}, "year must be a whole number, not '18th'"),
        ({"year": "2019..2017"}, "year range 2019..2017 runs backwards"),
        ({"year": ".."}, "year range needs at least one end"),
        ({"date_from": "27/03/2018"}, "date_from must be a date like 2018-03-27"),
        ({"date_from": "2019-01-01", "date_to": "2018-01-01"}, "date_from is after date_to"),
        ({"topic": [f"t{i}" for i in range(21)]}, "too many topic filters (the limit is 20)"),
    ],
)
def test_bad_values_say_what_is_wrong(args: dict, message: str) -> None:
    with pytest.raises(ParamError) as err:
        parse(**args)
    assert str(err.value).startswith(message)


def test_limits_follow_settings() -> None:
    tight = {**SETTINGS, "max_page": 5, "max_page_size": 20, "max_query_length": 10}
    with pytest.raises(ParamError, match="between 1 and 5"):
        parse_search_args(MultiDict([("page", "6")]), tight)
    with pytest.raises(ParamError, match="limit is 10"):
        parse_search_args(MultiDict([("q", "eleven char")]), tight)


def test_toggle_adds_then_removes_and_resets_page() -> None:
    p = parse(q="cctv", page="4", committee="a/b")
    on = with_filter(p, "year", "2018", on=True)
    assert on["year"] == ["2018"] and on["page"] == 1 and on["committee"] == ["a/b"]
    off = with_filter(on, "year", "2018", on=False)
    assert off["year"] == [] and p["page"] == 4  # the original is untouched


def test_query_string_round_trips() -> None:
    p = parse(q="anti-social & more", committee=["a/b", "c/d"], sort="newest", page="2")
    qs = query_string(p)
    assert parse_qs(qs) == {
        "q": ["anti-social & more"],
        "committee": ["a/b", "c/d"],
        "sort": ["newest"],
        "page": ["2"],
    }
    assert parse_search_args(MultiDict(parse_qs(qs)), SETTINGS) == p
    assert query_string(replace(p, sort="relevance")).count("sort") == 0


def test_links_built_from_parts_equal_the_plain_query_string(app) -> None:  # type: ignore[no-untyped-def]
    """A results page encodes its params once and swaps one part per link: the same URLs as
    ``search_url(with_filter(...))`` and ``search_url(replace(...))``."""
    import datetime as dt

    from web import params as wp
    from web.templating import search_url, toggle_url, url_with

    cases = [
        {
            "q": "cctv & co",
            "council": ["luton"],
            "committee": [],
            "speaker": ["a/b", "c d"],
            "topic": [],
            "year": [2018],
            "date_from": dt.date(2017, 1, 2),
            "date_to": None,
            "sort": "newest",
            "page": 3,
            "page_size": 25,
        },
        {
            "q": "",
            "council": [],
            "committee": ["x/y"],
            "speaker": [],
            "topic": ["cctv"],
            "year": [],
            "date_from": None,
            "date_to": None,
            "sort": "relevance",
            "page": 1,
            "page_size": 10,
        },
    ]
    with app.test_request_context("/search"):
        for p in cases:
            for key in ("council", "speaker", "topic", "year", "committee"):
                for value in ["luton", "c d", "new", 2018, "x/y"]:
                    on = str(value) not in {str(v) for v in p.get(key) or []}
                    want = search_url(wp.with_filter(p, key, value, on=on))
                    assert toggle_url(p, key, value) == want
            for year in (1999, 2018):
                assert url_with(p, "year", [year]) == search_url(wp.replace(p, year=[year]))
            for key in wp.KNOWN:  # every parameter's place between the others
                for values in ([], ["x & y"], ["a", "b/c"]):
                    want = search_url(wp.replace(p, **{key: values}))
                    assert url_with(p, key, values) == want, key
            plain = search_url(wp.replace(p))  # a parameter links do not know goes last
            joiner = "&" if "?" in plain else "?"
            assert url_with(p, "extra", ["v w"]) == plain + joiner + "extra=v+w"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"q": "hors"}, {"prefix": "hors", "facets": NAMED_FACETS, "limit": 10}),
        (
            MultiDict(
                [("q", " Hors "), ("kind", "speaker"), ("kind", "topic"), ("kind", "speaker")]
            ),
            {"prefix": "Hors", "facets": ("speaker", "topic"), "limit": 10},
        ),
        ({"q": "a\x00b", "limit": "50"}, {"prefix": "a b", "facets": NAMED_FACETS, "limit": 50}),
    ],
)
def test_complete_args(args, expected: dict) -> None:  # type: ignore[no-untyped-def]
    assert parse_complete_args(args) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({}, "q is required"),
        ({"q": "   "}, "q is required"),
        ({"q": "x" * 201}, "q is too long"),
        ({"q": "a", "kind": "year"}, "kind must be one of council, committee, speaker, topic"),
        ({"q": "a", "limit": "51"}, "limit must be between 1 and 50"),
        ({"q": "a", "limit": "ten"}, "limit must be a whole number"),
    ],
)
def test_complete_args_errors(args: dict, message: str) -> None:
    with pytest.raises(ParamError, match=message):
        parse_complete_args(args)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("q", 'cctv & "co" = 100% <b>'),
        ("council", ["luton", "a/b c", "Llŷn—Ysgol"]),
        ("year", [2018, "2017..2019"]),
        ("date_from", __import__("datetime").date(2017, 1, 2)),
        ("speaker", ["+plus", "#hash", "?q=x&y=z"]),
        ("page", 3),
        ("page_size", 25),
        ("sort", "newest"),
    ],
)
def test_segment_is_urlencode(key: str, value: object) -> None:
    """The memoised ``key=value`` encoding writes what ``urllib.parse.urlencode`` does."""
    import datetime as dt
    from urllib.parse import urlencode

    from web.params import segment

    values = value if isinstance(value, list) else [value]
    want = urlencode([(key, v.isoformat() if isinstance(v, dt.date) else str(v)) for v in values])
    assert segment(key, value) == want
    assert segment(key, value) == want  # and again, from the memo
