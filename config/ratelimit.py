"""Rate limits counted in the shared cache: at most N uses of a key in any S seconds.

The window is cut into buckets named by the clock (``<key>:<bucket number>``). A
use adds one to the current bucket, with ``cache.add`` then ``cache.incr``
(atomic in Redis and in the local memory cache), and reads the window's earlier
buckets, which nobody writes any more, in one ``get_many``: no read-then-write
race, so two web processes counting at once never both take the last use. With
Redis every web process counts in the same place; without it each counts on
its own, which is fine for the one development server.

The window takes in the whole of its oldest bucket, so a limit holds for up to
one bucket (S / buckets) longer than S, never shorter. A refused use is not
counted, so retrying does not push the next allowed time later. Buckets are
named by ``time.time()``, so tests can travel in time even over Redis.

A use counted for a write that then rolls back errs towards refusing; a bucket
lost with an evicted key errs towards allowing. For limits on abuse either is fine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterable

from django.core.cache import cache

BUCKETS = 12


class Exhausted(Exception):  # noqa: N818 - reads as what happened
    """The limit is reached: no use is counted until ``retry_at`` (aware, UTC)."""

    def __init__(self, retry_at: dt.datetime) -> None:
        super().__init__(f"rate limit reached until {retry_at.isoformat()}")
        self.retry_at = retry_at


def _window(seconds: int, buckets: int, now: float) -> tuple[range, int]:
    """The window's bucket numbers, oldest first, and the bucket width in seconds.

    ``buckets + 1`` buckets, so the window reaches back at least ``seconds``.
    """
    width = max(1, -(-seconds // buckets))
    current = int(now // width)
    return range(current - buckets, current + 1), width


def _bucket(key: str, number: int) -> str:
    return f"ratelimit:{key}:{number}"


def _retry_at(
    numbers: range, counts: list[int], limit: int, width: int, buckets: int
) -> dt.datetime:
    """When enough of the oldest counted uses have left the window for one more to fit."""
    excess = sum(counts) - limit + 1
    left = 0
    for number, count in zip(numbers, counts, strict=True):  # noqa: B007 - used after the loop
        left += count
        if left >= excess:
            break
    # Bucket ``number`` leaves the window when the current bucket is ``number + buckets + 1``.
    return dt.datetime.fromtimestamp((number + buckets + 1) * width, tz=dt.UTC)


def take(key: str, *, limit: int, seconds: int, buckets: int = BUCKETS) -> str:
    """Count one use of ``key``, or raise Exhausted (counting nothing) when ``limit`` is reached.

    Returns the bucket the use was counted in, for ``give_back``.
    """
    numbers, width = _window(seconds, buckets, time.time())
    keys = [_bucket(key, number) for number in numbers]
    current = keys[-1]
    lifetime = (buckets + 1) * width + 60  # until the bucket has left every window
    cache.add(current, 0, timeout=lifetime)
    try:
        used = cache.incr(current)
    except ValueError:  # expired or evicted between add and incr
        cache.set(current, 1, timeout=lifetime)
        used = 1
    earlier = cache.get_many(keys[:-1])
    counts = [earlier.get(k, 0) for k in keys[:-1]] + [used - 1]
    if sum(counts) >= limit:
        give_back(current)
        raise Exhausted(_retry_at(numbers, counts, limit, width, buckets))
    return current


def give_back(bucket: str) -> None:
    """Uncount a use ``take`` counted, when what it was for did not happen after all."""
    with contextlib.suppress(ValueError):  # already gone: nothing left to uncount
        cache.decr(bucket)


def retry_times(
    keys: Iterable[str], *, limit: int, seconds: int, buckets: int = BUCKETS
) -> dict[str, dt.datetime]:
    """For showing, not deciding: when each key at its limit now takes a use again.

    One ``get_many`` for every key; keys with room left are not in the answer.
    """
    numbers, width = _window(seconds, buckets, time.time())
    keys = list(keys)
    found = cache.get_many([_bucket(key, number) for key in keys for number in numbers])
    blocked = {}
    for key in keys:
        counts = [found.get(_bucket(key, number), 0) for number in numbers]
        if sum(counts) >= limit:
            blocked[key] = _retry_at(numbers, counts, limit, width, buckets)
    return blocked
