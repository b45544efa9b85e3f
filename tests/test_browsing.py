"""kb.engine.browsing: the engine-neutral browse helpers both engines use."""

from kb.engine.browsing import group_committees


def _meeting(date: str | None, items: int, committee: str = "Planning") -> dict:
    return {
        "council_id": "wye",
        "committee_id": committee.lower(),
        "council": "Wye",
        "committee": committee,
        "date": date,
        "item_count": items,
    }


def test_group_committees_counts_and_date_range_skip_undated_meetings() -> None:
    # oldest first, as the engines list them: an undated meeting sorts before the dated ones
    meetings = [_meeting(None, 1), _meeting("2015-03-05", 2), _meeting("2018-07-09", 3)]
    meetings.append(_meeting("2016-01-01", 4, committee="Audit"))
    groups = group_committees(meetings)  # type: ignore[arg-type]
    assert [g["committee"] for g in groups] == ["Audit", "Planning"]
    planning = groups[1]
    assert (planning["meetings"], planning["items"]) == (3, 6)
    assert (planning["first_date"], planning["last_date"]) == ("2015-03-05", "2018-07-09")
