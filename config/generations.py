"""Generation counters in the shared cache: a number that moves on at every write to something.

A reader notes the counters before it reads the database and keeps what it
made with them; the keeper compares them again on the next read and throws the
kept thing away when any has moved. conversations/live.py (a thread's poll) uses them.

- ``bump`` moves a counter now, so a record made from here on inside the
  writer's transaction is stale, and again once the transaction commits, so a
  record another request made from the rows before the commit is stale too.
- A counter made anew (never there, expired or evicted) starts at a random
  value, so a record made from the lost counter cannot match it: a restart at 0
  or 1 could.

A lost key only ever makes a reader do the full work. Web processes must share
the cache (Redis) for a bump in one to reach the others.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db import transaction

# A counter unbumped this long is dropped; it comes back at a random value.
SECONDS = 7 * 24 * 60 * 60


def fresh() -> int:
    return secrets.randbits(48)


def _incr(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # no counter yet, or evicted: any value a record cannot hold
        cache.set(key, fresh(), SECONDS)


def bump(*keys: str) -> None:
    """Move each counter on now, and again when the current transaction commits."""
    for key in keys:
        _incr(key)
    transaction.on_commit(lambda: [_incr(key) for key in keys])


def current(keys: list[str], found: dict | None = None) -> list[int]:
    """The counters' values (``found``: what a caller's own get_many already read)."""
    found = dict(found) if found is not None else cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, fresh(), SECONDS)  # keeps one another process made meanwhile
        found.update(cache.get_many(missing))
    return [found.get(key) for key in keys]
