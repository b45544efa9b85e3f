"""Phrases from word-pair postings (kb.engine.whoosh.phrases) equal Whoosh's own ``Phrase``.

The pair postings are checked on a table of texts (stopwords, hyphens, repeats); the search
path is compared with Whoosh's evaluation of the same ``Phrase`` (every match scored,
``limit=None``) on the seed and on real minutes from ``../shared/corpus``: the same
documents, order and scores, for two- to four-word phrases taken from the indexed text,
phrases with stopwords, phrases spanning two fields or two values of a multi-valued field,
and an index written before the pair fields existed (which keeps the word-postings path).
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from whoosh import formats
from whoosh import index as windex
from whoosh import query as wq

from indexer.pipeline import ingest
from kb import analysis
from kb.deadline import Deadline, DeadlineExceeded
from kb.engine.whoosh import bulk, fastscore, phrases
from kb.engine.whoosh.search import SCHEMA
from kb.engine.whoosh.textfield import term_positions
from kb.service import SearchRequest, SearchService


def _pairs(text: str) -> dict[str, list[int]]:
    tp = term_positions(text)
    weights = {t: float(len(ps)) for t, ps in tp.items()}
    out = {}
    for term, freq, weight, value in phrases.pair_postings(tp, weights):
        entries = phrases.decode_pairs(value)
        assert freq == sum(len(e[2]) for e in entries.values()) and weight == float(freq)
        for pair, (wa, wb, positions) in entries.items():
            assert phrases.bucket_of(pair) == term  # each pair sits in its own bucket
            a, b = pair.decode().split(phrases.PAIR_SEPARATOR)
            assert (wa, wb) == (weights[a], weights[b])
            out[pair.decode()] = positions
    return out


@pytest.mark.parametrize(("text", "expected"), [
    ("Chair of the Council", {"chair council": [0]}),  # stopwords take no position
    ("The planning application was refused",
     {"plan applic": [0], "applic refus": [1]}),
    ("council council council", {"council council": [0, 1]}),
    # the joined form shares its first part's position: it pairs with the second part
    ("anti-social behaviour",
     {"anti social": [0], "antisoci social": [0], "social behaviour": [1]}),
    # two hyphenated words in a row: every term at p pairs with every term at p + 1
    ("x-ray anti-social-behaviour order",
     {"ray anti": [0], "ray antisocialbehaviour": [0], "xray anti": [0],
      "xray antisocialbehaviour": [0], "anti social": [1], "antisocialbehaviour social": [1],
      "social behaviour": [2], "behaviour order": [3]}),
    ("Roads.\nHousing: roads", {"road hous": [0], "hous road": [1]}),  # punctuation: no break
    ("council", {}),
    ("", {}),
])  # fmt: skip
def test_pair_postings_pair_adjacent_terms(text: str, expected: dict[str, list[int]]) -> None:
    assert _pairs(text) == expected


def test_pair_values_carry_both_words_weights() -> None:
    tp = term_positions("road safety road safety road")
    weights = {"road": 7.5, "safeti": 5.0}
    found = {}
    for _term, _f, _w, value in phrases.pair_postings(tp, weights):
        found.update(phrases.decode_pairs(value))
    assert found == {b"road safeti": (7.5, 5.0, [0, 2]), b"safeti road": (5.0, 7.5, [1, 3])}


def test_pairs_of_one_bucket_share_a_posting() -> None:
    """Two pairs of a document in the same bucket: one posting, both entries, each found."""
    pairs = {}
    for a in ("council", "road", "plan", "hous", "polic", "safeti", "meet", "report"):
        for b in ("council", "road", "plan", "hous", "polic", "safeti", "meet", "report"):
            pairs.setdefault(phrases.bucket_of(f"{a} {b}".encode()), []).append((a, b))
    (a1, b1), (a2, b2) = next(v for v in pairs.values() if len(v) > 1)[:2]
    text = f"{a1} {b1} zzz {a2} {b2}"
    tp = term_positions(text)
    postings = phrases.pair_postings(tp, dict.fromkeys(tp, 1.0))
    entries = phrases.decode_pairs(
        next(v for t, _f, _w, v in postings if t == phrases.bucket_of(f"{a1} {b1}".encode()))
    )
    assert set(entries) >= {f"{a1} {b1}".encode(), f"{a2} {b2}".encode()}
    value = phrases.encode_pairs([(k, *v) for k, v in entries.items()])
    for pair in entries:
        hit = phrases._entry(value, pair)
        assert hit is not None and hit[:2] == entries[pair][:2]
    assert phrases._entry(value, b"council zzz") is None
    assert phrases._entry(value, f"{a1} {b1}x".encode()) is None  # a longer pair: no


def test_schema_pairs_exactly_the_phrase_fields() -> None:
    paired = {n[: -len(phrases.PAIR_SUFFIX)] for n in SCHEMA.names() if n.endswith("_pairs")}
    assert paired == {n for n, f in SCHEMA.items() if isinstance(f.format, formats.Positions)}
    assert "words" not in paired and "body" in paired and "title" in paired
    assert not SCHEMA["body_pairs"].scorable and not SCHEMA["body_pairs"].stored


def test_a_pair_field_is_never_given_a_value() -> None:
    with pytest.raises(TypeError, match="pair field"):
        SCHEMA["body_pairs"].index("some text")


def test_the_writer_refuses_a_non_string_text(tmp_path: Path) -> None:
    ix = windex.create_in(str(tmp_path), SCHEMA)
    w = bulk.writer(ix)
    with pytest.raises(TypeError, match="'body' takes a string"):
        w.add_document(id="x", body=["not", "a", "string"])
    w.cancel()


# --------------------------------------------------------------------------- equivalence


def _whoosh(s, q: wq.Query) -> tuple[list[int], list[float]]:
    top = s.search(q, limit=None).top_n
    return [d for _, d in top], [sc for sc, _ in top]


def _assert_same(s, q: wq.Query, *, pairs: bool = True) -> int:
    """The fast ranking of ``q`` equals Whoosh's; returns how many documents matched."""
    if pairs:  # the pair path answers it (not the word-postings fallback)
        assert phrases.match(s, q.fieldname, q.words, Deadline.none()) is not None
    fast = fastscore.rank(s, q, fastscore.FieldLengths(s.reader().doc_count_all()))
    assert fast is not None, q
    docs, scores = _whoosh(s, q)
    assert fast[0].tolist() == docs, q
    assert fast[1].tolist() == scores, q  # bit for bit
    return len(docs)


