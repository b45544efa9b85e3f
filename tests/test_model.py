"""kb.model: to_jsonable walks dataclasses like dataclasses.asdict, without copying."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from bench.generate import GenConfig, iter_meetings
from indexer.pipeline import process_file
from kb.model import Item, Tag, to_jsonable


def via_asdict(obj):
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = dataclasses.asdict(obj)
    if isinstance(obj, dict):
        return {k: via_asdict(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [via_asdict(v) for v in obj]
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    return str(obj) if isinstance(obj, Path) else obj


def test_to_jsonable_equals_asdict_on_real_and_generated_meetings(seed_path: Path) -> None:
    meetings = [process_file(seed_path), *iter_meetings(GenConfig(items=60, seed=5))]
    for m in meetings:
        got = to_jsonable(m)
        assert json.dumps(got) == json.dumps(via_asdict(m))  # same keys, order and values
        assert got["items"] and isinstance(got["items"][0], dict)


def test_to_jsonable_converts_nested_values_and_leaves_the_input_alone() -> None:
    tag = Tag(topic="cctv", label="CCTV", strength="primary", score=2.0)
    item = Item(id="m/7", meeting_id="m", number="7", title="CCTV", body="", order=7)
    item.topics.append(tag)
    data = to_jsonable({"when": dt.date(2020, 1, 2), "where": Path("/a/b"), "item": item})
    assert data["when"] == "2020-01-02" and data["where"] == "/a/b"
    assert data["item"]["topics"][0]["topic"] == "cctv"
    data["item"]["topics"].clear()
    assert item.topics and item.topics[0].label == "CCTV"


def test_to_json_equals_dumping_to_jsonable(seed_path: Path) -> None:
    from kb.model import to_json

    meetings = [process_file(seed_path), *iter_meetings(GenConfig(items=40, seed=9))]
    for m in meetings:
        assert to_json(m) == json.dumps(to_jsonable(m), ensure_ascii=False)
        for item in m.items:
            data = to_jsonable(item)
            del data["body"]
            assert to_json(item, leave_out=("body",)) == json.dumps(data, ensure_ascii=False)
    assert to_json({"d": dt.date(2021, 5, 6), "p": Path("x")}) == '{"d": "2021-05-06", "p": "x"}'
