"""Shared fixtures: paths to the seed and the shared corpus (skipped cleanly when absent)."""

from __future__ import annotations

import csv
from pathlib import Path

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
