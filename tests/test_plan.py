"""kb.engine.plan: the query tree as an engine-neutral plan, and the OpenSearch DSL made from it."""

from __future__ import annotations

import pytest

from kb.engine.opensearch.compile import to_dsl
from kb.engine.plan import (
    AllQ,
    AnyQ,
    ButNot,
    EveryQ,
    PhraseQ,
    Planner,
    PlanNode,
    PrefixQ,
    RangeQ,
    TermQ,
    facet_filter,
)
from kb.query import QueryError, parse


def both(make, *args) -> AnyQ:  # type: ignore[no-untyped-def]
    """The node for the two search fields, title then body."""
    return AnyQ((make("title", *args), make("body", *args)))


@pytest.mark.parametrize(
    ("q", "plan"),
    [
        ("cctv", both(TermQ, "cctv")),
        ("Funding", both(TermQ, "fund")),
        ('"sex trade"', both(PhraseQ, ("sex", "trade"))),
        ("cctv -funding", ButNot(both(TermQ, "cctv"), both(TermQ, "fund"))),
        ("-cctv", ButNot(EveryQ(), both(TermQ, "cctv"))),
        ("cctv OR cameras", AnyQ((both(TermQ, "cctv"), both(TermQ, "camera")))),
        ("(the OR cameras) cctv", AllQ((both(TermQ, "camera"), both(TermQ, "cctv")))),
        ("safe*", both(PrefixQ, "safe")),
        (
            "anti-social",
            AnyQ(
                (
                    PhraseQ("title", ("anti", "social")),
                    PhraseQ("body", ("anti", "social")),
                    TermQ("title", "antisoci"),
                    TermQ("body", "antisoci"),
                )
            ),
        ),
        ("year:2018", TermQ("year", "2018")),
        ("year:2017..2019", RangeQ("year", "2017", "2019")),
        ("year:..2016", RangeQ("year", None, "2016")),
        ("council:luton", AnyQ((TermQ("council_id", "luton"), TermQ("council_text", "luton")))),
        (
            'committee:"crime and disorder"',
            AnyQ(
                (
                    TermQ("committee_key", "crime and disorder"),
                    TermQ("committee_id", "crime-and-disorder"),
                    PhraseQ("committee_text", ("crime", "disord")),
                )
            ),
        ),
        ("speaker:hawkes", AnyQ((TermQ("speaker", "hawkes"), TermQ("speaker_names", "hawk")))),
        ("the", None),
    ],
)
def test_plans(q: str, plan: PlanNode | None) -> None:
    assert Planner(None).compile(parse(q)) == plan  # type: ignore[arg-type]


def test_highlight_terms_prefixes_and_plain_words() -> None:
    planner = Planner(None)
    planner.compile(parse('cctv "sex trade" safe* council:luton'))
    assert planner.highlight == {"cctv", "sex", "trade"}
    assert planner.plain_words == ["cctv"]
    assert planner.matches("safeti") and planner.matches("trade") and not planner.matches("lut")


class Expander:
    def expand(self, word: str) -> list[str]:
        return ["anti-social behaviour"] if word.lower() == "asb" else []


def test_expansions_are_planned_as_phrases_but_not_inside_quotes() -> None:
    plan = Planner(Expander()).compile(parse("ASB"))
    assert isinstance(plan, AnyQ)
    assert PhraseQ("body", ("anti", "social", "behaviour")) in plan.parts
    assert Planner(Expander()).compile(parse('"asb"')) == both(TermQ, "asb")


def test_facet_filter_by_name_and_unknown_field() -> None:
    assert facet_filter("topic", "Crime and Safety") == AnyQ(
        (
            TermQ("topic", "Crime and Safety"),
            TermQ("topic", "crime-and-safety"),
            PhraseQ("topic_text", ("crime", "safeti")),
        )
    )
    with pytest.raises(QueryError, match="unknown field"):
        facet_filter("colour", "red")


@pytest.mark.parametrize(
    ("node", "dsl"),
    [
        (TermQ("body", "cctv"), {"term": {"t_body": {"value": "cctv", "boost": 1.0}}}),
        (TermQ("title", "cctv"), {"term": {"t_title": {"value": "cctv", "boost": 2.5}}}),
        (TermQ("speaker", "luton/x"), {"term": {"speaker": {"value": "luton/x", "boost": 1.0}}}),
        (
            PhraseQ("body", ("sex", "trade")),
            {"match_phrase": {"t_body": {"query": "sex trade", "boost": 1.0}}},
        ),
        (PrefixQ("body", "safe"), {"prefix": {"t_body": {"value": "safe"}}}),
        (RangeQ("year", "2017", "2018"), {"terms": {"year": ["2017", "2018"]}}),
        (RangeQ("year", "2017", None), {"terms": {"year": ["2017", "2018", "undated"]}}),
        (RangeQ("year", None, "2000"), {"match_none": {}}),
        (EveryQ(), {"match_all": {}}),
        (
            ButNot(EveryQ(), TermQ("year", "2018")),
            {
                "bool": {
                    "must": [{"match_all": {}}],
                    "must_not": [{"term": {"year": {"value": "2018", "boost": 1.0}}}],
                }
            },
        ),
    ],
)
def test_opensearch_dsl(node: PlanNode, dsl: dict) -> None:  # type: ignore[type-arg]
    assert to_dsl(node, lambda: ["2016", "2017", "2018", "undated"]) == dsl
