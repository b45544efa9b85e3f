"""``kb ingest --rebuild`` while serving: a new generation is built beside the live index and
swapped in atomically; searches running meanwhile never fail and then see the new content."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from reliability import kb, minutes_text

from indexer.pipeline import ingest
from kb.engine.whoosh import generations
from kb.engine.whoosh.check import check_index
from kb.service import SearchRequest, SearchService


def write_corpus(folder: Path, marker: str, count: int = 12) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for n in range(count):
        text = minutes_text(n, 1, 3, marker=marker)
        (folder / f"m{n:02d}.txt").write_text(text, encoding="utf-8")


def total(service: SearchService, q: str) -> int:
    return service.search(SearchRequest(q=q, page_size=5)).total


def search_during(service: SearchService, work, threads: int = 4) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    """Run ``work()`` while ``threads`` threads search and read items without pause.
    Returns (searches done, errors)."""
    stop = threading.Event()
    errors: list[str] = []
    done = [0] * threads

    def reader(k: int) -> None:
        while not stop.is_set():
            try:
                res = service.search(SearchRequest(q="committee considered", page_size=3))
                for hit in res.results:
                    if service.get_item(hit.id) is None:  # may race a swap: then found next
                        res = service.search(SearchRequest(q="committee considered"))
                service.search(SearchRequest(q="report", council=["anytown"], sort="newest"))
                done[k] += 1
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                errors.append(f"{type(exc).__name__}: {exc}")

    pool = [threading.Thread(target=reader, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    try:
        work()
    finally:
        stop.set()
        for t in pool:
            t.join(timeout=60)
    return sum(done), errors


@pytest.mark.parametrize("layout", ["plain-folder", "generation-link"])
def test_searches_during_rebuild_never_fail_and_then_see_new_content(
    tmp_path: Path, layout: str
) -> None:
    src, ix = tmp_path / "src", tmp_path / "index"
    write_corpus(src, "oldmarker")
    ingest([src], ix)
    if layout == "generation-link":
        ingest([src], ix, rebuild=True)
        assert ix.is_symlink()
    else:
        assert ix.is_dir() and not ix.is_symlink()
    service = SearchService(ix, expander=None)
    assert total(service, "oldmarker") == 36
    write_corpus(src, "newmarker")

    def rebuild() -> None:  # one commit, as the live one: the same Whoosh generation number
        report = ingest([src], ix, rebuild=True)
        assert not report.failed

    searches, errors = search_during(service, rebuild)
    assert errors == []
    assert searches > 0
    assert total(service, "newmarker") == 36  # the same service object, no reopen
    assert total(service, "oldmarker") == 0
    assert ix.is_symlink() and check_index(ix).ok
    service.close()


def test_old_generations_are_removed_keeping_the_previous(tmp_path: Path) -> None:
    src, ix = tmp_path / "src", tmp_path / "index"
    write_corpus(src, "first", count=2)
    ingest([src], ix)
    seen = []
    for _ in range(3):
        ingest([src], ix, rebuild=True)
        seen.append(generations.current(ix).name)
    assert seen == ["1", "2", "3"]  # the plain folder became generation 0
    assert sorted(p.name for p in generations.gen_root(ix).iterdir()) == ["2", "3"]
    assert check_index(ix).ok


def test_failed_rebuild_leaves_the_live_index_and_no_debris(tmp_path: Path) -> None:
    from kb.engine.whoosh.write import IndexWriterSession

    src, ix = tmp_path / "src", tmp_path / "index"
    write_corpus(src, "keepme", count=2)
    ingest([src], ix, rebuild=True)
    live = generations.current(ix)
    with pytest.raises(RuntimeError, match="disk full"), IndexWriterSession(ix, rebuild=True):
        raise RuntimeError("disk full")
    assert generations.current(ix) == live
    assert sorted(p.name for p in generations.gen_root(ix).iterdir()) == ["0", "1"]
    service = SearchService(ix, expander=None)
    assert total(service, "keepme") == 6
    service.close()


def test_web_app_serves_the_new_generation_after_cli_rebuild(tmp_path: Path) -> None:
    from web import create_app

    src, ix = tmp_path / "src", tmp_path / "index"
    write_corpus(src, "beforeword", count=2)
    assert kb("ingest", str(src), "--index", str(ix)).returncode == 0
    client = create_app({"index": str(ix), "TESTING": True}).test_client()
    assert client.get("/api/search?q=beforeword").get_json()["total"] == 6
    write_corpus(src, "afterword", count=3)
    result = kb("ingest", "--rebuild", str(src), "--index", str(ix))
    assert result.returncode == 0, result.stderr
    assert client.get("/api/search?q=afterword").get_json()["total"] == 9
    assert client.get("/api/search?q=beforeword").get_json()["total"] == 0


def test_rebuild_keeps_people_registry_in_the_new_generation(tmp_path: Path) -> None:
    src, ix = tmp_path / "src", tmp_path / "index"
    write_corpus(src, "people", count=2)
    ingest([src], ix, rebuild=True)
    from indexer.people_registry import FILENAME

    assert (generations.current(ix) / FILENAME).exists()


def test_regression_refresh_racing_segment_deletion_raised_reader_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by bench/soak.py (one HTTP 500 in 34,533 requests): a pooled searcher's
    refresh met a segment file a concurrent commit had just deleted; Whoosh's retry then
    closed the old readers a second time and raised ReaderClosed."""
    from whoosh import reading

    src, ix = tmp_path / "src", tmp_path / "index"
    write_corpus(src, "firstword", count=2)
    ingest([src], ix)
    service = SearchService(ix, expander=None)
    assert total(service, "firstword") == 6  # a searcher now waits in the pool
    write_corpus(src, "secondword", count=3)
    ingest([src], ix)  # a new segment for the pooled searcher's refresh to open
    real = reading.SegmentReader
    failures = iter([True])

    def vanishing(*args, **kwargs):  # type: ignore[no-untyped-def]
        if next(failures, False):
            raise FileNotFoundError("segment deleted by a concurrent commit")
        return real(*args, **kwargs)

    monkeypatch.setattr(reading, "SegmentReader", vanishing)
    assert total(service, "secondword") == 9
    service.close()


