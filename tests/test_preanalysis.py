"""kb.engine.whoosh.preanalysis: postings analysed in an ingest worker are exactly the ones
the writer would make, and an index written with them is byte for byte the plain one."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from pathlib import Path

import pytest
from whoosh import fields

from indexer.pipeline import process_file, process_meetings
from kb.engine.whoosh import phrases, preanalysis
from kb.engine.whoosh.bulk import POSTINGS_KEY
from kb.engine.whoosh.search import SCHEMA
from kb.engine.whoosh.textfield import KbText, term_positions
from kb.engine.whoosh.write import IndexWriterSession, item_document
from kb.model import Meeting, item_id, meeting_id
from tests.test_bulk import segment_files

#: the shared corpus's sources (top folders): the first file of each is checked
CORPUS_SOURCES = [
    "limerick-council-meetings", "moderngov-lgsf", "mscc", "stokeferry-village-pump",
    "wyevalleycc",
]  # fmt: skip


def shipped(meetings: list[Meeting]) -> preanalysis.Analysed:
    """``analyse`` as the writer receives it from a worker process (pickled)."""
    return pickle.loads(pickle.dumps(preanalysis.analyse(meetings), pickle.HIGHEST_PROTOCOL))  # noqa: S301


def redated(meeting: Meeting, day: dt.date) -> Meeting:
    m = copy.deepcopy(meeting)
    m.date, m.id = day, meeting_id(m.council, m.committee, day)
    taken: set[str] = set()
    for item in m.items:
        item.meeting_id, item.date = m.id, day
        item.id = item_id(m.id, item.number, taken)
    return m


def test_the_analysed_fields_are_the_schemas_text_fields() -> None:
    assert set(preanalysis.analysed_fields()) == {
        name for name, f in SCHEMA.items() if isinstance(f, fields.TEXT)
    }
    other = fields.Schema(
        a=fields.TEXT(), b=fields.NGRAMWORDS(), c=fields.KEYWORD(), d=fields.ID(),
        e=fields.NUMERIC(), f=fields.STORED(), g=KbText(stem=False),
    )  # fmt: skip
    assert set(preanalysis.analysed_fields(other)) == {"a", "g"} | (
        {"b"} if other["b"].scorable else set()
    )


def _check(meeting: Meeting) -> int:
    """Attach shipped postings to each item document; they must equal ``field.index``'s,
    and a single position must be the very object ``index`` gives (same bytes on disk)."""
    analysed = shipped([meeting])
    checked = 0
    seen: set[tuple[str, str]] = set()
    for item in meeting.items:
        doc = item_document(item, meeting, "/src/x")
        preanalysis.attach(doc, analysed)
        for name in preanalysis.analysed_fields():
            value = doc.get(name)
            if not (isinstance(value, str) and value):
                continue
            expected = list(SCHEMA[name].index(value))
            got = doc.get(POSTINGS_KEY, {}).get(name)
            if (name, value) in seen:  # each entry is used once (see attach)
                assert got is None
                continue
            seen.add((name, value))
            assert got == expected, (item.id, name)
            for (_, freq, _, v), (_, _, _, w) in zip(got, expected, strict=True):
                if freq == 1:
                    assert v is w
            checked += 1
    return checked


def test_shipped_postings_equal_the_writers_on_the_seed(seed_path: Path) -> None:
    assert _check(process_file(seed_path)) > 20


@pytest.mark.corpus
@pytest.mark.parametrize("source", CORPUS_SOURCES)
def test_shipped_postings_equal_the_writers_on_real_minutes(
    corpus_dir: Path, manifest: list[dict[str, str]], source: str
) -> None:
    files = [row["file"] for row in manifest if row["file"].startswith(source + "/")]
    if not files:
        pytest.skip(f"no {source} files in this corpus")
    meetings = process_meetings(corpus_dir / files[0])
    assert sum(_check(m) for m in meetings) > 3


def test_shipped_pair_postings_are_the_writers_pairs(seed_path: Path) -> None:
    """Each phrase field's word pairs are shipped too: exactly ``pair_postings`` of the
    value's term positions with its words' unboosted weights (what the writer makes)."""
    meeting = process_file(seed_path)
    analysed = shipped([meeting])
    paired = phrases.paired_fields(SCHEMA)
    assert paired == {
        name: phrases.pair_field(name)
        for name in preanalysis.analysed_fields()
        if phrases.pair_field(name) in SCHEMA.names()
    }
    assert "body" in paired
    checked = 0
    for item in meeting.items:
        doc = item_document(item, meeting, "/src/x")
        preanalysis.attach(doc, analysed)
        for name, pairs in paired.items():
            got = doc.get(POSTINGS_KEY, {}).get(pairs)
            if got is None:  # a value seen before in the file, or empty
                continue
            tp = term_positions(doc[name], stem=SCHEMA[name].kb_stem)
            boost = SCHEMA[name].format.field_boost
            weights = {t: float(len(ps)) * boost for t, ps in tp.items()}
            assert got == phrases.pair_postings(tp, weights)
            checked += len(got)
    assert checked > 100


def test_a_changed_value_is_analysed_by_the_writer(seed_path: Path) -> None:
    meeting = process_file(seed_path)
    analysed = shipped([meeting])
    item = meeting.items[0]
    item.body += " an extra sentence about bollards"
    doc = item_document(item, meeting, "/src/x")
    preanalysis.attach(doc, analysed)
    assert "body" not in doc[POSTINGS_KEY] and "title" in doc[POSTINGS_KEY]


def _write(folder: Path, meetings: list[Meeting], *, offered: bool, change: bool = False) -> None:
    with IndexWriterSession(folder, rebuild=True) as session:
        for n, m in enumerate(meetings):
            m = copy.deepcopy(m)
            if offered:
                session.offer_analysis(shipped([m]))
            if change:  # the writer changes a value after the worker analysed it
                m.items[-1].body = m.items[-1].body.upper() + " amended"
            session.put(f"/src/{n}.txt", str(n), m)


@pytest.mark.parametrize("change", [False, True])
def test_an_index_written_with_shipped_postings_is_byte_for_byte_the_plain_one(
    tmp_path: Path, seed_path: Path, change: bool
) -> None:
    seed = process_file(seed_path)
    meetings = [redated(seed, dt.date(2019, 1, n + 1)) for n in range(6)]
    _write(tmp_path / "plain", meetings, offered=False, change=change)
    _write(tmp_path / "shipped", meetings, offered=True, change=change)

    def whooshs(folder: Path) -> dict[str, str]:  # Whoosh's files, not our caches (kb*)
        files = segment_files(folder.resolve())
        return {k: v for k, v in files.items() if not k.startswith("kb")}

    plain = whooshs(tmp_path / "plain")
    assert {"pst", "trm", "_body_len.col"} <= set(plain)
    assert whooshs(tmp_path / "shipped") == plain
