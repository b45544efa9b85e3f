"""kb.engine.whoosh.termpool: the pool keyed by term gives back exactly the sorted postings
Whoosh's own ``PostingPool`` gives, however its runs spill, and stays within its limit."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import writing
from whoosh.filedb.filestore import FileStorage

from kb.engine.whoosh import termpool
from kb.engine.whoosh.termpool import TermPool


def pools(tmp_path: Path, limit: int) -> tuple[TermPool, writing.PostingPool]:
    store = FileStorage(str(tmp_path)).create()
    ours, whooshs = TermPool(store, None), writing.PostingPool(store, None)
    ours.limit = whooshs.limit = limit
    return ours, whooshs


def documents(count: int, seed: int) -> list[dict[str, list[tuple]]]:
    """``count`` documents' postings per field, as ``field.index`` gives them: random terms
    from a small vocabulary (shared terms across documents) in random order, some values
    empty or None, one field without values."""
    rng = random.Random(seed)
    vocab = [f"w{n}".encode() for n in range(300)] + ["caf\u00e9".encode(), b"a-b"]
    docs = []
    for _ in range(count):
        doc = {}
        for field in ("body", "title", "tags"):
            terms = rng.sample(vocab, rng.randint(0, 25))
            doc[field] = [
                (t, 1, rng.choice([1.0, 2.5, 0.0]), rng.choice([b"\x00\x01", b"", None, b"v" * 9]))
                if field != "tags"
                else (t, 1, 1.0, None)
                for t in terms
            ]
        docs.append(doc)
    return docs


@pytest.mark.parametrize(
    ("limit", "run_terms", "run_postings", "boost"),
    [
        (1 << 30, 2048, 16_384, 1.0),  # all in memory
        (4_000, 2048, 16_384, 1.0),  # a run every few documents
        (4_000, 3, 16_384, 2.0),  # runs of many small chunks, boosted weights
        (40_000, 2048, 5, 1.0),  # chunks cut by their postings
        (1, 1, 1, 1.0),  # a run for every document, a chunk for every term
    ],
)
def test_terms_come_back_as_whooshs_sorted_postings(
    tmp_path: Path, monkeypatch, limit: int, run_terms: int, run_postings: int, boost: float
) -> None:
    monkeypatch.setattr(termpool, "RUN_TERMS", run_terms)
    monkeypatch.setattr(termpool, "RUN_POSTINGS", run_postings)
    ours, whooshs = pools(tmp_path, limit)
    for docnum, doc in enumerate(documents(120, seed=limit % 97 + run_postings)):
        for field, terms in doc.items():
            ours.add_terms(field, docnum, terms, boost)
            for t, _f, w, v in terms:
                whooshs.add((field, t, docnum, w * boost, v))
    spilled = len(ours.runs)
    expected = list(whooshs.iter_postings())
    assert len(expected) > 2_000
    assert list(ours.iter_postings()) == expected
    assert (spilled > 2) == (limit < 1 << 30)
    assert not list(tmp_path.glob("*.run"))  # every run read and removed


def test_postings_added_out_of_docnum_order_are_sorted(tmp_path: Path) -> None:
    """Whoosh's merge adds other segments' postings term by term through ``add``; any
    order of docnums, held or spilled, comes back sorted as Whoosh's pool sorts it."""
    ours, whooshs = pools(tmp_path, 3_000)
    rng = random.Random(5)
    postings = [
        ("body", f"t{rng.randrange(40)}".encode(), doc, float(doc % 3), b"x%d" % doc)
        for doc in range(2_000)
    ]
    rng.shuffle(postings)
    for posting in postings:
        ours.add(posting)
        whooshs.add(posting)
    assert len(ours.runs) > 1
    assert list(ours.iter_postings()) == list(whooshs.iter_postings())


def test_a_later_document_with_a_lower_docnum_is_noticed(tmp_path: Path) -> None:
    ours, _ = pools(tmp_path, 1 << 30)
    ours.add_terms("body", 5, [(b"a", 1, 1.0, b"")])
    ours.add_terms("body", 2, [(b"a", 1, 2.0, b"v")])
    assert list(ours.iter_postings()) == [("body", b"a", 2, 2.0, b"v"), ("body", b"a", 5, 1.0, b"")]