def test_a_search_as_the_plain_folder_moves_behind_a_link_does_not_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first rebuild renames a plain index folder to ``<index>.gen/0``, then links the
    path to it; a search that resolved the path just before the rename must still answer."""
    src, ix = tmp_path / "src", tmp_path / "index"
    write_corpus(src, "oldmarker", count=3)
    ingest([src], ix)
    service = SearchService(ix)
    assert total(service, "oldmarker") == 9
    gen0 = generations.gen_root(ix) / "0"
    resolve = service.backend._current_index
    moved: list[threading.Timer] = []

    def resolve_then_move():  # type: ignore[no-untyped-def]
        found = resolve()
        if not moved:  # the rename happens now; the link follows 20 ms later
            gen0.parent.mkdir()
            ix.rename(gen0)
            moved.append(threading.Timer(0.02, generations._point, (ix, gen0)))
            moved[0].start()
        return found

    monkeypatch.setattr(service.backend, "_current_index", resolve_then_move)
    assert total(service, "oldmarker") == 9
    moved[0].join()
    assert ix.is_symlink() and generations.current(ix) == gen0.resolve()
    service.close()


def test_current_follows_the_link_each_time_it_changes(tmp_path: Path, monkeypatch) -> None:
    """The link is read on every call (its resolved folder cached per link text): a swap
    is seen at once, a plain folder is itself, and a relative path resolves from the
    working directory of the call."""
    (tmp_path / "gen" / "1").mkdir(parents=True)
    (tmp_path / "gen" / "2").mkdir()
    link = tmp_path / "index"
    link.symlink_to("gen/1")
    assert generations.current(link) == (tmp_path / "gen" / "1").resolve()
    tmp = tmp_path / "tmp-link"
    tmp.symlink_to("gen/2")
    tmp.replace(link)  # as swap does
    assert generations.current(link) == (tmp_path / "gen" / "2").resolve()
    assert generations.current(tmp_path / "gen" / "1") == tmp_path / "gen" / "1"
    other = tmp_path / "elsewhere"
    (other / "gen" / "7").mkdir(parents=True)
    (other / "index").symlink_to("gen/7")
    for folder, want in ((tmp_path, "2"), (other, "7")):
        monkeypatch.chdir(folder)
        assert generations.current("index").name == want
