"""config/ratelimit.py: at most N uses in any S seconds, counted in the shared cache."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.cache import caches

from config import ratelimit

START = dt.datetime(2030, 1, 1, 9, 2, tzinfo=dt.UTC)  # in the 09:00 bucket of 5 minutes


def test_the_window_slides_and_says_when_a_use_fits_again():
    with time_machine.travel(START, tick=False) as clock:
        ratelimit.take("k", limit=2, seconds=3600)
        clock.move_to(START + dt.timedelta(minutes=20))
        ratelimit.take("k", limit=2, seconds=3600)
        clock.move_to(START + dt.timedelta(minutes=59))
        with pytest.raises(ratelimit.Exhausted) as refused:
            ratelimit.take("k", limit=2, seconds=3600)
        # The 09:00 bucket leaves the window at 10:05: at least an hour, never less.
        assert refused.value.retry_at == dt.datetime(2030, 1, 1, 10, 5, tzinfo=dt.UTC)
        assert ratelimit.retry_times(["k", "other"], limit=2, seconds=3600) == {
            "k": refused.value.retry_at
        }
        clock.move_to(refused.value.retry_at)
        ratelimit.take("k", limit=2, seconds=3600)  # the 09:20 use still counts: full again
        with pytest.raises(ratelimit.Exhausted):
            ratelimit.take("k", limit=2, seconds=3600)


def test_a_refused_use_is_not_counted_and_a_use_can_be_given_back():
    with time_machine.travel(START, tick=False):
        counted = ratelimit.take("k", limit=1, seconds=60)
        for _ in range(3):
            with pytest.raises(ratelimit.Exhausted):
                ratelimit.take("k", limit=1, seconds=60)
        ratelimit.give_back(counted)
        ratelimit.take("k", limit=1, seconds=60)


def test_uses_counted_at_once_never_pass_the_limit():
    """Threads with a cache connection each, as several web processes: exactly `limit` pass."""
    taken: list[bool] = []
    start = threading.Barrier(8)

    def use() -> None:
        start.wait()
        try:
            ratelimit.take("race", limit=5, seconds=3600)
        except ratelimit.Exhausted:
            taken.append(False)
        else:
            taken.append(True)
        finally:
            caches["default"].close()

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == [False] * 3 + [True] * 5
