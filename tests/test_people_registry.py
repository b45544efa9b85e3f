"""PeopleRegistry looks a sighting up among its namesakes only (an index by council and
folded surname); this gives the person the full scan of every record would give."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.people_registry import PeopleRegistry, Person

SURNAMES = ["Horsford", "HORSFORD", "O'Connor", "OConnor", "Ó Briain", "O Briain", "Dolling"]
GIVEN = [None, "Greg", "Meryl", "Seán", "Sean", "Mary"]
sightings = st.lists(
    st.tuples(
        st.sampled_from(["Luton", "Limerick"]),
        st.sampled_from(SURNAMES),
        st.sampled_from(GIVEN),
        st.sampled_from(["", "M", "G", "MD"]),
        st.sampled_from([[], ["Mr"], ["Mrs"], ["Cllr"], ["Ms", "Dr"]]),
    ),
    max_size=40,
)


def full_scan(registry: PeopleRegistry, council: str, surname: str, given, initials, titles):
    """The person the registry's linking rule picks when every record is compared."""
    initials = initials or (given or "")[:1]
    matches = [
        p
        for p in registry.people.values()
        if p.council == council.lower() and p.agrees(surname, given, initials, titles)
    ]
    matches.sort(key=lambda p: (not (given and p.given), p.id))
    return matches[0].id if matches else None


@settings(max_examples=200, deadline=None)
@given(seen=sightings, reload_at=st.integers(0, 40))
def test_namesake_index_picks_who_a_full_scan_picks(seen, reload_at: int) -> None:
    registry = PeopleRegistry()
    for n, (council, surname, given_name, initials, titles) in enumerate(seen):
        if n == reload_at:  # a registry read back from JSON indexes its people too
            registry = PeopleRegistry.from_json(registry.to_json())
        expected = full_scan(registry, council, surname, given_name, initials, titles)
        got = registry.resolve(
            council, surname=surname, given=given_name, initials=initials, titles=titles
        )
        if expected is not None:
            assert got == expected
        else:
            assert isinstance(registry.get(got), Person)
            assert full_scan(registry, council, surname, given_name, initials, titles) == got