@pytest.mark.parametrize("small_keys", [termpool._SMALL_KEYS, 10])
@pytest.mark.parametrize("limit", [1 << 30, 6_000])
def test_out_of_order_documents_come_back_sorted_with_either_key_width(
    tmp_path: Path, monkeypatch, small_keys: int, limit: int
) -> None:
    """Documents added in a shuffled docnum order (held or spilled), with terms grouped by
    16-bit keys or, past ``_SMALL_KEYS`` terms, 32-bit ones, come back as Whoosh's pool
    sorts them."""
    monkeypatch.setattr(termpool, "_SMALL_KEYS", small_keys)
    ours, whooshs = pools(tmp_path, limit)
    docs = list(enumerate(documents(150, seed=11)))
    random.Random(2).shuffle(docs)
    for docnum, doc in docs:
        for field, terms in doc.items():
            ours.add_terms(field, docnum, terms)
            for t, _f, w, v in terms:
                whooshs.add((field, t, docnum, w, v))
    expected = list(whooshs.iter_postings())
    assert (len({t for _f, t, *_ in expected}) > small_keys) == (small_keys == 10)
    assert list(ours.iter_postings()) == expected


def test_spelling_postings_are_refused(tmp_path: Path) -> None:
    ours, _ = pools(tmp_path, 1 << 30)
    with pytest.raises(ValueError, match="spelling postings"):
        ours.add(("body", b"word", -1, 1.0, None))


def test_a_posting_that_is_not_bytes_is_refused(tmp_path: Path) -> None:
    ours, _ = pools(tmp_path, 1 << 30)
    with pytest.raises(TypeError, match="must be bytes"):
        ours.add(("body", "word", 1, 1.0, None))


def test_memory_estimate_stays_under_the_limit(tmp_path: Path) -> None:
    """After every document the estimate is under the limit (a run spilled once past it),
    and it counts every posting: a document of n postings adds at least n × the fixed
    cost of a posting."""
    ours, _ = pools(tmp_path, 20_000)
    runs = 0
    for docnum, doc in enumerate(documents(200, seed=9)):
        before = ours.currentsize
        terms = doc["body"]
        ours.add_terms("body", docnum, terms)
        if len(ours.runs) == runs:
            grown = ours.currentsize - before
            assert grown >= len(terms) * (termpool.POSTING_BYTES + termpool.VALUE_BYTES)
        else:
            runs = len(ours.runs)
            assert ours.currentsize == 0
        assert ours.currentsize <= ours.limit
    assert runs > 5
    ours.cleanup()
    assert not list(tmp_path.glob("*.run"))


def test_run_chunks_end_at_the_postings_bound(tmp_path: Path, monkeypatch) -> None:
    """A chunk ends once it holds RUN_POSTINGS postings, so the final merge holds about
    that many per run whatever the terms' sizes (a term is never split)."""
    import pickle

    monkeypatch.setattr(termpool, "RUN_POSTINGS", 30)
    ours, _ = pools(tmp_path, 1 << 30)
    for docnum in range(40):
        ours.add_terms(
            "body", docnum, [(b"big", 1, 1.0, b""), (b"w%d" % (docnum % 9), 1, 1.0, b"")]
        )
    ours.save()
    (path,) = ours.runs
    sizes = []
    with open(tmp_path / path, "rb") as f:
        while True:
            try:
                chunk = pickle.load(f)  # noqa: S301 - the pool's own run file
            except EOFError:
                break
            sizes.append(sum(len(docs) // 4 for _f, _t, docs, _w, _v in chunk))
    assert sum(sizes) == 80
    assert sizes[0] == 40  # "big": one term, never split, ends its chunk past the bound
    # the others (4 or 5 postings a term) end as soon as they reach 30
    assert all(30 <= size < 35 for size in sizes[1:-1]) and sizes[-1] < 35 and len(sizes) >= 3
    assert [p[:2] for p in ours.iter_postings()][:2] == [("body", b"big")] * 2
