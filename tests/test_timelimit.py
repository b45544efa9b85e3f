"""The per-file time limit still stops a file when its first alarm is swallowed (raised inside
a gc callback or a __del__, where Python prints the exception and carries on)."""

from __future__ import annotations

import time

import pytest

from indexer.timelimit import FileTimeout, time_limit


def test_a_swallowed_alarm_is_followed_by_another() -> None:
    """The first FileTimeout is swallowed (as an unraisable-exception hook would); the repeat
    alarm still stops the block.  The whole first loop sits inside the ``try``: an alarm is
    handled at any bytecode, the loop's condition and backward jump included."""
    swallowed = 0
    start = time.monotonic()
    with pytest.raises(FileTimeout), time_limit(0.05):
        try:
            while time.monotonic() - start < 5:
                sum(range(1000))
        except FileTimeout:
            swallowed += 1
        while time.monotonic() - start < 5:
            sum(range(1000))
    assert swallowed == 1
    assert time.monotonic() - start < 2


def test_no_alarm_after_the_block() -> None:
    with time_limit(0.05):
        pass
    time.sleep(0.2)  # a pending alarm would raise FileTimeout here


def test_an_alarm_landing_in_a_gc_callback_waits_for_the_next_one() -> None:
    """Raised inside a gc callback, the timeout would be lost (reported as unraisable,
    an error under pytest); the repeat alarm stops the file once the callback is done."""
    import gc

    def slow_callback(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            time.sleep(0.3)  # the limit passes in here

    gc.collect()  # no other garbage (and its finalizers) in the collection below
    gc.callbacks.append(slow_callback)
    try:
        with pytest.raises(FileTimeout), time_limit(0.05):
            gc.collect()
            time.sleep(2)
    finally:
        gc.callbacks.remove(slow_callback)


def test_an_alarm_landing_in_a_finalizer_waits_for_the_next_one() -> None:
    import weakref

    class Resource:
        pass

    held = Resource()
    weakref.finalize(held, time.sleep, 0.3)  # the limit passes in here
    with pytest.raises(FileTimeout), time_limit(0.05):
        del held
        time.sleep(2)
