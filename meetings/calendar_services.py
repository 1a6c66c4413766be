"""Writes for each person's private calendar feed: made on first use, its secret replaced."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from meetings.models import CalendarFeed, new_feed_token

if TYPE_CHECKING:
    from members.models import User


@transaction.atomic
def calendar_feed_for(*, user: User) -> CalendarFeed:
    """The person's private feed, made on first use."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_rotate(*, user: User) -> CalendarFeed:
    """A new secret; the old feed URL stops working at once."""
    feed = calendar_feed_for(user=user)
    feed.token = new_feed_token()
    feed.rotated_at = timezone.now()
    feed.save(update_fields=["token", "rotated_at"])
    return feed
