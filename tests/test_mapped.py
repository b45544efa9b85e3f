"""kb.engine.whoosh.mapped: segment files are read in place through their memory map, with the
same bytes and the same search answers as Whoosh's copying BufferFile."""

from __future__ import annotations

import io
import os
import pickle
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from whoosh.filedb import structfile

from kb.engine.whoosh import mapped
from kb.service import SearchRequest, SearchService


def _data() -> bytes:
    rng = random.Random(3)
    parts = [pickle.dumps({"n": i, "w": [rng.random()] * (i % 5)}, 2) for i in range(50)]
    parts.append(b"line one\nline two\n" + bytes(rng.randrange(256) for _ in range(5000)))
    return b"".join(parts)


def test_reader_reads_seeks_and_unpickles_like_bytesio() -> None:
    data = _data()
    ours, ref = mapped.MappedReader(memoryview(data)), io.BytesIO(data)
    rng = random.Random(5)
    for _ in range(500):
        op = rng.choice(["read", "seek", "readline", "peek", "readinto"])
        if op == "read":
            n = rng.choice([-1, 0, 1, 4, 100, 10_000])
            assert ours.read(n) == ref.read(n)
        elif op == "seek":
            whence = rng.choice([os.SEEK_SET, os.SEEK_CUR, os.SEEK_END])
            offset = rng.randrange(0, len(data)) if whence == os.SEEK_SET else -rng.randrange(9)
            if whence == os.SEEK_CUR and ref.tell() + offset < 0:
                continue
            assert ours.seek(offset, whence) == ref.seek(offset, whence)
        elif op == "readline":
            n = rng.choice([-1, 3, 200])
            assert ours.readline(n) == ref.readline(n)
        elif op == "peek":
            ahead = ours.peek(10)
            assert data[ref.tell() :].startswith(ahead)
            assert ours.tell() == ref.tell()
        else:
            a = bytearray(rng.randrange(1, 50))
            b = bytearray(len(a))
            assert ours.readinto(a) == ref.readinto(b)
            assert a == b
        assert ours.tell() == ref.tell()
    ours.seek(0)
    for i in range(50):
        assert pickle.load(ours)["n"] == i  # pickle reads through peek + one read
    assert ours.readline() == b"line one\n"


def test_buffer_file_over_a_view_is_not_copied() -> None:
    assert mapped.installed()
    data = bytearray(_data())
    f = structfile.BufferFile(memoryview(data), name="x")
    assert isinstance(f.file, mapped.MappedReader)
    assert f.read_pickle() == pickle.loads(bytes(data))  # first record
    data[0:2] = b"\x80\x02"  # same bytes: the reader sees the buffer, not a copy
    assert f.get(0, 2) == b"\x80\x02"
    plain = structfile.BufferFile(b"abc")
    assert isinstance(plain.file, io.BytesIO)  # Whoosh's RAM storage is unchanged


@contextmanager
def _copying() -> Iterator[None]:
    """Whoosh's own BufferFile (copy into BytesIO) for the duration."""
    structfile.BufferFile.__init__ = mapped._ORIGINAL_INIT  # type: ignore[method-assign]
    try:
        yield
    finally:
        mapped.install()


def _postings_file(searcher: object) -> object:
    """The file object under the first segment's postings file."""
    segment = searcher.reader().leaf_readers()[0][0]  # type: ignore[attr-defined]
    return segment._terms._postfile.file


QUERIES = ["council", "police report", '"crime and disorder"', "cctv OR cameras", "safe*", ""]


@pytest.mark.parametrize("q", QUERIES)
def test_search_answers_equal_whooshs_copying_reader(seed_index: Path, q: str) -> None:
    mapped_svc = SearchService(seed_index, cache_size=0)
    with _copying():
        copied_svc = SearchService(seed_index, cache_size=0)
        with copied_svc.searcher() as s:
            assert isinstance(_postings_file(s), io.BytesIO)
        want = copied_svc.search(SearchRequest(q=q)).to_json()
    with mapped_svc.searcher() as s:
        assert isinstance(_postings_file(s), mapped.MappedReader)
    assert mapped_svc.search(SearchRequest(q=q)).to_json() == want
    mapped_svc.close()
    copied_svc.close()
