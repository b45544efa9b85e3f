"""kb.engine.documents: the engine-neutral documents use only declared fields, and both
engines' schemas cover exactly those fields."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from indexer.pipeline import process_file
from kb.engine import documents
from kb.engine.opensearch import client as osclient
from kb.engine.whoosh.phrases import without_pair_fields
from kb.engine.whoosh.search import SCHEMA


@pytest.fixture(scope="module")
def seed_docs(seed_path: Path) -> list[dict]:  # type: ignore[type-arg]
    meeting = process_file(seed_path)
    docs = [documents.meeting_document(meeting, str(seed_path))]
    docs += [documents.item_document(i, meeting, str(seed_path)) for i in meeting.items]
    return docs


def test_every_field_has_one_kind() -> None:
    assert [f for f, n in Counter(documents.ALL_FIELDS).items() if n > 1] == []


def test_documents_use_only_declared_fields(seed_docs: list[dict]) -> None:  # type: ignore[type-arg]
    used = {key for doc in seed_docs for key in doc}
    assert used <= set(documents.ALL_FIELDS), used - set(documents.ALL_FIELDS)
    assert {d["doctype"] for d in seed_docs} == {"meeting", "item"}
    item = next(d for d in seed_docs if d["doctype"] == "item")
    assert item["committee_key"] == "luton/crime-and-disorder-committee"


def test_both_engines_schemas_cover_the_declared_fields(seed_docs: list[dict]) -> None:  # type: ignore[type-arg]
    # the Whoosh schema adds the pair fields its writer derives from the text fields
    assert set(without_pair_fields(SCHEMA).names()) == set(documents.ALL_FIELDS)
    props = osclient.template("kb")["template"]["mappings"]["properties"]
    for doc in seed_docs:
        source = osclient.to_source(doc, "batch")
        assert set(source) <= set(props), set(source) - set(props)
    spoke = next(d for d in seed_docs if "," in d.get("speaker", ""))
    item = osclient.to_source(spoke, "b")
    assert item["speaker"] == spoke["speaker"].split(",") and item["t_body"][0]
    assert any(label.startswith("council\x1fluton\x1f") for label in item["labels"])
