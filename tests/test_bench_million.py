"""bench.run_million: the memory of each commit is measured and reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.run_million import CommitWatch, render, rss_mb


class Session:
    """A writer session whose commit holds ``mib`` MiB for a moment, then frees it."""

    def __init__(self, mib: int) -> None:
        self.mib = mib
        self.calls: list[dict[str, bool]] = []

    def commit(self, **kwargs: bool) -> None:
        held = bytearray(self.mib * 2**20)
        held[::4096] = b"x" * len(held[::4096])  # touch every page: resident
        self.calls.append(kwargs)
        del held

    def work(self) -> None:
        self.commit(flush=True)  # as a session commits itself: through ``self.commit``


@pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc/self/clear_refs"
)
def test_each_commits_peak_is_measured_apart_and_the_runs_peak_kept() -> None:
    session = Session(mib=96)
    watch = CommitWatch(session)
    session.work()
    session.mib = 8
    session.work()
    assert session.calls == [{"flush": True}, {"flush": True}]
    first, second = watch.rows
    assert first["peak_mb"] >= first["rss_before_mb"] + 90  # noqa: PLR2004 - 96 MiB held
    assert second["peak_mb"] < second["rss_before_mb"] + 40  # noqa: PLR2004 - its own peak
    assert round(watch.peak_mb()) >= first["peak_mb"]  # rows hold whole MiB
    assert second["rss_after_mb"] < first["peak_mb"] and rss_mb() > 0


def test_the_report_lists_each_commits_memory() -> None:
    write = {
        "items": 1000,
        "seconds": 10.0,
        "rate": 100.0,
        "commit_list": [1.0, 2.0],
        "largest_commit_seconds": 2.0,
        "commit_seconds": 2.0,
        "segments": [600, 400],
        "segment_items": 600,
        "size_mb": 5.0,
        "peak_rss_mb": 321.0,
        "commit_memory": [
            {"commit": 1, "rss_before_mb": 200, "peak_mb": 300, "rss_after_mb": 250, "seconds": 1},
            {"commit": 2, "rss_before_mb": 260, "peak_mb": 321, "rss_after_mb": 270, "seconds": 2},
        ],
        "progress": [],
    }
    run = {"machine": "m", "when": "w", "command": "c", "write": write}
    text = render(run)
    assert "| 1 | 200 | 300 | 250 | 1 |" in text
    assert "| 2 | 260 | 321 | 270 | 2 |" in text
    assert "| 321 | met (≤ 300) | met (≤ 1024) |" in text
