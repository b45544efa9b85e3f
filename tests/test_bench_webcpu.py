"""bench.run_webcpu: per-request CPU of /search, split into engine and rendering."""

from __future__ import annotations

from pathlib import Path

from bench.run_webcpu import run_webcpu


def test_each_request_is_timed_and_its_parts_fit_inside_it(seed_index: Path) -> None:
    paths = ["/search?q=council", "/search?q=police&sort=newest", "/search?q=%22road+safety%22"]
    result = run_webcpu(seed_index, paths, warm=["/search?q=budget"])
    assert sorted(result) == ["again", "engine", "first", "render"]
    for lat in result.values():
        assert len(lat.samples) == len(paths)
        assert all(ms >= 0 for ms in lat.samples)
    # the second pass: one engine call and one render per request, both inside it
    for total, engine, render in zip(
        result["again"].samples, result["engine"].samples, result["render"].samples, strict=True
    ):
        assert engine + render <= total + 0.5
    assert sum(result["render"].samples) > 0


def test_a_failing_page_is_an_error(seed_index: Path) -> None:
    import pytest

    with pytest.raises(RuntimeError, match="answered 400"):
        run_webcpu(seed_index, ["/search?page=notanumber"], warm=[])
