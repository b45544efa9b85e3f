"""The engine contract against a real OpenSearch cluster: runs when ``KB_OPENSEARCH_URL`` is
set (credentials and CA from the other ``KB_OPENSEARCH_*`` variables), skips otherwise.

Every test of ``test_search.py`` that takes only the ``seed`` service runs here unchanged on
the seed ingested into a fresh alias of the cluster; then ``kb check`` and a rebuild by
alias swap.  The canary's indices and template are deleted at the end.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import test_search

from indexer.pipeline import ingest
from kb import engine as engines
from kb.service import SearchService

URL = os.environ.get("KB_OPENSEARCH_URL", "")
pytestmark = pytest.mark.skipif(
    not URL, reason="KB_OPENSEARCH_URL is not set: no real cluster to run the canary against"
)
CONTRACT: list[Callable[[Any], None]] = [
    f
    for name, f in sorted(vars(test_search).items())
    if name.startswith("test_") and list(inspect.signature(f).parameters) == ["seed"]
]


@pytest.fixture(scope="module")
def canary(seed_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The seed in a fresh alias of the real cluster; its indices removed afterwards."""
    from kb.engine.opensearch.client import connect

    alias = f"kbcanary{os.getpid()}"
    folder = tmp_path_factory.mktemp("canary")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KB_ENGINE", "opensearch")
        mp.setenv("KB_OPENSEARCH_INDEX", alias)
        try:
            report = ingest([seed_path], folder)
            assert not report.failed
            yield folder
        finally:
            conn = connect()
            conn.indices.delete(index=f"{alias}-*", ignore_unavailable=True)
            conn.indices.delete_index_template(name=f"{alias}-template", ignore=[404])


@pytest.mark.parametrize("contract", CONTRACT, ids=lambda f: f.__name__)
def test_contract_on_a_real_cluster(canary: Path, contract: Callable[[Any], None]) -> None:
    svc = SearchService(canary)
    try:
        contract(svc)
    finally:
        svc.close()


def test_check_and_rebuild_on_a_real_cluster(canary: Path, seed_path: Path) -> None:
    assert engines.check(canary, sources=False).ok
    report = ingest([seed_path], canary, rebuild=True)
    assert not report.failed
    assert engines.check(canary, sources=False).ok
    assert SearchService(canary).stats()["items"] == 9