def _texts(s, count: int, seed: int) -> list[tuple[str, str]]:
    """(field, text) of ``count`` stored items, chosen with a fixed seed."""
    rng = random.Random(seed)
    stored = [f for f in s.all_stored_fields() if f.get("doctype") == "item"]
    chosen = rng.sample(stored, min(count, len(stored)))
    return [(f, t) for d in chosen for f in ("title", "body") if (t := d.get(f))]


def _phrases_in(s, count: int, seed: int) -> list[tuple[str, list[str]]]:
    """Phrases of 2–4 words cut from the indexed titles and bodies (stopwords included in
    the raw words, so some phrases hold stopwords)."""
    rng = random.Random(seed)
    out = []
    for field, text in _texts(s, count, seed):
        raw = analysis.WORD_RE.findall(text)
        for n in (2, 3, 4):
            if len(raw) > n:
                start = rng.randrange(len(raw) - n)
                words = analysis.phrase_terms(" ".join(raw[start : start + n]))
                if len(words) >= 2:
                    out.append((field, words))
    return out


def _check_index(folder: Path, seed: int) -> tuple[int, int]:
    """Compare every sampled phrase in both search fields; (queries, queries matching)."""
    svc = SearchService(folder, cache_size=0)
    queries = matched = 0
    with svc.searcher() as s:
        for field, words in _phrases_in(s, 40, seed):
            for f in ("title", "body"):
                found = _assert_same(s, wq.Phrase(f, words))
                assert found or f != field, (f, words)  # at least the item it came from
                matched += bool(found)
                queries += 1
    svc.close()
    return queries, matched


def test_sampled_phrases_equal_whoosh_on_the_seed(seed_index: Path) -> None:
    queries, matched = _check_index(seed_index, seed=3)
    assert queries > 40 and matched >= queries // 2


