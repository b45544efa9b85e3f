"""Per-request CPU of the HTML ``/search`` page, split into engine and rendering.

``python -m bench.run_webcpu --index DIR [--size N] [--queries 150]`` opens the web app on
an index in this process (Flask's test client: no sockets, no other clients) and requests
``/search`` for the benchmark queries (those ``bench/run_web.py`` loads the server with).
Each query is requested twice: the first time the engine has not seen it (the whole
request), the second time its engine result is cached, which leaves the web layer's own
work (parameters, facet links, the template, the chart).  Reports CPU milliseconds, p50/p95,
of each pass and of the two parts of the second: ``SearchService.search`` and rendering.
CPU time, not wall time: the machine is shared, and waiting for a CPU is not the app's cost.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import flask.templating

from bench.generate import GenConfig
from bench.measure import Latency
from bench.queries import build_queries, warm_queries
from bench.run_engine import committees_of
from bench.run_web import search_path
from kb.service import SearchService


@contextmanager
def _timing(owner: Any, name: str, into: list[float]) -> Iterator[None]:
    """While open, each call of ``owner.name`` adds its CPU milliseconds to ``into``."""
    original: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            into.append((time.process_time() - began) * 1000)

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


def _cpu(client: Any, paths: list[str]) -> list[float]:
    out = []
    for path in paths:
        began = time.process_time()
        resp = client.get(path)
        out.append((time.process_time() - began) * 1000)
        if resp.status_code != 200:
            raise RuntimeError(f"{path} answered {resp.status_code}")
    return out


def run_webcpu(index_dir: Path, paths: list[str], warm: list[str]) -> dict[str, Latency]:
    """CPU ms per request of ``paths``: ``first`` (engine not yet asked), ``again`` (engine
    result cached) and, within ``again``, ``engine`` and ``render``.  ``warm`` paths are
    requested first, untimed (index opening, caches of names and facet arrays)."""
    from web import create_app

    client = create_app({"index": str(index_dir)}).test_client()
    _cpu(client, warm)
    first = _cpu(client, paths)
    engine: list[float] = []
    render: list[float] = []
    with (
        _timing(SearchService, "search", engine),
        _timing(flask.templating, "_render", render),
    ):
        again = _cpu(client, paths)
    return {
        "first": Latency(first),
        "again": Latency(again),
        "engine": Latency(engine),
        "render": Latency(render),
    }


def main(argv: list[str] | None = None) -> None:
    """Print the table for ``--queries`` benchmark queries on ``--index``."""
    parser = argparse.ArgumentParser(prog="python -m bench.run_webcpu", description=__doc__)
    parser.add_argument("--index", type=Path, required=True, help="index folder")
    parser.add_argument("--size", type=int, default=100_000, help="items the index was made of")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=150, help="distinct /search requests")
    args = parser.parse_args(argv)
    comms = committees_of(GenConfig(items=args.size, seed=args.seed))
    many = [q for s in range(args.seed, args.seed + 8) for q in build_queries(comms, seed=s)]
    paths = list(dict.fromkeys(search_path(q) for q in many))[: args.queries]
    warm = [search_path(q) for q in warm_queries(comms, seed=args.seed)][:30]
    result = run_webcpu(args.index, paths, warm)
    print("| /search CPU ms | n | p50 | p95 | mean |\n|---|---|---|---|---|")
    for name, lat in result.items():
        mean = sum(lat.samples) / len(lat.samples) if lat.samples else float("nan")
        row = f"| {name} | {len(lat.samples)} | {lat.pct(50):.1f} | {lat.pct(95):.1f}"
        print(row + f" | {mean:.1f} |")


if __name__ == "__main__":
    main()
