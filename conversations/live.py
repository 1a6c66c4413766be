"""What an open thread's poll needs to know, kept in the cache so a quiet thread costs no SQL.

An open thread asks every 2 seconds for replies after its cursor, and nearly
every answer is 204, nothing new. The full answer (conversations.views.reply_poll)
checks membership, loads the post and queries for newer replies. This module
lets it answer 204 from one cache round trip instead, and only when that is
certainly what the full answer would say:

- A thread's *generation* counts writes to the post and its replies
  (``thread_changed``: on every save or delete of a Post or Reply, connected in
  conversations.apps, and from moderation.services, whose hide and restore
  write with QuerySet.update).
- A person's *access generation* counts changes to their memberships
  (``access_changed``, on every save or delete of a Membership).
- After a full poll or the thread page passed the access check, ``remember``
  records the newest live reply id with the thread generation read *before*
  the query, and a grant with the person's access generation. A reply
  committed meanwhile, a hidden or deleted post, or a membership that ended
  changes a generation, and the record no longer counts: the next poll takes
  the full path and gets its new replies, its stop-polling answer or its 404.

A lost or evicted key only ever sends a poll down the full path. The fast path
needs a cache every web process shares (Redis): with per-process caches one
process would not see another's bumps. ``THREAD_POLL_FAST_PATH`` (settings) is
on exactly when REDIS_URL is set.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from config import generations as counters

# How long a record lives unrefreshed; an open thread refreshes it on every change.
RECORD_SECONDS = 10 * 60


def _thread_key(post_id: int) -> str:
    return f"live:thread:{post_id}"


def _access_key(user_id: int) -> str:
    return f"live:access:{user_id}"


def _record_key(post_id: int, user_id: int, slug: str) -> str:
    return f"live:seen:{post_id}:{user_id}:{slug}"


def thread_changed(post_id: int) -> None:
    """Pollers of this thread must look again."""
    counters.bump(_thread_key(post_id))


def access_changed(user_id: int) -> None:
    """This person's records no longer count."""
    counters.bump(_access_key(user_id))


def generations(*, post_id: int, user_id: int) -> tuple[int, int] | None:
    """Read before querying the replies; hand the result to ``remember``."""
    if not settings.THREAD_POLL_FAST_PATH:
        return None
    thread, access = counters.current([_thread_key(post_id), _access_key(user_id)])
    if thread is None or access is None:
        return None
    return thread, access


def remember(
    *, post_id: int, user_id: int, slug: str, seen: tuple[int, int] | None, last_id: int
) -> None:
    """This person passed the access check and saw ``last_id`` as the thread's newest reply."""
    if seen is not None:
        cache.set(_record_key(post_id, user_id, slug), (*seen, last_id), RECORD_SECONDS)


def nothing_new(*, post_id: int, user_id: int, slug: str, after: int) -> bool:
    """True only when the cache vouches that this person's thread has nothing after ``after``."""
    if not settings.THREAD_POLL_FAST_PATH:
        return False
    keys = [_thread_key(post_id), _access_key(user_id), _record_key(post_id, user_id, slug)]
    found = cache.get_many(keys)
    thread, access, record = (found.get(key) for key in keys)
    if thread is None or access is None or record is None:
        return False
    seen_thread, seen_access, last_id = record
    return seen_thread == thread and seen_access == access and after >= last_id
