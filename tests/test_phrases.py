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
from kb.engine.whoosh.search import SCHEMA, build_schema
from kb.engine.whoosh.textfield import term_positions
from kb.service import SearchRequest, SearchService


def _pairs(text: str) -> dict[str, list[int]]:
    tp = term_positions(text)
    weights = {t: float(len(ps)) for t, ps in tp.items()}
    out = {}
    for tbytes, freq, weight, value in phrases.pair_postings(tp, weights):
        positions = phrases.decode_pair_positions(value).tolist()
        assert freq == len(positions) and weight == float(freq)
        out[tbytes.decode()] = positions
    return out


@pytest.mark.parametrize(("text", "expected"), [
    ("Chair of the Council", {"chair council": [0]}),  # stopwords take no position
    ("The planning application was refused",
     {"plan applic": [0], "applic refus": [1]}),
    ("council council council", {"council council": [0, 1]}),
    # the joined form shares its first part's position: it pairs with the second part
    ("anti-social behaviour",
     {"anti social": [0], "antisoci social": [0], "social behaviour": [1]}),
    ("Roads.\nHousing: roads", {"road hous": [0], "hous road": [1]}),  # punctuation: no break
    ("council", {}),
    ("", {}),
])  # fmt: skip
def test_pair_postings_pair_adjacent_terms(text: str, expected: dict[str, list[int]]) -> None:
    assert _pairs(text) == expected


def test_pair_values_carry_both_words_weights() -> None:
    tp = term_positions("road safety road safety road")
    weights = {"road": 7.5, "safeti": 5.0}
    found = {t.decode(): v for t, _f, _w, v in phrases.pair_postings(tp, weights)}
    assert phrases._weights([found["road safeti"]], 1).tolist() == [[7.5, 5.0]]
    assert phrases._weights([found["safeti road"]], 1).tolist() == [[5.0, 7.5]]
    assert phrases.decode_pair_positions(found["road safeti"]).tolist() == [0, 2]


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
    """A multi-valued field's values are joined into one text, so a phrase may run from one
    value into the next, as Whoosh matches it; a title's last word and the body's first
    never make a phrase (separate fields)."""
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
    assert crossed  # some phrase ran across two values and matched, in both paths


def _stored_items(s, count: int) -> list[dict]:
    return [f for f in s.all_stored_fields() if f.get("doctype") == "item"][:count]


def _boundary_phrases(s, name: str) -> list[list[str]]:
    """Word pairs of ``name`` that straddle the line between two values (or any adjacent
    pair, for a field of one value), read from the field's own terms."""
    reader = s.reader()
    terms = [t.decode() for t in reader.lexicon(phrases.pair_field(name))][:40]
    return [t.split(phrases.PAIR_SEPARATOR) for t in terms]


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
    old = build_schema()
    for name in [n for n in old.names() if n.endswith(phrases.PAIR_SUFFIX)]:
        old.remove(name)
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
