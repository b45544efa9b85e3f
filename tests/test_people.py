"""People: name parsing, speaker rules, identity linking, the registry, and the seed minutes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.people import resolve_people
from indexer.people_names import find_mentions, fold_name, parse_name
from indexer.people_registry import PeopleRegistry
from kb.model import Attendance, Item, Meeting, MembersTable


def meeting_of(*bodies: str, attendance: Attendance | None = None) -> Meeting:
    items = [
        Item(id=f"x/c/2020-01-01/{n}", meeting_id="x", number=str(n), title="", body=b, order=n)
        for n, b in enumerate(bodies, 1)
    ]
    return Meeting(
        id="x/c/2020-01-01",
        council="Testshire",
        committee="Committee",
        date=dt.date(2020, 1, 1),
        attendance=attendance or Attendance(),
        items=items,
    )


def surnames(refs: list) -> list[str]:
    return [r.name.split()[-1] for r in refs]


@pytest.mark.parametrize(
    ("text", "surname", "given", "initials", "role", "chair"),
    [
        ("Councillor M. Dolling (Chair)", "Dolling", None, "M", None, "chair"),
        ("Agbley (Vice Chair)", "Agbley", None, "", None, "vice"),
        ("T. Malik", "Malik", None, "T", None, None),
        ("Cllr Mrs Y. Jones", "Jones", None, "Y", None, None),
        ("Cllr. P. Harries", "Harries", None, "P", None, None),
        (
            "Mr. C. O'Connor, Senior Exec. Officer",
            "O'Connor",
            None,
            "C",
            "Senior Exec. Officer",
            None,
        ),
        ("Chief Executive (Dr. P. Daly)", "Daly", None, "P", "Chief Executive", None),
        ("Superintendent Greg Horsford", "Horsford", "Greg", "G", None, None),
        ("PCSO Sophie Watson", "Watson", "Sophie", "S", None, None),
        ("Laura Church", "Church", "Laura", "L", None, None),
    ],
)
def test_parse_name(text, surname, given, initials, role, chair) -> None:
    form = parse_name(text)
    assert form is not None
    assert (form.surname, form.given, form.initials, form.role, form.chair) == (
        surname,
        given,
        initials,
        role,
        chair,
    )


@pytest.mark.parametrize("text", ["Community Safety Partnership", "the Clerk", "None", "13"])
def test_parse_name_refuses_non_names(text: str) -> None:
    assert parse_name(text) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Inspector Cullen reported on crime.", ["Cullen"]),
        ("Proposed Collins (J), seconded Smith (A).", ["Collins", "Smith"]),
        ("The Chief Executive (Dr. P. Daly) stated that…", ["Daly"]),
        ("Cllr Mrs Y. Jones asked about bins.", ["Jones"]),
        ("Members thanked Garda Headquarters.", []),
    ],
)
def test_find_mentions_named(sentence: str, expected: list[str]) -> None:
    found = [f.surname for _, _, f in find_mentions(sentence, set()) if f.surname]
    assert found == expected


def test_speaker_rules_on_hand_built_items() -> None:
    meeting = meeting_of(
        "Councillor Jane Smith asked about potholes. She stated that roads were poor.",
        "Tom Brown delivered the report on behalf of Sarah Hall. He explained the figures.",
        "Responding to questions, officers advised that work was in hand.",
        "On the proposal of Councillor Grey, seconded by Councillor White, it was agreed.",
        "Members thanked Inspector Cullen for his report.",
        "In reply to Councillor Grey, Inspector Cullen confirmed the patrols.",
    )
    resolve_people(meeting)
    speakers = [surnames(i.speakers) for i in meeting.items]
    mentioned = [surnames(i.mentioned) for i in meeting.items]
    # "In reply to Councillor Grey" means Grey raised the question: both spoke.
    assert speakers == [["Smith"], ["Brown"], [], [], [], ["Grey", "Cullen"]]
    assert mentioned == [[], ["Hall"], [], ["Grey", "White"], ["Cullen"], []]


def test_role_with_bracketed_name_is_one_person() -> None:
    meeting = meeting_of(
        "The Chief Executive (Dr. P. Daly) stated that all was well.",
        "The Chief Executive then confirmed it. Cllrs. Teskey and Keary voiced concern.",
    )
    resolve_people(meeting)
    first, second = meeting.items
    assert [(r.person_id, r.role) for r in first.speakers] == [
        ("testshire/p-daly", "Chief Executive")
    ]
    assert [r.person_id for r in second.speakers] == [
        "testshire/p-daly",
        "testshire/teskey",
        "testshire/keary",  # "Cllrs. Teskey and Keary voiced concern": both
    ]


def test_chair_and_role_phrases_resolve_to_attendance_and_table() -> None:
    table = MembersTable(
        "MEMBERS",
        ["SURNAME", "FIRST NAME", "JOB TITLE"],
        [["Hawkes", "Vicky", "Strategic Regulatory Manager – Neighbourhood Delivery"]],
    )
    attendance = Attendance(chair="Councillor M. Dolling", members_tables=[table])
    meeting = meeting_of(
        "The Chair commended the work. The Strategic Regulatory Manager advised on CCTV.",
        "Councillor Meryl Dolling welcomed everyone.",
        attendance=attendance,
    )
    resolve_people(meeting)
    first, second = meeting.items
    assert [r.person_id for r in first.speakers] == [
        "testshire/meryl-dolling",
        "testshire/vicky-hawkes",
    ]
    assert second.speakers[0].person_id == first.speakers[0].person_id


def test_registry_keeps_first_id_and_records_alias() -> None:
    reg = PeopleRegistry()
    first = reg.resolve("Luton", surname="Dolling", initials="M", titles=["Councillor"])
    assert first == "luton/m-dolling"
    again = reg.resolve("Luton", surname="Dolling", given="Meryl", initials="M")
    assert again == first
    person = reg.get("luton/meryl-dolling")
    assert person is not None and person.id == first and person.name == "Councillor Meryl Dolling"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ({"given": "Greg"}, {"given": "Greg"}, True),
        ({"given": "Greg"}, {"initials": "G"}, True),
        ({"given": "Greg"}, {"given": "Gary"}, False),
        ({"initials": "G"}, {"initials": "T"}, False),
        ({"given": "Sam", "titles": ["Mr"]}, {"given": "Sam", "titles": ["Mrs"]}, False),
        ({}, {"initials": "G"}, False),
        ({}, {}, True),
    ],
)
def test_registry_linking_rule(a: dict, b: dict, same: bool) -> None:
    reg = PeopleRegistry()
    one = reg.resolve("Luton", surname="Horsford", **a)
    two = reg.resolve("Luton", surname="Horsford", **b)
    assert (one == two) is same
    assert reg.resolve("Limerick", surname="Horsford", **a) != one  # councils never merge


def test_registry_json_round_trip_and_atomic_save(tmp_path: Path) -> None:
    reg = PeopleRegistry()
    pid = reg.resolve("Luton", surname="Khan", given="Aslam", roles=["Councillor"], committee="OSB")
    reg.note_item(pid, "luton/osb/2018-03-27/07")
    path = tmp_path / "index" / "people.json"
    reg.save(path)
    assert [p.name for p in tmp_path.joinpath("index").iterdir()] == ["people.json"]
    loaded = PeopleRegistry.load(path)
    assert loaded.to_json() == reg.to_json()
    assert loaded.get(pid).items == ["luton/osb/2018-03-27/07"]  # type: ignore[union-attr]
    assert len(PeopleRegistry.load(tmp_path / "missing.json")) == 0
    with pytest.raises(ValueError, match="not a people registry"):
        PeopleRegistry.from_json(json.dumps({"people": [{"bogus": 1}]}))


SEED_SPEAKERS = {
    "01": [],
    "02": [],
    "03": ["Dolling"],
    "04": ["Church"],
    "05": ["Hawkes"],
    "06": ["Horsford", "Hawkes", "Dolling"],
    "07": ["Hawkes", "Khan"],
    "08": ["Hawkes"],
    "09": [],
}


@pytest.fixture(scope="module")
def seed_meeting(seed_path: Path) -> tuple[Meeting, PeopleRegistry]:
    pipeline = pytest.importorskip("indexer.pipeline")
    registry = PeopleRegistry()
    return pipeline.process_file(seed_path, registry=registry), registry


def test_seed_speakers_per_item(seed_meeting) -> None:
    meeting, _ = seed_meeting
    got = {item.number: surnames(item.speakers) for item in meeting.items}
    assert got == SEED_SPEAKERS
    item07 = next(i for i in meeting.items if i.number == "07")
    assert "Hall" in surnames(item07.mentioned)


def test_seed_identities_link_every_form(seed_meeting) -> None:
    meeting, registry = seed_meeting
    council = meeting.council_id
    horsford = registry.get(f"{council}/greg-horsford")
    assert horsford is not None
    assert {"Superintendent Greg Horsford", "Superintendent Horsford"} <= set(horsford.forms)
    assert any("Police Superintendent" in r["role"] for r in horsford.roles)
    khan = registry.get(f"{council}/aslam-khan")
    assert khan is not None and len(khan.forms) >= 2
    hawkes = registry.get(f"{council}/vicky-hawkes")
    assert hawkes is not None
    assert any(f.startswith("the Strategic Regulatory Manager") for f in hawkes.forms)
    assert f"{meeting.id}/07" in hawkes.items


def test_bare_surname_shared_by_two_people_is_not_guessed() -> None:
    attendance = Attendance(present=["J. Collins", "L. Collins", "A. Teskey"])
    meeting = meeting_of(
        "Councillor Collins asked about patrols. Councillor Teskey stated his view.",
        attendance=attendance,
    )
    resolve_people(meeting)
    ids = [r.person_id for r in meeting.items[0].speakers]
    assert ids == ["testshire/collins", "testshire/a-teskey"]


_WORDS = st.sampled_from(
    [
        "Councillor",
        "Cllr.",
        "Mr",
        "Mrs",
        "Dr.",
        "the",
        "The",
        "Chair",
        "Vice",
        "Clerk",
        "Officer",
        "stated",
        "asked",
        "advised",
        "and",
        "of",
        "(",
        ")",
        ",",
        ".",
        ";",
        "Smith",
        "O'Neill",
        "J.",
        "A",
        "Collins",
        "(J)",
        "Chief",
        "Superintendent",
        "In",
        "reply",
        "to",
        "Members",
        "•",
        "-",
        "\n",
        "She",
        "He",
        "on",
        "behalf",
        "by",
        "presentation",
        "Hawkes",
        "Vicky",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_WORDS, max_size=40), st.text(max_size=60))
def test_resolve_people_never_raises_and_keeps_lists_apart(words: list[str], noise: str) -> None:
    meeting = meeting_of(" ".join(words), noise, attendance=Attendance(chair=" ".join(words[:4])))
    resolve_people(meeting)
    for item in meeting.items:
        speaker_ids = [r.person_id for r in item.speakers]
        assert len(speaker_ids) == len(set(speaker_ids))
        assert not set(speaker_ids) & {r.person_id for r in item.mentioned}


def test_accented_and_plain_spellings_are_one_person() -> None:
    # Limerick prints 'Seán Lynch' in the attendance and 'Sean Lynch' in the text.
    meeting = meeting_of(
        "Councillor Seán Lynch welcomed everyone.",
        "Councillor Sean Lynch thanked the Gardaí for their report.",
    )
    registry = PeopleRegistry()
    resolve_people(meeting, registry)
    ids = {ref.person_id for item in meeting.items for ref in item.speakers}
    assert len(ids) == 1
    assert fold_name("Seán Ó Ceallaigh") == fold_name("Sean O Ceallaigh")


@pytest.mark.parametrize(
    "sentence",
    [
        "Assaults taking place at night on Robert Street and Market area.",
        "Works at Catherine Place were discussed.",
    ],
)
def test_street_names_are_not_people(sentence: str) -> None:
    assert find_mentions(sentence, set()) == []


SPEAKER_FORMS = [
    pytest.param("The Convenor welcomed everyone.", Attendance(chair="Ms A Grieve"), ["Grieve"],
                 [], id="the-convenor-is-the-chair"),
    pytest.param("Cllr Smith (Chair) noted the balance of £3,412.", Attendance(), ["Smith"], [],
                 id="name-with-chair-in-brackets"),
    pytest.param("It was reported by the Clerk that the defibrillator had been installed.",
                 Attendance(officers=["Mr J Bloggs, Clerk"]), ["Bloggs"], [],
                 id="reported-by-the-clerk"),
    pytest.param("Councillor Jones asked whether the grit bin had been replaced.", Attendance(),
                 ["Jones"], [], id="councillor-asked"),
    pytest.param("The Mayor advised that the Civic Service would be on 14 July.",
                 Attendance(present=["J. Marsh (Mayor)"]), ["Marsh"], [],
                 id="the-mayor-named-in-attendance"),
    pytest.param("Deputy Reeve Becker asked when the grader would be replaced.", Attendance(),
                 ["Becker"], [], id="deputy-reeve"),
    pytest.param("Reeve Carter called the meeting to order at 7:00 p.m.", Attendance(),
                 ["Carter"], [], id="reeve"),
    pytest.param("Moved by Councillor Dubois, Seconded by Councillor Singh", Attendance(), [],
                 ["Dubois", "Singh"], id="movers-are-mentioned-not-speakers"),
    pytest.param("Karen Tully, CEO of the library, presented the annual report.", Attendance(),
                 ["Tully"], [], id="appositive-between-commas"),
    pytest.param("Clerk Heather Boyd presented the tender results.",
                 Attendance(officers=["Clerk Heather Boyd"]), ["Boyd"], [],
                 id="post-printed-before-the-name"),
    pytest.param("Mr Peter Lane asked about the closure of the footpath.", Attendance(), ["Lane"],
                 [], id="surname-that-is-also-a-place-word"),
    pytest.param("Fire Chief Rob Fraser reported 14 calls in February.",
                 Attendance(officers=["Rob Fraser, Fire Chief"]), ["Fraser"], [],
                 id="fire-chief"),
    pytest.param("The Mayor thanked the volunteers.", Attendance(present=["Mayor Gail Henderson"]),
                 ["Henderson"], [], id="mayor-by-title-chairs"),
    pytest.param("The CAO advised that the audit would be presented in June.",
                 Attendance(officers=["Olivia Reyes, CAO"]), ["Reyes"], [], id="the-cao"),
    pytest.param("Mr & Mrs John Campbell of 1 Glyn View, Glynwood Lane raised the lorries.",
                 Attendance(), ["Campbell"], [], id="street-names-are-not-people"),
    pytest.param("Members were informed by the Town Clerk that the toilets had reopened.",
                 Attendance(officers=["Mrs V Marsh (Town Clerk)", "Mr W Nunn (Deputy Town Clerk)"]),
                 ["Marsh"], [], id="informed-by-the-exact-post"),
    pytest.param("Mrs Brown (resident) asked about the hedge.", Attendance(), ["Brown"], [],
                 id="bracketed-note-after-a-name"),
    pytest.param("Cllrs Dean and Abel reported on the site visit.", Attendance(),
                 ["Dean", "Abel"], [], id="plural-title-names-each"),
    pytest.param("Reports were received from Cllr Smith and Cllr Brown.", Attendance(),
                 ["Smith", "Brown"], [], id="reports-received-from-a-list"),
    pytest.param("Apologies were received from Cllr Green and Cllr White.", Attendance(), [],
                 ["Green", "White"], id="apologies-received-are-not-speech"),
    pytest.param("She requested a copy of the report from Paul Keeble.", Attendance(), [],
                 ["Keeble"], id="a-report-asked-for-is-not-speech"),
    pytest.param("District Cllr Jones was present and reported on the local plan.", Attendance(),
                 ["Jones"], [], id="present-and-reported"),
    pytest.param("Papers were sent in readiness for a presentation by Mrs Wood.", Attendance(),
                 [], ["Wood"], id="a-presentation-still-to-come"),
    pytest.param("Cllr Brown queried the cost and the Clerk responded that it was in budget.",
                 Attendance(officers=["Mr V Ellis (Clerk & RFO)"]), ["Brown", "Ellis"], [],
                 id="second-clause-after-and"),
    pytest.param("A member of the public, Mr Harris, spoke against the application.",
                 Attendance(), ["Harris"], [], id="description-before-the-name"),
    pytest.param("Mrs Patel from the school addressed the meeting.", Attendance(), ["Patel"], [],
                 id="from-an-organisation"),
    pytest.param("The RFO reported a balance of £4,000.",
                 Attendance(officers=["Mr V Ellis (Clerk & RFO)"]), ["Ellis"], [], id="the-rfo"),
    pytest.param("Members thanked Cllr Brown and Cllr Cook for their work.", Attendance(), [],
                 ["Brown", "Cook"], id="thanked-people-are-mentioned"),
    pytest.param("Services are being led by Jane Avery.", Attendance(), [], ["Avery"],
                 id="led-services-is-not-speech"),
    pytest.param("J Jay presented the budget.", Attendance(officers=["J Jay (Clerk)"]), ["Jay"],
                 [], id="initial-and-known-surname"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "attendance", "speakers", "mentioned"), SPEAKER_FORMS)
def test_speaker_forms_of_unseen_councils(
    body: str, attendance: Attendance, speakers: list[str], mentioned: list[str]
) -> None:
    meeting = meeting_of(body, attendance=attendance)
    resolve_people(meeting)
    item = meeting.items[0]
    assert (surnames(item.speakers), surnames(item.mentioned)) == (speakers, mentioned)
