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
