"""Per-member rate limits on posting and replying, counted in the shared cache.

At most so many in any hour, counted by config.ratelimit, so with Redis every
web process counts in the same place. A counter that outlives a rolled-back
write errs on the side of the circle, which is the side we want.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from config import ratelimit


class RateLimited(Exception):  # noqa: N818 - reads as what happened
    """A member has posted or replied as often as the limit allows for now."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limit:
    name: str
    per_hour: int
    message: str


POSTS = Limit(
    "posts",
    10,
    _(
        "You have started %(n)s posts in the last hour, the most we allow. "
        "Please wait a while before posting again."
    ),
)
REPLIES = Limit(
    "replies",
    60,
    _(
        "You have replied %(n)s times in the last hour, the most we allow. "
        "Please wait a while before replying again."
    ),
)
WINDOW_SECONDS = 60 * 60


def consume(limit: Limit, user_id: int) -> None:
    """Count one more use, or raise RateLimited (without counting) when the limit is reached."""
    try:
        ratelimit.take(
            f"conversations:{limit.name}:{user_id}", limit=limit.per_hour, seconds=WINDOW_SECONDS
        )
    except ratelimit.Exhausted:
        raise RateLimited(limit.message % {"n": limit.per_hour}) from None
