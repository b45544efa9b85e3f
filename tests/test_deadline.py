"""kb.deadline: the cooperative deadline passed into searches."""

from __future__ import annotations

import time

import pytest

from kb.deadline import Deadline, DeadlineExceeded


def test_none_never_expires() -> None:
    d = Deadline.none()
    assert not d.expired() and d.remaining() == float("inf")
    d.check("anything")
    assert not d.hit


@pytest.mark.parametrize("budget", [0, None, -5])
def test_no_budget_means_no_limit(budget: float | None) -> None:
    assert not Deadline(budget).expired()


def test_expiry_sets_hit_and_check_raises_with_the_stage() -> None:
    d = Deadline(20)
    assert not d.expired() and 0 < d.remaining() <= 0.02
    time.sleep(0.03)
    assert d.expired() and d.hit and d.remaining() == 0
    with pytest.raises(DeadlineExceeded, match=r"took too long \(over 20 ms \(ranking\)\)"):
        d.check("ranking")


def test_deadline_exceeded_is_a_timeout_error() -> None:
    exc = DeadlineExceeded(1500, "facets")
    assert isinstance(exc, TimeoutError)
    assert exc.budget_ms == 1500 and exc.stage == "facets"
    assert "1,500 ms" in str(exc)
