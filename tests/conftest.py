"""Shared fixtures: paths to the seed and the shared corpus (skipped cleanly when absent)."""

from __future__ import annotations

import csv
import itertools
import os
import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "minutes" / "luton-osb-crime-and-disorder-committee-2018-03-27.txt"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
MODERNGOV_SAMPLES = SHARED / "moderngov-samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared corpus folder; tests using it skip with a reason where it is absent."""
    if not (CORPUS / "MANIFEST.tsv").exists():
        pytest.skip(f"shared corpus not found at {CORPUS} (it sits beside the project in CI)")
    return CORPUS


@pytest.fixture(scope="session")
def manifest(corpus_dir: Path) -> list[dict[str, str]]:
    """MANIFEST.tsv rows as dicts (column names from its header)."""
    with (corpus_dir / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


# --------------------------------------------------------------------------- web app


@pytest.fixture(scope="session")
def app(seed_index: Path):  # type: ignore[no-untyped-def]
    """The web app (web.create_app) on the session's seed index, in testing mode."""
    from web import create_app

    return create_app({"index": str(seed_index), "TESTING": True})


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    """A Flask test client for ``app``."""
    return app.test_client()


# --------------------------------------------------------------------------- index fixtures


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index folder with the seed ingested (session-wide: do not write to it)."""
    from indexer.pipeline import ingest

    folder = tmp_path_factory.mktemp("seed-index")
    report = ingest([SEED], folder)
    assert not report.failed, [r.line() for r in report.failed]
    return folder


#: Two more Luton committees' minutes (2019), so facets have several committees and years.
MORE_MINUTES = sorted((ROOT / "tests" / "fixtures" / "search").glob("*.txt"))


@pytest.fixture(scope="session")
def multi_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed plus :data:`MORE_MINUTES`: three committees over two years (do not write)."""
    from indexer.pipeline import ingest

    folder = tmp_path_factory.mktemp("multi-index")
    report = ingest([SEED, *MORE_MINUTES], folder)
    assert not report.failed, [r.line() for r in report.failed]
    return folder


@pytest.fixture
def tmp_index(tmp_path: Path):
    """A factory: ``tmp_index(*paths, **ingest_options) -> index folder`` ingests ``paths``
    (default: the seed) into a fresh folder under ``tmp_path``; call it again with
    ``index_dir=`` to add to the same index."""
    from indexer.pipeline import ingest

    counter = iter(range(1_000_000))

    def make(*paths: Path, index_dir: Path | None = None, **options) -> Path:
        folder = index_dir or tmp_path / f"index-{next(counter)}"
        ingest(list(paths) or [SEED], folder, **options)
        return folder

    return make


# --------------------------------------------------------------------------- engines

#: every search engine the contract tests run against
ENGINES = ("whoosh", "opensearch")
_ALIASES = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(pid: int) -> None:
    """Stop a process we started, by its PID (TERM, then KILL after 5 s)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


@pytest.fixture(autouse=True)
def _only_on_engines(request: pytest.FixtureRequest) -> None:
    """Skip an engine-parametrized test on an engine its ``engines`` marker leaves out (a
    feature one engine does not have yet), with the marker's reason."""
    marker = request.node.get_closest_marker("engines")
    callspec = getattr(request.node, "callspec", None)
    if marker is None or callspec is None:
        return
    for value in callspec.params.values():
        if value in ENGINES and value not in marker.args:
            pytest.skip(f"not on {value}: {marker.kwargs.get('reason', 'not supported')}")


@pytest.fixture(scope="session")
def opensearch_url() -> Iterator[str]:
    """An in-memory OpenSearch API server (osmem-server, a dev dependency) on 127.0.0.1 and a
    free port for the session; stopped by its PID at the end."""
    try:
        from osmem_server import OsmemError, OsmemServer
    except ImportError:
        pytest.skip("osmem-server is not installed (make install adds the dev extras)")
    try:
        server = OsmemServer.start(addr=f"127.0.0.1:{_free_port()}", japanese=False)
    except OsmemError as exc:
        pytest.skip(f"osmem-server cannot start on this machine: {exc}")
    yield server.url
    server.close()
    _stop(server.pid)
    if server.process.stdout is not None:
        server.process.stdout.close()


@contextmanager
def engine_env(engine: str, url: str | None = None) -> Iterator[dict[str, str]]:
    """Select ``engine`` through the environment (as a user would); for OpenSearch, a fresh
    alias on ``url``, so each index of the session is its own.  Yields the variables set."""
    env = {"KB_ENGINE": engine}
    if engine == "opensearch":
        assert url, "the opensearch engine needs a server"
        env |= {"KB_OPENSEARCH_URL": url, "KB_OPENSEARCH_INDEX": f"kbtest{next(_ALIASES)}"}
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        yield env


@dataclass
class EngineIndex:
    """An index built on one engine: its folder and the environment that selects it."""

    engine: str
    folder: Path
    env: dict[str, str]

    @contextmanager
    def selected(self) -> Iterator[None]:
        """The environment selecting this index's engine (and alias), for the block."""
        with pytest.MonkeyPatch.context() as mp:
            for name, value in self.env.items():
                mp.setenv(name, value)
            yield

    def service(self, **options: Any) -> Any:
        """A SearchService on this index (the engine's settings are read when it opens)."""
        from kb.service import SearchService

        with self.selected():
            return SearchService(self.folder, **options)

    def settings(self) -> dict[str, Any]:
        """The ``kb.config`` settings that select this index (for ``create_app``)."""
        from kb.config import load

        with self.selected():
            return {k: v for k, v in load().items() if k == "engine" or k.startswith("opensearch")}


@pytest.fixture(scope="session")
def engine_index(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A factory: ``engine_index(engine, *paths) -> EngineIndex`` ingests ``paths`` (default:
    the seed) into a fresh index on ``engine``."""
    from indexer.pipeline import ingest

    def make(engine: str, *paths: Path, **options: Any) -> EngineIndex:
        url = request.getfixturevalue("opensearch_url") if engine == "opensearch" else None
        with engine_env(engine, url) as env:
            folder = tmp_path_factory.mktemp(f"{engine}-index")
            report = ingest(list(paths) or [SEED], folder, **options)
            assert not report.failed, [r.line() for r in report.failed]
        return EngineIndex(engine, folder, env)

    return make


@pytest.fixture(scope="module", params=ENGINES)
def engine_app(request: pytest.FixtureRequest, seed_index: Path, engine_index):  # type: ignore[no-untyped-def]
    """The web app on the seed, once per engine: a module that overrides ``app`` with this
    runs its web tests on every engine."""
    from web import create_app

    if request.param == "whoosh":
        return create_app({"index": str(seed_index), "TESTING": True, "engine": "whoosh"})
    built = engine_index(request.param)
    return create_app({"index": str(built.folder), "TESTING": True, **built.settings()})


@pytest.fixture(scope="session")
def corpus_ingest(
    corpus_dir: Path, manifest: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list]:
    """Every file of the shared corpus ingested into one index, folder by folder, as a user
    would: a folder whose MANIFEST rows all name one council is ingested with that council
    (as its ``council.toml`` would give it).  Returns (index folder, every FileResult)."""
    from indexer.pipeline import ingest

    councils: dict[str, set[str]] = {}
    for row in manifest:
        folder = row["file"].split("/", 1)[0]
        councils.setdefault(folder, set()).add(row["council"].split(" (", 1)[0].strip())
    index = tmp_path_factory.mktemp("corpus-all")
    results = []
    for folder in sorted(councils):
        only = councils[folder]
        council = next(iter(only)) if len(only) == 1 else None
        results += ingest([corpus_dir / folder], index, council=council).results
    return index, results