@pytest.fixture(scope="module")
def corpus_index(
    corpus_dir: Path, manifest: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Real minutes of several councils, written in several commits (several segments)."""
    wanted = ("limerick-council-meetings", "stokeferry-village-pump", "mscc")
    files = []
    for top in wanted:
        files += [corpus_dir / r["file"] for r in manifest if r["file"].startswith(top)][:3]
    folder = tmp_path_factory.mktemp("phrase-corpus")
    for path in files:
        report = ingest([path], folder, batch_size=1)
        assert not report.failed, [r.line() for r in report.failed]
    return folder


@pytest.mark.corpus
def test_sampled_phrases_equal_whoosh_on_the_corpus(corpus_index: Path) -> None:
    queries, matched = _check_index(corpus_index, seed=11)
    assert queries > 100 and matched >= queries // 2


FIXED = [
    "parish council",
    "the parish council",  # a stopword: the same pair
    "chair of the council",
    "planning application",
    "joint policing committee",  # three words
    "anti-social behaviour",  # a hyphen: parts and joined form
    "minutes of the previous meeting",  # three words among stopwords
    "any other business",
    "matters arising from the minutes",
    "council council",  # a repeated word
    "zzyzx council",  # a word the index does not have
]


@pytest.mark.corpus
@pytest.mark.parametrize("text", FIXED)
def test_common_phrases_equal_whoosh_on_the_corpus(corpus_index: Path, text: str) -> None:
    svc = SearchService(corpus_index, cache_size=0)
    with svc.searcher() as s:
        for f in ("title", "body"):
            _assert_same(s, wq.Phrase(f, analysis.phrase_terms(text)))
    svc.close()


@pytest.mark.corpus
def test_phrases_across_values_and_fields_equal_whoosh(corpus_index: Path) -> None:
    """A title's last word and the body's first never make a phrase (separate fields); the
    multi-valued fields (speakers', topics' names: values joined by line breaks, so a pair
    may run from one value into the next, as Whoosh's positions do) match as Whoosh does."""
    svc = SearchService(corpus_index, cache_size=0)
    crossed = 0
    with svc.searcher() as s:
        for stored in _stored_items(s, 30):
            title, body = stored.get("title") or "", stored.get("body") or ""
            t, b = analysis.phrase_terms(title), analysis.phrase_terms(body)
            if t and b:
                across = [t[-1], b[0]]
                for f in ("title", "body"):
                    _assert_same(s, wq.Phrase(f, across))
        for name in ("speaker_names", "topic_text", "committee_text", "council_text"):
            for words in _boundary_phrases(s, name):
                crossed += _assert_same(s, wq.Phrase(name, words))
    svc.close()
    assert crossed  # the pairs read from the index match, in both paths


def _stored_items(s, count: int) -> list[dict]:
    return [f for f in s.all_stored_fields() if f.get("doctype") == "item"][:count]


def _boundary_phrases(s, name: str) -> list[list[str]]:
    """Word pairs of ``name`` that the index holds (read from the pair field's values), some
    of them straddling the line between two values of a multi-valued field."""
    reader = s.reader()
    pairs_name = phrases.pair_field(name)
    out: list[list[str]] = []
    for term in list(reader.lexicon(pairs_name))[:20]:
        m = reader.postings(pairs_name, term)
        for pair in phrases.decode_pairs(m.value()):
            out.append(pair.decode().split(phrases.PAIR_SEPARATOR))
    return out


def test_phrase_in_boolean_queries_equals_whoosh(seed_index: Path) -> None:
    """Phrases inside AND/OR/NOT ranked by fastscore equal Whoosh's ranking."""
    svc = SearchService(seed_index, cache_size=0)
    for text in ('"parish council" OR road', 'police "parish council"', '"road safety" -cctv'):
        from kb.engine.whoosh.querybuild import _Compiler
        from kb.query import parse

        q = _Compiler(svc.expander).compile(parse(text))
        with svc.searcher() as s:
            fast = fastscore.rank(s, q, fastscore.FieldLengths(s.reader().doc_count_all()))
            assert fast is not None
            docs, scores = _whoosh(s, q)
            assert fast[0].tolist() == docs and fast[1].tolist() == scores, text
    svc.close()


def test_old_index_without_pair_fields_falls_back(seed_path: Path, tmp_path: Path) -> None:
    """An index created before the pair fields is still written and searched: phrases take
    the word-postings path, with the same answers as Whoosh and as a new index."""
    old = phrases.without_pair_fields(SCHEMA)
    assert "body_pairs" in SCHEMA.names() and "body_pairs" not in old.names()
    (tmp_path / "old").mkdir()
    windex.create_in(str(tmp_path / "old"), old)
    report = ingest([seed_path], tmp_path / "old")
    assert not report.failed, [r.line() for r in report.failed]
    ingest([seed_path], tmp_path / "new")
    answers = []
    for folder in (tmp_path / "old", tmp_path / "new"):
        svc = SearchService(folder, cache_size=0)
        with svc.searcher() as s:
            has_pairs = "body_pairs" in s.schema.names()
            for words in (["commun", "safeti"], ["luton", "council"], ["public", "health"]):
                q = wq.Phrase("body", words)
                if not has_pairs:
                    assert phrases.match(s, "body", words, Deadline.none()) is None
                _assert_same(s, q, pairs=has_pairs)
        response = svc.search(SearchRequest(q='"community safety"', page_size=50))
        answers.append((response.total, [h.id for h in response.results]))
        svc.close()
    assert answers[0] == answers[1] and answers[0][0] > 0


def test_matching_stops_at_the_deadline(seed_index: Path) -> None:
    svc = SearchService(seed_index, cache_size=0)
    with svc.searcher() as s:
        expired = Deadline(1.0, started=0.0)  # long past its budget
        with pytest.raises(DeadlineExceeded):
            phrases.match(s, "body", ["parish", "council"], expired)
    svc.close()


def test_missing_pair_gives_no_documents(seed_index: Path) -> None:
    svc = SearchService(seed_index, cache_size=0)
    with svc.searcher() as s:
        docs, weights = phrases.match(s, "body", ["zzyzx", "council", "qqq"], Deadline.none())
        assert docs.tolist() == [] and weights.shape == (0, 3)
        assert weights.dtype == np.float64
    svc.close()


# --------------------------------------------------------------------------- bucket reading


def _walked(ids: list[int], values: list[bytes], pair: bytes) -> list[tuple]:
    """What ``phrases.having`` must find, the slow way: each value's entries walked."""
    out = []
    for doc, value in zip(ids, values, strict=True):
        hit = phrases._entry(value, pair)
        if hit is not None:
            wa, wb, start, count = hit
            positions = list(np.frombuffer(value, "<u4", count=count, offset=start))
            out.append((doc, wa, wb, positions))
    return out


def _found(has: phrases.Having) -> list[tuple]:
    return [
        (int(doc), float(has.first[row]), float(has.second[row]), has.positions(row).tolist())
        for row, doc in enumerate(has.docs.tolist())
    ]


def _value(*entries: tuple[bytes, float, float, list[int]]) -> bytes:
    return phrases.encode_pairs(list(entries))


#: a bucket's values (one per document) and the pair looked for in them
_RAW = b"\x0b\x00" + b"plan applic"  # the head and text of pair "plan applic" (11 bytes)
BUCKETS = [
    ([_value((b"plan applic", 2.0, 3.0, [4]))], b"plan applic"),
    ([_value((b"plan applic", 2.0, 3.0, [4, 9, 70000]))], b"plan applic"),
    ([_value((b"road safeti", 1.0, 1.0, [0]))], b"plan applic"),
    ([_value((b"road safeti", 1.0, 1.0, [0]), (b"plan applic", 5.0, 6.0, [1, 3]))],
     b"plan applic"),  # the pair is a document's second entry
    ([_value((b"plan applicant", 1.0, 1.0, [0]))], b"plan applic"),  # a longer pair
    ([_value((b"xplan applic", 1.0, 1.0, [0]), (b"a b", 1.0, 1.0, [2]))], b"plan applic"),
    # the pair's head and text inside another entry (its pair), not an entry of its own
    ([_value((b"z" + _RAW, 1.0, 1.0, [0]), (b"road safeti", 1.0, 1.0, [2]))], b"plan applic"),
    ([_value((b"z" + _RAW, 1.0, 1.0, [0]))], b"plan applic"),
    ([b"", _value((b"plan applic", 2.0, 3.0, [4]))], b"plan applic"),  # an empty value
    ([_value((b"caf\xc3\xa9 road", 1.5, 2.5, [7]))], "café road".encode()),  # not ASCII
    ([], b"plan applic"),
]  # fmt: skip


@pytest.mark.parametrize(("values", "pair"), BUCKETS)
def test_having_finds_what_walking_the_entries_finds(values: list[bytes], pair: bytes) -> None:
    ids = list(range(3, 3 + 2 * len(values), 2))
    has = phrases.having(np.asarray(ids, dtype=np.int64), values, pair)
    assert _found(has) == _walked(ids, values, pair)
    assert has.first.dtype == has.second.dtype == np.float64


def test_having_equals_walking_on_random_buckets() -> None:
    """Random documents of random entries (one to four pairs, one to five positions each,
    weights that are not round): every pair of the bucket, and some it lacks, looked up."""
    rng = random.Random(5)
    words = ["council", "road", "plan", "hous", "polic", "safeti", "café", "x", "meet"]
    for _ in range(60):
        ids, values, pairs = [], [], set()
        for doc in range(rng.randrange(1, 40)):
            entries = {}
            for _ in range(rng.randrange(1, 5)):
                pair = f"{rng.choice(words)} {rng.choice(words)}".encode()
                positions = sorted(rng.sample(range(100_000), rng.randrange(1, 6)))
                entries[pair] = (rng.random() * 9, rng.random() * 9, positions)
            pairs |= set(entries)
            ids.append(doc * 3)
            values.append(phrases.encode_pairs([(k, *v) for k, v in entries.items()]))
        for pair in [*pairs, b"road zzz", b"council"]:
            has = phrases.having(np.asarray(ids, dtype=np.int64), values, pair)
            assert _found(has) == _walked(ids, values, pair), pair


def test_blocks_without_the_pair_are_skipped_unread(tmp_path: Path) -> None:
    """A bucket of three posting blocks where only the last holds a rare pair: reading it
    for that pair skips the first two, and the phrase still equals Whoosh's."""
    same: dict[bytes, list[tuple[str, str]]] = {}
    for a in ("council", "road", "plan", "hous", "polic", "safeti", "meet", "report"):
        for b in ("council", "road", "plan", "hous", "polic", "safeti", "meet", "report"):
            same.setdefault(phrases.bucket_of(f"{a} {b}".encode()), []).append((a, b))
    (a1, b1), (a2, b2) = next(v for v in same.values() if len(v) > 1)[:2]
    ix = windex.create_in(str(tmp_path), SCHEMA)
    w = bulk.writer(ix)
    for n in range(300):
        rare = f" zzz {a2} {b2}" if n >= 290 else ""
        w.add_document(id=f"d{n}", doctype="item", body=f"{a1} {b1}{rare}")
    w.commit()
    svc = SearchService(tmp_path, cache_size=0)
    with svc.searcher() as s:
        reader = s.reader()
        common, rare = f"{a1} {b1}".encode(), f"{a2} {b2}".encode()
        bucket = phrases.bucket_of(rare)
        ids, values = phrases._read_pairs(reader, "body_pairs", bucket)
        assert len(ids) == 300  # three blocks of up to 128 postings
        for pair in (common, rare):
            needle = phrases._HEAD.pack(len(pair)) + pair
            some_ids, some = phrases._read_pairs(reader, "body_pairs", bucket, needle)
            full = phrases.having(ids, values, pair)
            assert _found(phrases.having(some_ids, some, pair)) == _found(full)
            assert len(some_ids) == (300 if pair == common else 300 - 256)
            _assert_same(s, wq.Phrase("body", pair.decode().split()))
    svc.close()


@pytest.mark.parametrize(
    "values",
    [
        (b"plain", b"\x00\xff\x80", b"c_codecs\nencode\n", b"x" * 300),
        (b"", b"", b"after two empty values c_codecs\nencode\n"),  # b"" pickles another way
        (b"c_codecs\nencode\nc_codecs\nencode\n",),
        (),
    ],
)
def test_blocks_unpickle_as_pickle_does(values: tuple[bytes, ...]) -> None:
    """A Whoosh 3 block's data (id deltas, weights, values) pickled with protocol 2 (as the
    codec writes it) or 5 unpickles to the same values, whatever bytes the values hold."""
    import pickle

    ids = tuple(range(1, 2 * len(values) + 1, 2))
    for weights in (None, 1.5, tuple(float(i) / 3 for i in range(len(values)))):
        block = (ids, weights, values)
        for protocol in (2, 5):
            data = pickle.dumps(block, protocol)
            assert phrases.unpickle_block(data) == pickle.loads(data) == block
