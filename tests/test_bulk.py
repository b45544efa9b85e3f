"""kb.engine.whoosh.bulk: segments written with in-memory field lengths are Whoosh's own.

Whoosh's own writer knows nothing of the word-pair fields (kb.engine.whoosh.phrases), so the
comparisons with it use the schema without them; the pair fields are checked on their own.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import random
import zlib
from array import array
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path

import pytest
from whoosh import index, writing
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage

from bench.generate import GenConfig, iter_meetings
from kb.engine.whoosh import bulk as whoosh_writer
from kb.engine.whoosh import flush, phrases
from kb.engine.whoosh.search import SCHEMA
from kb.engine.whoosh.textfield import term_positions
from kb.engine.whoosh.write import item_document, meeting_document

#: the schema without its pair fields: what Whoosh's own writer can write
WORD_SCHEMA = phrases.without_pair_fields(SCHEMA)


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    out = []
    for m in iter_meetings(GenConfig(items=120, seed=3)):
        out.append(meeting_document(m, m.source))
        out.extend(item_document(i, m, m.source) for i in m.items)
    return out


def segment_files(folder: Path) -> dict[str, str]:
    """Segment file contents by name without the random segment id."""
    return {
        p.name.split(".", 1)[1]: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.iterdir()
        if p.name.startswith("MAIN_") and "." in p.name and p.suffix != ".toc"
    }


def write(
    folder: Path,
    docs: list[dict],
    make,
    batches: int = 1,
    merge=writing.MERGE_SMALL,
    schema=WORD_SCHEMA,
):
    folder.mkdir()
    ix = index.create_in(str(folder), schema)
    step = -(-len(docs) // batches)
    for start in range(0, len(docs), step):
        w = make(ix)
        for doc in docs[start : start + step]:
            w.add_document(**doc)
        w.commit(mergetype=merge)
    return ix


def all_postings(r) -> list[tuple]:
    """Every posting of the reader ``r``: (field, term, docnum, weight, value), in term order."""
    out = []
    for fieldname, text in r.all_terms():
        m = r.postings(fieldname, text)
        while m.is_active():
            out.append((fieldname, text, m.id(), m.weight(), m.value()))
            m.next()
    return out


def postings(ix) -> list[tuple]:
    with ix.reader() as r:
        out = all_postings(r)
        lengths = [
            (name, n, r.doc_field_length(n, name))
            for name in WORD_SCHEMA.scorable_names()
            for n in range(r.doc_count_all())
        ]
        return out + lengths


def term_infos(ix) -> list[tuple]:
    """Each term's statistics as the term table stores them, and its inlined postings
    (None: its postings are in blocks)."""
    with ix.reader() as r:
        return [
            (f, t, i.weight(), i.doc_frequency(), i.min_length(), i.max_length(),
             i.max_weight(), i.min_id(), i.max_id(),
             i.inlined_postings() if i.is_inlined() else None)
            for f, t in r.all_terms()
            for i in [r.term_info(f, t)]
        ]  # fmt: skip


def blocks(ix) -> list[tuple]:
    """Every posting block as the reader decodes it: its info (postings, last id, max
    weight, min/max length) and its ids, weights and values."""
    with ix.reader() as r:
        out = []
        for fieldname, text in r.all_terms():
            m = r.postings(fieldname, text)
            while m.is_active():
                m._read_ids(), m._read_weights(), m._read_values()
                out.append(
                    (fieldname, text, m._blocklength, m._maxid, m._maxweight, m._minlength,
                     m._maxlength, list(m._ids), list(m._weights), list(m._values))
                )  # fmt: skip
                m._next_block()
        return out


def test_a_new_segment_reads_back_as_whooshs(tmp_path: Path, docs) -> None:
    """Every file but the postings and the term table (whose block offsets follow the
    postings' sizes) is byte for byte Whoosh's; the postings are compressed with a smaller
    zlib window (BlockWriter), and read back block for block as Whoosh's."""
    plain = write(tmp_path / "plain", docs, lambda ix: ix.writer(compound=False))
    fast = write(tmp_path / "fast", docs, lambda ix: whoosh_writer.writer(ix, compound=False))
    plain_files, fast_files = segment_files(tmp_path / "plain"), segment_files(tmp_path / "fast")
    assert len(plain_files) >= 10 and {"pst", "trm"} <= set(plain_files)
    assert set(fast_files) == set(plain_files)
    same = {k: v for k, v in plain_files.items() if k not in ("pst", "trm")}
    assert {k: fast_files[k] for k in same} == same
    assert fast_files["pst"] != plain_files["pst"]  # the compression differs ...
    expected = blocks(plain)
    assert len(expected) > 3_000 and any(len(b[7]) > 1 for b in expected)
    assert blocks(fast) == expected  # ... not what is read back
    assert term_infos(fast) == term_infos(plain)
    assert postings(fast) == postings(plain)


def _raw_blocks(ix) -> list[tuple[int, bytes]]:
    """Every posting block's recorded compression level and its stored data bytes."""
    with ix.reader() as r:
        out = []
        for fieldname, text in r.all_terms():
            m = r.postings(fieldname, text)
            while True:
                raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
                out.append((m._compression, bytes(raw)))
                if m._lastblock:
                    break
                m._goto(m._nextoffset)
        return out


def test_small_blocks_are_stored_uncompressed(tmp_path: Path, docs) -> None:
    """A block whose data pickle is under BLOCK_COMPRESS_MIN bytes is stored as it is,
    with compression 0 in its info (Whoosh's reader then reads it without zlib); every
    other block is compressed at the codec's level; each is the pickle Whoosh's reader
    unpickles (the read-back equality is test_a_new_segment_reads_back_as_whooshs')."""
    fast = write(tmp_path / "fast", docs, lambda ix: whoosh_writer.writer(ix, compound=False))
    raw = _raw_blocks(fast)
    level = W3Codec()._compression
    plain = [data for comp, data in raw if comp == 0]
    packed = [zlib.decompress(data) for comp, data in raw if comp == level]
    assert len(plain) + len(packed) == len(raw)
    assert plain and packed
    assert all(len(data) < flush.BLOCK_COMPRESS_MIN for data in plain)
    assert all(len(data) >= flush.BLOCK_COMPRESS_MIN for data in packed)
    assert all(pickle.loads(data) for data in plain + packed)  # noqa: S301 - our own bytes


@pytest.mark.parametrize("lastid", [0, 1, 255, 256, 65_535, 65_536, 2**31 - 1, 2**31, 2**32 - 1])
@pytest.mark.parametrize("maxweight", [0, 0.0, 1.0, 2.5, -3.0, 1e300, float("inf"), float("nan")])
def test_block_info_is_the_pickle_whoosh_writes(lastid: int, maxweight: float) -> None:
    """The block info built from a template is byte for byte ``pickle.dumps(info, 2)``."""
    for count, comp, minb, maxb in [
        (1, 0, 0, 0),
        (128, 3, 1, 255),
        (255, 9, 37, 200),
        (2, 3, 0, 256),
    ]:
        info = (count, lastid, maxweight, comp, minb, maxb)
        assert flush.block_info(*info) == pickle.dumps(info, 2), info
    assert flush.block_info(256, lastid, maxweight, 3, 0, 0) == pickle.dumps(
        (256, lastid, maxweight, 3, 0, 0), 2
    )


def test_terms_out_of_order_are_refused(tmp_path: Path) -> None:
    """As Whoosh's term table does, a term not after the one before is an error."""
    ix = index.create_in(str(tmp_path), WORD_SCHEMA)
    codec = W3Codec()
    seg = codec.new_segment(ix.storage, "MAIN")
    fw = codec.field_writer(ix.storage, seg)
    try:
        assert flush.fits(fw)
        fw.start_field("body", WORD_SCHEMA["body"])
        term = ("body", b"b", array("I", [0]), array("d", [1.0]), [b""])
        with pytest.raises(ValueError, match="Keys must increase"):
            flush.write_terms(fw, [term, ("body", b"a", *term[2:])], None)
    finally:
        fw.finish_field()
        fw.close()


def test_a_codec_that_inlines_postings_keeps_whooshs_own_loop(tmp_path: Path) -> None:
    ix = index.create_in(str(tmp_path), WORD_SCHEMA)
    seg = W3Codec().new_segment(ix.storage, "MAIN")
    fw = W3Codec(inlinelimit=2).field_writer(ix.storage, seg)
    try:
        assert not flush.fits(fw)
    finally:
        fw.close()


@pytest.mark.parametrize("kept", [whoosh_writer.REUSED_VALUES, 1])
def test_reused_postings_of_id_fields_write_whooshs_segment(
    tmp_path: Path, docs, monkeypatch: pytest.MonkeyPatch, kept: int
) -> None:
    """The postings of ID, number, date and boolean fields reused for documents with the same
    value (kept for many values, or dropped at every new one) write the very segment
    Whoosh's writer writes, with field and document boosts on some documents."""
    monkeypatch.setattr(whoosh_writer, "REUSED_VALUES", kept)
    boosted = [
        {**doc, "_council_id_boost": 2.0}
        if n % 3 == 0
        else {**doc, "_boost": 1.5}
        if n % 3 == 1
        else {**doc, "_order_boost": 3.0}
        for n, doc in enumerate(docs)
    ]
    repeated = {
        name: {type(d[name]) for d in boosted if name in d}
        for name in ("council_id", "date", "order", "ocr", "year", "item_number")
    }
    assert repeated["date"] == {datetime} and repeated["ocr"] == {bool}  # every kind reused
    assert repeated["order"] == {int} and repeated["year"] == {str}
    plain = write(tmp_path / "plain", boosted, lambda ix: ix.writer(compound=False))
    made = []

    def fast_writer(ix):
        made.append(whoosh_writer.writer(ix, compound=False))
        return made[-1]

    fast = write(tmp_path / "fast", boosted, fast_writer)
    reused = made[0]._plans["council_id"].reused
    assert reused is not None and 0 < len(reused) <= kept
    assert made[0]._plans["body"].reused is None  # a field with posting values never is
    plain_files, fast_files = segment_files(tmp_path / "plain"), segment_files(tmp_path / "fast")
    same = {k: v for k, v in plain_files.items() if k not in ("pst", "trm")}
    assert {k: fast_files[k] for k in same} == same
    assert blocks(fast) == blocks(plain)
    assert term_infos(fast) == term_infos(plain)
    assert postings(fast) == postings(plain)


def test_block_writer_compresses_with_a_small_window(
    tmp_path: Path, docs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With Whoosh's pickle protocol the postings file is within a few per cent of Whoosh's
    size (the small zlib window costs little); with :data:`BLOCK_PICKLE_PROTOCOL` (bytes
    values as raw ``BINBYTES``) it is a third smaller."""
    write(tmp_path / "plain", docs, lambda ix: ix.writer(compound=False))
    write(tmp_path / "fast", docs, lambda ix: whoosh_writer.writer(ix, compound=False))
    monkeypatch.setattr(flush, "BLOCK_PICKLE_PROTOCOL", 2)
    write(tmp_path / "fast2", docs, lambda ix: whoosh_writer.writer(ix, compound=False))
    plain, fast, fast2 = (
        next(folder.glob("MAIN_*.pst")).stat().st_size
        for folder in (tmp_path / "plain", tmp_path / "fast", tmp_path / "fast2")
    )
    assert 0.95 * plain < fast2 < 1.08 * plain
    assert fast < 0.75 * plain


def test_merged_segments_hold_the_same_postings_and_lengths(tmp_path: Path, docs) -> None:
    plain = write(tmp_path / "plain", docs, lambda ix: ix.writer(), batches=4)
    fast = write(tmp_path / "fast", docs, whoosh_writer.writer, batches=4)
    expected = postings(plain)
    assert len(expected) > 10_000
    assert postings(fast) == expected
    plain_opt = write(tmp_path / "p1", docs, lambda ix: ix.writer(), 3, writing.OPTIMIZE)
    fast_opt = write(tmp_path / "f1", docs, whoosh_writer.writer, 3, writing.OPTIMIZE)
    assert len(fast_opt._segments()) == 1
    assert postings(fast_opt) == postings(plain_opt)


def test_pair_fields_add_the_pairs_of_the_same_terms(tmp_path: Path, docs) -> None:
    """With the full schema the word fields are unchanged and each pair field holds, per
    document, exactly ``pair_postings`` of its text field's terms (two commits, merged)."""
    words = postings(write(tmp_path / "words", docs, whoosh_writer.writer, batches=2))
    full = postings(write(tmp_path / "full", docs, whoosh_writer.writer, 2, schema=SCHEMA))
    pairs = [p for p in full if len(p) == 5 and p[0].endswith(phrases.PAIR_SUFFIX)]
    assert [p for p in full if p not in pairs] == words
    expected = []
    for docnum, doc in enumerate(docs):
        for name in [n for n in doc if phrases.pair_field(n) in SCHEMA.names()]:
            tp = term_positions(doc[name])
            weights = {t: float(len(ps)) * SCHEMA[name].format.field_boost for t, ps in tp.items()}
            for term, _freq, weight, value in phrases.pair_postings(tp, weights):
                expected.append((phrases.pair_field(name), term, docnum, weight, value))
    assert len(expected) > 5_000
    assert sorted(pairs) == sorted(expected)


def test_postings_spilled_to_sorted_runs_give_the_same_postings(tmp_path: Path, docs) -> None:
    def spilling(make):
        def writer(ix):
            w = make(ix)
            w.pool.limit = 200_000  # bytes: a run every ~1,300 postings
            return w

        return writer

    plain = write(tmp_path / "plain", docs, spilling(lambda ix: ix.writer(compound=False)))
    fast = write(tmp_path / "fast", docs, spilling(whoosh_writer.writer))
    # values read back from one chunk of a run stay one object, which the codec's block
    # pickles then share (smaller files, the same values when read)
    assert postings(fast) == postings(plain)
    assert not list((tmp_path / "fast").glob("*.tmp/*.run"))  # runs removed
    assert fast.doc_count() == len(docs)


def test_many_spilled_runs_with_pair_fields_read_back_the_same(tmp_path: Path, docs) -> None:
    """The full schema (word-pair fields too) spilled to dozens of runs reads back as the
    segment written in memory."""

    def spilling(ix):
        w = whoosh_writer.writer(ix)
        w.pool.limit = 100_000  # bytes
        return w

    held = write(tmp_path / "held", docs, whoosh_writer.writer, schema=SCHEMA)
    spilled_runs: list[int] = []

    def counting(ix):
        w = spilling(ix)
        original = w.pool.save

        def save() -> None:
            original()
            spilled_runs.append(len(w.pool.runs))

        w.pool.save = save
        return w

    spilled = write(tmp_path / "spilled", docs, counting, schema=SCHEMA)
    assert max(spilled_runs) > 20
    expected = postings(held)
    assert any(p[0].endswith(phrases.PAIR_SUFFIX) for p in expected)
    assert postings(spilled) == expected


def test_deletions_and_incremental_writes_after_a_rebuild_match_whooshs(
    tmp_path: Path, docs
) -> None:
    """A first segment, then commits that delete documents and add more (new segments,
    then a merge of all of them, which goes through the pool's ``add``): the same postings
    and lengths as Whoosh's own writer, spilling or not."""

    def run(folder: Path, make) -> list[tuple]:
        folder.mkdir()
        ix = index.create_in(str(folder), WORD_SCHEMA)
        third = len(docs) // 3
        w = make(ix)
        for doc in docs[:third]:
            w.add_document(**doc)
        w.commit()
        w = make(ix)
        for n in range(0, third, 5):
            w.delete_document(n)
        for doc in docs[third : 2 * third]:
            w.add_document(**doc)
        w.commit(mergetype=writing.NO_MERGE)
        assert len(ix._segments()) == 2
        w = make(ix)
        for n in range(1, 2 * third, 7):
            w.delete_document(n)
        for doc in docs[2 * third :]:
            w.add_document(**doc)
        w.commit(optimize=True)
        assert len(ix._segments()) == 1
        assert ix.doc_count() < len(docs)
        return postings(ix)

    def spilling(ix):
        w = whoosh_writer.writer(ix)
        w.pool.limit = 100_000
        return w

    expected = run(tmp_path / "plain", lambda ix: ix.writer())
    assert len(expected) > 10_000
    assert run(tmp_path / "fast", whoosh_writer.writer) == expected
    assert run(tmp_path / "spilled", spilling) == expected


def _synthetic_terms() -> list[tuple]:
    """Terms of three fields (positions, frequency: 4-byte values, existence: none) whose
    weights and lengths take the odd paths: all 1.0, uniform, mixed, 1.0 only as float32,
    zero, negative, NaN, infinite; lengths absent for some documents; blocks of one posting,
    full blocks and a last block of one."""
    rng = random.Random(15)
    specs = {
        "ones": lambda n: [1.0] * n,
        "uniform": lambda n: [2.5] * n,
        "nearly_one": lambda n: [1.0 + 1e-12] * n,
        "mixed": lambda n: [rng.choice([0.5, 1.0, 3.0, 7.25]) for _ in range(n)],
        "zero": lambda n: [0.0] * n,
        "negative": lambda n: [-rng.random() for _ in range(n)],
        "nan_first": lambda n: [math.nan] + [1.0] * (n - 1),
        "nan_later": lambda n: [1.0] * (n - 1) + [math.nan],
        "inf": lambda n: [math.inf] + [2.0] * (n - 1),
    }
    terms = []
    for field, value in (("body", b"\x01\x02"), ("words", b"\x00\x00\x80?"), ("year", b"")):
        for name, make in sorted(specs.items()):
            for count in (1, 2, 3, 5, 8, 9, 17):
                docs = array("I", sorted(rng.sample(range(200), count)))
                values = [value if i % 3 else (b"" if field == "body" else value) for i in docs]
                term = f"{name}{count:03d}".encode()
                terms.append((field, term, docs, array("d", make(count)), values))
    return terms


def _read_segment(storage, segment, codec) -> list[tuple]:
    """Every term's info and every block of a raw segment, through Whoosh's own reader."""
    tr = codec.terms_reader(storage, segment)
    out = []
    try:
        for fieldname, btext in list(tr.terms()):
            info = tr.term_info(fieldname, btext)
            m = tr.matcher(fieldname, btext, WORD_SCHEMA[fieldname].format)
            found = []
            while m.is_active():
                m._read_ids(), m._read_weights(), m._read_values()
                found.append(
                    (m._blocklength, m._maxid, m._maxweight, m._minlength, m._maxlength,
                     list(m._ids), list(m._weights), list(m._values))
                )  # fmt: skip
                m._next_block()
            stats = (info.weight(), info.doc_frequency(), info.min_length(),
                     info.max_length(), info.max_weight(), info.min_id(), info.max_id(),
                     info.is_inlined())  # fmt: skip
            out.append((fieldname, btext, stats, found))
    finally:
        tr.close()
    return out


def test_odd_weights_and_lengths_read_back_as_whooshs(tmp_path: Path) -> None:
    """write_terms against Whoosh's own start_term / add / finish_term on the same terms,
    with a 4-posting block limit (so terms span blocks): the same block and term
    statistics, ids, weights and values, NaN and all."""
    terms = _synthetic_terms()
    rng = random.Random(7)
    # no length (byte 0) only for the lowest docnums: a block without lengths after one
    # with them makes Whoosh's W3TermInfo.add_block fail (min(int, None)), as it does here
    lengths = {  # "year" keeps no lengths
        name: bytes(0 if doc < 12 else rng.choice([1, 5, 40, 200, 255]) for doc in range(200))
        for name in ("body", "words")
    }
    got = []
    for fast in (False, True):
        storage = FileStorage(str(tmp_path / str(fast)))
        storage.create()
        codec = W3Codec(blocklimit=4)
        segment = codec.new_segment(storage, "MAIN")
        fw = codec.field_writer(storage, segment)
        assert flush.fits(fw)
        for fieldname, in_field in groupby(terms, itemgetter(0)):
            fw.start_field(fieldname, WORD_SCHEMA[fieldname])
            field_raw = lengths.get(fieldname)
            if fast:
                flush.write_terms(fw, in_field, field_raw)
            else:
                for _f, btext, docs, weights, values in in_field:
                    fw.start_term(btext)
                    for doc, weight, value in zip(docs, weights, values, strict=True):
                        length = 0 if field_raw is None else flush.LENGTHS[field_raw[doc]]
                        fw.add(doc, weight, value, length)
                    fw.finish_term()
            fw.finish_field()
        fw.close()
        got.append(_read_segment(storage, segment, codec))
    assert len(got[0]) == len(terms)
    blocks = [block for row in got[0] for block in row[3]]
    assert {1, 4} <= {block[0] for block in blocks}  # last blocks of one; full blocks
    assert any(math.isnan(w) for block in blocks for w in block[6])
    assert repr(got[1]) == repr(got[0])  # repr: NaN matches NaN
